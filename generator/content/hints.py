"""Hints that name a file or an id, computed from the site and checked before they are printed: a
name they suggest is free and valid, so following the hint never leads to the next error."""
from __future__ import annotations

import json
import re
import unicodedata
from typing import AbstractSet, Collection

from generator.config.loader import AUTHOR_ID, LANGUAGE_CODE
from generator.errors import did_you_mean


def free_post_name(stem: str, taken: Collection[str]) -> str:
    """stem.md, else stem-2.md, stem-3.md, ...: the first name that no name in taken has, ignoring
    letter case (one file on macOS and Windows)."""
    return free_name_among(stem, {name.casefold() for name in taken})


def free_name_among(stem: str, used: AbstractSet[str]) -> str:
    """free_post_name() when the names taken are case-folded already (one set for many posts)."""
    name, number = f"{stem}.md", 2
    while name.casefold() in used:
        name, number = f"{stem}-{number}.md", number + 1
    return name


def language_folder_hint(name: str, codes: tuple[str, ...], shown_posts: str) -> str:
    """For posts/<name>/ when name is not a language of the site: rename it, or add a language whose
    code site.toml accepts."""
    same = next((code for code in codes if code.casefold() == name.casefold()), None)
    if same:
        return f"rename the folder to {shown_posts}/{same}"
    languages = f"languages are: {', '.join(codes)}"
    if not LANGUAGE_CODE.match(name):  # no [languages.<name>] table can be added: rename
        return f"{languages}; rename the folder to one of them"
    return f"{languages}; add [languages.{name}] to site.toml or rename the folder"


def claim_post_name(stem: str, taken: set[str], renamed: str = "") -> str:
    """A free post name for a hint, kept from the next hint's suggestions; renamed: the file to rename,
    which may take a name that differs from its own in letter case only."""
    free = free_post_name(stem, taken - {renamed})
    taken.add(free)
    return free


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
