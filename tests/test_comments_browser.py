"""Comments end to end: the sample site with provider = "isso", a real Isso server and Chromium.

Isso runs on 127.0.0.1 with a throw-away database; the built site is served over HTTP on 127.0.0.1;
Playwright drives Debian's /usr/bin/chromium (never a downloaded browser).
"""
from __future__ import annotations

import functools
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.build import BuildOptions, build_site
from generator.loading import load_site

from conftest import FIXED_NOW, REPO, copy_sample_site, post_text, write_tree

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "tests" / "artifacts"
WAIT_MS = 15_000

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium; `make test` installs it")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature http.server calls
        pass


@pytest.fixture(scope="module")
def web_root(tmp_path_factory):
    """A real HTTP server on 127.0.0.1 serving a folder that the builds below write into."""
    root = tmp_path_factory.mktemp("www")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@contextmanager
def running_isso(folder: Path, site_origin: str):
    """Isso with a temporary database in folder, accepting comments from site_origin at once; yields its origin."""
    port = free_port()
    config = folder / "isso.cfg"
    config.write_text(f"""\
[general]
dbpath = {folder / "comments.db"}
host = {site_origin}/
notify = stdout

[server]
listen = http://127.0.0.1:{port}/

[moderation]
enabled = false

[guard]
enabled = false
require-author = false
require-email = false
""", encoding="utf-8")
    executable = Path(sys.executable).with_name("isso")
    command = [str(executable)] if executable.exists() else [shutil.which("isso") or "isso"]
    log = (folder / "isso.log").open("wb")
    process = subprocess.Popen(command + ["-c", str(config), "run"], stdout=log, stderr=subprocess.STDOUT)
    origin = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(origin + "/config", process, folder / "isso.log")
        yield origin
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def isso(web_root, tmp_path_factory):
    _, site_origin = web_root
    with running_isso(tmp_path_factory.mktemp("isso"), site_origin) as origin:
        yield origin


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"isso exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"isso did not answer {url}:\n{log.read_text(errors='replace')}")


@dataclass(frozen=True)
class BuiltSite:
    origin: str  # the HTTP server the site is served from
    english: str  # an English post with a Korean translation, as a root-relative link
    korean: str  # that Korean translation
    korean_title: str
    closed: str  # a post with `comments: false`


def comments_config(provider_url: str, load: str) -> str:
    return (f'[comments]\nprovider = "isso"\nthread = "shared"\nload = "{load}"\n\n'
            f'[comments.isso]\nurl = "{provider_url}"\n\n')


def copy_sample_site_with(target: Path, comments: str) -> Path:
    copy_sample_site(target)
    config = target / "site.toml"
    text = re.sub(r"(?ms)^\[comments(\.[^\]]+)?\]\n.*?(?=^\[(?!comments)|\Z)", "", config.read_text(encoding="utf-8"))
    config.write_text(text.rstrip() + "\n\n" + comments, encoding="utf-8")
    return target


def build_copy(site_dir: Path, output: Path, origin: str, base_path: str) -> BuiltSite:
    base_url = origin + base_path
    options = BuildOptions(site_dir=site_dir, output_dir=output, base_url=base_url, now=FIXED_NOW)
    _, site, _ = load_site(options)
    if not any(not post.comments for post in site.all_posts()):
        write_tree(site_dir, {"posts/en/comments-closed.md": post_text("Comments closed here", comments="false")})
        _, site, _ = load_site(options)
    english = next(p for p in site.posts["en"] if p.comments and "ko" in site.translations[p.translation_key])
    korean = site.translations[english.translation_key]["ko"]
    closed = next(p for p in site.all_posts() if not p.comments)
    build_site(options)
    urls = site.urls
    return BuiltSite(origin, urls.href(urls.post("en", english.slug)),
                     urls.href(urls.post("ko", korean.slug)), korean.title,
                     urls.href(urls.post(closed.lang, closed.slug)))


@pytest.fixture(scope="module")
def sites(web_root, isso, tmp_path_factory) -> dict[str, BuiltSite]:
    """The sample site built twice into the served folder: /click/ (the default) and /scroll/."""
    root, origin = web_root
    built = {}
    for load in ("click", "scroll"):
        site_dir = copy_sample_site_with(tmp_path_factory.mktemp(f"site-{load}"), comments_config(isso, load))
        built[load] = build_copy(site_dir, root / load, origin, f"/{load}/")
    return built


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()


def origin_requests(page, origin: str) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if request.url.startswith(origin) else None)
    return seen


def show_comments(page, label: str) -> None:
    page.get_by_role("button", name=label).click()
    expect(page.locator(".isso-postbox .isso-textarea")).to_be_visible(timeout=WAIT_MS)


