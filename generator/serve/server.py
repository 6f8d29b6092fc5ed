"""`clinicpress serve`: build into a private folder, serve it, rebuild on change and reload open tabs.

The reload script, the error overlay and the findings of `check` (see findings.py) are added to HTML
responses on the fly, so the files that `build` writes never contain them. A failed rebuild keeps the
last good site online, with its findings.

A saved post is shown before the site is rebuilt: its page is rendered from what the last build
kept in memory (see session.py) and served over the build folder, open tabs reload, and the full
build follows in its own thread; when it is done, its output takes the place of those pages.
"""
from __future__ import annotations

import html
import mimetypes
import secrets
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from typing import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from generator.outputs.headers import without_policy_meta
from generator.build import BuildOptions, build_site
from generator.errors import BuildError, Diagnostic, UsageError, error
from generator.serve.events import Report, ServeEvent
from generator.serve.findings import count_by_severity, findings_by_page, findings_snippet
from generator.serve.rebuilder import Rebuilder
from generator.serve.session import PreviewSession
from generator.serve.watcher import SiteWatcher

EVENTS_PATH = "/__clinicpress/events"
# How long a thread may hold the interpreter while another waits for it (Python's default: 5 ms).
# Shorter, so that a preview and the requests of a reloading tab are not slowed by a build running
# in another thread: each waits up to this long whenever it needs the interpreter back.
SWITCH_SECONDS = 0.001
KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class ServeOptions:
    site_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    drafts: bool = False
    future: bool = False


