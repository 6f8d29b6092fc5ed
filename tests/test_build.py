"""Building fixture sites through the command line, as a user would."""
import json
from pathlib import Path

import pytest
from lxml import etree, html as lxml_html

from conftest import MINIMAL_CONFIG, post_text, run_cli, write_tree

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def page(output: Path, path: str):
    return lxml_html.fromstring((output / path).read_bytes())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_site_of_only_config_and_posts_builds_with_default_theme(site_factory):
    site = site_factory({"posts/ko/hello.md": post_text("안녕하세요"), "posts/en/hello.md": post_text("Hello")})
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    assert result.out.startswith("Built ") and "(ko " in result.out
    tree = page(site / "output", "en/posts/hello/index.html")
    assert tree.findtext(".//h1") == "Hello"
    assert (site / "output/assets/clinicpress.css").is_file()


def test_pagination_splits_home_into_pages_of_ten(site_factory):
    posts = {f"posts/en/post-{n:02d}.md": post_text(f"Post {n}", date=f"2026-06-{n:02d}") for n in range(1, 24)}
    site = site_factory(posts)
    assert run_cli("build", str(site)).code == 0
    output = site / "output"
    first, third = page(output, "en/index.html"), page(output, "en/page/3/index.html")
    assert [a.text for a in first.cssselect(".card-title a")][:2] == ["Post 23", "Post 22"]
    assert len(first.cssselect(".card")) == 10
    assert len(third.cssselect(".card")) == 3
    assert first.cssselect('.pagination a[rel="next"]')[0].get("href") == "/en/page/2/"
    assert not (output / "en/page/4").exists()


def test_drafts_and_future_posts_need_flags(site_factory):
    site = site_factory({
        "posts/en/draft.md": post_text("Draft", draft="true"),
        "posts/en/later.md": post_text("Later", date="2099-01-01"),
        "posts/en/now.md": post_text("Now"),
    })
    assert run_cli("build", str(site)).code == 0
    assert (site / "output/en/posts/now/index.html").exists()
    assert not (site / "output/en/posts/draft").exists() and not (site / "output/en/posts/later").exists()
    assert run_cli("build", str(site), "--drafts", "--future").code == 0
    assert (site / "output/en/posts/draft/index.html").exists() and (site / "output/en/posts/later/index.html").exists()


def test_build_says_which_drafts_and_future_posts_it_left_out_or_brought_in(site_factory):
    site = site_factory({
        "posts/en/draft.md": post_text("Draft", draft="true"),
        "posts/en/draft-two.md": post_text("Draft two", draft="true"),
        "posts/en/later.md": post_text("Later", date="2099-01-01"),
        "posts/en/now.md": post_text("Now"),
    })
    plain = run_cli("build", str(site))
    assert plain.out.splitlines()[1:] == ["2 drafts and 1 future post not published; --drafts and --future include them"]
    drafts = run_cli("build", str(site), "--drafts")
    assert drafts.out.splitlines()[1:] == [
        "1 future post not published; --future includes it",
        "Included 2 drafts: their pages are marked noindex and left out of the sitemap and feeds"]
    both = run_cli("build", str(site), "--drafts", "--future")
    assert both.out.splitlines()[1:] == [
        "Included 2 drafts and 1 future post: their pages are marked noindex and left out of the sitemap and feeds"]
    assert run_cli("build", "-q", str(site)).out == ""


@pytest.mark.parametrize("files", [{}, {"posts/en/draft.md": post_text("Draft", draft="true")}],
                         ids=["no-posts-folder", "only-a-draft"])
def test_build_warns_when_no_post_is_published(site_factory, files):
    result = run_cli("build", str(site_factory(files)))
    assert result.code == 0
    assert result.err == ('warning: no post is published, so the home pages list none ("No posts yet."); '
                          'write one with: clinicpress new "TITLE" --lang LANG\n')


