"""The [analytics] table of site.toml, the counter's element on the built pages (read with lxml) and the
Content-Security-Policy that names exactly the hosts each provider needs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.build import BuildOptions, build_site
from generator.outputs.headers import policy_in_headers

from conftest import MINIMAL_CONFIG, post_text, run_cli
from test_comments import page
from test_serve import fetch, serving
from test_sharing import messages

POSTS = {"posts/ko/lips.md": post_text("입술 필러 이야기: 왜 작아 보일까"),
         "posts/en/lips.md": post_text("Lip filler and why it looks smaller")}
UMAMI_ID = "94db1cb1-74f4-4a40-ad6c-962362670409"

# The theme's scripts: its own, and the WebAssembly of site search (on by default).
THEME_SCRIPTS = ["'self'", "'wasm-unsafe-eval'"]
# provider -> (its settings, the script the pages load with its attributes, the policy's script-src and
# connect-src beyond 'self')
PROVIDERS = {
    "plausible": ('domain = "blog.example-clinic.com"',
                  {"src": "https://plausible.io/js/script.js", "data-domain": "blog.example-clinic.com",
                   "data-api": "https://plausible.io/api/event"},
                  ["https://plausible.io"], ["https://plausible.io"]),
    "umami": (f'website_id = "{UMAMI_ID}"',
              {"src": "https://cloud.umami.is/script.js", "data-website-id": UMAMI_ID,
               "data-host-url": "https://gateway.umami.is", "data-identity-stitching": "false"},
              ["https://cloud.umami.is"], ["https://gateway.umami.is"]),
    "goatcounter": ('code = "balancelab"',
                    {"src": "https://gc.zgo.at/count.js", "data-goatcounter": "https://balancelab.goatcounter.com/count"},
                    ["https://gc.zgo.at"], ["https://balancelab.goatcounter.com"]),
    "ga4": ('measurement_id = "G-ABC123DEF4"',
            {"src": "https://www.googletagmanager.com/gtag/js?id=G-ABC123DEF4"},
            ["https://*.googletagmanager.com"],
            ["https://*.google-analytics.com", "https://*.analytics.google.com", "https://*.googletagmanager.com"]),
    "naver": ('site_id = "s_4b6f8a0e1c2d"', {"src": "https://wcs.naver.net/wcslog.js"},
              ["https://wcs.naver.net"], ["https://wcs.naver.com"]),
}


def analytics_config(provider: str, load: str = "consent", settings: str | None = None) -> str:
    settings = PROVIDERS[provider][0] if settings is None else settings
    return MINIMAL_CONFIG + f'\n[analytics]\nprovider = "{provider}"\nload = "{load}"\n{settings}\n'


def build(site_factory, config: str = MINIMAL_CONFIG) -> Path:
    site = site_factory(POSTS, config=config)
    result = run_cli("build", str(site), "-j", "1")
    assert result.code == 0, result.err
    return site / "output"


def directives(policy: str) -> dict[str, list[str]]:
    return {name: rest for name, *rest in (part.split() for part in policy.split(";"))}


def policies(output: Path, path: str = "en/posts/lips/index.html") -> tuple[dict, dict]:
    """The policy of a page's <meta> and the one _headers gives to hosts."""
    (meta,) = page(output, path).xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    return directives(meta), directives(policy_in_headers((output / "_headers").read_bytes()))


def counter(tree):
    (element,) = tree.cssselect("[data-analytics]")
    return element


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_each_provider_gets_exactly_the_hosts_it_needs_in_the_policy(site_factory, provider):
    _, _, scripts, connects = PROVIDERS[provider]
    meta, header = policies(build(site_factory, analytics_config(provider)))
    for found in (meta, header):
        assert found["script-src"] == [*THEME_SCRIPTS, *scripts]
        assert found["connect-src"] == ["'self'", *connects]
        assert found["style-src"] == ["'self'"] and found["frame-src"][0] == "https://www.youtube.com"
        assert found["default-src"] == ["'self'"] and found["form-action"] == ["'self'"]
    assert set(header) - set(meta) == {"frame-ancestors"}


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_every_page_names_the_script_for_clinicpress_js_and_loads_none_itself(site_factory, provider):
    _, script, _, _ = PROVIDERS[provider]
    output = build(site_factory, analytics_config(provider))
    for path in ("index.html", "en/index.html", "ko/posts/lips/index.html", "404.html", "en/tags/index.html"):
        if not (output / path).exists():
            continue
        tree = page(output, path)
        element = counter(tree)
        assert element.get("hidden") is not None and element.get("data-analytics") == provider
        assert json.loads(element.get("data-analytics-script")) == script, path
        sources = [s.get("src") for s in tree.iter("script") if s.get("src")]
        assert len(sources) == 1 and "/assets/clinicpress.js" in sources[0], path
        assert not tree.xpath("//script[not(@src) and not(@type='application/ld+json')]"), "no inline script"
    ids = {"ga4": "G-ABC123DEF4", "naver": "s_4b6f8a0e1c2d"}
    assert counter(page(output, "en/index.html")).get("data-analytics-id") == ids.get(provider, "")


