"""Hints that name a file or an id, computed from the site and checked before they are printed: a
name they suggest is free and valid, so following the hint never leads to the next error."""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Collection

from generator.config.loader import AUTHOR_ID
from generator.errors import did_you_mean


def free_post_name(stem: str, taken: Collection[str]) -> str:
    """stem.md, else stem-2.md, stem-3.md, ...: the first name that no name in taken has, ignoring
    letter case (one file on macOS and Windows)."""
    used = {name.casefold() for name in taken}
    name, number = f"{stem}.md", 2
    while name.casefold() in used:
        name, number = f"{stem}-{number}.md", number + 1
    return name


def unknown_author_hint(key: str, value: str, known: Collection[str]) -> str:
    """For `key: value` in a post when site.toml has no such author: the id it resembles, else a valid,
    free id with the [authors] table to add and the line to write in the post."""
    close = did_you_mean(value, known)
    if close:
        return close
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    candidate = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if candidate and candidate in known:  # 'Dr. Hong' for dr-hong
        return f"write {key}: {candidate}"
    if not candidate or not AUTHOR_ID.match(candidate):  # a name in Hangul: an id is Latin letters
        base = "reviewer" if key == "reviewed_by" else "author"
        candidate, number = base, 2
        while candidate in known:
            candidate, number = f"{base}-{number}", number + 1
    name = json.dumps(value, ensure_ascii=False) if candidate != value else '"..."'
    write = f" and write {key}: {candidate} in the post" if candidate != value else ""
    return f"add [authors.{candidate}] to site.toml{write}:\n[authors.{candidate}]\nname = {name}"
