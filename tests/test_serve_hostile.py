"""`serve` against hostile or broken clients: the real HTTP server on 127.0.0.1, spoken to over raw sockets
where an HTTP client would not send the request (or would tidy it up first)."""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG, post_text, write_tree
from generator.loading import BuildOptions
from generator.serve.connections import REQUEST_TIMEOUT, Limits
from generator.serve.guard import HostNames
from generator.serve.server import EVENTS_PATH, LiveSite, make_http_server

WAIT = 20.0
SECRET = "the clinic's private notes"


@dataclass
class Running:
    live: LiveSite
    httpd: object
    port: int
    requests: list
    address: str = "127.0.0.1"

    def connect(self, timeout: float = WAIT) -> socket.socket:
        return socket.create_connection((self.address, self.port), timeout=timeout)

    def exchange(self, data: bytes, timeout: float = WAIT) -> bytes:
        """Send data and read the whole answer, until the server closes the connection."""
        with self.connect(timeout) as sock:
            sock.sendall(data)
            return read_all(sock)

    def get(self, target: str, host: str | None = None, version: str = "HTTP/1.1", extra: str = "") -> "Answer":
        host = f"127.0.0.1:{self.port}" if host is None else host
        header = f"Host: {host}\r\n" if host else ""
        return Answer.parse(self.exchange(f"GET {target} {version}\r\n{header}{extra}\r\n".encode("latin-1")))


@dataclass
class Answer:
    status: int
    head: str
    body: bytes

    @classmethod
    def parse(cls, raw: bytes) -> "Answer":
        head, _, body = raw.partition(b"\r\n\r\n")
        first = head.split(b"\r\n", 1)[0].split()
        return cls(int(first[1]) if len(first) > 1 and first[1].isdigit() else 0, head.decode("latin-1"), body)


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "secret.txt").write_text(SECRET)  # beside the served folder: nothing may reach it
    return write_tree(root / "site", {"site.toml": MINIMAL_CONFIG,
                                      "posts/en/hello.md": post_text("Hello"),
                                      "posts/en/plans.md": post_text("Unannounced plans", draft="true")})


def start_server(site: Path, output: Path, host: str = "127.0.0.1", address: str = "127.0.0.1",
                 **server_options) -> Running:
    requests: list = []
    httpd = make_http_server(host, 0, lambda event: requests.append(event), **server_options)
    port = httpd.server_address[1]
    live = httpd.live = LiveSite(BuildOptions(site_dir=site, output_dir=output, base_url=f"http://127.0.0.1:{port}/",
                                              drafts=True, future=True))
    assert live.rebuild().kind == "built"
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return Running(live, httpd, port, requests, address)


def stop_server(running: Running) -> None:
    running.live.stop()
    running.httpd.shutdown()
    running.httpd.server_close()


@pytest.fixture(scope="module")
def served(site):
    running = start_server(site, site.parent / "served")
    yield running
    stop_server(running)


