"""The share buttons under a post as built (read with lxml), and the [sharing] table of site.toml."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import html5lib
import pytest

from generator.config.loader import parse_config
from generator.errors import BuildError
from generator.outputs.headers import policy_in_headers
from generator.render.sharing import KAKAO_SDK, KAKAO_SDK_INTEGRITY, naver_share_href

from conftest import MINIMAL_CONFIG, post_text, run_cli
from test_comments import page

POSTS = {"posts/ko/lips.md": post_text("입술 필러 이야기: 왜 작아 보일까"),
         "posts/en/lips.md": post_text("Lip filler & why it looks smaller?")}


def build(site_factory, config: str = MINIMAL_CONFIG) -> Path:
    site = site_factory(POSTS, config=config)
    result = run_cli("build", str(site), "-j", "1")
    assert result.code == 0, result.err
    return site / "output"


def share_section(tree):
    (section,) = tree.cssselect("section.share[data-share]")
    return section


def test_naver_share_is_a_plain_link_with_the_address_and_title_of_the_post(site_factory):
    tree = page(build(site_factory), "en/posts/lips/index.html")
    section = share_section(tree)
    (canonical,) = tree.xpath("//link[@rel='canonical']/@href")
    (naver,) = section.cssselect("a[data-share-service=naver]")
    parts = urlsplit(naver.get("href"))
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "share.naver.com", "/web/shareView")
    assert parse_qs(parts.query) == {"url": [canonical], "title": ["Lip filler & why it looks smaller?"]}
    assert naver.get("target") == "_blank" and set(naver.get("rel").split()) == {"noopener", "noreferrer"}
    assert naver.text_content() == "Naver (opens in a new window)"
    assert section.get("data-share-url") == canonical
    assert section.get("hidden") is None, "the Naver link works without JavaScript, so the section shows"


def test_buttons_that_need_javascript_are_hidden_until_the_script_shows_them(site_factory):
    section = share_section(page(build(site_factory), "en/posts/lips/index.html"))
    buttons = {b.get("data-share-service"): b for b in section.cssselect("button[data-share-service]")}
    assert list(buttons) == ["kakaotalk", "copy", "device"]
    for button in buttons.values():
        assert button.get("type") == "button"
        assert button.getparent().get("hidden") is not None
    assert [b.text_content() for b in buttons.values()] == ["KakaoTalk", "Copy link", "More ways to share"]
    (status,) = section.cssselect("[data-share-status]")
    assert status.get("role") == "status"
    (field,) = section.cssselect("[data-share-fallback] input")
    assert field.get("readonly") is not None and field.get("value") == section.get("data-share-url")
    assert section.cssselect(f"label[for={field.get('id')}]")


def test_nothing_in_the_share_section_is_fetched_when_the_page_loads(site_factory):
    output = build(site_factory)
    for path in ("en/posts/lips/index.html", "ko/posts/lips/index.html"):
        section = share_section(page(output, path))
        assert not section.xpath(".//*[@src or @srcset or @data]"), "no image, frame or script"
        assert not section.cssselect("script, iframe, img, link, object, embed")
        assert [a.get("href") for a in section.cssselect("a")] == [section.cssselect("a")[0].get("href")]


def test_korean_posts_get_korean_labels(site_factory):
    section = share_section(page(build(site_factory), "ko/posts/lips/index.html"))
    assert section.cssselect("h2")[0].text_content() == "이 글 공유하기"
    labels = [e.text_content() for e in section.cssselect("[data-share-service]")]
    assert labels == ["카카오톡", "네이버 (새 창에서 열림)", "링크 복사", "다른 앱으로 공유"]
    assert section.get("data-share-copied-kakaotalk").startswith("링크를 복사했습니다.")
    (naver,) = section.cssselect("a[data-share-service=naver]")
    assert parse_qs(urlsplit(naver.get("href")).query)["title"] == ["입술 필러 이야기: 왜 작아 보일까"]


def test_only_post_pages_have_share_buttons_and_they_load_the_theme_script(site_factory):
    output = build(site_factory)
    post = page(output, "en/posts/lips/index.html")
    assert post.cssselect("script[src*='clinicpress.js']")
    for other in ("index.html", "en/index.html", "404.html"):
        tree = page(output, other)
        assert not tree.cssselect("[data-share]") and not tree.cssselect("script[src*='clinicpress.js']"), other


def test_post_page_with_share_buttons_is_well_formed_html(site_factory):
    output = build(site_factory)
    html5lib.HTMLParser(strict=True).parse((output / "ko/posts/lips/index.html").read_bytes())


def test_sharing_can_be_turned_off_or_narrowed(site_factory):
    output = build(site_factory, MINIMAL_CONFIG + "\n[sharing]\nenabled = false\n")
    assert not page(output, "en/posts/lips/index.html").cssselect("[data-share]")

    output = build(site_factory, MINIMAL_CONFIG + '\n[sharing]\nservices = ["copy", "naver"]\n')
    section = share_section(page(output, "en/posts/lips/index.html"))
    assert [e.get("data-share-service") for e in section.cssselect("[data-share-service]")] == ["copy", "naver"]


def test_without_a_plain_link_the_whole_section_waits_for_the_script(site_factory):
    output = build(site_factory, MINIMAL_CONFIG + '\n[sharing]\nservices = ["kakaotalk", "copy"]\n')
    section = share_section(page(output, "en/posts/lips/index.html"))
    assert section.get("hidden") is not None


def test_naver_share_href_encodes_every_character_that_would_end_a_parameter():
    href = naver_share_href("https://blog.example.com/ko/posts/a/?x=1&y=2#top", "A & B = C? #1")
    assert parse_qs(urlsplit(href).query) == {"url": ["https://blog.example.com/ko/posts/a/?x=1&y=2#top"],
                                              "title": ["A & B = C? #1"]}


KAKAO_KEY = "0123456789abcdef0123456789abcdef"


def policy(output: Path) -> dict[str, list[str]]:
    (meta,) = page(output, "en/posts/lips/index.html").xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert policy_in_headers((output / "_headers").read_bytes()).startswith(meta)
    return {name: rest for name, *rest in (part.split() for part in meta.split(";"))}


def test_without_an_app_key_the_policy_names_no_kakao_host(site_factory):
    found = policy(build(site_factory))
    assert found["script-src"] == ["'self'", "'wasm-unsafe-eval'"] and found["form-action"] == ["'self'"]
    assert "kakao" not in (build(site_factory) / "_headers").read_text()


def test_with_an_app_key_the_kakaotalk_button_carries_the_pinned_sdk_and_the_policy_allows_it(site_factory):
    output = build(site_factory, MINIMAL_CONFIG + f'\n[sharing]\nkakao_app_key = "{KAKAO_KEY}"\n')
    section = share_section(page(output, "en/posts/lips/index.html"))
    assert (section.get("data-share-kakao-key"), section.get("data-share-kakao-sdk"),
            section.get("data-share-kakao-integrity")) == (KAKAO_KEY, KAKAO_SDK, KAKAO_SDK_INTEGRITY)
    assert KAKAO_SDK.startswith("https://t1.kakaocdn.net/") and KAKAO_SDK_INTEGRITY.startswith("sha384-")
    found = policy(output)
    assert found["script-src"] == ["'self'", "'wasm-unsafe-eval'", "https://t1.kakaocdn.net"]  # search's, then Kakao's
    assert found["form-action"] == ["'self'", "https://sharer.kakao.com"]
    assert not page(output, "en/posts/lips/index.html").xpath("//script[contains(@src, 'kakao')]")


def messages(text: str) -> list[str]:
    with pytest.raises(BuildError) as caught:
        parse_config(text, Path("."))
    return [f"{d.path}:{d.line}: {d.message}" + (f" ({d.hint})" if d.hint else "") for d in caught.value.diagnostics]


@pytest.mark.parametrize("table, expected", [
    ('services = ["kakao", "naver"]',
     "'sharing.services' has 'kakao', which is not a share button ClinicPress makes (did you mean 'kakaotalk'?)"),
    ('services = ["naver", "naver"]', "'sharing.services' names a button twice"),
    ('enabled = "yes"', "'sharing.enabled' must be true or false, got a string 'yes'"),
    ('button = ["naver"]', "unknown key 'sharing.button'"),
    ('kakao_app_key = "KakaoAK 1234"', "'sharing.kakao_app_key' 'KakaoAK 1234' is not a Kakao JavaScript key"),
    (f'kakao_app_key = "{KAKAO_KEY}"\nservices = ["naver"]',
     "'sharing.kakao_app_key' is set but 'sharing.services' has no kakaotalk button to use it"),
], ids=["unknown-service", "twice", "not-a-bool", "unknown-key", "not-a-key", "key-without-button"])
def test_sharing_table_mistakes_are_named_with_their_line(table, expected):
    config = MINIMAL_CONFIG + f"\n[sharing]\n{table}\n"
    line = config.splitlines().index(table.splitlines()[0]) + 1
    (found,) = messages(config)
    assert found.startswith(f"site.toml:{line}: {expected}")
