"""The preview keeps the site's Content-Security-Policy: what the reload script, the error overlay and the
findings panel need is let in by a nonce that changes with every response, and nothing a post writes is.

The real HTTP server on 127.0.0.1 and Debian's Chromium through Playwright, on a site that sanitizes posts
and on one that keeps their raw HTML ([markdown] unsafe_html = true)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG, write_tree
from generator.check.command import run_checks
from generator.serve.page import preview_policy
from test_serve import CHROMIUM, WAIT, browser  # noqa: F401 - browser is a fixture
from test_serve_hostile import start_server, stop_server

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium; `make test` installs it")

UNSAFE_CONFIG = MINIMAL_CONFIG + "\n[markdown]\nunsafe_html = true\n"
FRONT = """---
title: "{title}"
date: 2026-07-03
description: "What to expect in the first days after a lip filler treatment, from cold packs to sleep."
author: dr-kim
---
We promise 100% guaranteed results for every patient.

"""
FORGED = ('{"findings":[{"severity":"info","rule":"forged-rule","location":"forged.md:1","message":"FORGED FINDING",'
          '"hint":null,"reference":null,"excerpt":null}],"more":0,"page":{"error":0,"warning":0,"info":1},'
          '"site":{"error":0,"warning":0,"info":1},"css":""}')
HOSTILE = """<script>window.inlineRan = 1;</script>

