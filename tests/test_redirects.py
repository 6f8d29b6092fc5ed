"""`aliases:` in front-matter: a redirect page at each old address and a 301 line in _redirects; clashes
and malformed aliases are located errors naming both files."""
from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

from conftest import post_text, run_cli

BASE = "https://blog.example-clinic.com/"


def test_alias_gets_a_redirect_page_and_a_301_line(site_factory):
    site = site_factory({
        "posts/en/lip-care.md": post_text("Lip care after filler", aliases="[/en/posts/old-lip-care/, /lips.html]"),
        "posts/ko/입술-관리.md": post_text("입술 필러 후 관리", aliases="[/ko/posts/%EC%98%9B-%EC%A3%BC%EC%86%8C/]"),
    })
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    output = site / "output"
    target = BASE + "en/posts/lip-care/"
    for path in ("en/posts/old-lip-care/index.html", "lips.html"):
        page = lxml_html.fromstring((output / path).read_bytes())
        assert page.get("lang") == "en"
        assert page.xpath("string(//meta[@http-equiv='refresh']/@content)") == f"0; url={target}"
        assert page.xpath("string(//link[@rel='canonical']/@href)") == target
        assert page.xpath("string(//meta[@name='robots']/@content)") == "noindex"
        (link,) = page.xpath("//body//a")
        assert (link.get("href"), link.text) == (target, "Lip care after filler")
    assert (output / "ko/posts/옛-주소/index.html").is_file(), "percent-escapes in an alias are decoded"
    lines = (output / "_redirects").read_text(encoding="utf-8").splitlines()
    rules = [line.split() for line in lines if line and not line.startswith("#")]
    assert rules == [
        ["/en/posts/old-lip-care/", "/en/posts/lip-care/", "301"],
        ["/ko/posts/%EC%98%9B-%EC%A3%BC%EC%86%8C/", "/ko/posts/%EC%9E%85%EC%88%A0-%EA%B4%80%EB%A6%AC/", "301"],
        ["/lips.html", "/en/posts/lip-care/", "301"],
    ]
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert "old-lip-care" not in sitemap, "an old address is no page of its own for search engines"


def test_a_sites_own_redirects_are_kept_after_the_generated_ones(site_factory):
    site = site_factory({"posts/en/lip-care.md": post_text("Lip care after filler", aliases="[/old/]"),
                         "static/_redirects": "/booking https://example-clinic.com/book 302\n"})
    assert run_cli("build", str(site)).code == 0
    lines = (site / "output/_redirects").read_text(encoding="utf-8").splitlines()
    assert "/old/ /en/posts/lip-care/ 301" in lines
    assert lines[-1] == "/booking https://example-clinic.com/book 302"


@pytest.mark.parametrize("files, expected", [
    ({"posts/en/a.md": post_text("First post", aliases="[/en/old/]"),
      "posts/en/b.md": post_text("Second post", aliases="[/en/old]")},
     "posts/en/b.md:5: error: alias /en/old/ is also an alias of posts/en/a.md"),
    ({"posts/en/a.md": post_text("First post"),
      "posts/en/b.md": post_text("Second post", aliases="[/en/posts/a/]")},
     "posts/en/b.md:5: error: alias /en/posts/a/ is the address of posts/en/a.md"),
    ({"posts/en/b.md": post_text("Second post", aliases="[/en/]")},
     "posts/en/b.md:5: error: alias /en/ is the address of the page /en/"),
    ({"posts/en/b.md": post_text("Second post", aliases="[/en/feed.xml/old/]")},
     "posts/en/b.md:5: error: alias /en/feed.xml/old/ is the address of the feed /en/feed.xml"),
], ids=["two-aliases", "alias-on-a-post", "alias-on-a-home", "alias-under-a-feed"])
def test_alias_clash_names_both_files_and_keeps_the_old_site(site_factory, files, expected):
    site = site_factory({"posts/en/keep.md": post_text("A post that stays here")})
    assert run_cli("build", str(site)).code == 0
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    site = site_factory(files)
    result = run_cli("build", str(site))
    assert result.code == 1
    assert expected in result.err.splitlines(), result.err
    assert {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("value, expected", [
    ("/en/old/", "'aliases' must be a list"),
    ("[https://blog.example-clinic.com/en/old/]", "alias 'https://blog.example-clinic.com/en/old/' must be a path, not a whole URL"),
    ("[en/old/]", "alias 'en/old/' is not a path of this site"),
    ("[/en/../../etc/]", "alias '/en/../../etc/' is not a path of this site"),
    ("[/en/old?page=2]", "alias '/en/old?page=2' is not a path of this site"),
    ("[/old.php]", "alias '/old.php' must be a page address, ending in / or .html"),
], ids=["string", "whole-url", "relative", "dot-dot", "query", "not-a-page"])
def test_malformed_alias_is_a_located_error(site_factory, value, expected):
    site = site_factory({"posts/en/a.md": post_text("A post with an old address", aliases=value)})
    result = run_cli("build", str(site))
    assert result.code == 1
    assert re.search(rf"^posts/en/a\.md:5: error: {re.escape(expected)}$", result.err, re.MULTILINE), result.err
    assert "hint: " in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("value", ["/.git/old/", "/.well-known/old.html", "/en/.hidden/old/", "/en/.old.html",
                                   "/%2Egit/old/"])
def test_an_alias_in_a_hidden_file_or_folder_is_refused(site_factory, value):
    """Deploy targets leave such paths out: git deploy would drop output/.git/ without a word."""
    site = site_factory({"posts/en/a.md": post_text("A post with an old address")})
    assert run_cli("build", str(site)).code == 0
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    (site / "posts/en/b.md").write_text(post_text("Another post with an old address", aliases=f"[{value}]"))
    for command in ("build", "check"):
        result = run_cli(command, str(site))
        assert result.code == 1 and "Traceback" not in result.err
        assert re.search(rf"^posts/en/b\.md:5:(1:)? error: (\[front-matter\] )?alias '{re.escape(value)}' would be "
                         r"a hidden file or folder \(a part starting with '\.'\)$", result.err + result.out,
                         re.MULTILINE), result.err + result.out
        assert "deploy targets leave such paths out" in result.err + result.out
    assert {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()} == before
