import pytest

from generator.config.loader import MarkdownConfig
from generator.markup.markdown import render_markdown

SAFE = MarkdownConfig()
BREAKS = MarkdownConfig(line_breaks=True)


def html(text: str, config: MarkdownConfig = SAFE) -> str:
    return render_markdown(text, config).html


def test_tables_are_rendered_and_scroll_on_phones():
    out = html("| Filler | Lasts |\n|---|---|\n| HA | 6-12 months |\n")
    assert '<div class="table-scroll" tabindex="0"><table>' in out
    assert "<th>Filler</th>" in out and "<td>6-12 months</td>" in out


def test_fenced_code_footnotes_and_attribute_lists():
    out = html("```\ncode <b>\n```\n\nClaim[^1]\n\n[^1]: Source.\n\n## Aftercare {#care .highlight}\n")
    assert "<pre><code>code &lt;b&gt;\n</code></pre>" in out
    assert 'href="#fn:1"' in out and '<li id="fn:1">' in out
    assert '<h2 class="highlight" id="care">Aftercare</h2>' in out


def test_hangul_headings_get_readable_ids():
    assert '<h2 id="입술-필러-후-관리">입술 필러 후 관리</h2>' in html("## 입술 필러 후 관리")


def test_emoji_and_symbols_pass_through_intact():
    text = "✔ 시술 시간 10분\n👉 붓기 2~3일\n1️⃣ 상담"
    out = html(text, BREAKS)
    for piece in ("✔ 시술 시간 10분", "👉 붓기 2~3일", "1️⃣ 상담"):
        assert piece in out


@pytest.mark.parametrize("config, expected", [(BREAKS, 2), (SAFE, 0)], ids=["line-breaks", "standard"])
def test_line_breaks_setting_turns_single_newlines_into_br(config, expected):
    out = html("첫 문장입니다.\n둘째 문장입니다.\n셋째 문장입니다.", config)
    assert out.count("<br>") == expected


@pytest.mark.parametrize("raw, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<img src="x.png" onerror="alert(1)">', "onerror"),
    ('<a href="data:text/html;base64,AAAA">x</a>', "data:"),
    ('<iframe src="https://evil.example/embed"></iframe>', "<iframe"),
    ("<style>body{display:none}</style>", "<style"),
], ids=["script", "javascript-url", "event-handler", "data-url", "foreign-iframe", "style"])
def test_raw_html_is_sanitized(raw, forbidden):
    assert forbidden not in html(f"Text\n\n{raw}\n")


def test_video_embeds_from_youtube_and_vimeo_are_kept():
    out = html('<iframe src="https://www.youtube.com/embed/abc" title="Video"></iframe>\n\n'
               '<iframe src="https://player.vimeo.com/video/1" title="Video 2"></iframe>')
    assert out.count("<iframe") == 2


def test_unsafe_html_opt_out_keeps_raw_html():
    out = html('<div class="x" onclick="go()">hi</div>', MarkdownConfig(unsafe_html=True))
    assert 'onclick="go()"' in out


def test_images_load_lazily():
    assert 'loading="lazy"' in html("![Lips after filler](/images/a.png)")


def test_word_count_counts_korean_words_not_characters():
    assert render_markdown("입술 필러는 시간이 지나면서 자연스럽게 흡수됩니다.", SAFE).word_count == 6


# Python-Markdown's inline patterns are skipped on text that holds none of the characters they start
# with; these tests hold that shortcut to the stock output.
import markdown  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

from conftest import REPO  # noqa: E402
from generator.markup.markdown import make_markdown  # noqa: E402
from generator.markup.quick_inline import quicken_inline, uses_quick_inline  # noqa: E402

# One inline construct each, in otherwise plain prose: the shortcut must notice every one of them.
INLINE_SNIPPETS = [
    "a *b* c", "a **b** c", "a _b_ c", "a __b__ c", "a `b` c", "a \\*b\\* c", "see [x](http://y.z) now",
    "an ![image](p.png) here", "<http://x.y/z>", "mail <a@b.example>", "a  \nb", "a\nb", "fish &amp; chips",
    "a <b>bold</b> c", "x[^1]\n\n[^1]: note", "[x][r]\n\n[r]: http://y.z", "[r]\n\n[r]: http://y.z",
    "![r]\n\n![i]: p.png", "a * b * c", "a _ b", "*HA* filler", "가*나*다",
]
PLAIN_WORDS = st.sampled_from(["lip", "filler", "입술", "시술", "HA", "PDO", "✔", "👉", "1️⃣", " ", " ", "."])
SPECIAL = st.sampled_from(list("*_`[]()!<>&\\\n") + ["  \n", "http://x.y", "a@b.c", "&amp;", "<b>", "[^1]", "**"])
# Prose with one to three special characters in it, so that pieces of text both with and without them occur.
INLINE_TEXT = st.tuples(st.lists(PLAIN_WORDS, max_size=30), st.lists(st.tuples(st.integers(0, 30), SPECIAL),
                                                                     min_size=1, max_size=3)).map(
    lambda parts: "".join(_inserted(parts[0], parts[1])))


def _inserted(words: list[str], specials: list[tuple[int, str]]) -> list[str]:
    for position, special in sorted(specials, reverse=True):
        words.insert(min(position, len(words)), special)
    return words


def both_ways(text: str, config: MarkdownConfig) -> tuple[str, str]:
    quick, stock = make_markdown(config), make_markdown(config, quick=False)
    return quick.convert(text), stock.convert(text)


def test_quick_inline_processing_is_in_use():
    assert uses_quick_inline(make_markdown(MarkdownConfig()))
    assert not uses_quick_inline(make_markdown(MarkdownConfig(), quick=False))


@pytest.mark.parametrize("line_breaks", [False, True])
def test_quick_inline_processing_renders_the_sample_posts_as_stock_markdown(line_breaks):
    config = MarkdownConfig(line_breaks=line_breaks)
    posts = sorted((REPO / "posts").glob("*/*.md"))
    assert posts
    for path in posts:
        quick, stock = both_ways(path.read_text(encoding="utf-8").split("---", 2)[2], config)
        assert quick == stock, path


@pytest.mark.parametrize("line_breaks", [False, True])
@pytest.mark.parametrize("snippet", INLINE_SNIPPETS)
def test_quick_inline_processing_notices_every_inline_construct(snippet, line_breaks):
    quick, stock = both_ways(snippet, MarkdownConfig(line_breaks=line_breaks))
    assert quick == stock


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(text=INLINE_TEXT, line_breaks=st.booleans())
def test_quick_inline_processing_matches_stock_markdown(text, line_breaks):
    quick, stock = both_ways(text, MarkdownConfig(line_breaks=line_breaks))
    assert quick == stock


def test_an_unknown_inline_pattern_keeps_the_stock_processor():
    from markdown.inlinepatterns import SimpleTagInlineProcessor
    md = markdown.Markdown()
    md.inlinePatterns.register(SimpleTagInlineProcessor(r"()~~(.+?)~~", "del"), "strikethrough", 65)
    assert not quicken_inline(md)
    assert not uses_quick_inline(md)
    assert md.convert("a ~~b~~ c") == "<p>a <del>b</del> c</p>"


def test_an_untested_markdown_version_keeps_the_stock_processor(monkeypatch):
    monkeypatch.setattr(markdown, "__version__", "3.99.0")
    md = markdown.Markdown()
    assert not quicken_inline(md)
    assert not uses_quick_inline(make_markdown(MarkdownConfig()))
