"""Comment providers as rendered into post pages, and their settings in site.toml."""
from __future__ import annotations

import json
import re
from pathlib import Path

import html5lib
import pytest
from lxml import html as lxml_html

from generator.config.loader import parse_config
from generator.errors import BuildError

from conftest import MINIMAL_CONFIG, post_text, run_cli

PROVIDER_SETTINGS = {
    "isso": 'url = "https://comments.example-clinic.com"',
    "giscus": 'repo = "balancelab/blog-comments"\nrepo_id = "R_kgDOTest"\ncategory = "Comments"\n'
              'category_id = "DIC_kwDOTest"',
    "utterances": 'repo = "balancelab/blog-comments"',
    "disqus": 'shortname = "balancelab"',
    "remark42": 'host = "https://remark42.example-clinic.com/"\nsite_id = "balancelab"',
}
POSTS = {
    "posts/ko/lips.md": post_text("입술 필러 이야기"),
    "posts/en/lips.md": post_text("Lip filler, told plainly"),
    "posts/en/quiet.md": post_text("A post without comments", comments="false"),
}


def comments_config(provider: str, thread: str = "shared", load: str = "click", settings: str | None = None) -> str:
    text = MINIMAL_CONFIG + f'\n[comments]\nprovider = "{provider}"\nthread = "{thread}"\nload = "{load}"\n'
    settings = PROVIDER_SETTINGS.get(provider, "") if settings is None else settings
    if settings:
        text += f"\n[comments.{provider}]\n{settings}\n"
    return text


def build(site_factory, config: str, files: dict | None = None) -> Path:
    site = site_factory({**POSTS, **(files or {})}, config=config)
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    return site / "output"


def page(output: Path, path: str):
    return lxml_html.fromstring((output / path).read_bytes())


def widget(tree):
    """The provider's markup, kept inside <template> until the reader asks for it."""
    (template,) = tree.cssselect("#comments template[data-comments-widget]")
    return template


def messages(text: str) -> list[str]:
    with pytest.raises(BuildError) as caught:
        parse_config(text, Path("."))
    return [f"{d.path}:{d.line}: {d.message}" for d in caught.value.diagnostics]


# providers ---------------------------------------------------------------------------

def test_isso_widget_gets_server_url_language_thread_and_title(site_factory):
    output = build(site_factory, comments_config("isso"))
    template = widget(page(output, "en/posts/lips/index.html"))
    (script,) = template.cssselect("script")
    assert script.get("src") == "https://comments.example-clinic.com/js/embed.min.js"
    assert script.get("data-isso") == "https://comments.example-clinic.com/"
    assert script.get("data-isso-lang") == "en"
    (thread,) = template.cssselect("#isso-thread")
    assert thread.get("data-isso-id") == "lips"
    assert thread.get("data-title") == "Lip filler, told plainly"
    korean = widget(page(output, "ko/posts/lips/index.html"))
    assert korean.cssselect("script")[0].get("data-isso-lang") == "ko"


def test_giscus_widget_maps_thread_to_specific_term_in_page_language(site_factory):
    output = build(site_factory, comments_config("giscus"))
    (script,) = widget(page(output, "ko/posts/lips/index.html")).cssselect("script")
    assert script.get("src") == "https://giscus.app/client.js"
    assert {name: script.get(name) for name in (
        "data-repo", "data-repo-id", "data-category", "data-category-id", "data-mapping", "data-term",
        "data-strict", "data-lang", "data-input-position", "data-theme", "crossorigin")} == {
        "data-repo": "balancelab/blog-comments", "data-repo-id": "R_kgDOTest", "data-category": "Comments",
        "data-category-id": "DIC_kwDOTest", "data-mapping": "specific", "data-term": "lips", "data-strict": "1",
        "data-lang": "ko", "data-input-position": "bottom", "data-theme": "preferred_color_scheme",
        "crossorigin": "anonymous"}
    assert widget(page(output, "ko/posts/lips/index.html")).cssselect("div.giscus")


def test_utterances_widget_gets_repo_and_issue_term_as_data_attr(site_factory):
    output = build(site_factory, comments_config("utterances", settings='repo = "balancelab/blog-comments"\n'
                                                                         'label = "comment"'))
    (script,) = widget(page(output, "en/posts/lips/index.html")).cssselect("script")
    assert script.get("src") == "https://utteranc.es/client.js"
    assert script.get("data-attr-repo") == "balancelab/blog-comments"
    assert script.get("data-attr-issue-term") == "lips"
    assert script.get("data-attr-label") == "comment"
    assert script.get("data-attr-theme") == "github-light"
    assert script.get("repo") is None, "plain repo= is not valid HTML; the loader converts data-attr-repo"


