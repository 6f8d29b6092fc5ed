"""A shortcut through Python-Markdown's inline processing, the one place that relies on its private API.

It overrides the name-mangled `InlineProcessor.__handleInline`, so it is switched on only for the
Python-Markdown versions it was tested against (the whole Markdown test suite compares its output
with stock Python-Markdown); pyproject.toml bounds `markdown` to the same range.
"""
from __future__ import annotations

import re

import markdown
from markdown.treeprocessors import InlineProcessor

TESTED_VERSIONS = ((3, 5), (3, 12))  # from, up to but not including


# The characters without which each inline pattern (by its name in Python-Markdown) cannot match.
INLINE_PATTERN_TRIGGERS = {
    "backtick": "`", "escape": "\\", "reference": "[", "link": "[", "image_link": "[", "image_reference": "[",
    "short_reference": "[", "short_image_ref": "[", "autolink": "<", "automail": "<", "linebreak": "\n",
    "html": "<", "entity": "&", "em_strong": "*_", "em_strong2": "_", "not_strong": "*_", "footnote": "[",
    "nl": "\n", "clinicpress_list_lines": "\n",
}


class _QuickInline(InlineProcessor):
    """Python-Markdown tries every inline pattern, one after the other, on each piece of text. Most
    sentences of a clinic post hold none of the characters those patterns start with: such text is
    passed over at once, which saves a fifth of the Markdown time. The output is the same."""

    def __init__(self, md: markdown.Markdown, triggers: str):
        super().__init__(md)
        self.inlinePatterns = tuple(md.inlinePatterns)  # in priority order, resolved once, not per lookup
        self._may_match = re.compile("[" + re.escape(triggers) + "]").search

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if patternIndex == 0 and self._may_match(data) is None:
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


def quicken_inline(md: markdown.Markdown) -> bool:
    """Use _QuickInline when every registered inline pattern is a known one and Python-Markdown is a
    version it was tested on; another version, or an extension with other patterns, keeps the stock
    processor. Returns whether the shortcut is in use."""
    if not TESTED_VERSIONS[0] <= _version(markdown.__version__) < TESTED_VERSIONS[1]:
        return False
    names = [name for name in INLINE_PATTERN_TRIGGERS if name in md.inlinePatterns]
    if len(names) != len(md.inlinePatterns) or not hasattr(InlineProcessor, "_InlineProcessor__handleInline"):
        return False
    triggers = "".join(sorted({char for name in names for char in INLINE_PATTERN_TRIGGERS[name]}))
    md.treeprocessors.register(_QuickInline(md, triggers), "inline", 20)
    return True


def uses_quick_inline(md: markdown.Markdown) -> bool:
    return isinstance(md.treeprocessors["inline"], _QuickInline)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])
