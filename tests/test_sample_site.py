"""The repository's own sample site, built once, checked as a reader would see it."""
from pathlib import Path

import pytest
from lxml import html as lxml_html

from generator.config.loader import load_config
from generator.content.posts import discover_posts, parse_posts

from conftest import FIXED_NOW, REPO


def page(output: Path, path: str):
    file = output / path / "index.html" if not path.endswith(".html") else output / path
    return lxml_html.fromstring(file.read_bytes())


def sample_posts():
    config = load_config(REPO / "site.toml")
    posts, _ = parse_posts(discover_posts(REPO / "posts", config), config)
    return posts


POSTS = sample_posts()
PUBLISHED = [p for p in POSTS if not p.draft and p.date <= FIXED_NOW]
HIDDEN = [p for p in POSTS if p not in PUBLISHED]


def test_sample_site_has_enough_posts_in_both_languages():
    by_lang = {lang: [p for p in POSTS if p.lang == lang] for lang in ("ko", "en")}
    assert len(by_lang["ko"]) >= 6 and len(by_lang["en"]) >= 6
    assert any(p.draft for p in POSTS) and any(p.date > FIXED_NOW for p in POSTS)
    keys = {lang: {p.translation_key for p in by_lang[lang]} for lang in by_lang}
    assert keys["ko"] - keys["en"], "one post exists only in Korean"


@pytest.mark.parametrize("post", PUBLISHED, ids=lambda p: p.source)
def test_every_published_post_is_at_its_url(sample_site, post):
    tree = page(sample_site, f"{post.lang}/posts/{post.slug}")
    assert tree.findtext(".//h1") == post.title
    assert tree.get("lang") == post.lang
    assert len(tree.findall(".//h1")) == 1


@pytest.mark.parametrize("post", HIDDEN, ids=lambda p: p.source)
def test_drafts_and_future_posts_are_left_out(sample_site, post):
    assert not (sample_site / post.lang / "posts" / post.slug).exists()
    for html_file in sample_site.rglob("*.html"):
        assert f"/posts/{post.slug}/" not in html_file.read_text(), html_file


def test_language_switcher_leads_to_the_translation(sample_site):
    links = page(sample_site, "ko/posts/lip-filler-migration").cssselect(".language-switcher a")
    assert [(a.text, a.get("href")) for a in links] == [("English", "/en/posts/lip-filler-migration/")]
    back = page(sample_site, "en/posts/lip-filler-migration").cssselect(".language-switcher a")
    assert [(a.text, a.get("href")) for a in back] == [("한국어", "/ko/posts/lip-filler-migration/")]


def test_untranslated_post_switches_to_the_other_home(sample_site):
    links = page(sample_site, "ko/posts/gangnam-clinic-choosing-tips").cssselect(".language-switcher a")
    assert [a.get("href") for a in links] == ["/en/"]


def test_series_parts_are_ordered_with_previous_and_next(sample_site):
    tree = page(sample_site, "en/posts/dissolving-filler-hyaluronidase")
    assert "Part 2 of 3" in tree.cssselect(".series-badge")[0].text_content()
    nav = tree.cssselect(".series-nav")[0]
    assert nav.cssselect('a[rel="prev"]')[0].get("href") == "/en/posts/lip-filler-migration/"
    assert nav.cssselect('a[rel="next"]')[0].get("href") == "/en/posts/lip-filler-aftercare/"
    korean = page(sample_site, "ko/posts/lip-filler-aftercare")
    assert "전체 3편 중 3편" in korean.cssselect(".series-badge")[0].text_content()
    series = page(sample_site, "ko/series/lip-filler")
    assert [a.get("href") for a in series.cssselect(".card-title a")] == [
        "/ko/posts/lip-filler-migration/", "/ko/posts/dissolving-filler-hyaluronidase/",
        "/ko/posts/lip-filler-aftercare/"]


def test_korean_dates_and_reading_time_are_localized(sample_site):
    tree = page(sample_site, "ko/posts/lip-filler-migration")
    meta = tree.cssselect(".post-header .meta")[0].text_content()
    assert "2026년 7월 3일" in meta and "분 분량" in meta
    english = page(sample_site, "en/posts/lip-filler-migration").cssselect(".post-header .meta")[0].text_content()
    assert "July 3, 2026" in english and "min read" in english


def test_author_and_reviewer_are_shown_with_credentials(sample_site):
    tree = page(sample_site, "en/posts/lip-filler-migration")
    people = [p.text_content().split() for p in tree.cssselect(".person")]
    assert any("Board-certified" in words for words in people)
    assert "Medically reviewed on" in tree.cssselect(".reviewed-note")[0].text
    author = page(sample_site, "en/authors/dr-han")
    assert author.findtext(".//h1") == "Dr. Seoyun Han"
    assert "/en/posts/lip-filler-migration/" in [a.get("href") for a in author.cssselect(".card-title a")]


def test_post_ends_with_a_call_to_contact_the_clinic(sample_site):
    cta = page(sample_site, "ko/posts/lip-flip-vs-lip-filler").cssselect(".cta")[0]
    assert cta.cssselect("a.button")[0].get("href") == "https://balancelab-clinic.example/contact"


def test_root_page_chooses_a_language(sample_site):
    tree = page(sample_site, "")
    assert [a.get("href") for a in tree.cssselect(".language-choices a")] == ["/ko/", "/en/"]


def test_not_found_page_speaks_both_languages(sample_site):
    tree = page(sample_site, "404.html")
    assert {s.get("lang") for s in tree.cssselect("section.not-found")} == {"ko", "en"}
    assert tree.xpath('//meta[@name="robots"]/@content') == ["noindex, follow"]


def test_every_internal_link_resolves(sample_site):
    from urllib.parse import unquote
    for html_file in sample_site.rglob("*.html"):
        for href in lxml_html.fromstring(html_file.read_bytes()).xpath("//a/@href|//link/@href|//img/@src"):
            if href.startswith("/"):
                path = unquote(href.split("?")[0].split("#")[0]).lstrip("/")
                target = sample_site / path
                assert target.is_file() or (target / "index.html").is_file(), f"{html_file}: {href}"
