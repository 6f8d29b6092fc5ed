"""Findings of `check` in the preview: `serve` marks each flagged phrase in the page, explains it on focus and
on hover, and lists the page's findings in a panel; a build never stops for them and never contains any of it.

A real `clinicpress serve` process on 127.0.0.1 and Debian's Chromium through Playwright. The expected marks
come from `check` itself, so the tests hold whatever phrases the rule packs flag."""
from __future__ import annotations

import subprocess
import sys
import urllib.error

import pytest

from generator.check.command import run_checks

from conftest import MINIMAL_CONFIG, REPO, run_cli, write_tree
from site_quality import AXE_JS
from test_serve import BROWSER_ARGS, CHROMIUM, WAIT, fetch, free_port, wait_until

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium; `make test` installs it")

EN = """\
---
title: "Lip filler aftercare, guaranteed"
date: 2026-07-03
description: "What to expect in the first days after a lip filler treatment, from cold packs to sleep."
author: dr-kim
faq:
  - q: "Why are our results 100% guaranteed?"
    a: "Results vary between people; we explain what to expect at the consultation."
---
## The first days

<!-- check: ignore ad-guarantee -->
Patients ask whether comfort is guaranteed; here is what we know.

We promise 100% guaranteed results for every patient.

Ask about [our guaranteed plan](/en/) at the desk, and see `guaranteed` in code.

Old notes: [see](/x</script><script>window.pwned=1</script>).
"""
KO = """\
---
title: "입술 필러 시술 후 관리 안내"
date: 2026-07-03
description: "시술 후 처음 며칠 동안 냉찜질부터 수면 자세까지 알아 두면 좋은 내용을 정리했습니다."
author: dr-kim
---
## 관리 안내

효과를 100% 보장합니다.
"""
PAGES = {"en": ("en/posts/aftercare/", "posts/en/aftercare.md"), "ko": ("ko/posts/aftercare/", "posts/ko/aftercare.md")}
AXE_OPTIONS = {"rules": {"target-size": {"enabled": True}}, "resultTypes": ["violations"]}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("findings") / "site",
                      {"site.toml": MINIMAL_CONFIG, "posts/en/aftercare.md": EN, "posts/ko/aftercare.md": KO})


@pytest.fixture(scope="module")
def served(site, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("log") / "serve.out"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(site), "--port", str(port)],
                                   cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"

    def answers() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            return fetch(url).status == 200
        except (urllib.error.URLError, ConnectionError):
            return False
    try:
        wait_until(answers, "the server to answer")
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def findings_of(site, source: str) -> list:
    return [f for f in run_checks(site) if f.path == source]


def open_page(tab, served, lang: str):
    url, _ = served
    tab.goto(url + PAGES[lang][0])
    tab.locator("#clinicpress-findings").wait_for(timeout=WAIT * 1000)
    return tab


def test_serve_keeps_serving_a_site_with_error_findings_and_counts_them(served):
    url, log = served
    assert fetch(url + PAGES["en"][0]).status == 200
    summary = wait_until(lambda: next((line for line in log.read_text().splitlines() if line.startswith("Built ")), None),
                         "the summary line")
    assert " errors found by check (-v lists them)" in summary or " errors, " in summary, summary


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_each_flagged_phrase_is_marked_and_explained_on_keyboard_focus(site, served, tab, lang):
    expected = [f for f in findings_of(site, PAGES[lang][1])
                if f.excerpt and f.excerpt.field in ("body", "title", "faq") and f.rule.startswith("ad-")]
    assert expected, "the rule packs flag nothing in the sample sentences"
    page = open_page(tab, served, lang)
    marks = page.locator("mark.clinicpress-finding")
    assert sorted(" ".join(m.split()).lower() for m in marks.all_inner_texts()) == \
        sorted(" ".join(f.excerpt.text.split()).lower() for f in expected)
    tip = page.locator("#clinicpress-tip")
    assert tip.is_hidden()
    for _ in range(40):  # Tab through the page as a keyboard user does, until a mark has focus
        page.keyboard.press("Tab")
        ids = page.evaluate("() => document.activeElement.matches('mark.clinicpress-finding') && "
                            "document.activeElement.dataset.clinicpressIds")
        if ids:
            break
    else:
        raise AssertionError("no mark takes keyboard focus")
    tip.wait_for(state="visible", timeout=WAIT * 1000)
    shown = [f for f in findings_of(site, PAGES[lang][1])][int(ids.split()[0])]
    text = tip.inner_text()
    assert shown.rule in text and shown.message in text and shown.hint in text and shown.reference in text
    assert shown.location in text
    focused = page.locator("mark.clinicpress-finding:focus")
    assert focused.get_attribute("aria-describedby") == " ".join(f"clinicpress-finding-{i}" for i in ids.split())
    page.keyboard.press("Escape")
    tip.wait_for(state="hidden", timeout=WAIT * 1000)
    outside_links = page.locator("mark.clinicpress-finding:not(a mark, summary mark)")
    assert [outside_links.nth(i).get_attribute("tabindex") for i in range(outside_links.count())] == \
        ["0"] * outside_links.count()


