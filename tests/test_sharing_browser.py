"""The share buttons in Chromium: the sample site served with its _headers (so under its Content-Security-Policy).

Chromium on Linux has no share sheet of its own (navigator.share); where a test needs one, a stand-in
records what the page asked it to share. share.naver.com, Kakao's SDK host and KakaoTalk's picker cannot
be reached from the tests: they are answered by stand-ins. The SDK's stand-in does what Kakao's SDK does
on a computer (a form posted to the picker in a new window); the build pins the stand-in's integrity hash
in place of the real SDK's."""
from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import copy_sample_site
from generator.render import sharing
from test_comments_browser import CHROMIUM, WAIT_MS
from test_csp_browser import RECORD_VIOLATIONS, browser, build_into, host, policy_reports  # noqa: F401 (a fixture)

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium; `make test` installs it")

POST = "/en/posts/lip-filler-aftercare/"
KO_POST = "/ko/posts/lip-filler-aftercare/"
NO_SHARE_SHEET = "delete Navigator.prototype.share; delete Navigator.prototype.canShare;"
SHARE_SHEET = """
Navigator.prototype.share = function (data) { window.__shared = data; return Promise.resolve(); };
"""
NO_CLIPBOARD = "Object.defineProperty(Navigator.prototype, 'clipboard', { get: function () { return undefined; } });"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The sample site built for and served by a host on 127.0.0.1 that applies _headers."""
    served = tmp_path_factory.mktemp("www")
    with host(served) as origin:
        build_into(served, copy_sample_site(tmp_path_factory.mktemp("site")), origin)
        yield origin


def open_page(browser, site: str, path: str = POST, *scripts: str, **options):
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, "locale": "en-US", **options})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    for script in (RECORD_VIOLATIONS, *scripts):
        page.add_init_script(script)
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(message.text))
    page.elsewhere = []  # requests to any host but the site's
    page.on("request", lambda request: None if request.url.startswith(site) else page.elsewhere.append(request.url))
    page.goto(site + path)
    page.wait_for_load_state("networkidle")
    return page


KAKAO_KEY = "0123456789abcdef0123456789abcdef"
KAKAO_SDK_STAND_IN = """
(function () {
  var key = null;
  window.__kakao = [];
  window.Kakao = {
    init: function (k) { key = k; window.__kakao.push(["init", k]); },
    isInitialized: function () { return key !== null; },
    Share: { sendScrap: function (settings) {
      window.__kakao.push(["sendScrap", settings.requestUrl]);
      var form = document.createElement("form");
      form.method = "POST"; form.action = "https://sharer.kakao.com/picker/link"; form.target = "_blank";
      [["app_key", key], ["validation_action", "scrap"],
       ["validation_params", JSON.stringify({ request_url: settings.requestUrl })]].forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
        form.appendChild(input);
      });
      document.body.appendChild(form);
      form.submit();
      form.remove();
    } }
  };
})();
"""


@pytest.fixture(scope="module")
def kakao_site(tmp_path_factory):
    """The sample site with a Kakao app key, its SDK pinned to the stand-in's hash."""
    served = tmp_path_factory.mktemp("www-kakao")
    site = copy_sample_site(tmp_path_factory.mktemp("site-kakao"))
    with (site / "site.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[sharing]\nkakao_app_key = "{KAKAO_KEY}"\n')
    digest = base64.b64encode(hashlib.sha384(KAKAO_SDK_STAND_IN.encode()).digest()).decode()
    with pytest.MonkeyPatch.context() as patch, host(served) as origin:
        patch.setattr(sharing, "KAKAO_SDK_INTEGRITY", f"sha384-{digest}")
        build_into(served, site, origin)
        yield origin


@pytest.fixture
def pages(browser):
    opened = []

    def make(*args, **options):
        opened.append(open_page(browser, *args, **options))
        return opened[-1]

    yield make
    for page in opened:
        page.context.close()


def canonical(page) -> str:
    return page.locator("link[rel=canonical]").get_attribute("href")


def test_no_request_leaves_for_another_host_before_a_click(pages, site):
    for path in (POST, KO_POST):
        page = pages(site, path, SHARE_SHEET)
        expect(page.locator("[data-share] button")).to_have_count(3)
        assert page.elsewhere == [], path
        assert policy_reports(page) == []


def test_copy_link_puts_the_address_in_the_clipboard(pages, site):
    page = pages(site, POST, NO_SHARE_SHEET)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == canonical(page)
    expect(page.locator("[data-share-fallback]")).to_be_hidden()
    assert page.elsewhere == []


def test_without_a_clipboard_the_address_is_shown_selected_to_copy_by_hand(pages, site):
    page = pages(site, POST, NO_SHARE_SHEET, NO_CLIPBOARD)
    page.get_by_role("button", name="Copy link").click()
    field = page.get_by_label("Address of this article")
    expect(field).to_be_visible()
    expect(field).to_be_focused()
    expect(field).to_have_value(canonical(page))
    assert page.evaluate("window.getSelection().toString() || document.activeElement.value.substring("
                         "document.activeElement.selectionStart, document.activeElement.selectionEnd)") == canonical(page)
    expect(page.get_by_role("status")).to_have_text("Copy the address below to share it.")


def test_kakaotalk_on_a_computer_copies_the_link_for_a_chat(pages, site):
    page = pages(site, KO_POST, NO_SHARE_SHEET, locale="ko-KR")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page.get_by_role("button", name="카카오톡").click()
    expect(page.get_by_role("status")).to_have_text("링크를 복사했습니다. 카카오톡 대화창에 붙여 넣어 공유해 주세요.")
    assert page.evaluate("navigator.clipboard.readText()") == canonical(page)
    expect(page.get_by_role("button", name="다른 앱으로 공유")).to_have_count(0)  # no share sheet here


def test_kakaotalk_on_a_phone_opens_the_share_sheet(pages, site):
    page = pages(site, KO_POST, SHARE_SHEET, locale="ko-KR", viewport={"width": 390, "height": 844},
                 is_mobile=True, has_touch=True)
    page.get_by_role("button", name="카카오톡").tap()
    page.wait_for_function("window.__shared !== undefined")
    shared = page.evaluate("window.__shared")
    assert shared["url"] == canonical(page)
    assert shared["title"] == page.locator("h1").inner_text()
    assert page.elsewhere == []


def test_the_browser_share_button_appears_only_where_there_is_a_share_sheet(pages, site):
    page = pages(site, POST, SHARE_SHEET)
    page.get_by_role("button", name="More ways to share").click()
    page.wait_for_function("window.__shared !== undefined")
    assert page.evaluate("window.__shared.url") == canonical(page)
    without = pages(site, POST, NO_SHARE_SHEET)
    expect(without.get_by_role("button", name="More ways to share")).to_have_count(0)
    expect(without.get_by_role("button", name="Copy link")).to_be_visible()


def test_the_buttons_work_from_the_keyboard(pages, site):
    page = pages(site, POST, NO_SHARE_SHEET)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page.get_by_role("link", name="Naver (opens in a new window)").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Copy link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Link copied.")


def test_naver_opens_its_share_page_only_when_clicked(pages, site):
    asked: list[str] = []
    page = pages(site, POST, NO_SHARE_SHEET)
    page.context.route("https://share.naver.com/**", lambda route: (
        asked.append(route.request.url),
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Naver</title><p>share</p>")))
    assert asked == [] and page.elsewhere == []
    with page.expect_popup() as opened:
        page.get_by_role("link", name="Naver (opens in a new window)").click()
    popup = opened.value
    popup.wait_for_load_state()
    query = parse_qs(urlsplit(asked[0]).query)
    assert query == {"url": [canonical(page)], "title": [page.locator("h1").inner_text()]}
    assert popup.evaluate("window.opener") is None, "rel=noopener"


def test_without_javascript_the_naver_link_still_works_and_the_buttons_stay_hidden(browser, site):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + POST)
        expect(page.get_by_role("link", name="Naver (opens in a new window)")).to_be_visible()
        expect(page.locator("[data-share] button")).to_have_count(3)
        for button in page.locator("[data-share] button").all():
            expect(button).to_be_hidden()
    finally:
        context.close()


def route_kakao(context, sdk: bool = True) -> list[tuple[str, str, str]]:
    """Stand-ins for Kakao's SDK host and KakaoTalk's picker; returns the requests they answered."""
    asked: list[tuple[str, str, str]] = []

    def answer(route):
        request = route.request
        asked.append((request.method, request.url, request.post_data or ""))
        if request.url.startswith("https://t1.kakaocdn.net/") and sdk:
            route.fulfill(status=200, content_type="text/javascript", body=KAKAO_SDK_STAND_IN,
                          headers={"Access-Control-Allow-Origin": "*"})
        elif request.url.startswith("https://t1.kakaocdn.net/"):
            route.abort()
        else:
            route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>KakaoTalk</title>")

    context.route("https://t1.kakaocdn.net/**", answer)
    context.route("https://sharer.kakao.com/**", answer)
    return asked


def test_with_an_app_key_kakaos_sdk_loads_on_the_click_and_hands_the_address_to_its_picker(pages, kakao_site):
    page = pages(kakao_site, KO_POST, NO_SHARE_SHEET, locale="ko-KR")
    asked = route_kakao(page.context)
    assert page.elsewhere == [] and asked == [], "nothing from Kakao before the click"
    with page.expect_popup() as opened:
        page.get_by_role("button", name="카카오톡").click()
    opened.value.wait_for_load_state()
    assert page.evaluate("window.__kakao") == [["init", KAKAO_KEY], ["sendScrap", canonical(page)]]
    (sdk, picker) = asked
    assert sdk[:2] == ("GET", sharing.KAKAO_SDK)
    assert picker[:2] == ("POST", "https://sharer.kakao.com/picker/link")
    assert parse_qs(picker[2])["app_key"] == [KAKAO_KEY]
    assert policy_reports(page) == []


def test_when_kakaos_sdk_cannot_load_the_button_copies_the_link_instead(pages, kakao_site):
    page = pages(kakao_site, POST, NO_SHARE_SHEET)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=kakao_site)
    route_kakao(page.context, sdk=False)
    page.get_by_role("button", name="KakaoTalk").click()
    expect(page.get_by_role("status")).to_have_text("Link copied. Paste it into a KakaoTalk chat to share it.")
    assert page.evaluate("navigator.clipboard.readText()") == canonical(page)
