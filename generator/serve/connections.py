"""How many connections the preview serves at once, and how long a client may take to send its request.

A connection gets a thread of its own, as in ThreadingHTTPServer, but only while one of `workers`
is free: a new connection waits for one for a while, then gets 503. A connection that asks for the
live-reload event stream moves to a separate, larger allowance, so that open tabs waiting for a
reload never keep pages from being served. So at most workers + streams threads serve connections.

A request line and its headers must arrive in full within `request_timeout`: a client that sends
nothing, or a byte now and then, is disconnected. The event stream, long-lived by design, is not
reading a request and is not cut short.
"""
from __future__ import annotations

import io
import socket
import threading
import time
from dataclasses import dataclass
from http.server import HTTPServer

REQUEST_TIMEOUT = 10.0
WORKERS = 32
STREAMS = 1000  # one per open tab
BACKLOG = 1024  # connections the system holds until they are accepted: many tabs reload at once
_BUSY_TEXT = b"The preview is busy; try again."
_BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\n"
         b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(_BUSY_TEXT), _BUSY_TEXT))


@dataclass(frozen=True, slots=True)
class Limits:
    request_timeout: float = REQUEST_TIMEOUT  # to send a request line and its headers
    workers: int = WORKERS  # connections whose requests are read and answered at once
    streams: int = STREAMS  # open live-reload event streams, counted apart from the workers
    queue_seconds: float = REQUEST_TIMEOUT  # how long a new connection waits for a worker before a 503


class _Slots:
    """Free workers and free event streams, shared by the accepting thread and the connections' threads."""

    def __init__(self, limits: Limits):
        self._free = threading.Condition()
        self._workers, self._streams = limits.workers, limits.streams
        self._closed = False

    def take_worker(self, timeout: float) -> bool:
        with self._free:
            self._free.wait_for(lambda: self._closed or self._workers > 0, timeout)
            if self._closed or self._workers <= 0:
                return False
            self._workers -= 1
            return True

    def worker_to_stream(self) -> bool:
        with self._free:
            if self._streams <= 0:
                return False
            self._streams -= 1
            self._workers += 1
            self._free.notify()
            return True

    def give_back(self, stream: bool) -> None:
        with self._free:
            if stream:
                self._streams += 1
            else:
                self._workers += 1
                self._free.notify()

    def close(self) -> None:
        with self._free:
            self._closed = True
            self._free.notify_all()


class Lease:
    """One connection's place: a worker, until it becomes an event stream; given back once, when it ends."""

    def __init__(self, slots: _Slots):
        self._slots, self._stream, self._held = slots, False, True

    def to_stream(self) -> bool:
        """Move to the event streams' allowance; False (still a worker) when every stream is taken."""
        self._stream = self._stream or self._slots.worker_to_stream()
        return self._stream

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slots.give_back(self._stream)


class DeadlineReader(io.RawIOBase):
    """A socket's input with a deadline for everything read until it is lifted, not only for each read."""

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request took too long to arrive")
            self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


class PreviewServer(HTTPServer):
    """An HTTP server with a thread per connection and a bounded number of them at work. The handler class
    is called with the connection's Lease after the usual (request, client_address, server)."""

    request_queue_size = BACKLOG

    def __init__(self, address: tuple, handler_class: type, limits: Limits):
        self.limits = limits
        self._slots = _Slots(limits)
        super().__init__(address, handler_class)

    def process_request(self, request: socket.socket, client_address: tuple) -> None:
        if not self._slots.take_worker(self.limits.queue_seconds):
            _turn_away(request)
            self.shutdown_request(request)
            return
        lease = Lease(self._slots)
        try:
            threading.Thread(target=self._serve, args=(request, client_address, lease), daemon=True).start()
        except BaseException:
            lease.release()
            raise

    def _serve(self, request: socket.socket, client_address: tuple, lease: Lease) -> None:
        try:
            self.RequestHandlerClass(request, client_address, self, lease)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            lease.release()
            self.shutdown_request(request)

    def shutdown(self) -> None:
        self._slots.close()  # the accepting thread may be waiting for a worker
        super().shutdown()


def _turn_away(request: socket.socket) -> None:
    """No worker came free in time: say so rather than leave the client waiting."""
    try:
        request.setblocking(False)
        try:
            request.recv(65536)  # read what the client sent, so that closing does not reset the answer away
        except BlockingIOError:
            pass
        request.send(_BUSY)
    except OSError:
        pass