<p><a id="js-link" href="javascript:window.linkRan=1">a link</a>
<img id="broken" src="/no-such-picture.png" onerror="window.handlerRan=1" alt="broken">
<button id="clicker" type="button" onclick="window.clickRan=1">Click</button></p>
"""
POSTS = {
    "posts/en/aftercare.md": FRONT.format(title="Aftercare"),
    "posts/en/hostile.md": FRONT.format(title="Hostile") + HOSTILE,
    "posts/en/forged.md": FRONT.format(title="Forged") + f'<div id="clinicpress-findings-data">{FORGED}</div>\n\n'
                          f'<script type="application/json" id="clinicpress-findings-data">{FORGED}</script>\n',
}
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.effectiveDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


def serve_site(folder: Path, config: str):
    site = write_tree(folder / "site", {"site.toml": config, **POSTS})
    return site, start_server(site, folder / "served")


@pytest.fixture(scope="module", params=["sanitized", "raw HTML"])
def served(request, tmp_path_factory):
    site, running = serve_site(tmp_path_factory.mktemp("policy"),
                               MINIMAL_CONFIG if request.param == "sanitized" else UNSAFE_CONFIG)
    yield site, running
    stop_server(running)


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT * 1000)
    page.add_init_script(RECORD_VIOLATIONS)
    yield page
    context.close()


def url(running, path: str) -> str:
    return f"http://127.0.0.1:{running.port}{path}"


def header(answer, name: str) -> str | None:
    found = re.search(rf"^{name}: (.*)$", answer.head, re.I | re.M)
    return found.group(1).strip() if found else None


def site_policy(running) -> dict[str, list[str]]:
    line = next(line for line in (running.live.root / "_headers").read_text().splitlines()
                if line.strip().startswith("Content-Security-Policy:"))
    return directives(line.split(":", 1)[1])


def directives(policy: str) -> dict[str, list[str]]:
    return {words[0]: words[1:] for words in (part.split() for part in policy.split(";")) if words}


def added_by_the_server(running, page: str, served: str) -> str:
    built = (running.live.root / page).read_text()
    before = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', "", built[:built.rfind("</body>")])
    assert served.startswith(before)
    return served[len(before):served.rfind("</body>")]


def test_pages_carry_the_sites_policy_and_a_nonce_that_changes_with_every_response(served):
    _, running = served
    first, second = running.get("/en/posts/aftercare/"), running.get("/en/posts/aftercare/")
    nonces = []
    for answer in (first, second):
        policy = header(answer, "Content-Security-Policy")
        assert policy, answer.head
        nonce = NONCE.search(policy).group(1)
        nonces.append(nonce)
        built = site_policy(running)
        served_policy = directives(policy)
        for name, sources in built.items():
            extra = [f"'nonce-{nonce}'"] if name in ("script-src", "style-src") else []
            assert served_policy[name] == sources + extra, name
        body = answer.body.decode()
        assert 'http-equiv="Content-Security-Policy"' not in body  # the header says it all, nonce included
        added = added_by_the_server(running, "en/posts/aftercare/index.html", body)
        assert added.count("<script") + added.count("<style") == added.count(f'nonce="{nonce}"') >= 3
    assert nonces[0] != nonces[1]
    feed = running.get("/en/feed.xml")
    assert directives(header(feed, "Content-Security-Policy")) == site_policy(running)  # no nonce: nothing added


def test_a_posts_own_script_link_and_handlers_do_not_run_in_the_preview(served, tab):
    site, running = served
    tab.goto(url(running, "/en/posts/hostile/"))
    tab.locator("#clinicpress-findings li").first.wait_for()  # the preview's own script runs
    if (site / "site.toml").read_text() == UNSAFE_CONFIG:
        assert tab.locator("#js-link").count() == 1 and tab.locator("#clicker").count() == 1
        tab.locator("#js-link").click()
        tab.locator("#clicker").click()
        tab.wait_for_function("window.__violations.length >= 3")
    assert tab.evaluate("[window.inlineRan, window.linkRan, window.handlerRan, window.clickRan]") == [None] * 4


def test_a_post_cannot_forge_or_hide_the_findings(served, tab):
    site, running = served
    real = [f for f in run_checks(site) if f.path == "posts/en/forged.md"]
    assert real
    tab.goto(url(running, "/en/posts/forged/"))
    items = tab.locator("#clinicpress-findings li")
    items.first.wait_for()
    assert items.count() == len(real)
    panel = tab.locator("#clinicpress-findings").inner_text()
    assert "FORGED" not in panel and "forged-rule" not in panel
    assert all(finding.message in panel for finding in real)
    assert tab.locator("mark.clinicpress-finding").count() >= 1


def test_reload_overlay_and_panel_work_under_the_policy_without_a_violation(tmp_path, tab):
    site, running = serve_site(tmp_path, MINIMAL_CONFIG)
    try:
        tab.goto(url(running, "/en/posts/aftercare/"))
        tab.locator("#clinicpress-findings li").first.wait_for()
        tab.locator("mark.clinicpress-finding").first.hover()
        tab.locator("#clinicpress-tip").wait_for(state="visible")
        assert tab.evaluate("getComputedStyle(document.querySelector('#clinicpress-findings')).borderBottomStyle") \
            == "solid"  # the panel's style sheet applies
        tab.evaluate("window.stillTheFirstLoad = true")
        post = site / "posts/en/aftercare.md"
        post.write_text(post.read_text().replace("date:", "<b>oops</b>: 1\ndate:"))
        assert running.live.rebuild().kind == "failed"
        overlay = tab.locator("#clinicpress-error-overlay")
        overlay.wait_for(state="visible")  # the event stream reloaded the page
        assert tab.evaluate("window.stillTheFirstLoad") is None
        assert tab.evaluate("getComputedStyle(document.querySelector('#clinicpress-error-overlay')).position") == "fixed"
        overlay.get_by_role("button", name="Hide").click()
        overlay.wait_for(state="detached")
        assert tab.evaluate("window.__violations") == []
    finally:
        stop_server(running)


def test_a_style_policy_with_unsafe_inline_keeps_it():
    """utterances and Disqus insert style elements of their own: a nonce beside 'unsafe-inline' would switch it off."""
    policy = directives(preview_policy("default-src 'self'; style-src 'self' 'unsafe-inline' https://a.example", "N0"))
    assert policy["style-src"] == ["'self'", "'unsafe-inline'", "https://a.example"]
    assert policy["script-src"] == ["'self'", "'nonce-N0'"] and policy["connect-src"] == ["'self'"]
