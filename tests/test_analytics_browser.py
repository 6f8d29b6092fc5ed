"""Visit counting in Chromium: the sample site with each provider, served with its _headers.

The providers' hosts cannot be reached from the tests: Playwright answers them with stand-ins that do what
each provider's script does with the page (read the attributes of its <script>, send a page view to its
collector the way the real one does, offer the same function for events). A request the
Content-Security-Policy blocks never reaches Playwright, so the collector's requests seen here are also
proof that the policy allows them; the policy's own reports are checked as well."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import copy_sample_site
from site_quality import with_analytics
from test_analytics import PROVIDERS
from test_comments_browser import CHROMIUM, WAIT_MS
from test_csp_browser import RECORD_VIOLATIONS, browser, build_into, host, policy_reports  # noqa: F401 (a fixture)

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium; `make test` installs it")

POST = "/en/posts/lip-filler-aftercare/"
CONTACT = "https://balancelab-clinic.example/contact"  # the sample site's [clinic] contact_url
KAKAO_CHANNEL = "https://pf.kakao.com/_xbalancelab"

# What each provider's script does, in a few lines: where it reads its settings and how it sends.
STAND_INS = {
    "plausible": """
      var me = document.currentScript, api = me.getAttribute("data-api");
      function send(name, options) {
        fetch(api, { method: "POST", keepalive: true, body: JSON.stringify({ n: name, u: location.href,
          d: me.getAttribute("data-domain"), p: options && options.props }) })
          .then(function () { if (options && options.callback) options.callback(); });
      }
      window.plausible = send;
      send("pageview");
    """,
    "umami": """
      var me = document.currentScript, api = me.getAttribute("data-host-url") + "/api/send";
      function send(payload) {
        return fetch(api, { method: "POST", keepalive: true, body: JSON.stringify({ type: "event", payload: payload }) });
      }
      window.umami = { track: function (name, data) {
        return send({ website: me.getAttribute("data-website-id"), url: location.pathname, name: name, data: data });
      } };
      send({ website: me.getAttribute("data-website-id"), url: location.pathname });
    """,
    "goatcounter": """
      var endpoint = document.currentScript.getAttribute("data-goatcounter");
      window.goatcounter = { count: function (vars) {
        vars = vars || {};
        navigator.sendBeacon(endpoint + "?p=" + encodeURIComponent(vars.path || location.pathname) +
                             "&e=" + (vars.event ? "true" : "false"));
      } };
      window.goatcounter.count();
    """,
    "ga4": """
      var id = null;
      function handle(args) {
        if (args[0] === "config") { id = args[1]; collect("page_view"); }
        if (args[0] === "event") { collect(args[1]); if (args[2] && args[2].event_callback) args[2].event_callback(); }
      }
      function collect(name) {
        navigator.sendBeacon("https://region1.google-analytics.com/g/collect?v=2&tid=" + id + "&en=" + name);
      }
      for (var i = 0; i < window.dataLayer.length; i++) handle(window.dataLayer[i]);
      window.dataLayer.push = function (args) { handle(args); return Array.prototype.push.call(this, args); };
    """,
    "naver": """
      window.wcs = { cnv: function (type, value) { return type + "," + value; } };
      window.wcs_do = function (nasa) {
        navigator.sendBeacon("https://wcs.naver.com/b?wa=" + window.wcs_add.wa + (nasa && nasa.cnv ? "&cnv=" + nasa.cnv : ""));
      };
    """,
}
# The hosts each provider's stand-in answers for, by URL prefix.
HOSTS = {
    "plausible": ("https://plausible.io/",),
    "umami": ("https://cloud.umami.is/", "https://gateway.umami.is/"),
    "goatcounter": ("https://gc.zgo.at/", "https://balancelab.goatcounter.com/"),
    "ga4": ("https://www.googletagmanager.com/", "https://region1.google-analytics.com/"),
    "naver": ("https://wcs.naver.net/", "https://wcs.naver.com/"),
}


def counted(provider: str, url: str, body: str) -> str | None:
    """What a request to the provider counted: "pageview", an event's name, or None (its script)."""
    query = parse_qs(urlsplit(url).query)
    if provider == "plausible" and url.endswith("/api/event"):
        return json.loads(body)["n"]
    if provider == "umami" and url.endswith("/api/send"):
        return json.loads(body)["payload"].get("name", "pageview")
    if provider == "goatcounter" and urlsplit(url).path == "/count":
        return query["p"][0] if query["e"] == ["true"] else "pageview"
    if provider == "ga4" and "/g/collect" in url:
        return "pageview" if query["en"] == ["page_view"] else query["en"][0]
    if provider == "naver" and urlsplit(url).path == "/b":
        return f"conversion {query['cnv'][0]}" if "cnv" in query else "pageview"
    return None