def test_drafts_and_future_posts_brought_in_are_noindex_and_out_of_the_sitemap_and_feeds(site_factory):
    site = site_factory({
        "posts/en/draft.md": post_text("Draft", draft="true", translation_key="now"),
        "posts/en/later.md": post_text("Later", date="2099-01-01", tags="[care]"),
        "posts/en/today.md": post_text("Today", tags="[care]"),
        "posts/ko/now.md": post_text("지금"),
    })
    assert run_cli("build", str(site), "--drafts", "--future").code == 0
    output = site / "output"
    for path in ("en/posts/draft/index.html", "en/posts/later/index.html"):
        assert page(output, path).cssselect('meta[name="robots"]')[0].get("content").startswith("noindex"), path
    published = page(output, "ko/posts/now/index.html")
    assert published.cssselect('meta[name="robots"]')[0].get("content") == "index, follow"
    assert [link.get("hreflang") for link in published.cssselect('link[rel="alternate"][hreflang]')] == \
        ["ko", "x-default"]  # the English draft is no translation search engines may index
    sitemap = (output / "sitemap.xml").read_text("utf-8")
    assert "/en/posts/today/" in sitemap and "/posts/draft/" not in sitemap and "/posts/later/" not in sitemap
    for feed in ("en/feed.xml", "en/atom.xml", "en/tags/care/feed.xml"):
        text = (output / feed).read_text("utf-8")
        assert "/en/posts/today/" in text and "/posts/draft/" not in text and "/posts/later/" not in text, feed


def test_commands_find_site_toml_in_a_parent_folder_as_git_finds_git(site_factory, monkeypatch):
    site = site_factory({"posts/en/hello.md": post_text("Hello"), "posts/ko/hello.md": post_text("안녕하세요")})
    monkeypatch.chdir(site / "posts/en")
    built = run_cli("build")
    assert built.code == 0, built.err
    assert (site / "output/en/posts/hello/index.html").is_file() and not (site / "posts/en/output").exists()
    assert run_cli("check").out.splitlines()[-1].startswith("Checked 2 posts: ")
    assert run_cli("new", "Second post", "--lang", "en").code == 0
    assert (site / "posts/en/second-post.md").is_file()


def test_language_switcher_falls_back_to_home_without_translation(site_factory):
    site = site_factory({"posts/ko/only-ko.md": post_text("한국어만"), "posts/en/other.md": post_text("Other")})
    assert run_cli("build", str(site)).code == 0
    only_ko = page(site / "output", "ko/posts/only-ko/index.html")
    switcher = only_ko.cssselect(".language-switcher a")
    # A plain link: the English home is no translation of the post.
    assert [(a.get("href"), a.get("rel"), a.get("hreflang")) for a in switcher] == [("/en/", None, None)]
    assert [link.get("hreflang") for link in only_ko.cssselect('head link[rel="alternate"][hreflang]')] == \
        ["ko", "x-default"]
    sitemap = etree.fromstring((site / "output/sitemap.xml").read_bytes())
    entry, = [url for url in sitemap if url.findtext(f"{{{SITEMAP}}}loc").endswith("/ko/posts/only-ko/")]
    assert [link.get("hreflang") for link in entry.iter("{http://www.w3.org/1999/xhtml}link")] == ["ko", "x-default"]
    home = page(site / "output", "ko/index.html").cssselect(".language-switcher a")  # a translation: an alternate
    assert [(a.get("href"), a.get("rel"), a.get("hreflang")) for a in home] == [("/en/", "alternate", "en")]


def test_base_url_with_a_path_prefixes_every_link(site_factory):
    site = site_factory({"posts/en/hello.md": post_text("Hello")},
                        MINIMAL_CONFIG.replace("https://blog.example-clinic.com/", "https://example-clinic.com/blog/"))
    assert run_cli("build", str(site)).code == 0
    tree = page(site / "output", "en/index.html")
    assert tree.cssselect(".card-title a")[0].get("href") == "/blog/en/posts/hello/"
    assert tree.cssselect('link[rel="canonical"]')[0].get("href") == "https://example-clinic.com/blog/en/"


def test_site_templates_override_the_theme_file_by_file(site_factory):
    site = site_factory({
        "posts/en/hello.md": post_text("Hello"),
        "templates/partials/footer.html": '<footer class="custom">{{ clinic.name }}</footer>\n',
        "templates/i18n/en.toml": '"nav.home" = "Journal"\n',
    })
    assert run_cli("build", str(site)).code == 0
    tree = page(site / "output", "en/index.html")
    assert tree.cssselect("footer.custom")[0].text == "Test Clinic"
    assert tree.cssselect(".site-nav a")[0].text == "Journal"
    assert tree.cssselect(".brand")  # the rest of the theme is still there


def test_ui_string_missing_in_one_language_is_an_error(site_factory):
    site = site_factory({"posts/en/hello.md": post_text("Hello"), "templates/i18n/ja.toml": '"nav.home" = "ホーム"\n'},
                        MINIMAL_CONFIG.replace("[clinic]", '[languages.ja]\nname = "日本語"\nlocale = "ja_JP"\ntitle = "ブログ"\n\n[clinic]'))
    result = run_cli("build", str(site))
    assert result.code == 1
    assert "templates/i18n/ja.toml: error: UI string 'nav.skip' is missing for language 'ja'" in result.err