@dataclass(frozen=True, slots=True)
class _State:
    """One build attempt's outcome; the token changes with every attempt so open tabs reload."""

    token: str
    has_site: bool = False
    diagnostics: tuple[Diagnostic, ...] = ()
    # Of the site being served (the last one that built): output path of a post page -> its findings,
    # and the whole site's findings by severity.
    page_findings: Mapping[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    site_findings: Mapping[str, int] = field(default_factory=dict)
    # Pages of edited posts served before the build that includes them: output path -> (attempt, HTML).
    fresh: Mapping[str, tuple[int, bytes]] = field(default_factory=dict)


class LiveSite:
    """The served build and its state, shared by the rebuild thread and the request threads."""

    def __init__(self, build_options: BuildOptions):
        self.build_options = build_options
        self.session = secrets.token_hex(4)  # a restarted server makes open tabs reload too
        self.previews = PreviewSession(build_options)
        self.stopped = False
        self._changed = threading.Condition()
        self._one_build_at_a_time = threading.Lock()
        self._generation = 0
        self._state = _State(token=f"{self.session}-0")

    @property
    def root(self) -> Path:
        return self.build_options.output_dir

    @property
    def state(self) -> _State:
        with self._changed:
            return self._state

    def rebuild(self) -> ServeEvent:
        """Build once; on failure keep the last good output and remember the diagnostics."""
        with self._one_build_at_a_time:
            return self._rebuild()

    def _rebuild(self) -> ServeEvent:
        with self._changed:
            covered = self._generation  # fresh pages up to here show edits this build reads
        try:
            result = build_site(self.build_options, keep=self.previews.keeper())
            event, diagnostics = ServeEvent("built", result=result), ()
        except BuildError as exc:
            diagnostics = exc.diagnostics
            event = ServeEvent("failed", diagnostics=diagnostics)
        except UsageError as exc:
            diagnostics = (error("build", None, str(exc)),)
            event = ServeEvent("failed", diagnostics=diagnostics)
        except Exception as exc:  # a bug in one rebuild must not stop the preview
            diagnostics = (error("build", None, f"unexpected {type(exc).__name__}: {exc}",
                                 "please report this together with the change that caused it"),)
            event = ServeEvent("failed", diagnostics=diagnostics, message=traceback.format_exc())
        with self._changed:
            self._generation += 1
            kept_previous = self._state.has_site and event.kind == "failed"
            has_site = self._state.has_site or event.kind == "built"
            if event.result is not None:
                page_findings = findings_by_page(event.result)
                site_findings = count_by_severity(event.result.findings)
            else:
                page_findings, site_findings = self._state.page_findings, self._state.site_findings
            fresh = {path: page for path, page in self._state.fresh.items() if page[0] > covered}
            self._state = _State(f"{self.session}-{self._generation}", has_site, diagnostics, page_findings,
                                 site_findings, MappingProxyType(fresh))
            self._changed.notify_all()
        return replace(event, kept_previous=kept_previous)

    def preview(self, paths: tuple[str, ...]) -> ServeEvent | None:
        """Show the pages of edited posts (or their errors) at once, before the build; None when the
        change is not one the preview session can show (then only the build does)."""
        made = self.previews.preview(paths, self.state.diagnostics)
        if made is None:
            return None
        with self._changed:
            self._generation += 1
            state = self._state
            fresh = {**state.fresh, **{path: (self._generation, page) for path, page in made.pages.items()}}
            # Errors of other files (found meanwhile by a build) stay until a build says they are fixed.
            diagnostics = made.diagnostics or tuple(d for d in state.diagnostics if d.path not in made.sources)
            self._state = _State(f"{self.session}-{self._generation}", state.has_site, diagnostics,
                                 state.page_findings, state.site_findings, MappingProxyType(fresh))
            self._changed.notify_all()
        return ServeEvent("previewed", paths=made.sources, diagnostics=made.diagnostics, seconds=made.seconds)

    def wait_for_change(self, token: str, timeout: float) -> _State:
        with self._changed:
            self._changed.wait_for(lambda: self.stopped or self._state.token != token, timeout)
            return self._state

    def stop(self) -> None:
        with self._changed:
            self.stopped = True
            self._changed.notify_all()


def reload_snippet(state: _State) -> str:
    """The script (and, after a failed build, the overlay) added before </body> of every HTML page."""
    script = ('<script data-clinicpress-reload>(function(){var s=new EventSource("%s?since=%s");'
              's.addEventListener("reload",function(){s.close();location.reload();});})();</script>'
              % (EVENTS_PATH, state.token))
    return (error_overlay(state.diagnostics) if state.diagnostics else "") + script


def error_overlay(diagnostics: tuple[Diagnostic, ...]) -> str:
    items = "".join(f'<pre style="white-space:pre-wrap;margin:0 0 12px;padding:12px;background:#2b1d1d;'
                    f'border-left:4px solid #ff6b5e;border-radius:4px">{html.escape(d.format())}</pre>'
                    for d in diagnostics)
    count = len(diagnostics)
    return (
        '<div id="clinicpress-error-overlay" role="alertdialog" aria-labelledby="clinicpress-error-title" '
        'style="position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(17,17,17,.92);'
        'color:#f5f5f5;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:32px 16px">'
        '<div style="max-width:960px;margin:0 auto">'
        '<h2 id="clinicpress-error-title" style="font:600 20px/1.3 system-ui,sans-serif;color:#ff8a80;'
        f'margin:0 0 8px">The site could not be rebuilt ({count} error{"" if count == 1 else "s"})</h2>'
        '<p style="font:15px/1.5 system-ui,sans-serif;margin:0 0 16px">Underneath is the last version that '
        'built. Fix the problem below and save the file; this page reloads by itself.</p>'
        f'{items}<button type="button" onclick="this.closest(\'#clinicpress-error-overlay\').remove()" '
        'style="font:15px system-ui,sans-serif;padding:6px 14px;cursor:pointer">Hide</button></div></div>'
    )


def inject(page: bytes, snippet: str) -> bytes:
    """Put the snippet just before the last </body>, or at the end when there is none. The page's
    Content-Security-Policy <meta> goes: it would block the snippet's inline script and styles."""
    page = without_policy_meta(page)
    data = snippet.encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page + data if at < 0 else page[:at] + data + page[at:]


_PLACEHOLDER = (b"<!doctype html><html><head><meta charset=\"utf-8\"><title>ClinicPress</title></head>"
                b"<body><p>The site has not been built yet.</p></body></html>")


class _Handler(BaseHTTPRequestHandler):
    """Pretty URLs over the build folder: /en/posts/x/ serves index.html, unknown paths the site's 404.html."""

    server: "_Server"
    server_version = "ClinicPress"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        live = self.server.live
        url = urlsplit(self.path)
        if url.path == EVENTS_PATH:
            self._stream_events(live, parse_qs(url.query).get("since", [""])[0])
            return
        state = live.state  # read before the file: a newer page with an older token only reloads once more
        if not state.has_site:
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8",
                       inject(_PLACEHOLDER, reload_snippet(state)), send_body)
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
        content_type = _content_type(target)
        if content_type.startswith("text/html"):
            shown = target.as_posix() if kind == "fresh" else target.relative_to(live.root).as_posix()
            findings = state.page_findings.get(shown, ())
            data = inject(data, findings_snippet(findings, state.site_findings) + reload_snippet(state))
        self._send(status, content_type, data, send_body)

    def _send(self, status: HTTPStatus, content_type: str, data: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _stream_events(self, live: LiveSite, since: str) -> None:
        """Server-Sent Events: one 'reload' as soon as the build differs from the page's token."""
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
        except (BrokenPipeError, ConnectionResetError):
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
    if target.is_dir():
        if not decoded.endswith("/"):
            return "redirect", None
        target = target / "index.html"
    return ("file", target) if target.is_file() else ("missing", None)


def _read(path: Path) -> bytes | None:
    """Read a served file; a rebuild may swap the folder in between, so one retry is allowed."""
    for _ in range(2):
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            time.sleep(0.01)
    return None


def _content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/xml", "application/javascript", "application/json"):
        return guessed + "; charset=utf-8"
    return guessed


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    live: LiveSite
    report: Report


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_http_server(host: str, port: int, report: Report) -> _Server:
    server_class = _Server6 if ":" in host else _Server
    try:
        server = server_class((host, port), _Handler)
    except OSError as exc:
        if exc.errno == 98:  # EADDRINUSE
            raise UsageError(f"port {port} is already in use; stop the other server or choose --port {port + 1}")
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    server.report = report
    return server


def public_url(host: str, port: int) -> str:
    shown = {"": "localhost", "0.0.0.0": "localhost", "::": "localhost"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(options: ServeOptions, report: Report) -> None:
    """Build, serve and rebuild on every change until Ctrl-C (or SIGTERM); cleans up after itself."""
    site_dir = options.site_dir
    if not (site_dir / "site.toml").is_file():
        raise UsageError(f"{site_dir} has no site.toml; run 'clinicpress init {site_dir}' to create a site there")
    restore = None
    if threading.current_thread() is threading.main_thread():
        restore = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with tempfile.TemporaryDirectory(prefix="clinicpress-serve-") as private:
            _serve_from(options, Path(private) / "site", report)
    finally:
        if restore is not None:
            signal.signal(signal.SIGTERM, restore)


def _serve_from(options: ServeOptions, output_dir: Path, report: Report) -> None:
    httpd = make_http_server(options.host, options.port, report)
    url = public_url(options.host, httpd.server_address[1])
    live = LiveSite(BuildOptions(site_dir=options.site_dir, output_dir=output_dir, base_url=url,
                                 drafts=options.drafts, future=options.future))
    httpd.live = live
    rebuilder = Rebuilder(live, report)
    watcher = SiteWatcher(options.site_dir, rebuilder.poke)
    with ExitStack() as cleanup:  # every step runs, last registered first, even if one of them fails
        cleanup.callback(httpd.server_close)
        cleanup.callback(rebuilder.stop)
        cleanup.callback(watcher.stop)
        cleanup.callback(live.stop)
        # The first build runs before any thread starts, so its worker processes are forks of a
        # single-threaded process; an edit made during it is found by its time and rebuilt.
        started_ns = time.time_ns()
        report(live.rebuild())
        watcher.start()
        rebuilder.start()
        missed = watcher.changed_since(started_ns)
        if missed:
            rebuilder.poke(missed)
        report(ServeEvent("serving", url=url))
        cleanup.callback(sys.setswitchinterval, sys.getswitchinterval())
        sys.setswitchinterval(SWITCH_SECONDS)
        httpd.serve_forever(poll_interval=0.25)