def test_disqus_widget_gets_identifier_url_and_language(site_factory):
    output = build(site_factory, comments_config("disqus"))
    template = widget(page(output, "ko/posts/lips/index.html"))
    assert template.cssselect("#disqus_thread")
    inline, external = template.cssselect("script")
    assert external.get("src") == "https://balancelab.disqus.com/embed.js"
    assert (inline.get("type"), inline.get("data-comments-global")) == ("application/json", "disqus_config")
    assert inline.get("data-comments-global-kind") == "function"
    config = json.loads(inline.text)
    assert config["page"] == {"identifier": "lips", "url": "https://blog.example-clinic.com/ko/posts/lips/",
                              "title": "입술 필러 이야기"}
    assert config["language"] == "ko"


def test_remark42_widget_gets_host_site_locale_and_thread_url(site_factory):
    output = build(site_factory, comments_config("remark42"))
    template = widget(page(output, "en/posts/lips/index.html"))
    assert template.cssselect("#remark42")
    inline, external = template.cssselect("script")
    assert external.get("src") == "https://remark42.example-clinic.com/web/embed.js"
    assert (inline.get("type"), inline.get("data-comments-global")) == ("application/json", "remark_config")
    config = json.loads(inline.text)
    assert config["host"] == "https://remark42.example-clinic.com"
    assert config["site_id"] == "balancelab"
    assert config["locale"] == "en"
    # one URL names the shared thread, whichever translation the reader is on
    assert config["url"] == "https://blog.example-clinic.com/ko/posts/lips/"


def test_inline_widget_config_cannot_be_closed_by_a_title(site_factory):
    files = {"posts/en/lips.md": post_text("Fillers </script><script>alert(1)</script>")}
    output = build(site_factory, comments_config("disqus"), files)
    inline = widget(page(output, "en/posts/lips/index.html")).cssselect("script")[0]
    assert "</script" not in inline.text and "alert(1)" in inline.text
    assert json.loads(inline.text)["page"]["title"] == "Fillers </script><script>alert(1)</script>"


# threads across translations -----------------------------------------------------------

@pytest.mark.parametrize("thread, korean, english", [
    ("shared", "lips", "lips"),
    ("per-language", "ko/lips", "en/lips"),
], ids=["shared", "per-language"])
def test_thread_mode_decides_whether_translations_share_a_thread(site_factory, thread, korean, english):
    output = build(site_factory, comments_config("isso", thread=thread))
    ids = [widget(page(output, f"{lang}/posts/lips/index.html")).cssselect("#isso-thread")[0].get("data-isso-id")
           for lang in ("ko", "en")]
    assert ids == [korean, english]


def test_per_language_remark42_thread_is_the_page_url(site_factory):
    output = build(site_factory, comments_config("remark42", thread="per-language"))
    inline = widget(page(output, "en/posts/lips/index.html")).cssselect("script")[0]
    config = json.loads(inline.text)
    assert config["url"] == "https://blog.example-clinic.com/en/posts/lips/"


# the container: privacy, fallback, loader ----------------------------------------------

def test_comment_section_waits_for_the_reader_and_loads_no_third_party_script(site_factory):
    output = build(site_factory, comments_config("giscus"))
    tree = page(output, "ko/posts/lips/index.html")
    (section,) = tree.cssselect("section#comments")
    assert section.get("data-comments-load") == "click"
    assert section.cssselect("h2")[0].text == "댓글"
    (gate,) = section.cssselect("[data-comments-gate]")
    assert gate.get("hidden") is not None, "the button only appears when JavaScript can make it work"
    (button,) = gate.cssselect("button[data-comments-show]")
    assert button.get("type") == "button" and button.text_content().strip() == "댓글 보기"
    outside = [el for el in tree.iter() if el.get("src") and not any(a.tag == "template" for a in el.iterancestors())]
    assert all(not el.get("src").startswith(("http:", "https:", "//")) for el in outside)
    assert not [name for el in tree.iter() for name in el.attrib if name.startswith("on")], "no inline handlers"
    (loader,) = tree.cssselect("script[src*='clinicpress.js']")
    assert loader.get("defer") is not None
    assert re.fullmatch(r"/assets/clinicpress\.js\?v=[0-9a-f]{10}", loader.get("src"))
    assert (output / "assets/clinicpress.js").is_file()


def test_without_javascript_the_reader_gets_a_link_to_the_contact_page(site_factory):
    output = build(site_factory, comments_config("isso"))
    tree = page(output, "en/posts/lips/index.html")
    (fallback,) = tree.cssselect("#comments noscript")
    (link,) = fallback.cssselect("a")
    assert link.get("href") == "https://example-clinic.com/contact"
    assert "JavaScript" in fallback.text_content()


