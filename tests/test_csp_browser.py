"""The Content-Security-Policy in Chromium: the sample site served by a host on 127.0.0.1 that applies its
_headers (as Netlify and Cloudflare Pages do), with comments shown, reports no violation.

Isso is a real server on 127.0.0.1. giscus lives on giscus.app, which the tests cannot reach: its requests
are answered by Playwright with a stand-in that does what giscus's client.js does (a stylesheet and a
frame from giscus.app). A request the policy blocked would never reach Playwright."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import FIXED_NOW
from generator.build import BuildOptions, build_site
from host_rules import headers_handler
from test_comments_browser import (CHROMIUM, CHROMIUM_ARGS, WAIT_MS, comments_config, copy_sample_site_with,
                                   running_isso)

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium; `make test` installs it")

POST = "/en/posts/lip-filler-aftercare/"
GISCUS = ('[comments]\nprovider = "giscus"\n\n[comments.giscus]\nrepo = "balancelab/blog-comments"\n'
          'repo_id = "R_kgDOtest"\ncategory = "Comments"\ncategory_id = "DIC_kwDOtest"\n')
# What giscus's client.js does to the page: its stylesheet first in <head>, its widget in a frame.
GISCUS_CLIENT = """
(function () {
  var script = document.currentScript;
  var link = document.createElement("link");
  link.id = "giscus-css"; link.rel = "stylesheet"; link.href = "https://giscus.app/default.css";
  document.head.prepend(link);
  var frame = document.createElement("iframe");
  frame.className = "giscus-frame"; frame.title = "Comments";
  frame.src = "https://giscus.app/en/widget?term=" + encodeURIComponent(script.getAttribute("data-term"));
  frame.style.opacity = "0";
  frame.addEventListener("load", function () { frame.style.removeProperty("opacity"); });
  var container = document.createElement("div");
  container.className = "giscus";
  container.appendChild(frame);
  script.insertAdjacentElement("afterend", container);
})();
"""
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.effectiveDirective + " " + (e.blockedURI || "inline"));
});
"""


@contextmanager
def host(folder: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), headers_handler(folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def build_into(folder: Path, site_dir: Path, origin: str) -> None:
    build_site(BuildOptions(site_dir=site_dir, output_dir=folder, base_url=origin + "/", now=FIXED_NOW))


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
    page.add_init_script(RECORD_VIOLATIONS)
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(message.text))
    yield page
    context.close()


def policy_reports(page) -> list[str]:
    console = [text for text in page.console_messages
               if "Content Security Policy" in text or "Content-Security-Policy" in text]
    return page.evaluate("window.__violations") + console


def assert_violations_are_seen(page) -> None:
    """The control: an inline script is refused and reported, so an empty report above means something."""
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.ran = 1";
                            document.body.append(s); }""")
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.ran") is None
    assert page.evaluate("window.__violations")[-1].startswith("script-src")


def test_isso_comments_load_and_post_without_a_policy_violation(page, tmp_path):
    served = tmp_path / "www"
    served.mkdir()
    with host(served) as origin, running_isso(tmp_path, origin) as isso:
        site = copy_sample_site_with(tmp_path / "site", comments_config(isso, "click"))
        build_into(served, site, origin)
        response = page.goto(origin + POST)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], "the host applied _headers"
        assert response.headers["x-content-type-options"] == "nosniff"
        page.get_by_role("button", name="Show comments").click()
        expect(page.locator(".isso-postbox .isso-textarea")).to_be_visible()
        page.locator(".isso-postbox .isso-textarea").fill("Is it normal that the swelling lasts three days?")
        page.locator("#isso-postbox-author").fill("A reader")
        page.locator(".isso-postbox input[type=submit]").click()
        expect(page.locator("#isso-root .isso-comment .isso-avatar svg")).to_have_count(1)  # styled identicon
        expect(page.locator("link#isso-style")).to_have_count(1)
        assert page.evaluate("getComputedStyle(document.querySelector('.isso-comment')).display") != "inline", \
            "Isso's stylesheet applied"
        assert policy_reports(page) == []
        assert_violations_are_seen(page)


def test_giscus_loads_its_script_stylesheet_and_frame_under_the_policy(page, tmp_path):
    served = tmp_path / "www"
    served.mkdir()
    requested: list[str] = []

    def giscus(route):
        requested.append(route.request.url)
        url = route.request.url
        if url.endswith("/client.js"):
            route.fulfill(status=200, content_type="text/javascript", body=GISCUS_CLIENT)
        elif url.endswith("/default.css"):
            route.fulfill(status=200, content_type="text/css", body=".giscus-frame { border: 0; }")
        else:
            route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>giscus</title><p>Comments</p>")

    page.route("https://giscus.app/**", giscus)
    with host(served) as origin:
        site = copy_sample_site_with(tmp_path / "site", GISCUS)
        build_into(served, site, origin)
        page.goto(origin + POST)
        page.get_by_role("button", name="Show comments").click()
        frame = page.frame_locator("iframe.giscus-frame")
        expect(frame.locator("p")).to_have_text("Comments")
        page.wait_for_function("document.querySelector('#giscus-css').sheet !== null")
        assert policy_reports(page) == []
        assert {url.split("?")[0] for url in requested} >= {"https://giscus.app/client.js",
                                                             "https://giscus.app/default.css",
                                                             "https://giscus.app/en/widget"}
        assert_violations_are_seen(page)
