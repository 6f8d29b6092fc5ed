"""`clinicpress serve` run as a user runs it: a real process on a free port, real edits, a real browser."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
from lxml import html as lxml_html

from conftest import REPO, post_text, run_cli

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
WAIT = 20.0  # upper bound for anything to happen; tests poll and continue as soon as it has
BROKEN_KEY = "<b>oops</b>: 1"  # an unknown front-matter key whose message must be shown escaped


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], what: str, timeout: float = WAIT) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class Response:
    status: int
    body: str
    headers: dict[str, str]


def fetch(url: str) -> Response:
    request = urllib.request.Request(url)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return Response(answer.status, answer.read().decode("utf-8"), dict(answer.headers))
    except urllib.error.HTTPError as answer:
        return Response(answer.code, answer.read().decode("utf-8"), dict(answer.headers))


def heading(body: str) -> str:
    return lxml_html.fromstring(body).findtext(".//h1")


@dataclass
class Served:
    site: Path
    url: str
    process: subprocess.Popen
    log: Path

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.site / relative
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    def output(self) -> str:
        return self.log.with_suffix(".out").read_text() + self.log.with_suffix(".err").read_text()


@pytest.fixture
def served(site_factory, tmp_path):
    site = site_factory({"posts/en/hello.md": post_text("Hello"), "posts/ko/hello.md": post_text("안녕하세요")})
    with serving(site, tmp_path / "serve") as running:
        yield running


@contextmanager
def serving(site: Path, log: Path, *options: str, cwd: Path = REPO) -> Iterator[Served]:
    """`clinicpress serve` on the site in a process of its own, once it answers; its output goes to log.*.
    options: more command-line options, such as --edit; cwd: the folder whose `generator` runs."""
    port = free_port()
    with open(log.with_suffix(".out"), "w") as out, open(log.with_suffix(".err"), "w") as err:
        # As from a terminal: Ctrl-C (SIGINT) reaches the server even when this suite runs as a background
        # job, whose shell ignores SIGINT for it and, through it, for every process it starts.
        process = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(site), "--port", str(port),
                                    "--future", *options], cwd=cwd, stdout=out, stderr=err,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    running = Served(site, f"http://127.0.0.1:{port}/", process, log)
    try:
        def answers() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"serve exited with {process.returncode}:\n{running.output()}")
            try:
                return fetch(running.url).status == 200
            except (urllib.error.URLError, ConnectionError):
                return False
        wait_until(answers, "the server to answer")
        yield running
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_pages_are_served_at_pretty_urls(served):
    page = fetch(served.url + "en/posts/hello/")
    assert page.status == 200 and heading(page.body) == "Hello"
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert fetch(served.url + "ko/posts/hello/").status == 200
    feed = fetch(served.url + "en/feed.xml")
    assert feed.status == 200 and "<rss" in feed.body
    assert f"{served.url}en/posts/hello/" in feed.body  # links point at the local server


def test_the_preview_offers_search_over_the_previewed_site(served):
    page = fetch(served.url + "ko/search/?q=%EC%95%88%EB%85%95")
    assert page.status == 200 and 'data-search-bundle="/pagefind/"' in page.body
    assert "'wasm-unsafe-eval'" in page.headers["Content-Security-Policy"]
    entry = fetch(served.url + "pagefind/pagefind-entry.json")
    assert entry.status == 200 and sorted(json.loads(entry.body)["languages"]) == ["en", "ko"]
    assert fetch(served.url + "pagefind/pagefind.js").status == 200


def test_unknown_path_gets_the_sites_404_page_with_status_404(served):
    missing = fetch(served.url + "en/posts/no-such-post/")
    assert missing.status == 404
    assert 'class="page-404"' in missing.body
    assert heading(missing.body) == heading(fetch(served.url + "404.html").body)
    assert fetch(served.url + "../../etc/passwd").status == 404


def test_folder_without_trailing_slash_redirects_to_it(served):
    connection = http.client.HTTPConnection("127.0.0.1", int(served.url.rsplit(":", 1)[1].strip("/")), timeout=10)
    connection.request("GET", "/en/posts/hello")  # http.client does not follow redirects
    answer = connection.getresponse()
    assert (answer.status, answer.getheader("Location")) == (301, "/en/posts/hello/")
    connection.close()


def test_editing_a_title_is_served_within_seconds(served):
    served.edit("posts/en/hello.md", 'title: "Hello"', 'title: "Hello again"')
    wait_until(lambda: heading(fetch(served.url + "en/posts/hello/").body) == "Hello again", "the new title")


def test_a_new_static_folder_is_watched_and_served(served):
    assert fetch(served.url + "notes.txt").status == 404
    (served.site / "static").mkdir()
    (served.site / "static/notes.txt").write_text("opening hours\n")
    wait_until(lambda: fetch(served.url + "notes.txt").status == 200, "the new static file")
    assert fetch(served.url + "notes.txt").body == "opening hours\n"


def test_broken_edit_keeps_the_last_good_page_and_shows_the_errors_escaped(served):
    served.edit("posts/en/hello.md", "date:", f"{BROKEN_KEY}\ndate:")
    def page_with_overlay() -> str | None:
        body = fetch(served.url + "en/posts/hello/").body
        return body if "clinicpress-error-overlay" in body else None

    body = wait_until(page_with_overlay, "the error overlay")
    assert heading(body) == "Hello"
    assert "posts/en/hello.md:3: error: unknown front-matter key &#x27;&lt;b&gt;oops&lt;/b&gt;&#x27;" in body
    assert "<b>oops</b>" not in body
    assert "unknown front-matter key '<b>oops</b>'" in served.output()  # and in the terminal
    served.edit("posts/en/hello.md", f"{BROKEN_KEY}\n", "")
    wait_until(lambda: "clinicpress-error-overlay" not in fetch(served.url + "en/posts/hello/").body,
               "the overlay to go once the post is fixed")


def test_live_reload_script_is_only_added_by_the_server(served):
    assert "/__clinicpress/events" in fetch(served.url + "en/posts/hello/").body
    assert not (served.site / "output").exists()  # serve builds into a private folder
    assert run_cli("build", str(served.site), "--future").code == 0
    built = [p for p in (served.site / "output").rglob("*") if p.is_file()]
    assert built and not [p for p in built if b"__clinicpress" in p.read_bytes()]
    # Built pages carry their policy in a <meta>; the preview sends it as a header, with its script's nonce.
    policy = b'<meta http-equiv="Content-Security-Policy"'
    assert policy in (served.site / "output/en/posts/hello/index.html").read_bytes()
    preview = fetch(served.url + "en/posts/hello/")
    assert policy.decode() not in preview.body
    script_src = next(part for part in preview.headers["Content-Security-Policy"].split(";") if "script-src" in part)
    assert script_src.split()[:2] == ["script-src", "'self'"] and "'nonce-" in script_src


def test_ctrl_c_stops_the_server_cleanly(served):
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=WAIT) == 0
    assert "Stopped." in served.output()
    assert "Traceback" not in served.output()


def test_serve_refuses_a_port_in_use(site_factory):
    site = site_factory({"posts/en/hello.md": post_text("Hello")})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_cli("serve", str(site), "--port", str(taken.getsockname()[1]))
    assert result.code == 2
    assert "already in use" in result.err


def test_serve_refuses_a_folder_without_site_toml(tmp_path):
    result = run_cli("serve", str(tmp_path))
    assert result.code == 2
    assert "clinicpress init" in result.err


# In a real browser ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("Chromium is not installed at /usr/bin/chromium (make browser installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_open_page_reloads_by_itself_after_an_edit(served, tab):
    tab.goto(served.url + "en/posts/hello/")
    tab.evaluate("window.stillTheFirstLoad = true")
    served.edit("posts/en/hello.md", 'title: "Hello"', 'title: "Hello, edited"')
    tab.wait_for_function("() => !window.stillTheFirstLoad && document.querySelector('h1')?.textContent === 'Hello, edited'",
                          timeout=WAIT * 1000)


def test_open_page_shows_the_error_overlay_and_keeps_the_old_page(served, tab):
    tab.goto(served.url + "en/posts/hello/")
    served.edit("posts/en/hello.md", "date:", f"{BROKEN_KEY}\ndate:")
    overlay = tab.locator("#clinicpress-error-overlay")
    overlay.wait_for(state="visible", timeout=WAIT * 1000)
    assert "posts/en/hello.md:3: error: unknown front-matter key '<b>oops</b>'" in overlay.inner_text()
    assert overlay.locator("b").count() == 0  # shown as text, never as markup
    assert tab.locator("h1").first.inner_text() == "Hello"
    served.edit("posts/en/hello.md", f"{BROKEN_KEY}\n", "")
    overlay.wait_for(state="detached", timeout=WAIT * 1000)