def test_without_javascript_or_a_contact_page_the_reader_is_not_pointed_at_one(site_factory):
    config = comments_config("isso").replace('url = "https://example-clinic.com/"\n', "").replace(
        'contact_url = "https://example-clinic.com/contact"\n', "")
    (fallback,) = page(build(site_factory, config), "en/posts/lips/index.html").cssselect("#comments noscript")
    assert fallback.cssselect("a") == []
    assert " ".join(fallback.text_content().split()) == "Comments need JavaScript, which is turned off in your browser."


CONTACT_LINES = {"contact_url": 'contact_url = "https://example-clinic.com/contact"\n',
                 "telephone": 'telephone = "+82-2-515-0700"\n'}
CONTACT_HREFS = {"contact_url": "https://example-clinic.com/contact", "telephone": "tel:+82-2-515-0700",
                 "email": "mailto:hello@example-clinic.com"}
# language -> (comments and a way to reach the clinic, comments only, a way to reach the clinic only)
CTA_TEXT = {
    "en": ("Leave a comment below or get in touch with Test Clinic.", "Leave a comment below.",
           "Get in touch with Test Clinic."),
    "ko": ("아래에 댓글을 남기시거나 테스트 의원에 편하게 문의해 주세요.", "아래에 댓글을 남겨 주세요.",
           "테스트 의원에 편하게 문의해 주세요."),
}


@pytest.mark.parametrize("provider", ["isso", "none"])
@pytest.mark.parametrize("ways", [("contact_url", "telephone"), ("contact_url",), ("telephone",), ("email",), ()],
                         ids=["page-and-phone", "page", "phone", "email", "no-way"])
def test_call_to_action_mentions_comments_and_contact_ways_only_when_the_site_has_them(site_factory, provider, ways):
    config = comments_config(provider)
    for way, line in CONTACT_LINES.items():
        config = config if way in ways else config.replace(line, "")
    if "email" in ways:
        config = config.replace("[clinic]\n", '[clinic]\nemail = "hello@example-clinic.com"\n')
    output = build(site_factory, config)
    for lang in ("en", "ko"):
        tree = page(output, f"{lang}/posts/lips/index.html")
        comments = bool(tree.cssselect("#comments"))
        assert comments == (provider != "none")
        boxes = tree.cssselect("aside.cta")
        if not comments and not ways:
            assert boxes == [], "nothing to invite the reader to"
            continue
        (box,) = boxes
        text = CTA_TEXT[lang][0 if comments and ways else 1 if comments else 2]
        assert " ".join(box.cssselect("p")[0].text_content().split()) == text
        assert [a.get("href") for a in box.cssselect("a")] == [CONTACT_HREFS[way] for way in
                                                               ("contact_url", "telephone", "email") if way in ways]


@pytest.mark.parametrize("load, has_button, notice", [
    ("click", True, "Nothing is loaded from it until you choose to show them."),
    ("scroll", True, "load when you reach this part of the page."),
    ("eager", False, None),
], ids=["click", "scroll", "eager"])
def test_load_mode_is_passed_to_the_loader(site_factory, load, has_button, notice):
    output = build(site_factory, comments_config("isso", load=load))
    section = page(output, "en/posts/lips/index.html").cssselect("#comments")[0]
    assert section.get("data-comments-load") == load
    assert bool(section.cssselect("button[data-comments-show]")) is has_button
    notices = [p.text_content() for p in section.cssselect(".comments-notice")]
    assert (notices[0].endswith(notice) if notice else notices == [])


def test_post_page_with_comments_is_well_formed_html(site_factory):
    output = build(site_factory, comments_config("disqus"))
    parser = html5lib.HTMLParser(strict=True)
    parser.parse((output / "en/posts/lips/index.html").read_bytes())


def test_comments_false_and_provider_none_leave_no_widget_and_no_script(site_factory):
    no_sharing = "\n[sharing]\nenabled = false\n"  # the share buttons need the script too
    output = build(site_factory, comments_config("isso") + no_sharing)
    quiet = page(output, "en/posts/quiet/index.html")
    assert not quiet.cssselect("#comments") and not quiet.cssselect("script[src*='clinicpress.js']")
    assert page(output, "en/posts/lips/index.html").cssselect("#comments")

    output = build(site_factory, comments_config("none") + no_sharing)
    plain = page(output, "en/posts/lips/index.html")
    assert not plain.cssselect("#comments") and not plain.cssselect("script[src*='clinicpress.js']")