def test_template_error_names_template_and_line(site_factory):
    site = site_factory({"posts/en/hello.md": post_text("Hello"),
                         "templates/partials/footer.html": "<footer>\n{{ clinic.nmae }}\n</footer>\n"})
    result = run_cli("build", str(site))
    assert result.code == 1
    assert "templates/partials/footer.html:2: error: template error while rendering" in result.err
    assert "Traceback" not in result.err


def test_failed_build_leaves_previous_output_untouched(site_factory):
    site = site_factory({"posts/en/hello.md": post_text("Hello")})
    assert run_cli("build", str(site)).code == 0
    before = snapshot(site / "output")
    (site / "posts/en/broken.md").write_text("---\ntitle: x\ndate: 2026-13-40\n---\n")
    result = run_cli("build", str(site))
    assert result.code == 1
    assert "posts/en/broken.md:3: error: 'date' must be a real date, got '2026-13-40'" in result.err
    assert "Traceback" not in result.err
    assert snapshot(site / "output") == before


def test_all_broken_files_are_reported_together(site_factory):
    site = site_factory({"posts/en/a.md": "---\ntitle: a\n---\n", "posts/ko/b.md": "no front-matter\n",
                         "posts/en/c.md": post_text("C", author="dr-nobody")})
    result = run_cli("build", str(site))
    assert result.code == 1
    assert result.err.count(": error: ") == 3


@pytest.mark.parametrize("target", ["{site}", "{site}/posts", "{site}/templates", "/", "{home}"],
                         ids=["site-root", "posts", "templates", "root", "home"])
def test_build_refuses_dangerous_output_folders(site_factory, target):
    site = site_factory({"posts/en/hello.md": post_text("Hello"), "templates/.keep": ""})
    before = snapshot(site)
    result = run_cli("build", str(site), "-o", target.format(site=site, home=Path.home()))
    assert result.code == 2
    assert "refusing to build into" in result.err
    assert snapshot(site) == before


def test_build_refuses_non_empty_folder_it_did_not_make(site_factory, tmp_path):
    site = site_factory({"posts/en/hello.md": post_text("Hello")})
    foreign = write_tree(tmp_path / "mine", {"notes.txt": "keep me"})
    result = run_cli("build", str(site), "-o", str(foreign))
    assert result.code == 2 and (foreign / "notes.txt").read_text() == "keep me"


def test_two_posts_with_one_slug_are_an_error_naming_both(site_factory):
    site = site_factory({"posts/en/a.md": post_text("A", slug="same"), "posts/en/b.md": post_text("B", slug="same")})
    result = run_cli("build", str(site))
    assert result.code == 1
    assert "posts/en/b.md:5: error: same URL 'same' as posts/en/a.md" in result.err


def test_unknown_language_folder_is_an_error(site_factory):
    site = site_factory({"posts/fr/a.md": post_text("A")})
    result = run_cli("build", str(site))
    assert result.code == 1 and "posts/fr: error: folder 'fr' is not a language in site.toml" in result.err


def test_static_files_are_copied(site_factory):
    """Byte for byte, except images, which lose their metadata on the way (test_images.py)."""
    site = site_factory({"posts/en/a.md": post_text("A"), "static/files/aftercare.pdf": b"%PDF-1.4 ..."})
    assert run_cli("build", str(site)).code == 0
    assert (site / "output/files/aftercare.pdf").read_bytes() == b"%PDF-1.4 ..."


def test_source_date_epoch_decides_what_is_future(site_factory, monkeypatch):
    site = site_factory({"posts/en/a.md": post_text("A", date="2030-01-01")})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(__import__("datetime").datetime(2031, 1, 1).timestamp())))
    assert run_cli("build", str(site)).code == 0
    assert (site / "output/en/posts/a/index.html").exists()


def test_long_series_lists_the_parts_around_the_current_one(site_factory):
    config = MINIMAL_CONFIG + '\n[series.long]\ntitle = "Long series"\n'
    posts = {f"posts/en/part-{n}.md": post_text(f"Part {n}", date=f"2026-01-{n:02d}", series="long",
                                                series_part=str(n)) for n in range(1, 21)}
    site = site_factory(posts, config)
    assert run_cli("build", str(site)).code == 0
    items = page(site / "output", "en/posts/part-10/index.html").cssselect(".series-nav li")
    shown = [li.get("value") or "gap" for li in items]
    assert shown == ["1", "2", "gap", "7", "8", "9", "10", "11", "12", "13", "gap", "19", "20"]
    assert page(site / "output", "en/posts/part-10/index.html").cssselect(".series-badge")[0].text_content().endswith(
        "Part 10 of 20")


