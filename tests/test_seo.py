"""What crawlers read: sitemap (lxml), robots.txt (robotparser), hreflang, Open Graph, JSON-LD (json)."""
import json
from pathlib import Path
from urllib import robotparser

import pytest
from lxml import etree
from lxml import html as lxml_html

from conftest import MINIMAL_CONFIG, post_text, run_cli
from test_feeds import BASE, output_file

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
CONFIG = MINIMAL_CONFIG + """
[series.lips]
title = { ko = "입술 시리즈", en = "Lip series" }

[verification]
google = "google-token-123"
naver = "naver-token-456"
"""


@pytest.fixture
def seo_output(site_factory) -> Path:
    faq = '\n  - q: "Does it hurt?"\n    a: "A numbing cream is used."'
    site = site_factory({
        "posts/en/part-1.md": post_text("Part one", date="2026-07-01", series="lips", series_part="1",
                                        author="dr-kim", reviewed_by="dr-lee", tags="[lip filler]",
                                        last_reviewed="2026-07-20",
                                        image="/images/cover.png", image_alt='"Cover"', faq=faq),
        "posts/en/part-2.md": post_text("Part two", date="2026-07-08", updated="2026-08-01", series="lips",
                                        series_part="2", author="dr-kim", tags="[lip filler]"),
        "posts/ko/part-1.md": post_text("1편", date="2026-07-01", series="lips", series_part="1", author="dr-kim",
                                        reviewed_by="dr-lee", tags="[입술 필러]"),
        "posts/ko/korean-only.md": post_text("한국어 전용 글", date="2026-07-02"),
    }, CONFIG)
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    return site / "output"


def head_links(output: Path, path: str) -> dict[str, str]:
    tree = lxml_html.fromstring((output / path).read_bytes())
    return {link.get("hreflang"): link.get("href") for link in tree.xpath('//head/link[@rel="alternate"][@hreflang]')}


def json_ld(output: Path, path: str) -> list[dict]:
    tree = lxml_html.fromstring((output / path).read_bytes())
    return [json.loads(s.text) for s in tree.xpath('//script[@type="application/ld+json"]')]


def test_sitemap_lists_every_page_with_reciprocal_alternates(seo_output):
    sitemap = etree.parse(str(seo_output / "sitemap.xml"))
    entries = {u.findtext("s:loc", namespaces=NS): u for u in sitemap.getroot().findall("s:url", NS)}
    for loc in entries:
        assert output_file(seo_output, loc).is_file(), loc
    expected = {f"{BASE}", f"{BASE}en/", f"{BASE}ko/", f"{BASE}en/posts/part-1/", f"{BASE}ko/posts/part-1/",
                f"{BASE}en/series/lips/", f"{BASE}en/authors/dr-kim/", f"{BASE}en/tags/lip-filler/"}
    assert expected <= set(entries)
    assert f"{BASE}404.html" not in entries
    for loc, entry in entries.items():
        alternates = {l.get("hreflang"): l.get("href") for l in entry.findall("x:link", NS)}
        assert alternates["x-default"] == BASE
        for lang, href in alternates.items():
            if lang != "x-default":
                other = {l.get("hreflang"): l.get("href") for l in entries[href].findall("x:link", NS)}
                assert other == alternates  # reciprocal, and each lists itself
    part2 = entries[f"{BASE}en/posts/part-2/"]
    assert part2.findtext("s:lastmod", namespaces=NS) == "2026-08-01T00:00:00+09:00"


def test_robots_allows_all_crawlers_and_names_the_sitemap(seo_output):
    parser = robotparser.RobotFileParser()
    parser.parse((seo_output / "robots.txt").read_text().splitlines())
    for agent in ("Googlebot", "Yeti", "Bingbot", "Daumoa"):
        assert parser.can_fetch(agent, f"{BASE}en/posts/part-1/")
    assert parser.site_maps() == [f"{BASE}sitemap.xml"]


def test_hreflang_in_heads_is_reciprocal_and_includes_self_and_x_default(seo_output):
    en = head_links(seo_output, "en/posts/part-1/index.html")
    ko = head_links(seo_output, "ko/posts/part-1/index.html")
    assert en == ko == {"ko": f"{BASE}ko/posts/part-1/", "en": f"{BASE}en/posts/part-1/", "x-default": BASE}
    assert head_links(seo_output, "ko/posts/korean-only/index.html") == {
        "ko": f"{BASE}ko/posts/korean-only/", "x-default": BASE}


def test_head_has_canonical_open_graph_twitter_and_verification(seo_output):
    tree = lxml_html.fromstring((seo_output / "en/posts/part-1/index.html").read_bytes())
    meta = {(m.get("property") or m.get("name")): m.get("content") for m in tree.xpath("//head/meta")}
    assert tree.xpath('//link[@rel="canonical"]/@href') == [f"{BASE}en/posts/part-1/"]
    assert meta["og:type"] == "article" and meta["og:url"] == f"{BASE}en/posts/part-1/"
    assert meta["og:image"] == f"{BASE}images/cover.png"
    assert meta["og:locale"] == "en_US" and meta["og:locale:alternate"] == "ko_KR"
    assert meta["article:published_time"] == "2026-07-01T00:00:00+09:00"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["google-site-verification"] == "google-token-123"
    assert meta["naver-site-verification"] == "naver-token-456"
    assert meta["description"].startswith("A description")


