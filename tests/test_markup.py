import pytest

from generator.config import MarkdownConfig
from generator.markup import render_markdown

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
