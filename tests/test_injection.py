"""Text from the marketer is data, never markup: generated titles, descriptions, tags, author names,
FAQ text and post bodies full of HTML, quotes, `</script>` and `]]>` are built into a site, and every
output is read back with a real parser (html5lib for pages, lxml and feedparser for feeds and the
sitemap, json for JSON-LD). Each value must come back exactly as written, and no element or
attribute may come from the input; raw HTML in bodies keeps only the allow-list."""
import json
import re
import tempfile
from html import unescape
from pathlib import Path

import feedparser
import html5lib
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree

from generator.config.loader import MarkdownConfig
from generator.markup.markdown import ALLOWED_TAGS, EMBED_HOSTS, render_markdown

from conftest import MINIMAL_CONFIG, run_cli, write_tree
from test_feeds import shown

BASE = "https://blog.example-clinic.com/"
ATTACKS = [
    '<script>alert("x")</script>', "</script><script>alert(1)</script>", "]]>", "<![CDATA[", '"', "'", "&",
    "&amp;", "&lt;", "&#60;", "<", ">", "<x-inj data-inj=1>", "</x-inj>", '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>", '" onmouseover="alert(1)" x="', "' onfocus='alert(1)' x='", "</title>", "</textarea>",
    "<!--", "-->", "javascript:alert(1)", "{{ 7*7 }}", "{% raw %}", "\\", "\\u003c", "`", "</style>",
    "<iframe src=https://evil.example/>", "<a href=javascript:alert(1)>x</a>", "%3Cscript%3E", "<?xml ?>",
    "&nbsp;", "입술 필러", "💉", "👩‍⚕️", ": ", " #", "- ", "*", "|", "> ", "[x](javascript:alert(1))",
    "<3 months", "a < b", "<b>bold</b>", "&copy", "Q&A",
]
BODY_ATTACKS = [
    "<script>alert(1)</script>", '<a href="javascript:alert(1)">a</a>', '<a href="JaVaScRiPt:alert(1)">b</a>',
    '<a href=" javascript:alert(1)">c</a>', '<a href="java&#x09;script:alert(1)">d</a>',
    '<a href="&#106;avascript:alert(1)">e</a>', '<a href="data:text/html;base64,PHNjcmlwdD4=">f</a>',
    '<img src="x.png" onerror="alert(1)">', '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<iframe src="https://evil.example/embed"></iframe>', '<iframe src="https://www.youtube.com/embed/abc"></iframe>',
    '<iframe src="https://player.vimeo.com/video/1" onload="alert(1)" srcdoc="<script>alert(1)</script>"></iframe>',
    '<div onclick="alert(1)">g</div>', '<form action="https://evil.example/"><input name=q></form>',
    '<object data="x.swf"></object>', "<svg><script>alert(1)</script></svg>", "<math><mi>x</mi></math>",
    "<style>body{display:none}</style>", '<p style="background:url(javascript:alert(1))">h</p>',
    '<td style="text-align:right;background:url(x)">i</td>', "<x-inj data-inj>j</x-inj>",
    '<details open ontoggle="alert(1)"><summary>k</summary></details>', '<video><source onerror="alert(1)"></video>',
    "[l](javascript:alert(1))", "[m](JAVASCRIPT:alert(1))", "![n](data:text/html,hi)", "<base href=//evil.example/>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', "]]>", "</div></div></article>",
    "<!-- comment -->", '<a href="https://example.com/" target="_blank">safe</a>', "**bold** _em_",
]
PLAIN = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp")), max_size=4)
HOSTILE = st.lists(st.one_of(st.sampled_from(ATTACKS), PLAIN), min_size=1, max_size=5).map("".join).filter(
    lambda text: text.strip() != "")
BODY = st.lists(st.one_of(st.sampled_from(BODY_ATTACKS), st.sampled_from(ATTACKS), PLAIN), min_size=1,
                max_size=8).map(lambda parts: "\n\n".join(parts) + "\n")
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


def quoted(text: str) -> str:
    """A YAML and TOML double-quoted string (both read JSON's escapes for '"' and '\\')."""
    return json.dumps(text, ensure_ascii=False)