class Provider:
    """The stand-ins of one provider in a browser context, and what reached them."""

    def __init__(self, context, provider: str):
        self.provider, self.requests = provider, []
        for prefix in HOSTS[provider]:
            context.route(prefix + "**", self.answer)

    def answer(self, route):
        request = route.request
        self.requests.append((request.url, request.post_data or ""))
        script = request.resource_type == "script"
        route.fulfill(status=200 if script else 202, content_type="text/javascript" if script else "text/plain",
                      body=STAND_INS[self.provider] if script else "", headers={"Access-Control-Allow-Origin": "*"})

    def counted(self) -> list[str]:
        return [name for url, body in self.requests if (name := counted(self.provider, url, body))]


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The sample site built once per provider and load mode, each served by a host that applies _headers."""
    built, hosts = {}, []
    try:
        for provider, (settings, *_) in PROVIDERS.items():
            for load in ("consent", "always"):
                site = with_analytics(copy_sample_site(tmp_path_factory.mktemp(f"site-{provider}-{load}")),
                                      f'provider = "{provider}"\nload = "{load}"\n{settings}')
                config = (site / "site.toml").read_text(encoding="utf-8")
                (site / "site.toml").write_text(config.replace(
                    "[clinic]\n", f'[clinic]\nkakao_channel = "{KAKAO_CHANNEL}"\n', 1), encoding="utf-8")
                served = tmp_path_factory.mktemp(f"www-{provider}-{load}")
                hosts.append(host(served))
                origin = hosts[-1].__enter__()
                build_into(served, site, origin)
                built[provider, load] = origin
        yield built
    finally:
        for opened in reversed(hosts):
            opened.__exit__(None, None, None)


@pytest.fixture
def context(browser):
    opened = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    yield opened
    opened.close()


# Headless Chromium has no phone app to hand a tel: link to, and a tap on one leaves the tab stuck: once every
# listener of the page has seen the tap (the window's come last), the tests keep the browser from following it.
NO_DIALER = """
window.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("a[href^='tel:']")) event.preventDefault();
});
"""


def visit(context, origin: str, path: str = POST):
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.add_init_script(RECORD_VIOLATIONS)
    page.add_init_script(NO_DIALER)
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(message.text))
    page.elsewhere = []
    page.on("request", lambda r: None if r.url.startswith(origin) else page.elsewhere.append(r.url))
    page.goto(origin + path)
    page.wait_for_load_state("networkidle")
    return page


def wait_for(provider: Provider, page, names: list[str]) -> None:
    page.wait_for_function("() => true")  # let pending handlers run
    for _ in range(100):
        if provider.counted() == names:
            return
        page.wait_for_timeout(50)
    assert provider.counted() == names


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_with_consent_nothing_is_requested_before_the_reader_agrees(context, sites, name):
    provider = Provider(context, name)
    page = visit(context, sites[name, "consent"])
    question = page.get_by_role("region", name="May we count your visit?")
    expect(question).to_be_visible()
    page.wait_for_timeout(300)
    assert provider.requests == [] and page.elsewhere == [], "nothing leaves before the reader agrees"
    question.get_by_role("button", name="Allow").click()
    expect(question).to_be_hidden()
    wait_for(provider, page, ["pageview"])
    assert policy_reports(page) == []

    again = visit(context, sites[name, "consent"], "/en/")  # the choice is remembered
    expect(again.get_by_role("region", name="May we count your visit?")).to_be_hidden()
    wait_for(provider, again, ["pageview", "pageview"])
    assert policy_reports(again) == []


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_load_always_counts_the_page_view_at_once_under_the_policy(context, sites, name):
    provider = Provider(context, name)
    page = visit(context, sites[name, "always"])
    wait_for(provider, page, ["pageview"])
    assert page.locator("[data-analytics-consent]").count() == 0
    assert policy_reports(page) == []


def test_declining_sends_nothing_and_is_remembered(context, sites):
    provider = Provider(context, "ga4")
    page = visit(context, sites["ga4", "consent"])
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_role("region", name="May we count your visit?")).to_be_hidden()
    again = visit(context, sites["ga4", "consent"], "/en/")
    again.wait_for_timeout(300)
    expect(again.get_by_role("region", name="May we count your visit?")).to_be_hidden()
    assert provider.requests == [] and again.elsewhere == []


def test_withdrawing_consent_stops_counting_and_removes_the_providers_cookies(context, sites):
    provider = Provider(context, "ga4")
    origin = sites["ga4", "consent"]
    page = visit(context, origin)
    page.get_by_role("button", name="Allow").click()
    wait_for(provider, page, ["pageview"])
    page.evaluate("document.cookie = '_ga=GA1.1.123.456; path=/'; document.cookie = 'kept=1; path=/'")
    settings = page.get_by_role("button", name="Visit counting")
    settings.click()
    question = page.get_by_role("region", name="May we count your visit?")
    expect(question).to_be_visible()
    expect(question).to_be_focused()
    with page.expect_navigation():
        question.get_by_role("button", name="Decline").click()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert provider.counted() == ["pageview"], "nothing counted after the reader withdrew"
    assert "_ga=" not in page.evaluate("document.cookie") and "kept=1" in page.evaluate("document.cookie")
    expect(question).to_be_hidden()


def test_the_question_is_reachable_and_answerable_from_the_keyboard(context, sites):
    provider = Provider(context, "plausible")
    page = visit(context, sites["plausible", "consent"])
    allow = page.get_by_role("button", name="Allow")
    allow.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    wait_for(provider, page, ["pageview"])


# How each provider is told of a conversion: its own event of that name, or Naver's conversion types.
EVENTS = {"naver": {"phone_call": "conversion 5,1", "contact": "conversion 4,1", "kakao_channel": "conversion 5,1"}}


def event(provider: str, name: str) -> str:
    return EVENTS.get(provider, {}).get(name, name)


def clinic_pages(context) -> list[str]:
    """Stand-ins for the clinic's contact page and its KakaoTalk channel; returns the addresses opened."""
    opened: list[str] = []

    def answer(route):
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Clinic</title><h1>Contact</h1>")

    context.route(CONTACT + "**", answer)
    context.route(KAKAO_CHANNEL + "**", answer)
    return opened


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_a_phone_tap_and_a_contact_click_are_counted_after_consent(context, sites, name):
    provider, opened = Provider(context, name), clinic_pages(context)
    page = visit(context, sites[name, "consent"])
    phone = page.locator("footer.site-footer a[href^='tel:']")
    phone.click()
    page.wait_for_timeout(200)
    assert provider.requests == [], "without consent a tap is not counted"
    page.get_by_role("button", name="Allow").click()
    wait_for(provider, page, ["pageview"])
    phone.click()
    wait_for(provider, page, ["pageview", event(name, "phone_call")])
    assert policy_reports(page) == []
    with page.expect_navigation(url=CONTACT):
        page.locator(".cta").get_by_role("link", name="Contact the clinic").click()
    assert provider.counted() == ["pageview", event(name, "phone_call"), event(name, "contact")]
    assert opened == [CONTACT], "the reader still gets where they were going"


