"""Check lists written the clinic-blog way stay one item a line, whatever `[markdown] line_breaks` says.

Posts list their points as lines that each start with a symbol instead of a Markdown list:

    ✔ Takes around 10 minutes
    ✔ No volume is added
    👉 The effect appears gradually over 3–7 days

Standard Markdown joins such lines into one paragraph. This extension puts a line break before every
line that starts with one of these markers. It is an inline pattern, so code spans, indented code and
fenced code (which Python-Markdown never hands to inline patterns) are left as written.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

# Symbols that start a list line in Korean and English clinic posts. A marker may carry an emoji
# variation selector (✔️, ➡️) or a skin tone (👉🏻); what follows the marker does not matter.
LIST_MARKERS = (
    "\u2714",      # ✔ heavy check mark
    "\u2713",      # ✓ check mark
    "\u2705",      # ✅ white heavy check mark (green box)
    "\u2611",      # ☑ ballot box with check
    "\U0001F449",  # 👉 backhand index pointing right
    "\u27A1",      # ➡ black rightwards arrow
    "\u25B6",      # ▶ black right-pointing triangle
    "\u25B7",      # ▷ white right-pointing triangle
    "\u203B",      # ※ reference mark
    "\u2022",      # • bullet
    "\u25AA",      # ▪ black small square
    "\u25A0",      # ■ black square
    "\u25CF",      # ● black circle
    "\u25C6",      # ◆ black diamond
    "\u2605",      # ★ black star
    "\U0001F4CC",  # 📌 pushpin
    "\U0001F51F",  # 🔟 keycap ten
)
KEYCAP = "[0-9#*]\uFE0F?\u20E3"  # 1️⃣ 2️⃣ ... 9️⃣: a digit, a variation selector, the combining keycap

# The newline before a list line; up to three spaces of indentation, as Markdown allows before a block.
LIST_LINE_BREAK = r"\n(?=[ ]{0,3}(?:[" + "".join(LIST_MARKERS) + "]|" + KEYCAP + "))"
PATTERN_NAME = "clinicpress_list_lines"


class _ListLineBreak(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str) -> tuple[etree.Element, int, int]:  # noqa: N802
        return etree.Element("br"), m.start(0), m.end(0)


class ListLinesExtension(Extension):
    """Registers the line break below `nl` (the line_breaks setting), which then yields the same <br>."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(_ListLineBreak(LIST_LINE_BREAK, md), PATTERN_NAME, 4)