# the hook: a site's own provider -------------------------------------------------------

def test_site_adds_its_own_provider_with_a_template_and_settings(site_factory):
    files = {"templates/comments/clinicboard.html":
             '<div class="board" data-board="{{ comments.settings.board }}" data-thread="{{ comments.thread_id }}"'
             ' data-lang="{{ comments.lang }}" data-url="{{ comments.page_url }}"></div>\n'}
    config = comments_config("clinicboard", settings='board = "qa"\nmoderated = true')
    output = build(site_factory, config, files)
    (board,) = widget(page(output, "ko/posts/lips/index.html")).cssselect("div.board")
    assert (board.get("data-board"), board.get("data-thread"), board.get("data-lang")) == ("qa", "lips", "ko")
    assert board.get("data-url") == "https://blog.example-clinic.com/ko/posts/lips/"


def test_custom_provider_without_template_is_an_error_at_the_provider_line(site_factory):
    config = comments_config("clinicboard", settings='board = "qa"')
    site = site_factory(POSTS, config=config)
    result = run_cli("build", str(site))
    line = config.splitlines().index('provider = "clinicboard"') + 1
    assert result.code == 1
    assert (f"site.toml:{line}: error: comments.provider is 'clinicboard' but there is no template "
            "templates/comments/clinicboard.html") in result.err
    assert not (site / "output").exists()


def test_misspelt_provider_suggests_the_built_in_one(site_factory):
    site = site_factory(POSTS, config=comments_config("giscuss", settings=""))
    result = run_cli("build", str(site))
    assert result.code == 1
    assert "hint: did you mean 'giscus'?" in result.err


# settings in site.toml -----------------------------------------------------------------

def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(needle))


@pytest.mark.parametrize("provider, settings, needle, expected", [
    ("isso", "", 'provider = "isso"',
     "comments.provider is 'isso' but there is no [comments.isso] table"),
    ("isso", 'urll = "https://c.example.com/"', "urll",
     "unknown key 'comments.isso.urll'"),
    ("isso", 'urll = "https://c.example.com/"', "[comments.isso]",
     "missing required key 'comments.isso.url'"),
    ("isso", 'url = "comments.example.com"', 'url = "comments',
     "'comments.isso.url' must be an absolute URL such as \"https://comments.example-clinic.com/\", "
     "got 'comments.example.com'"),
    ("isso", 'url = "https://c.example.com/"\ncss = "yes"', "css",
     "'comments.isso.css' must be true or false, got 'yes'"),
    ("giscus", 'repo = "blog-comments"\nrepo_id = "R"\ncategory = "C"\ncategory_id = "D"', "repo =",
     "'comments.giscus.repo' must be a GitHub repository written as \"owner/name\", got 'blog-comments'"),
    ("giscus", 'repo = "a/b"\nrepo_id = "R"\ncategory = "C"', "[comments.giscus]",
     "missing required key 'comments.giscus.category_id'"),
    ("giscus", 'repo = "a/b"\nrepo_id = "R"\ncategory = "C"\ncategory_id = "D"\ninput_position = "middle"',
     "input_position", "'comments.giscus.input_position' must be 'top' or 'bottom', got 'middle'"),
    ("disqus", "shortname = 42", "shortname", "'comments.disqus.shortname' must be a string, got 42"),
    ("remark42", 'host = "https://r.example.com"', "[comments.remark42]",
     "missing required key 'comments.remark42.site_id'"),
], ids=["missing-table", "unknown-key", "missing-key", "relative-url", "not-bool", "bad-repo",
        "giscus-missing", "bad-enum", "not-string", "remark42-missing"])
def test_provider_settings_errors_name_the_line(provider, settings, needle, expected):
    text = comments_config(provider, settings=settings)
    assert f"site.toml:{line_of(text, needle)}: {expected}" in messages(text)


def test_unknown_provider_key_suggests_the_nearest():
    text = comments_config("giscus", settings=PROVIDER_SETTINGS["giscus"] + '\nreaction_enabled = false')
    with pytest.raises(BuildError) as caught:
        parse_config(text, Path("."))
    (problem,) = caught.value.diagnostics
    assert problem.message == "unknown key 'comments.giscus.reaction_enabled'"
    assert problem.hint == "did you mean 'reactions_enabled'?"


def test_provider_settings_get_their_defaults():
    config = parse_config(comments_config("giscus"), Path("."))
    assert config.comments.settings["strict"] is True
    assert config.comments.settings["input_position"] == "bottom"
    isso = parse_config(comments_config("isso"), Path("."))
    assert isso.comments.settings["url"] == "https://comments.example-clinic.com/"
