"""What the page-quality checks share: the pages they look at, where the npm tools live, a local web server.

Used by tests/test_page_quality.py (Nu Html Checker and axe-core, in `make test`) and by
tests/audit_lighthouse.py (`make audit`, too slow for the suite). The tools come from the
repository's package.json (`npm ci`, which `make test` runs).
"""
from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generator.build import BuildOptions, build_site

from conftest import copy_sample_site

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
LIGHTHOUSE_CLI = NODE_MODULES / "lighthouse" / "cli" / "index.js"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")

# Phone and desktop widths the theme is judged at.
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

# Every kind of page the theme renders, in both languages: a post in a series, a post with an FAQ
# and a comparison table, a photo tour (pictures in every size), lists by tag, series and author, the
# topic index, the privacy notice, the search page, the root chooser and 404.
PAGES = (
    "/",
    "/404.html",
    "/ko/",
    "/ko/posts/lip-filler-migration/",
    "/ko/posts/lip-flip-vs-lip-filler/",
    "/ko/posts/clinic-tour-first-visit/",
    "/ko/tags/",
    "/ko/tags/입술-필러/",
    "/ko/series/lip-filler/",
    "/ko/authors/dr-han/",
    "/ko/search/",
    "/en/",
    "/en/posts/lip-filler-migration/",
    "/en/posts/lip-flip-vs-lip-filler/",
    "/en/posts/clinic-tour-first-visit/",
    "/en/tags/",
    "/en/tags/lip-filler/",
    "/en/series/lip-filler/",
    "/en/authors/dr-han/",
    "/ko/privacy/",
    "/en/privacy/",
    "/en/search/",
)
# The search page with results, as a link or the header's box opens it (the results arrive after the page loads).
SEARCH_RESULTS = ("/ko/search/?q=필러를", "/en/search/?q=lip filler", "/ko/search/?q=없는낱말")


def with_analytics(site: Path, table: str) -> Path:
    """The site with its [analytics] table replaced by the given keys."""
    config = site / "site.toml"
    text = re.sub(r"(?ms)^\[analytics\]\n.*?(?=^\[|\Z)", "", config.read_text(encoding="utf-8"))
    config.write_text(text.rstrip() + f"\n\n[analytics]\n{table}\n", encoding="utf-8")
    return site


def build_sample(destination: Path, base_url: str | None = None, now: datetime | None = None,
                 analytics: str = "") -> Path:
    """Copy the repository's sample site into destination, build it there and return the output folder.
    analytics: the keys of an [analytics] table to build it with instead of its own."""
    copy_sample_site(destination)
    if analytics:
        with_analytics(destination, analytics)
    build_site(BuildOptions(site_dir=destination, base_url=base_url, now=now, use_cache=False))
    return destination / "output"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature http.server calls
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve root over HTTP on 127.0.0.1 (a free port); yields the origin without a trailing slash.

    The folder may be (re)built after the server starts: files are looked up per request.
    """
    root.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
