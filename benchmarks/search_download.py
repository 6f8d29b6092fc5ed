"""What a reader's first search downloads: the built site served over HTTP as a host serves it (text
compressed with gzip; Pagefind's index files are compressed already), a search page opened in Chromium
with a query, and the bytes of every request the search made added up (the page itself and its
stylesheet left out: the reader had them before searching).

    .venv/bin/python -m benchmarks.search_download --posts 10000             # the benchmark's corpus
    .venv/bin/python -m benchmarks.search_download --output path/to/output   # a site already built

The corpus is the benchmark's (benchmarks/work/corpora/), built once into benchmarks/work/search-site/."""
from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .corpus import SOURCE_DATE_EPOCH
from .run import WORK, cached_corpus

CHROMIUM = Path("/usr/bin/chromium")
COMPRESSED = (".js", ".json", ".css", ".html", ".svg")  # what hosts compress; Pagefind's files are gzip inside
BUDGET = 300 * 1024
# Queries per language: words every post of the benchmark's corpus may hold (tags, treatments), and a
# particle or an ending where the language has them.
QUERIES = {"ko": ("필러", "리프팅을", "보톡스는", "턱선", "부작용이", "주름"),
           "en": ("filler", "lifting", "side effects", "botox", "wrinkles")}


class GzipHandler(SimpleHTTPRequestHandler):
    """Files as a host serves them: text compressed when the browser asks for it."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix in COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", "") and path.is_file():
            body = gzip.compress(path.read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return _Body(body)
        return super().send_head()

    def log_message(self, *args) -> None:
        pass


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def first_search(output: Path, lang: str, query: str) -> tuple[int, int, list[tuple[str, int]]]:
    """(bytes downloaded, results shown, (path, bytes) of each request) for one search in a fresh browser."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(GzipHandler, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{origin}/{lang}/search/")
            page.wait_for_load_state("networkidle")
            fetched: list = []
            context.on("requestfinished", lambda request: fetched.append(request))
            page.fill("#search-query", query)  # the page searches as the reader types
            page.wait_for_function("query => document.querySelector('form[data-search-done]')"
                                   "?.getAttribute('data-search-done') === query", arg=query, timeout=60_000)
            page.wait_for_load_state("networkidle")
            shown = page.locator(".search-result").count()
            sizes = [(request.url.removeprefix(origin), request.sizes()["responseBodySize"]
                      + request.sizes()["responseHeadersSize"]) for request in fetched]
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return sum(size for _, size in sizes), shown, sizes


def built_corpus(size: int) -> Path:
    corpus, _ = cached_corpus(size, 1, regenerate=False)
    site = WORK / "search-site" / str(size)
    if not (site / "output" / "pagefind").is_dir():
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(corpus / "site", site)
        print(f"Building the {size:,}-post corpus into {site} ...", flush=True)
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH)}
        subprocess.run([sys.executable, "-m", "generator", "build", str(site), "-q"], check=True, env=env,
                       cwd=site.parent)
    return site / "output"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_download", description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10000, help="size of the benchmark corpus (default 10000)")
    parser.add_argument("--output", type=Path, help="a built site to measure instead")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every request")
    args = parser.parse_args()
    output = args.output or built_corpus(args.posts)
    pages = sum(1 for _ in output.glob("*/posts/*/index.html"))
    print(f"First search on a site of {pages:,} post pages ({output}):")
    worst = 0
    for lang, queries in QUERIES.items():
        for query in queries:
            total, shown, sizes = first_search(output, lang, query)
            worst = max(worst, total)
            print(f"  {lang} {query!r:<16} {total / 1024:7.1f} KiB in {len(sizes)} requests, {shown} results shown")
            if args.verbose:
                for path, size in sizes:
                    print(f"      {size / 1024:7.1f} KiB  {path}")
    print(f"Largest: {worst / 1024:.1f} KiB ({'within' if worst < BUDGET else 'over'} the 300 KiB budget)")


if __name__ == "__main__":
    main()