def test_static_link_to_a_file_outside_the_site_is_refused(site_factory, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    site = site_factory({"posts/en/a.md": post_text("A")})
    (site / "static").mkdir()
    (site / "static/leak.txt").symlink_to(secret)
    result = run_cli("build", str(site))
    assert result.code == 1
    assert f"static/leak.txt: error: links to {secret.resolve()}, which is outside the site" in result.err


def test_build_reports_progress_through_reading_rendering_and_writing(site_factory):
    from generator.build import BuildOptions, build_site
    site = site_factory({f"posts/en/post-{n}.md": post_text(f"Post {n}") for n in range(120)})
    calls: list[tuple[str, int, int]] = []
    build_site(BuildOptions(site_dir=site, progress=lambda stage, done, total: calls.append((stage, done, total))))
    reading = [(done, total) for stage, done, total in calls if stage == "reading posts" and total == 120]
    assert reading and reading[0][0] == 50 and all(done <= total for done, total in reading)
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages.index("reading posts") < stages.index("rendering pages") < stages.index("writing files")
    assert calls[-1][0] == "done"


def test_a_series_missing_from_site_toml_is_titled_from_its_id_and_check_shows_the_table(site_factory):
    config = (MINIMAL_CONFIG + '\n[series.long]\ntitle = { ko = "긴 연재", en = "Long series" }\n'
              'description = { ko = "긴 연재 설명", en = "All about long things." }\n')
    posts = {f"posts/{lang}/lip-{n}.md": post_text(f"Lip {lang} {n}", date=f"2026-01-0{n}", series="lip-filler",
                                                   series_part=str(n))
             for lang in ("en", "ko") for n in (1, 2, 3)}
    posts["posts/en/long-1.md"] = post_text("Long 1", series="long", series_part="1")
    site = site_factory(posts, config)
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    output = site / "output"
    for lang, badge in (("en", "Part 2 of 3"), ("ko", "전체 3편 중 2편")):
        series = page(output, f"{lang}/series/lip-filler/index.html")
        assert series.findtext(".//h1") == "Lip Filler"
        assert [a.text for a in series.cssselect(".card-title a")] == [f"Lip {lang} {n}" for n in (1, 2, 3)]
        part = page(output, f"{lang}/posts/lip-2/index.html")
        link = part.cssselect(".series-label a")[0]
        assert (link.text, link.get("href")) == ("Lip Filler", f"/{lang}/series/lip-filler/")
        assert part.cssselect(".series-badge")[0].text_content().endswith(badge)
        assert part.cssselect('.series-steps a[rel="prev"]')[0].get("href") == f"/{lang}/posts/lip-1/"
        assert part.cssselect('.series-steps a[rel="next"]')[0].get("href") == f"/{lang}/posts/lip-3/"
        article = json.loads(part.cssselect('script[type="application/ld+json"]')[0].text)
        assert article["isPartOf"]["name"] == "Lip Filler"
    declared = page(output, "en/series/long/index.html")
    assert declared.findtext(".//h1") == "Long series"
    assert declared.cssselect(".intro")[0].text == "All about long things."

    checked = run_cli("check", str(site))
    assert checked.out.count("[series-undeclared]") == 1
    assert ("posts/ko/lip-1.md:5:1: warning: [series-undeclared] series 'lip-filler' is not declared in site.toml, "
            "so its pages call it 'Lip Filler'\n"
            "  hint: add its titles to site.toml (and a description if you like):\n"
            "        [series.lip-filler]\n"
            '        title = { ko = "Lip Filler", en = "Lip Filler" }\n') in checked.out
    # The table in the hint is one to paste as it is: with it, the warning is gone and the titles are used.
    hint = next(f["hint"] for f in json.loads(run_cli("check", str(site), "--format", "json").out)
                if f["rule"] == "series-undeclared")
    table = hint.split("\n", 1)[1].replace('en = "Lip Filler"', 'en = "Lip Filler, Explained"')
    (site / "site.toml").write_text(config + "\n" + table + "\n", encoding="utf-8")
    assert "[series-undeclared]" not in run_cli("check", str(site)).out
    assert run_cli("build", str(site)).code == 0
    assert page(output, "en/series/lip-filler/index.html").findtext(".//h1") == "Lip Filler, Explained"
