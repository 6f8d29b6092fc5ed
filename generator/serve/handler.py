"""The preview's HTTP side: pretty URLs over the build folder, the pages edited since the last build,
and the live-reload event stream."""
from __future__ import annotations

import io
import json
import mimetypes
import socket
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from generator.admin.cms_config import API_PATH, CHECK_PATH
from generator.errors import UsageError
from generator.serve.connections import DeadlineReader, Lease, Limits, PreviewServer
from generator.serve.editor import MAX_BODY, EditorError, SiteEditor, read_json
from generator.serve.events import Report, ServeEvent
from generator.serve.findings import findings_snippet
from generator.serve.guard import HostNames, Refusal, refuse_request_line
from generator.serve.live import LiveSite
from generator.serve.page import (EVENTS_PATH, PLACEHOLDER, built_policy, inject, new_nonce, preview_policy,
                                  reload_snippet)
from generator.site.urls import Urls

KEEPALIVE_SECONDS = 15.0
ADMIN_PREFIX = "/" + Urls.admin()
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


class _Handler(BaseHTTPRequestHandler):
    """Pretty URLs over the build folder: /en/posts/x/ serves index.html, unknown paths the site's 404.html."""

    server: "_Server"
    server_version = "ClinicPress"

    def __init__(self, request, client_address, server: "_Server", lease: Lease):
        self.lease = lease
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the plain reader that setup made: ours keeps a deadline
        self.reader = DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self.reader)

    def handle_one_request(self) -> None:
        self.reader.deadline = time.monotonic() + self.server.limits.request_timeout
        super().handle_one_request()  # closes the connection when the request is late (TimeoutError)

    def _request_read(self) -> None:
        """Lift the deadline once the request is in; writing the answer gets as long again, each write."""
        self.reader.deadline = None
        self.connection.settimeout(self.server.limits.request_timeout)

    def parse_request(self) -> bool:
        refusal = refuse_request_line(self.raw_requestline)
        if refusal is not None:
            self._request_read()
            self.command, self.requestline = None, str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
            self.request_version = "HTTP/1.0"  # so that the refusal has a status line
            return self._refuse(refusal)
        read = super().parse_request()  # reads the headers
        self._request_read()
        if not read:
            return False
        refusal = self.server.host_names.refuse_request(self.request_version, self.headers.get_all("Host", []),
                                                        self.path)
        return True if refusal is None else self._refuse(refusal)

    def _refuse(self, refusal: Refusal) -> bool:
        self.close_connection = True
        self.send_error(refusal.status, refusal.reason)
        return False

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_POST(self) -> None:
        """The browser editor's requests (serve --edit only): Decap's protocol, and check's findings."""
        path, editor = urlsplit(self.path).path, self.server.editor
        if path not in (API_PATH, CHECK_PATH) or editor is None:
            self.close_connection = True
            self.send_error(HTTPStatus.NOT_FOUND if editor else HTTPStatus.METHOD_NOT_ALLOWED,
                            "start the preview with clinicpress serve --edit to save from the editor")
            return
        try:
            request = read_json(self._own_request_body())
            answer = editor.answer(request) if path == API_PATH else editor.findings(request)
            status = HTTPStatus.OK
        except EditorError as exc:
            answer, status = {"error": str(exc)}, HTTPStatus(exc.status)
        except OSError as exc:
            answer, status = {"error": f"could not save: {exc.strerror or exc}"}, HTTPStatus.INTERNAL_SERVER_ERROR
        if status != HTTPStatus.OK:
            self.server.report(ServeEvent("request", message=f"editor: {answer['error']}"))
        data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        self._send(status, "application/json; charset=utf-8", data, True, API_POLICY)

    def _own_request_body(self) -> bytes:
        """The body of a request sent by a page of this preview, never by another site: JSON (which a
        form or a plain cross-site request cannot send without asking first, and we never agree) from
        this origin."""
        if self.headers.get("Content-Type", "").split(";")[0].strip().lower() != "application/json":
            raise EditorError(415, "the editor sends JSON")
        origin, host = self.headers.get("Origin"), self.headers.get("Host", "")
        if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            raise EditorError(403, "requests from other sites are refused")
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            raise EditorError(403, "requests from other sites are refused")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise EditorError(411, "a Content-Length is needed") from None
        if not 0 <= length <= MAX_BODY:
            raise EditorError(413, "the request is too large")
        return self.rfile.read(length)

    def _respond(self, send_body: bool) -> None:
        live = self.server.live
        url = urlsplit(self.path)
        if url.path == EVENTS_PATH:
            self._stream_events(live, parse_qs(url.query).get("since", [""])[0])
            return
        state = live.state  # read before the file: a newer page with an older token only reloads once more
        nonce = new_nonce()
        if not state.has_site:
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8",
                       inject(PLACEHOLDER, reload_snippet(state.token, state.diagnostics, nonce)), send_body,
                       preview_policy(state.policy, nonce))
            return
        kind, target = _lookup(live.root, url.path, state.fresh)
        if kind == "redirect":
            location = url.path + "/" + (f"?{url.query}" if url.query else "")
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK
        if kind == "fresh":
            data, target = state.fresh[target][1], Path(target)
        else:
            data = _read(target) if target else None
        if data is None:
            status, target = HTTPStatus.NOT_FOUND, live.root / "404.html"
            data = _read(target) or b"<!doctype html><html><body><h1>404 Not Found</h1></body></html>"
        content_type, policy = _content_type(target), state.policy
        if url.path.startswith(ADMIN_PREFIX):  # the editor: its own policy, no reload script (it would lose edits)
            policy = built_policy(live.root, ADMIN_PREFIX + "*")
        elif content_type.startswith("text/html"):
            shown = target.as_posix() if kind == "fresh" else target.relative_to(live.root).as_posix()
            findings = state.page_findings.get(shown, ())
            data = inject(data, findings_snippet(findings, state.site_findings, nonce)
                          + reload_snippet(state.token, state.diagnostics, nonce))
            policy = preview_policy(policy, nonce)
        self._send(status, content_type, data, send_body, policy)

    def _send(self, status: HTTPStatus, content_type: str, data: bytes, send_body: bool, policy: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", policy)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _stream_events(self, live: LiveSite, since: str) -> None:
        """Server-Sent Events: one 'reload' as soon as the build differs from the page's token."""
        if not self.lease.to_stream():
            self.send_error(HTTPStatus.SERVICE_UNAVAILABLE, "too many open live-reload streams")
            return
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while not live.stopped:
                state = live.wait_for_change(since, KEEPALIVE_SECONDS)
                if live.stopped:
                    return
                if state.token != since:
                    self.wfile.write(f"event: reload\ndata: {state.token}\n\n".encode())
                    self.wfile.flush()
                    return
                self.wfile.write(b": keep-alive\n\n")  # finds tabs that were closed
                self.wfile.flush()
        except OSError:  # the tab was closed, or stopped reading for longer than a write may take
            return

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        self.server.report(ServeEvent("request", message=format % args))


def _lookup(root: Path, url_path: str, fresh: Mapping[str, object]) -> tuple[str, Path | str | None]:
    """('fresh', output path) for a page in `fresh`, else ('file', path), ('redirect', None) for a
    folder without its trailing slash, or ('missing', None)."""
    decoded = unquote(url_path)
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if any(part == ".." or "\x00" in part or "\\" in part for part in parts):
        return "missing", None
    page = "/".join([*parts, "index.html"])
    if decoded.endswith("/") and page in fresh:
        return "fresh", page
    if not decoded.endswith("/") and parts:
        if "/".join(parts) in fresh:
            return "fresh", "/".join(parts)
        if page in fresh:
            return "redirect", None
    target = root.joinpath(*parts)
    try:
        if target.is_dir():
            if not decoded.endswith("/"):
                return "redirect", None
            target = target / "index.html"
        return ("file", target) if target.is_file() else ("missing", None)
    except OSError:  # a name too long, or another the file system refuses: no such page
        return "missing", None


def _read(path: Path) -> bytes | None:
    """Read a served file; a rebuild may swap the folder in between, so one retry is allowed."""
    for _ in range(2):
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            time.sleep(0.01)
        except OSError:  # unreadable: answered as missing rather than with a dropped connection
            return None
    return None


def _content_type(path: Path) -> str:
    guessed = "text/yaml" if path.suffix == ".yml" else mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/xml", "application/javascript", "application/json"):
        return guessed + "; charset=utf-8"
    return guessed


class _Server(PreviewServer):
    live: LiveSite
    report: Report
    host_names: HostNames
    editor: SiteEditor | None = None


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_http_server(host: str, port: int, report: Report, limits: Limits = Limits()) -> _Server:
    server_class = _Server6 if ":" in host else _Server
    try:
        server = server_class((host, port), _Handler, limits)
    except OSError as exc:
        if exc.errno == 98:  # EADDRINUSE
            raise UsageError(f"port {port} is already in use; stop the other server or choose --port {port + 1}")
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    server.report = report
    server.host_names = HostNames.bound_to(host)
    return server