TRAVERSALS = [
    "/../secret.txt",
    "/en/../../secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/.%2e/secret.txt",
    "/..%5csecret.txt",
    "/%2e%2e%5csecret.txt",
    "/%252e%252e/secret.txt",
    "/..;/secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/%00/../secret.txt",
    "//../secret.txt",
    "http://127.0.0.1/../secret.txt",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_paths_out_of_the_served_folder_are_not_found(served, target):
    answer = served.get(target)
    assert answer.status == 404
    assert SECRET.encode() not in answer.body


def test_three_hundred_open_tabs_all_reload(site, tmp_path):
    running = start_server(site, tmp_path / "served")
    tabs = []
    try:
        token = running.live.state.token
        for _ in range(300):
            tab = running.connect()
            tab.sendall(f"GET {EVENTS_PATH}?since={token} HTTP/1.1\r\nHost: 127.0.0.1:{running.port}\r\n\r\n".encode())
            tabs.append(tab)
        for tab in tabs:
            assert b"retry: 1000" in read_until(tab, b"retry: 1000\n\n")
        page = running.get("/en/posts/hello/")  # pages are still served while every tab waits
        assert page.status == 200 and b"<h1" in page.body
        assert running.live.rebuild().kind == "built"
        for tab in tabs:
            assert b"event: reload" in read_until(tab, b"event: reload")
    finally:
        for tab in tabs:
            tab.close()
        stop_server(running)


def read_until(sock: socket.socket, marker: bytes, timeout: float = WAIT) -> bytes:
    deadline, seen = time.monotonic() + timeout, b""
    while marker not in seen:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            break
        seen += chunk
    return seen


LONG_NAME = "a" * 300  # over the 255 bytes a file name may have
UNTOUCHABLE = [f"/{LONG_NAME}", f"/{LONG_NAME}/", f"/en/{LONG_NAME}/index.html", "/" + "%ff" * 100,
               "/" + "/".join(["b" * 200] * 30)]  # a path longer than any the system takes


@pytest.mark.parametrize("target", UNTOUCHABLE, ids=["name", "folder", "nested", "encoded", "path"])
def test_a_path_the_file_system_refuses_is_not_found(served, target, capfd):
    answer = served.get(target)
    assert answer.status == 404
    assert b'class="page-404"' in answer.body
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("method", ["stat", "read_bytes"])
def test_a_file_the_system_will_not_let_the_server_read_is_not_found(served, method, monkeypatch, capfd):
    """Running as root, permissions cannot refuse anything: the file system's refusal is put in by hand."""
    original = getattr(Path, method)

    def refused(path, *args, **kwargs):
        if path.name == "index.html" and path.parent.name == "hello":
            raise PermissionError(13, "Permission denied", str(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(Path, method, refused)
    answer = served.get("/en/posts/hello/")
    assert answer.status == 404 and b'class="page-404"' in answer.body
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("request_line", [b"GET /\r\n", b"GET /\r\n\r\n", b"GET /en/posts/hello/\r\n"])
def test_a_request_line_without_a_version_is_refused_at_once(served, request_line):
    started = time.monotonic()
    with served.connect(timeout=5) as sock:
        sock.sendall(request_line)
        answer = Answer.parse(read_all(sock))
    assert answer.status == 400 and answer.head.startswith("HTTP/1.0 400")
    assert b"Hello" not in answer.body
    assert time.monotonic() - started < REQUEST_TIMEOUT / 2  # answered, not left to time out


FOREIGN_HOSTS = ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example", "localhost.evil.example:{port}",
                 "evil.example.", "attacker.localhost.example"]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
@pytest.mark.parametrize("target", ["/en/posts/hello/", "/en/posts/plans/", "/en/feed.xml", EVENTS_PATH + "?since=x"])
def test_a_request_for_another_name_gets_nothing(served, host, target):
    """A page on evil.example whose name now points at 127.0.0.1 (DNS rebinding) reads nothing, drafts included."""
    answer = served.get(target, host=host.format(port=served.port))
    assert answer.status == 421
    assert b"Hello" not in answer.body and b"Unannounced" not in answer.body and b"retry" not in answer.body


@pytest.mark.parametrize("host", ["localhost", "localhost:{port}", "LocalHost:{port}", "127.0.0.1", "127.0.0.1:{port}",
                                  "[::1]:{port}", "[::1]", "localhost.:{port}"])
def test_the_names_of_this_computer_are_answered(served, host):
    answer = served.get("/en/posts/plans/", host=host.format(port=served.port))
    assert answer.status == 200 and b"Unannounced plans" in answer.body


def test_http_1_1_without_a_host_is_refused_and_http_1_0_is_answered(served):
    assert served.get("/en/posts/hello/", host="").status == 400
    assert served.get("/en/posts/hello/", host="", version="HTTP/1.0").status == 200


@pytest.mark.parametrize("request_head", [
    "GET /en/posts/hello/ HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n",
    "GET /en/posts/hello/ HTTP/1.1\r\nHost: localhost:port\r\n",
    "GET /en/posts/hello/ HTTP/1.1\r\nHost: localhost@evil.example\r\n",
    "GET /en/posts/hello/ HTTP/1.1\r\nHost: \r\n",
])
def test_a_malformed_or_repeated_host_is_refused(served, request_head):
    answer = Answer.parse(served.exchange((request_head + "\r\n").encode()))
    assert answer.status == 400 and b"Hello" not in answer.body


def test_an_absolute_address_for_another_name_gets_nothing(served):
    answer = served.get("http://evil.example/en/posts/hello/", host="localhost")
    assert answer.status == 421 and b"Hello" not in answer.body
    assert served.get(f"http://localhost:{served.port}/en/posts/hello/", host="localhost").status == 200


def test_bound_to_every_address_the_machines_own_name_and_addresses_are_answered(site, tmp_path):
    running = start_server(site, tmp_path / "served", host="0.0.0.0")
    try:
        for host in (socket.gethostname(), f"{socket.gethostname()}:{running.port}", f"192.0.2.7:{running.port}",
                     "[2001:db8::7]", "localhost"):
            assert running.get("/en/posts/hello/", host=host).status == 200, host
        assert running.get("/en/posts/hello/", host="evil.example").status == 421
    finally:
        stop_server(running)


def test_the_host_given_to_serve_is_answered(site, tmp_path):
    name = socket.gethostname()
    try:
        address = socket.gethostbyname(name)
    except OSError:
        pytest.skip(f"this computer's name {name!r} has no address")
    running = start_server(site, tmp_path / "served", host=name, address=address)
    try:
        assert running.get("/en/posts/hello/", host=f"{name}:{running.port}").status == 200
        assert running.get("/en/posts/hello/", host=name.upper()).status == 200
        assert running.get("/en/posts/hello/", host="evil.example").status == 421
    finally:
        stop_server(running)


def test_host_names_for_each_way_of_binding():
    named = HostNames.bound_to("clinic.test")
    assert named.refuse("clinic.test:8000") is None and named.refuse("CLINIC.TEST") is None
    assert named.refuse("192.0.2.7:8000").status == 421  # bound to one name: other addresses are not this server
    assert named.refuse("clinic.test.evil.example").status == 421
    ipv6 = HostNames.bound_to("::1")
    assert ipv6.refuse("[::1]:8000") is None and ipv6.refuse("[2001:db8::7]").status == 421
    every = HostNames.bound_to("::")
    assert every.refuse("[2001:db8::7]:8000") is None and every.refuse("192.0.2.7") is None
    assert every.refuse(socket.gethostname()) is None and every.refuse("evil.example").status == 421


def closed_after(sock: socket.socket, trickle: bytes = b"", every: float = 0.1, timeout: float = 5.0) -> float:
    """Seconds until the server closes the connection, sending trickle a byte at a time meanwhile."""
    started = time.monotonic()
    for byte in trickle:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return time.monotonic() - started
        time.sleep(every)
    sock.settimeout(timeout)
    try:
        assert sock.recv(65536) == b""
    except ConnectionResetError:
        pass
    return time.monotonic() - started


@pytest.fixture
def impatient(site, tmp_path):
    running = start_server(site, tmp_path / "served", limits=Limits(request_timeout=0.5))
    yield running
    stop_server(running)


@pytest.mark.parametrize("sent", [b"", b"GET /en/posts/hel", b"GET /en/posts/hello/ HTTP/1.1\r\nHost: localhost\r\n"])
def test_a_client_that_does_not_finish_its_request_is_disconnected(impatient, sent):
    with impatient.connect(timeout=5) as sock:
        sock.sendall(sent)
        assert 0.4 < closed_after(sock) < 4


def test_a_client_sending_a_byte_now_and_then_is_disconnected_too(impatient):
    request = b"GET /en/posts/hello/ HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow\r\n\r\n"
    with impatient.connect(timeout=5) as sock:
        assert closed_after(sock, request, every=0.1) < 2  # every byte comes in time, the whole request does not


def test_the_request_timeout_is_a_few_seconds_by_default():
    assert Limits().request_timeout == REQUEST_TIMEOUT and 2 <= REQUEST_TIMEOUT <= 30


def test_the_event_stream_stays_open_past_the_request_timeout(impatient):
    with impatient.connect() as tab:
        token = impatient.live.state.token
        tab.sendall(f"GET {EVENTS_PATH}?since={token} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        assert b"retry: 1000" in read_until(tab, b"retry: 1000\n\n")
        time.sleep(1.5)  # three times the request timeout
        assert impatient.get("/en/posts/hello/").status == 200
        assert impatient.live.rebuild().kind == "built"
        assert f"event: reload\ndata: {impatient.live.state.token}".encode() in read_until(tab, b"event: reload\ndata")


def test_connections_beyond_the_workers_wait_then_get_503(site, tmp_path):
    running = start_server(site, tmp_path / "served", limits=Limits(workers=2, queue_seconds=0.3))
    try:
        silent = [running.connect(), running.connect()]  # each holds a worker while it says nothing
        started = time.monotonic()
        busy = running.get("/en/posts/hello/")
        assert busy.status == 503 and "Retry-After: 1" in busy.head and b"Hello" not in busy.body
        assert 0.25 < time.monotonic() - started < 3
        silent.pop().close()
        assert running.get("/en/posts/hello/").status == 200  # a worker is free again
        silent.pop().close()
    finally:
        stop_server(running)


def test_open_event_streams_do_not_take_the_workers(site, tmp_path):
    running = start_server(site, tmp_path / "served", limits=Limits(workers=2, streams=20, queue_seconds=1))
    tabs = []
    try:
        token = running.live.state.token
        for _ in range(20):
            tabs.append(running.connect())
            tabs[-1].sendall(f"GET {EVENTS_PATH}?since={token} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
            assert b"retry: 1000" in read_until(tabs[-1], b"retry: 1000\n\n")
        assert running.get("/en/posts/hello/").status == 200
        assert running.get(f"{EVENTS_PATH}?since={token}").status == 503  # a stream more than allowed
        assert running.live.rebuild().kind == "built"
        for tab in tabs:
            assert b"event: reload" in read_until(tab, b"event: reload")
        assert running.get("/en/posts/hello/").status == 200
    finally:
        for tab in tabs:
            tab.close()
        stop_server(running)