def post_comment(page, text: str, author: str = "Test reader") -> None:
    page.locator(".isso-postbox .isso-textarea").fill(text)
    page.locator("#isso-postbox-author").fill(author)
    page.locator(".isso-postbox input[type=submit]").click()
    expect(comment_texts(page).filter(has_text=text)).to_have_count(1, timeout=WAIT_MS)


def comment_texts(page):
    return page.locator("#isso-root .isso-comment .isso-text")


def test_no_request_to_isso_until_reader_shows_comments_then_comment_survives_reload(page, sites, isso):
    site = sites["click"]
    to_isso = origin_requests(page, isso)
    page.goto(site.origin + site.english)
    button = page.get_by_role("button", name="Show comments")
    expect(button).to_be_visible()
    assert to_isso == [], "the comment server was contacted before the reader asked"
    assert page.locator("#isso-thread").count() == 0

    show_comments(page, "Show comments")
    expect(button).to_have_count(0)
    text = "Does the swelling settle within two weeks?"
    post_comment(page, text)

    page.reload()
    show_comments(page, "Show comments")
    expect(comment_texts(page).filter(has_text=text)).to_have_count(1)


def test_shared_thread_shows_english_comment_on_korean_translation(page, sites):
    site = sites["click"]
    page.goto(site.origin + site.english)
    show_comments(page, "Show comments")
    text = "Posted on the English page, expected on the Korean one too."
    post_comment(page, text)

    page.goto(site.origin + site.korean)
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    show_comments(page, "댓글 보기")
    expect(comment_texts(page).filter(has_text=text)).to_have_count(1)
    # Isso was told the page language: its own buttons are in Korean here
    expect(page.locator(".isso-postbox input[type=submit]")).to_have_value("댓글쓰기")
    expect(page.locator("#isso-thread")).to_have_attribute("data-isso-id", re.compile(r"^[^/]+$"))


def test_comment_with_script_tag_is_shown_as_text_and_not_run(page, sites):
    site = sites["click"]
    page.goto(site.origin + site.english)
    show_comments(page, "Show comments")
    text = "Is <script>window.commentRan = true</script> shown as text?"
    page.locator(".isso-postbox .isso-textarea").fill(text)
    page.locator(".isso-postbox input[type=submit]").click()
    shown = comment_texts(page).filter(has_text="shown as text?")
    expect(shown).to_have_count(1)
    expect(shown).to_contain_text("<script>")
    assert shown.locator("script").count() == 0
    assert page.evaluate("window.commentRan") is None


def test_keyboard_reader_opens_comments_with_enter_and_lands_in_them(page, sites):
    site = sites["click"]
    page.goto(site.origin + site.english)
    button = page.get_by_role("button", name="Show comments")
    button.focus()
    outline = button.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "the focused button shows no focus outline"
    page.keyboard.press("Enter")
    expect(page.locator(".isso-postbox .isso-textarea")).to_be_visible()
    expect(page.locator("[data-comments-thread]")).to_be_focused()


def test_post_with_comments_false_has_no_widget(page, sites):
    site = sites["click"]
    page.goto(site.origin + site.closed)
    expect(page.locator("h1")).to_have_count(1)
    assert page.locator("#comments").count() == 0
    assert page.locator("template[data-comments-widget]").count() == 0


def test_without_javascript_reader_gets_the_contact_page(browser, sites):
    site = sites["click"]
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.origin + site.english)
        link = page.locator(".comments-noscript a")
        expect(link).to_be_visible()
        assert link.get_attribute("href").endswith("/contact")
        expect(page.get_by_role("button", name="Show comments")).to_be_hidden()
    finally:
        context.close()


def test_scroll_mode_loads_comments_when_they_come_into_view(page, sites, isso):
    site = sites["scroll"]
    to_isso = origin_requests(page, isso)
    page.goto(site.origin + site.english)
    expect(page.get_by_role("button", name="Show comments")).to_be_visible()
    assert to_isso == [], "the comment server was contacted before the comments were in view"
    page.locator("#comments").scroll_into_view_if_needed()
    expect(page.locator(".isso-postbox .isso-textarea")).to_be_visible()


def test_language_switcher_leads_to_translated_post(page, sites):
    site = sites["click"]
    page.goto(site.origin + site.english)
    page.locator(".language-switcher a[hreflang='ko']").click()
    page.wait_for_url(site.origin + site.korean)
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("h1")).to_have_text(site.korean_title)


@pytest.mark.parametrize("name, width, height", [("phone", 390, 844), ("desktop", 1280, 900)], ids=["phone", "desktop"])
def test_post_page_fits_the_screen_and_is_saved_as_screenshot(browser, sites, name, width, height):
    site = sites["click"]
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(site.origin + site.english)
        expect(page.get_by_role("button", name="Show comments")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"post-{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 0
    finally:
        context.close()
