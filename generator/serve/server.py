"""`clinicpress serve`: build into a private folder, serve it, rebuild on change and reload open tabs.

The reload script, the error overlay and the findings of `check` (see findings.py) are added to HTML
responses on the fly, so the files that `build` writes never contain them. A failed rebuild keeps the
last good site online, with its findings.

A saved post is shown before the site is rebuilt: its page is rendered from what the last build
kept in memory (see session.py) and served over the build folder, open tabs reload, and the full
build follows in its own thread; when it is done, its output takes the place of those pages.

The parts: live.py (the served site), handler.py (answering requests), page.py (what pages get and the
Content-Security-Policy they are served with), guard.py (which requests are answered at all) and
connections.py (how many at once, and how long a client may take to send one).
"""
from __future__ import annotations

import signal
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from generator.admin.fetch import EditorSource, fetch_editor
from generator.admin.files import find_cms
from generator.build import BuildOptions
from generator.errors import UsageError
from generator.serve.connections import Limits
from generator.serve.editor import SiteEditor
from generator.serve.events import Report, ServeEvent
from generator.serve.handler import KEEPALIVE_SECONDS, make_http_server
from generator.serve.live import LiveSite
from generator.serve.page import EVENTS_PATH
from generator.serve.rebuilder import Rebuilder
from generator.serve.watcher import SiteWatcher

__all__ = ["EVENTS_PATH", "KEEPALIVE_SECONDS", "LiveSite", "ServeOptions", "make_http_server", "public_url", "serve"]

# How long a thread may hold the interpreter while another waits for it (Python's default: 5 ms).
# Shorter, so that a preview and the requests of a reloading tab are not slowed by a build running
# in another thread: each waits up to this long whenever it needs the interpreter back.
SWITCH_SECONDS = 0.001


@dataclass(frozen=True, slots=True)
class ServeOptions:
    site_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    drafts: bool = False
    future: bool = False
    limits: Limits = Limits()
    edit: bool = False  # the browser editor may save into the site folder (editor.py)
    editor: EditorSource = EditorSource()  # where --edit fetches Decap CMS from when the site has none


def public_url(host: str, port: int) -> str:
    shown = {"": "localhost", "0.0.0.0": "localhost", "::": "localhost"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(options: ServeOptions, report: Report) -> None:
    """Build, serve and rebuild on every change until Ctrl-C (or SIGTERM); cleans up after itself. With
    --edit, a site without the editor's code fetches it first (admin/fetch.py)."""
    site_dir = options.site_dir
    if options.edit and options.host not in ("127.0.0.1", "localhost", "::1"):
        raise UsageError(f"--edit lets the browser save into {site_dir}: it listens on this computer only; "
                         "remove --host, or preview without --edit")
    if not (site_dir / "site.toml").is_file():
        raise UsageError(f"{site_dir} has no site.toml; run 'clinicpress init {site_dir}' to create a site there")
    restore = None
    if threading.current_thread() is threading.main_thread():
        restore = signal.signal(signal.SIGTERM, _interrupt)
    try:
        if options.edit and find_cms(site_dir) is None:  # a pip install has no node_modules: fetch it once
            report(ServeEvent("fetching"))
            fetch_editor(site_dir, options.editor.url, options.editor.integrity)  # EditorFetchError: cli.py says why
        with tempfile.TemporaryDirectory(prefix="clinicpress-serve-") as private:
            _serve_from(options, Path(private) / "site", report)
    finally:
        if restore is not None:
            signal.signal(signal.SIGTERM, restore)


def _serve_from(options: ServeOptions, output_dir: Path, report: Report) -> None:
    httpd = make_http_server(options.host, options.port, report, options.limits)
    httpd.editor = SiteEditor(options.site_dir) if options.edit else None
    url = public_url(options.host, httpd.server_address[1])
    live = LiveSite(BuildOptions(site_dir=options.site_dir, output_dir=output_dir, base_url=url,
                                 drafts=options.drafts, future=options.future, preview=True))
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
