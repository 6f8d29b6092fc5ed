"""Feeds read the way feed readers read them: with feedparser, and what it marks as HTML with an
HTML parser."""
import json
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import html5lib
import pytest
from lxml import etree

from conftest import MINIMAL_CONFIG, post_text, run_cli

BASE = "https://blog.example-clinic.com/"


def shown(value: str, detail: dict) -> str:
    """What a reader shows for a feed value: HTML is parsed (and must hold text only), text is as is."""
    if detail["type"] not in ("text/html", "application/xhtml+xml"):
        return value
    fragment = html5lib.parseFragment(value, treebuilder="etree", namespaceHTMLElements=False)
    assert [element.tag for element in fragment.iter()] == ["DOCUMENT_FRAGMENT"], value  # no element from text
    return "".join(fragment.itertext())


def output_file(output: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    path = unquote(urlsplit(url).path)[1:]
    return output / (path + "index.html" if path == "" or path.endswith("/") else path)


@pytest.fixture
def feed_site(site_factory):
    posts = {f"posts/en/post-{n}.md": post_text(
        f"Post {n}", date=f"2026-06-{n:02d}", tags="[lip filler, aftercare]", author="dr-kim",
        body=f"Intro {n} with [a link](/en/posts/post-1/) and ![a photo](/images/p{n}.png).\n\n## Details\n\nMore.\n")
        for n in range(1, 26)}
    posts["posts/ko/post-1.md"] = post_text("첫 글", date="2026-06-01", tags="[입술 필러]")
    return site_factory(posts)


def build(site: Path) -> Path:
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    return site / "output"


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_language_feed_parses_with_newest_entries_first(feed_site, name):
    output = build(feed_site)
    feed = feedparser.parse((output / "en" / name).read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Test Blog"
    assert feed.feed.get("language", "en").startswith("en")
    assert len(feed.entries) == 20  # [feeds] limit default
    assert [e.title for e in feed.entries[:3]] == ["Post 25", "Post 24", "Post 23"]
    entry = feed.entries[0]
    assert entry.link == f"{BASE}en/posts/post-25/"
    assert output_file(output, entry.link).is_file()
    assert entry.published_parsed and entry.updated_parsed
    assert entry.author == "Dr. Kim"
    assert {t.term for t in entry.tags} == {"lip filler", "aftercare"}


def test_feed_content_is_full_html_with_absolute_urls(feed_site):
    feed = feedparser.parse((build(feed_site) / "en/feed.xml").read_bytes())
    content = feed.entries[0].content[0].value
    assert "<h2" in content and "More." in content
    assert f'href="{BASE}en/posts/post-1/"' in content
    assert f'src="{BASE}images/p25.png"' in content
    assert 'href="/' not in content and 'src="/' not in content


def test_summary_only_feeds_when_full_content_is_off(site_factory):
    site = site_factory({"posts/en/a.md": post_text("A", body="Secret body text.\n")},
                        MINIMAL_CONFIG + "\n[feeds]\nfull_content = false\nlimit = 5\n")
    feed = feedparser.parse((build(site) / "en/feed.xml").read_bytes())
    assert "Secret body text" not in str(feed.entries[0])
    assert feed.entries[0].summary.startswith("A description")


def test_feed_ids_survive_title_and_slug_changes(feed_site):
    def ids():
        feed = feedparser.parse((build(feed_site) / "en/atom.xml").read_bytes())
        return {e.id for e in feed.entries}

    before = ids()
    path = feed_site / "posts/en/post-25.md"
    path.write_text(path.read_text().replace('title: "Post 25"', 'title: "Renamed"\nslug: renamed-post'))
    after = ids()
    assert before == after
    feed = feedparser.parse((feed_site / "output/en/atom.xml").read_bytes())
    assert feed.entries[0].title == "Renamed" and feed.entries[0].link.endswith("/en/posts/renamed-post/")


def test_feed_per_tag_and_per_language(feed_site):
    output = build(feed_site)
    tag_feed = feedparser.parse((output / "en/tags/aftercare/feed.xml").read_bytes())
    assert not tag_feed.bozo and len(tag_feed.entries) == 20
    korean = feedparser.parse((output / "ko/tags/입술-필러/feed.xml").read_bytes())
    assert [e.title for e in korean.entries] == ["첫 글"]
    assert korean.feed.language == "ko"


def test_feed_dates_come_from_content_not_the_clock(feed_site, tmp_path, monkeypatch):
    output = build(feed_site)
    first = (output / "en/feed.xml").read_bytes()
    # A month later, from scratch (nothing carried over from the first build) into another folder.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp())))
    assert run_cli("build", str(feed_site), "--no-cache", "-o", str(tmp_path / "later")).code == 0
    assert (tmp_path / "later/en/feed.xml").read_bytes() == first
    assert b"<lastBuildDate>Thu, 25 Jun 2026 00:00:00 +0900</lastBuildDate>" in first


def test_pages_advertise_their_language_feeds(feed_site):
    html = (build(feed_site) / "ko/index.html").read_text()
    assert '<link rel="alternate" type="application/rss+xml" title="테스트 블로그 RSS" href="/ko/feed.xml">' in html
    assert 'type="application/atom+xml"' in html and 'href="/ko/atom.xml"' in html


def test_hostile_titles_stay_text_in_feeds(site_factory):
    title = 'A ]]> <script>alert(1)</script> & "quotes"'
    site = site_factory({"posts/en/a.md": post_text(title.replace('"', '\\"'), tags='["x</category>"]')})
    output = build(site)
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((output / "en" / name).read_bytes())
        assert not feed.bozo
        assert shown(feed.entries[0].title, feed.entries[0].title_detail) == title
        assert [tag.term for tag in feed.entries[0].tags] == ["x</category>"]


MARKUP_LIKE = ["Results in <3 months", "a < b & c > d", 'Pasted <img src="x.png" onerror="alert(1)"> here',
               "Q&A: &amp; is not &copy", "💉 <b>bold</b> ]]> </script>"]


@pytest.mark.parametrize("text", MARKUP_LIKE, ids=range(len(MARKUP_LIKE)))
def test_markup_like_text_reads_as_text_in_every_feed(site_factory, text):
    """Readers show RSS <description> and Atom type="html" as HTML: text in them is HTML-escaped, so
    '<3 months' keeps its '<' and a pasted tag never becomes an element."""
    description = f"{text}: a description long enough for search results, with room to spare."
    post = (f"---\ntitle: {json.dumps(text, ensure_ascii=False)}\ndate: 2026-07-03\ndescription: {json.dumps(description, ensure_ascii=False)}\n"
            f"tags: [{json.dumps(text, ensure_ascii=False)}]\n---\nSome text.\n")
    output = build(site_factory({"posts/en/a.md": post}))
    tag_feed = next((output / "en/tags").glob("*/feed.xml"))
    for path in (output / "en/feed.xml", output / "en/atom.xml", tag_feed):
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, path
        entry = feed.entries[0]
        assert shown(entry.title, entry.title_detail) == text
        assert shown(entry.summary, entry.summary_detail) == description
        assert [tag.term for tag in entry.tags] == [text]
    channel = feedparser.parse(tag_feed.read_bytes()).feed
    assert shown(channel.title, channel.title_detail) == f"Test Blog: {text}"
    assert shown(channel.subtitle, channel.subtitle_detail) == f"Articles on “{text}” from Test Blog, newest first."


def test_plain_titles_stay_plain_for_readers_that_show_rss_titles_as_text(site_factory):
    """'Q&A' or '<3' reads the same as text and as HTML, so an RSS title keeps it as written:
    a reader that shows titles as text never sees '&amp;'."""
    site = site_factory({"posts/en/a.md": post_text("Lip filler Q&A: results in <3 months")})
    rss = etree.parse(str(build(site) / "en/feed.xml")).getroot()
    assert rss.findtext("channel/item/title") == "Lip filler Q&A: results in <3 months"
    description = rss.findtext("channel/item/description")
    assert description == "A description of fifty characters or more, for the tests here."
