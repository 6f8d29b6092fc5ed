"""_headers and the Content-Security-Policy: read the way hosts read them, for every file of the built site."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import MINIMAL_CONFIG, post_text, run_cli
from host_rules import headers_for, parse_headers, patterns_setting

COMMENTS = {
    "isso": 'url = "https://comments.example-clinic.com/"',
    "giscus": 'repo = "balancelab/blog-comments"\nrepo_id = "R_1"\ncategory = "Comments"\ncategory_id = "DIC_1"',
    "utterances": 'repo = "balancelab/blog-comments"',
    "disqus": 'shortname = "balancelab"',
    "remark42": 'host = "https://remark42.example-clinic.com"\nsite_id = "balancelab"',
}


def build(site_factory, config: str = MINIMAL_CONFIG, files: dict | None = None) -> Path:
    site = site_factory({"posts/en/lips.md": post_text("Lip filler basics", tags="[lips]"),
                         "posts/ko/lips.md": post_text("입술 필러 기초", tags="[입술]"), **(files or {})}, config)
    result = run_cli("build", str(site), "-j", "1")
    assert result.code == 0, result.err
    return site / "output"


def url_path(file: str) -> str:
    return "/" + re.sub(r"(^|/)index\.html$", r"\1", file)


def directives(policy: str) -> dict[str, list[str]]:
    return {name: rest for name, *rest in (part.split() for part in policy.split(";"))}


def meta_policy(output: Path, file: str) -> str:
    page = lxml_html.fromstring((output / file).read_bytes())
    (meta,) = page.xpath("//head/meta[@http-equiv='Content-Security-Policy']")
    return meta.get("content")


def test_every_file_gets_security_headers_and_exactly_one_cache_policy(sample_site):
    rules = parse_headers((sample_site / "_headers").read_text(encoding="utf-8"))
    files = [p.relative_to(sample_site).as_posix() for p in sample_site.rglob("*") if p.is_file()]
    assert "assets/clinicpress.css" in files and "en/feed.xml" in files
    for file in files:
        headers = headers_for(rules, url_path(file))
        assert headers["X-Content-Type-Options"] == "nosniff", file
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", file
        assert headers["Strict-Transport-Security"].startswith("max-age="), file
        assert "camera=()" in headers["Permissions-Policy"], file
        cache = headers.get("Cache-Control", "")
        assert len(patterns_setting(rules, url_path(file), "Cache-Control")) <= 1, f"{file}: two cache rules: {cache}"
        if file.startswith("assets/"):
            assert cache == "public, max-age=31536000, immutable", file
        elif file.endswith((".html", ".xml")):
            assert cache == "public, max-age=0, must-revalidate", file
    page = headers_for(rules, "/en/posts/lip-filler-aftercare/")
    assert page["Content-Security-Policy"] == meta_policy(sample_site, "en/posts/lip-filler-aftercare/index.html") \
        + "; frame-ancestors 'none'"


def test_theme_policy_allows_no_inline_script_or_style(sample_site):
    policy = directives(meta_policy(sample_site, "en/index.html"))
    # Site search (on in the sample site) runs Pagefind's WebAssembly, which needs 'wasm-unsafe-eval' only.
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert policy["style-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert "style-src-attr" not in policy and "frame-ancestors" not in policy
    for file in sample_site.rglob("*.html"):
        page = lxml_html.fromstring(file.read_bytes())
        inline = [s for s in page.iter("script") if not s.get("src") and s.get("type") != "application/ld+json"]
        assert not inline, f"{file}: an inline script the policy would block"
        assert not page.xpath("//@style") and not page.xpath("//style"), f"{file}: inline style"
        assert not [a for el in page.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")]


@pytest.mark.parametrize("provider, script, extra", [
    ("isso", "https://comments.example-clinic.com", {"connect-src", "style-src", "style-src-attr", "img-src"}),
    ("giscus", "https://giscus.app", {"frame-src", "style-src"}),
    ("utterances", "https://utteranc.es", {"frame-src", "style-src"}),
    ("disqus", "https://balancelab.disqus.com", {"frame-src", "style-src", "connect-src"}),
    ("remark42", "https://remark42.example-clinic.com", {"frame-src", "style-src", "connect-src", "img-src"}),
], ids=list(COMMENTS))
def test_policy_allows_the_comment_providers_origin_and_no_inline_script(site_factory, provider, script, extra):
    config = MINIMAL_CONFIG + f'\n[comments]\nprovider = "{provider}"\n\n[comments.{provider}]\n{COMMENTS[provider]}\n'
    output = build(site_factory, config)
    policy = directives(meta_policy(output, "en/posts/lips/index.html"))
    assert script in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    baseline = directives(meta_policy(build(site_factory), "en/index.html"))
    widened = {name for name, values in policy.items() if values != baseline.get(name)}
    assert widened == extra | {"script-src"}, widened
    if "'unsafe-inline'" in policy.get("style-src", []):
        assert provider in ("utterances", "disqus"), "only providers that insert their own <style> need it"


def test_policy_of_a_provider_of_your_own_names_its_origins(site_factory):
    config = MINIMAL_CONFIG + '\n[comments]\nprovider = "clinicboard"\n\n[comments.clinicboard]\nboard = "qa"\n'
    template = ('<div id="board" data-thread="{{ comments.thread_id }}"></div>\n'
                '<script src="https://board.example-clinic.com/embed.js" async></script>\n')
    output = build(site_factory, config, {"templates/comments/clinicboard.html": template})
    policy = directives(meta_policy(output, "en/posts/lips/index.html"))
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'", "https://board.example-clinic.com"]


def test_policy_allows_webassembly_only_for_site_search(site_factory):
    output = build(site_factory)
    on = directives(meta_policy(output, "en/index.html"))
    assert "# 'wasm-unsafe-eval': the site search (Pagefind)" in (output / "_headers").read_text()
    output = build(site_factory, MINIMAL_CONFIG + "\n[search]\nenabled = false\n")
    off = directives(meta_policy(output, "en/index.html"))
    assert "the site search (Pagefind)" not in (output / "_headers").read_text()
    assert on["script-src"] == ["'self'", "'wasm-unsafe-eval'"] and off["script-src"] == ["'self'"]
    assert {name: values for name, values in on.items() if name != "script-src"} == \
        {name: values for name, values in off.items() if name != "script-src"}


def test_search_bundle_is_cached_by_content_and_its_scripts_are_revalidated(site_factory):
    output = build(site_factory)
    rules = parse_headers((output / "_headers").read_text(encoding="utf-8"))
    for file in [p.relative_to(output).as_posix() for p in (output / "pagefind").rglob("*") if p.is_file()]:
        cache = headers_for(rules, url_path(file)).get("Cache-Control")
        if file.endswith(".pf_meta"):  # renamed by every edit: named in _headers, it would change _headers too
            assert cache is None, file
        else:
            hashed = file.split("/")[1] in ("index", "fragment", "filter")
            assert cache == ("public, max-age=31536000, immutable" if hashed else "public, max-age=0, must-revalidate"), file


def test_headers_and_policy_are_the_same_on_every_build(site_factory, tmp_path):
    first = build(site_factory)
    data = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    again = run_cli("build", str(first.parent), "--no-cache", "-o", str(tmp_path / "again"))
    assert again.code == 0, again.err
    for relative in (Path("_headers"), Path("_redirects"), Path("en/posts/lips/index.html")):
        assert (tmp_path / "again" / relative).read_bytes() == data[relative]