def test_without_a_provider_pages_have_no_counter_and_the_policy_stays_the_themes(site_factory):
    output = build(site_factory)
    meta, header = policies(output)
    assert meta["script-src"] == header["script-src"] == THEME_SCRIPTS
    assert meta["connect-src"] == header["connect-src"] == ["'self'"]
    for path in ("en/index.html", "en/posts/lips/index.html"):
        tree = page(output, path)
        assert not tree.cssselect("[data-analytics], [data-analytics-consent], [data-analytics-settings]")


def test_consent_mode_asks_first_and_offers_a_way_back_in_every_footer(site_factory):
    output = build(site_factory, analytics_config("plausible"))
    for path, allow, decline, settings in (("en/index.html", "Allow", "Decline", "Visit counting"),
                                           ("ko/posts/lips/index.html", "동의", "거부", "방문 통계 설정")):
        tree = page(output, path)
        (question,) = tree.cssselect("section[data-analytics-consent]")
        assert question.get("hidden") is not None, "shown by the script, which alone can load the counter"
        assert question.get("aria-labelledby") == "consent-title" and tree.cssselect("#consent-title")
        choices = {b.get("data-analytics-choice"): b.text_content() for b in question.cssselect("button")}
        assert choices == {"granted": allow, "denied": decline}
        (button,) = tree.cssselect("footer.site-footer button[data-analytics-settings]")
        assert button.text_content() == settings and button.get("type") == "button"
    english = page(output, "en/index.html").cssselect("[data-analytics-consent] p")[0].text_content()
    assert "Plausible Analytics" in english and "stores nothing on your device" in english


def test_cookie_setting_providers_say_so_when_they_ask(site_factory):
    output = build(site_factory, analytics_config("ga4"))
    text = page(output, "ko/index.html").cssselect("[data-analytics-consent] p")[0].text_content()
    assert "구글 애널리틱스로" in text and "쿠키를 저장" in text


def test_load_always_asks_nothing(site_factory):
    output = build(site_factory, analytics_config("goatcounter", load="always"))
    tree = page(output, "en/index.html")
    assert counter(tree).get("data-analytics-load") == "always"
    assert not tree.cssselect("[data-analytics-consent], [data-analytics-settings]")


def test_the_preview_never_loads_analytics(site_factory, tmp_path):
    site = site_factory(POSTS, config=analytics_config("ga4", load="always"))
    build_site(BuildOptions(site_dir=site, output_dir=tmp_path / "preview", preview=True, jobs=1))
    meta, header = policies(tmp_path / "preview")
    assert meta["script-src"] == header["script-src"] == THEME_SCRIPTS
    assert meta["connect-src"] == header["connect-src"] == ["'self'"]
    assert not page(tmp_path / "preview", "en/index.html").cssselect("[data-analytics]")


def test_serve_previews_pages_without_the_counter_and_without_its_hosts(site_factory, tmp_path):
    site = site_factory(POSTS, config=analytics_config("plausible", load="always"))
    with serving(site, tmp_path / "serve") as served:
        for path in ("en/", "en/posts/lips/"):
            answer = fetch(served.url + path)
            assert answer.status == 200
            assert "data-analytics" not in answer.body and "plausible.io" not in answer.body
            assert "plausible.io" not in answer.headers["Content-Security-Policy"]


@pytest.mark.parametrize("settings, script, connect", [
    ('website_id = "94db1cb1-74f4-4a40-ad6c-962362670409"\nscript_url = "https://stats.example-clinic.com/script.js"',
     "https://stats.example-clinic.com", "https://stats.example-clinic.com"),
    ('website_id = "94db1cb1-74f4-4a40-ad6c-962362670409"\nscript_url = "https://cdn.example-clinic.com/u.js"\n'
     'host_url = "https://stats.example-clinic.com/"', "https://cdn.example-clinic.com", "https://stats.example-clinic.com"),
], ids=["self-hosted", "own-collector"])
def test_a_self_hosted_umami_is_allowed_where_it_lives(site_factory, settings, script, connect):
    output = build(site_factory, analytics_config("umami", settings=settings))
    meta, _ = policies(output)
    assert (meta["script-src"], meta["connect-src"]) == ([*THEME_SCRIPTS, script], ["'self'", connect])
    assert json.loads(counter(page(output, "en/index.html")).get("data-analytics-script"))["data-host-url"] == connect


