"""A post's tags as written -> the topics it is listed under.

A tag names a page (/<lang>/tags/<tag>/), so it is cleaned the way writers expect: a leading '#'
(hashtag habit) is dropped, a second spelling that differs only in letter case is one topic (the first
spelling wins), and characters that cannot be part of a page address are refused.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from generator.config.textfiles import describe_char

# '/' is fine ("before/after" makes tags/before-after/); '..' and '\' could climb out of tags/.
_UNSAFE = re.compile(r"[\\\x00-\x1f\x7f-\x9f]|\.\.")
_NOT_WORDS = re.compile(r"[/\\\x00-\x1f\x7f-\x9f]|\.\.")


@dataclass(frozen=True, slots=True)
class Tags:
    """What a post's tags: list comes to."""

    tags: tuple[str, ...]  # the topics, first spelling of each
    repeated: tuple[tuple[str, str], ...]  # (spelling dropped as written, the tag it repeats)
    problems: tuple[tuple[str, str | None], ...]  # (message, hint) of tags that cannot be used


def normalize_tags(values: list[str]) -> Tags:
    """Strip, NFC, drop leading '#'; merge repeats regardless of letter case; refuse path characters."""
    kept: dict[str, str] = {}  # casefolded -> first spelling
    repeated: list[tuple[str, str]] = []
    problems: list[tuple[str, str | None]] = []
    for written in values:
        tag = unicodedata.normalize("NFC", written).strip().lstrip("#").strip()
        if not tag:
            problems.append((f"tag '{written.strip()}' has no words after its '#'" if written.strip() else
                             "'tags' has an empty tag", "remove it, or write a topic: tags: [lip filler, aftercare]"))
            continue
        unsafe = _UNSAFE.search(tag)
        if unsafe:
            problems.append(_unsafe_problem(tag, unsafe.group()))
            continue
        if not any(c.isalnum() for c in tag):
            problems.append((f"tag '{tag}' has no letters or digits, so it cannot be a page address",
                             "write the topic in words, e.g. tags: [lip filler, aftercare]"))
            continue
        key = tag.casefold()
        if key in kept:
            repeated.append((written.strip(), kept[key]))
        else:
            kept[key] = tag
    return Tags(tuple(kept.values()), tuple(repeated), tuple(problems))


def _unsafe_problem(tag: str, found: str) -> tuple[str, str | None]:
    what = f"'{found}'" if found in ("..", "\\") else f"the control character {describe_char(found)}"
    shown = " ".join(tag.split()) if what.startswith("the control") else tag
    message = f"tag '{shown}' has {what}, which cannot be part of its page's address (tags/<tag>/)"
    words = " ".join(_NOT_WORDS.sub(" ", tag).split())
    if words and any(c.isalnum() for c in words):
        return message, f"write it without, e.g. '{words}'"
    return message, "write the topic in words, e.g. tags: [lip filler, aftercare]"