def test_marks_skip_the_ignored_line_and_code_and_follow_the_words_into_links(site, served, tab):
    page = open_page(tab, served, "en")
    ignored = page.locator(".post-body p", has_text="Patients ask whether")
    assert ignored.locator("mark").count() == 0
    assert page.locator(".post-body code mark").count() == 0
    assert page.locator("h1 mark").inner_text() == "guaranteed"
    link = page.locator(".post-body a", has_text="our guaranteed plan")
    assert link.locator("mark").inner_text() == "guaranteed"
    assert link.locator("mark").get_attribute("tabindex") is None  # the link takes focus, no control in a control
    link.focus()
    page.locator("#clinicpress-tip").wait_for(state="visible", timeout=WAIT * 1000)
    assert "ad-guarantee" in page.locator("#clinicpress-tip").inner_text()


def test_a_phrase_in_an_faq_question_is_explained_when_the_question_has_focus(site, served, tab):
    flagged = [f for f in findings_of(site, PAGES["en"][1]) if f.excerpt and f.excerpt.field == "faq"]
    assert flagged, "the rule packs flag nothing in the FAQ question"
    page = open_page(tab, served, "en")
    question = page.locator(".faq summary")
    assert question.locator("mark.clinicpress-finding").count() >= 1
    assert question.locator("mark[tabindex]").count() == 0  # the question is the control that takes focus
    question.focus()
    page.locator("#clinicpress-tip").wait_for(state="visible", timeout=WAIT * 1000)
    assert flagged[0].message in page.locator("#clinicpress-tip").inner_text()


def test_post_text_in_findings_stays_text(site, served, browser):
    url, _ = served
    body = fetch(url + PAGES["en"][0]).body
    data = body[body.index("data-clinicpress-findings>"):]
    data = data[data.index('({"findings"'):data.index("</script>")]
    assert "<" not in data and "\\u003c/script" in data  # the post's '</script' cannot end the data early
    # Without the page's policy, which would stop an injected script anyway: the escaping alone holds.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = open_page(context.new_page(), served, "en")
        assert "link to '/x</script'" in page.locator("#clinicpress-findings").inner_text()
        assert page.evaluate("window.pwned") is None
    finally:
        context.close()


def test_hovering_a_mark_shows_its_explanation(served, tab):
    page = open_page(tab, served, "ko")
    page.locator(".post-body mark.clinicpress-finding").first.hover()
    page.locator("#clinicpress-tip").wait_for(state="visible", timeout=WAIT * 1000)
    assert "의료법" in page.locator("#clinicpress-tip").inner_text()


def test_the_panel_lists_every_finding_of_the_page_with_its_line_above_the_content(site, served, tab):
    findings = findings_of(site, PAGES["en"][1])
    page = open_page(tab, served, "en")
    panel = page.locator("#clinicpress-findings")
    items = panel.locator("li")
    assert items.count() == len(findings)
    for item, finding in zip(items.all_inner_texts(), findings):
        assert finding.location in item and finding.message in item
    errors = sum(f.severity == "error" for f in findings)
    assert f"Check found {errors} errors" in panel.locator("summary").inner_text()
    assert panel.bounding_box()["y"] + panel.bounding_box()["height"] <= page.locator("h1").bounding_box()["y"]
    panel.locator("summary").click()  # collapsible
    assert items.first.is_hidden()
    page.reload()
    page.locator("#clinicpress-findings").wait_for()
    assert page.locator("#clinicpress-findings li").first.is_hidden()  # stays closed across live reloads


def test_pages_without_findings_get_nothing(served):
    url, _ = served
    home = fetch(url + "en/").body
    assert "clinicpress-findings" not in home and "/__clinicpress/events" in home


def test_the_overlay_has_no_accessibility_violations(served, browser):
    if not AXE_JS.exists():
        pytest.skip("needs node_modules/axe-core; run `make test` (npm ci)")
    # axe is added as an inline script, which the preview's Content-Security-Policy would block.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    for lang in ("en", "ko"):
        page = open_page(context.new_page(), served, lang)
        page.locator(".post-body mark.clinicpress-finding").first.focus()  # the tooltip is judged too
        page.locator("#clinicpress-tip").wait_for(state="visible", timeout=WAIT * 1000)
        page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
        assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    context.close()


def test_nothing_of_it_is_in_what_build_writes(site, served):
    assert run_cli("build", str(site)).code == 0
    written = [p for p in (site / "output").rglob("*") if p.is_file()]
    assert written and not [p for p in written if b"clinicpress-finding" in p.read_bytes()
                            or b"__clinicpress" in p.read_bytes()]