def test_a_self_hosted_plausible_gets_its_events_sent_home(site_factory):
    settings = 'domain = "blog.example-clinic.com"\nscript_url = "https://stats.example-clinic.com/js/script.js"'
    output = build(site_factory, analytics_config("plausible", settings=settings))
    script = json.loads(counter(page(output, "en/index.html")).get("data-analytics-script"))
    assert script["data-api"] == "https://stats.example-clinic.com/api/event"
    assert policies(output)[0]["connect-src"] == ["'self'", "https://stats.example-clinic.com"]


@pytest.mark.parametrize("table, expected", [
    ('provider = "plausable"', "'analytics.provider' 'plausable' is not a provider ClinicPress knows "
                               "(did you mean 'plausible'?)"),
    ('provider = "ga4"', "missing required key 'analytics.measurement_id' for provider = \"ga4\" "
                         "(add measurement_id = \"G-ABC123DEF4\" under [analytics])"),
    ('provider = "ga4"\nmeasurement_id = "UA-1234-1"', "'analytics.measurement_id' 'UA-1234-1' does not look like one"),
    ('provider = "plausible"\ndomain = "blog.example-clinic.com"\ncode = "balancelab"',
     "'analytics.code' is a setting of goatcounter, but analytics.provider is 'plausible' "
     "(remove code, or set provider to goatcounter)"),
    ('provider = "naver"\nsite_id = "s_4b6f8a0e1c2d"\nload = "later"',
     "'analytics.load' must be \"consent\" or \"always\", got 'later'"),
    ('provider = "umami"\nwebsite_id = "94db1cb1-74f4-4a40-ad6c-962362670409"\nscript_url = "http://stats.x.com/s.js"',
     "'analytics.script_url' 'http://stats.x.com/s.js' does not look like one"),
    ('provider = "goatcounter"\ncode = "balancelab"\npreview = true', "unknown key 'analytics.preview'"),
], ids=["unknown-provider", "missing-key", "bad-id", "other-providers-key", "bad-load", "not-https", "preview"])
def test_analytics_table_mistakes_are_named(table, expected):
    config = MINIMAL_CONFIG + f"\n[analytics]\n{table}\n"
    (found,) = messages(config)
    assert found.split(": ", 1)[1].startswith(expected), found


# Conversions -------------------------------------------------------------------------------------

KAKAO_CHANNEL = "https://pf.kakao.com/_xbalancelab"


def with_kakao_channel(config: str, channel: str = KAKAO_CHANNEL) -> str:
    return config.replace("[clinic]\n", f'[clinic]\nkakao_channel = "{channel}"\n', 1)


def test_the_counter_knows_the_clinics_contact_page_and_kakaotalk_channel(site_factory):
    config = with_kakao_channel(analytics_config("plausible")).replace(
        'contact_url = "https://example-clinic.com/contact"', 'contact_url = "/ko/contact/"')
    element = counter(page(build(site_factory, config), "en/index.html"))
    assert element.get("data-analytics-contact") == "https://blog.example-clinic.com/ko/contact/"
    assert element.get("data-analytics-kakao") == KAKAO_CHANNEL


def test_the_kakaotalk_channel_is_offered_under_posts_and_in_every_footer(site_factory):
    output = build(site_factory, with_kakao_channel(MINIMAL_CONFIG))
    post = page(output, "ko/posts/lips/index.html")
    actions = [(a.text_content(), a.get("href")) for a in post.cssselect(".cta-actions a")]
    assert actions[:2] == [("상담 문의하기", "https://example-clinic.com/contact"), ("카카오톡 채널 상담", KAKAO_CHANNEL)]
    for path in ("en/index.html", "en/posts/lips/index.html"):
        links = page(output, path).cssselect(f"footer.site-footer a[href='{KAKAO_CHANNEL}']")
        assert [a.text_content() for a in links] == ["KakaoTalk channel"]
    assert not page(build(site_factory), "en/index.html").xpath("//a[contains(@href, 'kakao')]")


@pytest.mark.parametrize("channel, expected", [
    ("javascript:alert(1)", "'clinic.kakao_channel' uses 'javascript:', which is not allowed here"),
    ("/kakao/", "'clinic.kakao_channel' must be an absolute address"),
], ids=["script", "path"])
def test_a_kakaotalk_channel_must_be_a_web_address(channel, expected):
    (found,) = messages(with_kakao_channel(MINIMAL_CONFIG, channel))
    assert found.split(": ", 1)[1].startswith(expected), found