def test_the_kakaotalk_channel_is_shown_and_counted(context, sites):
    provider, opened = Provider(context, "umami"), clinic_pages(context)
    page = visit(context, sites["umami", "always"])
    wait_for(provider, page, ["pageview"])
    expect(page.locator(".cta").get_by_role("link", name="Chat on KakaoTalk")).to_have_attribute("href", KAKAO_CHANNEL)
    with page.expect_navigation(url=KAKAO_CHANNEL):
        page.locator("footer.site-footer").get_by_role("link", name="KakaoTalk channel").click()
    assert provider.counted() == ["pageview", "kakao_channel"] and opened == [KAKAO_CHANNEL]


def test_a_link_in_a_post_to_the_contact_page_counts_too_and_a_new_tab_is_not_held(context, sites):
    provider, opened = Provider(context, "goatcounter"), clinic_pages(context)
    page = visit(context, sites["goatcounter", "always"])
    wait_for(provider, page, ["pageview"])
    page.evaluate("""contact => { const a = document.createElement("a"); a.href = contact; a.target = "_blank";
                     a.textContent = "Book a consultation"; document.querySelector(".post-body").append(a); }""", CONTACT)
    with page.expect_popup():
        page.get_by_role("link", name="Book a consultation").click()
    wait_for(provider, page, ["pageview", "contact"])
    assert page.url.endswith(POST)


def test_the_privacy_notice_offers_the_same_way_back(context, sites):
    provider = Provider(context, "naver")
    page = visit(context, sites["naver", "consent"], "/ko/privacy/")
    question = page.get_by_role("region", name="방문 통계 수집에 동의하시나요?")
    question.get_by_role("button", name="동의").click()
    wait_for(provider, page, ["pageview"])
    page.locator("article.privacy").get_by_role("button", name="방문 통계 설정").click()
    expect(question).to_be_visible()
    expect(question).to_be_focused()
    expect(question.get_by_role("link", name="개인정보 처리방침")).to_have_attribute("href", "/ko/privacy/")