def parse_html(data: bytes):
    return html5lib.parse(data, treebuilder="lxml", namespaceHTMLElements=False)


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see: it ignores spaces and control characters inside a URL."""
    cleaned = re.sub(r"[\x00-\x20]", "", unescape(value)).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else None


def theme_search_form(element) -> bool:
    """The theme's search box (header and search page): a GET form to a search page, its one query field."""
    form = element if element.tag == "form" else next(element.iterancestors("form"), None)
    return (form is not None and form.get("role") == "search" and form.get("method") == "get"
            and re.fullmatch(r"/(ko|en)/search/", form.get("action", "")) is not None
            and [(i.get("type"), i.get("name")) for i in form.iter("input")] == [("search", "q")])


def assert_nothing_injected(tree, where: str) -> None:
    """No element, attribute, script or link in `tree` came from the input."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        # The theme's inputs: the page's address, shown to be copied by hand (partials/share.html), and the search form.
        if element.tag == "input" and element.getparent().get("data-share-fallback") is not None:
            assert element.get("readonly") is not None and element.get("id") == "share-address", where
            continue
        if element.tag in ("form", "input"):
            assert theme_search_form(element), where
            continue
        assert element.tag not in {"x-inj", "svg", "math", "object", "embed", "style", "base", "textarea"}, where
        for name, value in element.attrib.items():
            assert not name.startswith("on") and name not in ("data-inj", "srcdoc", "formaction"), (where, name)
            if name in ("href", "src", "action", "poster", "data") and element.tag != "link":  # the theme's icon
                assert url_scheme(value) in SAFE_SCHEMES | {None}, (where, name, value)
        if element.tag == "iframe":
            assert EMBED_HOSTS.match(element.get("src", "")), where
    # The only <meta http-equiv> is the theme's Content-Security-Policy, which no input can write.
    equiv = [meta for meta in tree.iter("meta") if meta.get("http-equiv") is not None]
    assert len(equiv) <= 1, where
    for meta in equiv:
        assert (meta.get("http-equiv"), meta.getparent().tag) == ("Content-Security-Policy", "head"), where
        assert re.fullmatch(r"default-src 'self'; script-src 'self'[ \w:/.*'-]*(; [a-z-]+( [\w:/.*'-]+)+)+",
                            meta.get("content")), where


def assert_body_allow_list(fragment_html: str, where: str) -> None:
    """A sanitized fragment, parsed as a whole document so that nothing can hide by closing a wrapper."""
    tree = parse_html(fragment_html.encode("utf-8"))
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag not in ("html", "head", "body"):
            assert element.tag in ALLOWED_TAGS, (where, element.tag)
            style = element.get("style")
            assert style is None or re.fullmatch(r"\s*(text-align\s*:\s*\w+\s*;?\s*)?", style), (where, style)
    assert_nothing_injected(tree, where)


# The sanitizer alone, over many bodies -----------------------------------------------------------

@settings(max_examples=500, derandomize=True, database=None, deadline=None, phases=(Phase.generate, Phase.shrink))
@given(body=BODY)
def test_raw_html_in_a_body_keeps_only_the_allow_list(body):
    assert_body_allow_list(render_markdown(body, MarkdownConfig()).html, "body")


# Whole sites, through every output ----------------------------------------------------------------

def site_files(title: str, description: str, tags: list[str], author: str, job: str, clinic: str, blog: str,
               series: str, question: str, answer: str, body: str) -> dict[str, str]:
    config = (MINIMAL_CONFIG
              .replace('title = "Test Blog"', f"title = {quoted(blog)}")
              .replace('en = "Dr. Kim"', f"en = {quoted(author)}")
              .replace('en = "Board-certified plastic surgeon"', f"en = {quoted(job)}")
              .replace('en = "Test Clinic"', f"en = {quoted(clinic)}")
              + f'\n[series.care]\ntitle = {{ ko = "관리", en = {quoted(series)} }}\n'
              + '\n[comments]\nprovider = "disqus"\n\n[comments.disqus]\nshortname = "clinic"\n')
    post = "\n".join([
        "---", f"title: {quoted(title)}", "date: 2026-07-03", f"description: {quoted(description)}",
        f"tags: [{', '.join(quoted(tag) for tag in tags)}]", "author: dr-kim", "reviewed_by: dr-kim",
        "series: care", "series_part: 1", "faq:", f"  - q: {quoted(question)}", f"    a: {quoted(answer)}",
        "---", body])
    return {"site.toml": config, "posts/en/hostile.md": post,
            "posts/en/neighbour.md": "---\ntitle: Neighbour\ndate: 2026-07-04\nseries: care\nseries_part: 2\n"
                                     f"tags: [{quoted(tags[0])}]\n---\nA plain post.\n"}


def check_pages(output: Path, expect: dict) -> None:
    for path in sorted(output.rglob("*.html")):
        data = path.read_bytes()
        tree = parse_html(data)
        where = str(path.relative_to(output))
        assert_nothing_injected(tree, where)
        for script in tree.iter("script"):
            if script.get("type") == "application/ld+json":
                json.loads(script.text)
            elif script.get("src"):
                assert script.get("src") == "https://clinic.disqus.com/embed.js" or re.fullmatch(
                    r"/assets/(clinicpress|search)\.js\?v=\w+", script.get("src")) \
                    or (where == "admin/index.html" and script.get("src") in ("decap-cms.js", "preview.js")), where
            else:  # the comment widget's configuration: JSON that is never run
                assert script.get("type") == "application/json", (where, script.text)
                config = json.loads(script.text)
                assert all(isinstance(value, str) for value in [*config["page"].values(), config["language"]])
        assert data.count(b"</script") == data.count(b"<script")  # no script was closed early
    post = parse_html((output / "en/posts/hostile/index.html").read_bytes())
    assert post.findtext(".//h1") == expect["title"]
    assert post.findtext(".//title").startswith(expect["title"] + " | ")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in post.iter("meta")}
    assert meta["description"] == meta["og:description"] == expect["description"]
    assert meta["og:title"] == meta["twitter:title"] == expect["title"]
    assert meta["og:site_name"] == expect["blog"]
    assert [m.get("content") for m in post.iter("meta") if m.get("property") == "article:tag"] == expect["tags"]
    assert [a.text for a in post.xpath('//footer[@class="post-footer"]//a[@rel="tag"]')] == ["#" + t for t in expect["tags"]]
    assert post.xpath('string(//dd[@class="person-name"])') == expect["author"]
    assert post.xpath('string(//dd[@class="person-title"])') == expect["job"]
    assert post.xpath('string(//section[@class="faq"]//summary)') == expect["question"]
    assert_body_allow_list(etree.tostring(post.xpath('//div[@class="post-body"]')[0], encoding="unicode"), "post body")
    article, crumbs, faq = [json.loads(s.text) for s in post.iter("script") if s.get("type") == "application/ld+json"]
    assert (article["headline"], article["description"]) == (expect["title"], expect["description"])
    assert article["author"]["name"] == article["reviewedBy"]["name"] == expect["author"]
    assert article["author"]["jobTitle"] == expect["job"] and article["publisher"]["name"] == expect["clinic"]
    assert article["keywords"] == expect["tags"] and article["isPartOf"]["name"] == expect["series"]
    assert crumbs["itemListElement"][-1]["name"] == expect["title"]
    assert faq["mainEntity"][0]["name"] == expect["question"]
    (config,) = [s for s in post.iter("script") if s.get("type") == "application/json"]
    assert json.loads(config.text)["page"]["title"] == expect["title"]  # the comment widget's settings


def check_feeds(output: Path, expect: dict) -> None:
    feeds = sorted(output.rglob("feed.xml")) + sorted(output.rglob("atom.xml"))
    assert feeds
    for path in feeds:
        where = str(path.relative_to(output))
        root = etree.fromstring(path.read_bytes())
        names = {etree.QName(element).localname for element in root.iter() if isinstance(element.tag, str)}
        assert not names & {"x-inj", "script", "svg", "iframe", "img"}, where
        assert not feedparser.parse(path.read_bytes()).bozo, where
        for content in root.iter("{http://purl.org/rss/1.0/modules/content/}encoded", "{http://www.w3.org/2005/Atom}content"):
            assert_body_allow_list(content.text or "", where)
    for path in [output / "en/feed.xml", output / "en/atom.xml", *sorted((output / "en/tags").glob("*/feed.xml"))]:
        check_feed_as_a_reader(path, expect)


def latin1_repaired(text: str) -> str:
    """feedparser takes text that is valid UTF-8 read as Latin-1 ('Â\xa0') for a publisher's mistake
    and decodes it again; the expected values go through the same step."""
    text = text.strip()
    try:
        return text.encode("iso-8859-1").decode("utf-8").strip()
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def check_feed_as_a_reader(path: Path, expect: dict) -> None:
    """feedparser's reading: every text comes back as written (readers trim the ends), and the parts it
    reads as HTML hold no element of the input."""
    feed = feedparser.parse(path.read_bytes())
    where = str(path)

    def read(value: str, detail: dict) -> str:
        return latin1_repaired(shown(value, detail))

    entry = next(e for e in feed.entries if e.link.endswith("/hostile/"))
    assert read(entry.title, entry.title_detail) == latin1_repaired(expect["title"]), where
    assert read(entry.summary, entry.summary_detail) == latin1_repaired(expect["description"]), where
    assert [latin1_repaired(tag.term) for tag in entry.tags] == [latin1_repaired(t) for t in expect["tags"]], where
    assert latin1_repaired(entry.author) == latin1_repaired(expect["author"]), where
    channel_title = read(feed.feed.title, feed.feed.title_detail)
    channel_description = read(feed.feed.subtitle, feed.feed.subtitle_detail)
    if path.name == "atom.xml" or path.parent.name == "en":
        assert channel_title == latin1_repaired(expect["blog"]), where
        assert channel_description == "A blog for tests, where the clinic's doctors explain treatments in plain words.", where
    else:  # a tag's feed names the blog and the tag
        tag = next(t for t in expect["tags"] if channel_title == latin1_repaired(f"{expect['blog']}: {t}"))
        assert channel_description == latin1_repaired(f"Articles on “{tag}” from {expect['blog']}, newest first."), where


def check_sitemap(output: Path) -> None:
    root = etree.parse(str(output / "sitemap.xml")).getroot()
    locs = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith(BASE) and not re.search(r"[\s<>\"']", loc) for loc in locs)
    for link in root.iter("{http://www.w3.org/1999/xhtml}link"):
        assert link.get("href").startswith(BASE)


# A tag with '\\' or '..' is refused with a located error (tests/fixtures/invalid/tags-path-characters/).
TAG = HOSTILE.filter(lambda text: "\\" not in text and ".." not in text)


@settings(max_examples=60, derandomize=True, database=None, deadline=None, phases=(Phase.generate, Phase.shrink),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(title=HOSTILE, description=HOSTILE, tags=st.lists(TAG, min_size=1, max_size=3), author=HOSTILE,
       job=HOSTILE, clinic=HOSTILE, blog=HOSTILE, series=HOSTILE, question=HOSTILE, answer=HOSTILE, body=BODY)
def test_hostile_text_comes_out_escaped_everywhere(title, description, tags, author, job, clinic, blog, series,
                                                   question, answer, body):
    tags = [f"t{number} {tag}" for number, tag in enumerate(tags)]  # distinct addresses, whatever the text
    files = site_files(title, description, tags, author, job, clinic, blog, series, question, answer, body)
    expect = {"title": title.strip(), "description": description.strip(), "tags": [t.strip() for t in tags],
              "author": author, "job": job, "clinic": clinic, "blog": blog, "series": series,
              "question": question.strip()}
    with tempfile.TemporaryDirectory() as folder:
        site = write_tree(Path(folder) / "site", files)
        result = run_cli("build", str(site), "-j", "1")
        assert result.code == 0, result.err
        output = site / "output"
        check_pages(output, expect)
        check_feeds(output, expect)
        check_sitemap(output)
