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
from generator.serve.server import EVENTS_PATH, LiveSite, make_http_server

WAIT = 20.0
SECRET = "the clinic's private notes"


@dataclass
class Running:
    live: LiveSite
    httpd: object
    port: int
    requests: list

    def connect(self, timeout: float = WAIT) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

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


def start_server(site: Path, output: Path, **server_options) -> Running:
    requests: list = []
    httpd = make_http_server("127.0.0.1", 0, lambda event: requests.append(event), **server_options)
    port = httpd.server_address[1]
    live = httpd.live = LiveSite(BuildOptions(site_dir=site, output_dir=output, base_url=f"http://127.0.0.1:{port}/",
                                              drafts=True, future=True))
    assert live.rebuild().kind == "built"
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return Running(live, httpd, port, requests)


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


@pytest.mark.parametrize("request_line", [b"GET /\r\n", b"GET /\r\n\r\n", b"GET /en/posts/hello/\r\n"])
def test_a_request_line_without_a_version_is_refused_at_once(served, request_line):
    started = time.monotonic()
    with served.connect(timeout=5) as sock:
        sock.sendall(request_line)
        answer = Answer.parse(read_all(sock))
    assert answer.status == 400 and answer.head.startswith("HTTP/1.0 400")
    assert b"Hello" not in answer.body
    assert time.monotonic() - started < 2