def test_reviewed_post_is_a_medical_web_page_with_reviewer_and_faq(seo_output):
    items = {item["@type"]: item for item in json_ld(seo_output, "en/posts/part-1/index.html")}
    page = items["MedicalWebPage"]
    for key in ("headline", "description", "datePublished", "dateModified", "inLanguage", "mainEntityOfPage",
                "image", "author", "reviewedBy", "lastReviewed", "publisher", "keywords"):
        assert key in page, key
    assert page["author"] == {"@type": "Physician", "name": "Dr. Kim", "jobTitle": "Board-certified plastic surgeon",
                              "url": f"{BASE}en/authors/dr-kim/"}
    assert page["reviewedBy"]["name"] == "Dr. Lee" and page["lastReviewed"] == "2026-07-20"
    assert page["publisher"]["@type"] == "MedicalClinic" and page["publisher"]["name"] == "Test Clinic"
    crumbs = [item["name"] for item in items["BreadcrumbList"]["itemListElement"]]
    assert crumbs == ["Test Blog", "Lip series", "Part one"]
    faq = items["FAQPage"]["mainEntity"][0]
    assert faq["name"] == "Does it hurt?" and "numbing cream" in faq["acceptedAnswer"]["text"]
    visible = lxml_html.fromstring((seo_output / "en/posts/part-1/index.html").read_bytes())
    assert visible.xpath('//section[@class="faq"]//summary/text()') == ["Does it hurt?"]


def test_unreviewed_post_is_a_blog_posting(seo_output):
    types = [item["@type"] for item in json_ld(seo_output, "en/posts/part-2/index.html")]
    assert types == ["BlogPosting", "BreadcrumbList"]


def test_home_pages_describe_website_and_clinic(seo_output):
    types = [item["@type"] for item in json_ld(seo_output, "ko/index.html")]
    assert types == ["WebSite", "MedicalClinic"]


def test_script_end_tag_in_description_stays_inside_json(site_factory):
    hostile = 'Evil </script><script>alert(1)</script> "quoted" & more text to reach the length'
    site = site_factory({"posts/en/a.md": post_text("A </script> title").replace(
        'description: "A description of fifty characters or more, for the tests here."',
        "description: '" + hostile + "'")})
    assert run_cli("build", str(site)).code == 0
    output = site / "output"
    items = json_ld(output, "en/posts/a/index.html")
    assert items[0]["description"] == hostile and items[0]["headline"] == "A </script> title"
    tree = lxml_html.fromstring((output / "en/posts/a/index.html").read_bytes())
    # the two JSON-LD blocks and the theme's script (the share buttons), nothing injected
    assert [s.get("type") or s.get("src").split("?")[0] for s in tree.xpath("//script")] == [
        "application/ld+json", "application/ld+json", "/assets/clinicpress.js"]
    assert tree.xpath('//meta[@name="description"]/@content') == [hostile]


def test_two_builds_are_byte_identical(site_factory, tmp_path):
    site = site_factory({"posts/en/a.md": post_text("A", tags="[x]"), "posts/ko/a.md": post_text("가", tags="[y]")})

    def build_into(folder: Path) -> dict[str, bytes]:
        assert run_cli("build", str(site), "--no-cache", "-o", str(folder)).code == 0  # each made from scratch
        return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    assert build_into(tmp_path / "one") == build_into(tmp_path / "two")


def test_a_fresh_init_site_has_valid_feeds_sitemap_and_structured_data(tmp_path):
    import feedparser

    site = tmp_path / "new-blog"
    assert run_cli("init", str(site)).code == 0
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    output = site / "output"
    base = next(line.split('"')[1] for line in (site / "site.toml").read_text().splitlines()
                if line.startswith("base_url"))
    for lang in ("ko", "en"):
        for name in ("feed.xml", "atom.xml"):
            feed = feedparser.parse((output / lang / name).read_bytes())
            assert not feed.bozo and len(feed.entries) == 1
    sitemap = etree.parse(str(output / "sitemap.xml"))
    locs = sitemap.getroot().findall("s:url/s:loc", NS)
    assert locs and all(loc.text.startswith(base) for loc in locs)
    parser = robotparser.RobotFileParser()
    parser.parse((output / "robots.txt").read_text().splitlines())
    assert parser.site_maps() == [f"{base}sitemap.xml"]
    post = next((output / "en/posts").iterdir())
    types = [item["@type"] for item in json_ld(output, f"en/posts/{post.name}/index.html")]
    assert types[0] in ("BlogPosting", "MedicalWebPage") and "BreadcrumbList" in types


def test_a_review_date_is_claimed_only_when_the_post_states_one(seo_output):
    """ko/part-1 names a reviewer but no last_reviewed: no date is made up from the file's changes."""
    page = {item["@type"]: item for item in json_ld(seo_output, "ko/posts/part-1/index.html")}["MedicalWebPage"]
    assert page["reviewedBy"]["name"] and "lastReviewed" not in page
    tree = lxml_html.parse(str(seo_output / "ko/posts/part-1/index.html"))
    assert tree.xpath('//*[@class="reviewed-note"]') == []
    english = lxml_html.parse(str(seo_output / "en/posts/part-1/index.html"))
    assert "2026" in english.xpath('string(//*[@class="reviewed-note"])')
