"""Check lists written as lines that start with ✔, 👉, 1️⃣ ... stay one item a line, in pages and feeds,
whatever [markdown] line_breaks says."""
from __future__ import annotations

import feedparser
import pytest
from lxml import html as lxml_html

from conftest import MINIMAL_CONFIG, post_text, run_cli
from generator.config.loader import MarkdownConfig
from generator.markup.markdown import render_markdown

# Written the way the sample posts write them (posts/en/lip-flip-vs-lip-filler.md, posts/ko/lip-filler-migration.md).
EN_BODY = """\
A lip flip relaxes the muscle around the mouth.

✔ Takes around 10 minutes
✔ Only a few small injection points
✔ No volume is added
👉 The effect appears gradually over 3–7 days

Possible side effects:
1️⃣ Temporary difficulty drinking through a straw
2️⃣ Slight change in pronouncing "p" and "b" sounds
3️⃣ An uneven smile if the toxin spreads unevenly
"""
KO_BODY = """\
경계가 흐려지면 입술은 작아 보일 수 있어요.

✔ 윗입술 위에 도톰한 턱이 생긴 느낌
✔ 입술 라인이 예전보다 덜 또렷함
✔ 윗입술이 자연스럽게 말리지 않고 앞으로 튀어나온 느낌
👉 옆모습 사진에서 더 잘 보이는 경우가 많아요

### 흔히 관련되는 요인

1️⃣ **누적된 양**: 반복해서 추가하면 감당하기 어려운 양이 남을 수 있어요.
2️⃣ **주입 깊이**: 너무 얕게 주입하면 퍼지기 쉽습니다.
※ 결과는 사람마다 다를 수 있습니다.
"""
EN_LINES = ["✔ Takes around 10 minutes", "✔ Only a few small injection points", "✔ No volume is added",
            "👉 The effect appears gradually over 3–7 days"]
KO_LINES = ["✔ 윗입술 위에 도톰한 턱이 생긴 느낌", "✔ 입술 라인이 예전보다 덜 또렷함",
            "✔ 윗입술이 자연스럽게 말리지 않고 앞으로 튀어나온 느낌", "👉 옆모습 사진에서 더 잘 보이는 경우가 많아요"]
EN_NUMBERED = ["Possible side effects:", "1️⃣ Temporary difficulty drinking through a straw",
               '2️⃣ Slight change in pronouncing "p" and "b" sounds',
               "3️⃣ An uneven smile if the toxin spreads unevenly"]
KO_NUMBERED = ["1️⃣ 누적된 양: 반복해서 추가하면 감당하기 어려운 양이 남을 수 있어요.",
               "2️⃣ 주입 깊이: 너무 얕게 주입하면 퍼지기 쉽습니다.", "※ 결과는 사람마다 다를 수 있습니다."]


def shown_lines(fragment_html: str) -> list[list[str]]:
    """Each paragraph as a reader sees it: its lines, split where the browser breaks them (<br>)."""
    root = lxml_html.fragment_fromstring(fragment_html, create_parent="div")
    paragraphs = []
    for p in root.iter("p"):
        for br in p.iter("br"):
            br.tail = "\u2028" + (br.tail or "")
        text = " ".join(p.text_content().split("\n"))
        paragraphs.append([" ".join(line.split()) for line in text.split("\u2028")])
    return paragraphs


@pytest.mark.parametrize("line_breaks", [False, True], ids=["standard", "line-breaks"])
@pytest.mark.parametrize("body, lines, numbered", [(EN_BODY, EN_LINES, EN_NUMBERED), (KO_BODY, KO_LINES, KO_NUMBERED)],
                         ids=["en", "ko"])
def test_check_list_lines_stay_separate_lines(body, lines, numbered, line_breaks):
    paragraphs = shown_lines(render_markdown(body, MarkdownConfig(line_breaks=line_breaks)).html)
    assert lines in paragraphs and numbered in paragraphs


def test_ordinary_lines_still_join_into_one_paragraph():
    paragraphs = shown_lines(render_markdown("The first line\ncontinues here.\n✔ A checked point\n",
                                             MarkdownConfig()).html)
    assert paragraphs == [["The first line continues here.", "✔ A checked point"]]


@pytest.mark.parametrize("marker", ["✔", "✔️", "✅", "☑️", "👉", "👉🏻", "➡️", "▶", "※", "•", "5️⃣", "🔟"])
def test_every_list_marker_starts_a_line(marker):
    paragraphs = shown_lines(render_markdown(f"{marker} one\n{marker} two\n", MarkdownConfig()).html)
    assert paragraphs == [[f"{marker} one", f"{marker} two"]]


@pytest.mark.parametrize("text", ["```\n✔ one\n✔ two\n```\n", "    ✔ one\n    ✔ two\n", "`✔ one\n✔ two`\n"],
                         ids=["fenced", "indented", "code-span"])
def test_code_is_left_as_written(text):
    out = render_markdown(text, MarkdownConfig()).html
    assert "<br>" not in out and "✔ one\n✔ two" in out


def test_pages_and_feeds_show_each_list_line_in_both_languages(site_factory):
    site = site_factory({
        "posts/en/lip-flip.md": post_text("Lip flip", body=EN_BODY),
        "posts/ko/lip-flip.md": post_text("립 플립", body=KO_BODY),
    }, config=MINIMAL_CONFIG + "\n[markdown]\nline_breaks = false\n")
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    for lang, lines, numbered in (("en", EN_LINES, EN_NUMBERED), ("ko", KO_LINES, KO_NUMBERED)):
        page = lxml_html.parse(str(site / "output" / lang / "posts" / "lip-flip" / "index.html")).getroot()
        body = page.cssselect("article")[0]
        paragraphs = shown_lines(lxml_html.tostring(body, encoding="unicode"))
        assert lines in paragraphs and numbered in paragraphs, lang
        for name in ("feed.xml", "atom.xml"):
            feed = feedparser.parse((site / "output" / lang / name).read_bytes())
            assert not feed.bozo, feed.get("bozo_exception")
            paragraphs = shown_lines(feed.entries[0].content[0].value)
            assert lines in paragraphs and numbered in paragraphs, (lang, name)
