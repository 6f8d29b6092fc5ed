"""Front-matter keys set by editing the post's text line by line. Writing the parsed YAML back would
lose the writer's comments, key order, quoting and line endings; here every line but the one set (or
added) stays byte for byte as it was saved."""
from __future__ import annotations

import json
import re
from typing import Sequence

from generator.content.front_matter import reads_as_text

FENCE = re.compile(r"-{3,}\s*")  # a whole line: the boundary the front-matter reader splits on
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # a line and its own ending, kept as written


class FrontMatterEditError(Exception):
    """The front-matter is not laid out as key: value lines this editor can change safely."""


class _Lines:
    """A post's lines with their endings, and where its front-matter ends."""

    def __init__(self, text: str):
        self.items = _LINE.findall(text)
        if not self.items or not FENCE.fullmatch(self.content(0)):
            raise FrontMatterEditError("the post does not start with a --- line")
        self.close = next((i for i in range(1, len(self.items)) if FENCE.fullmatch(self.content(i))), None)
        if self.close is None:
            raise FrontMatterEditError("the front-matter has no closing --- line")
        keyed = [self.content(i) for i in range(1, self.close)
                 if self.content(i).strip() and not self.content(i).lstrip().startswith("#")]
        self.indent = keyed[0][: len(keyed[0]) - len(keyed[0].lstrip())] if keyed else ""
        self.newline = self.items[0][len(self.content(0)):] or "\n"

    def content(self, index: int) -> str:
        return self.items[index].rstrip("\r\n")

    def key_line(self, key: str) -> int | None:
        """The index of the line where the top-level key is written, if it is."""
        pattern = re.compile(rf"{re.escape(self.indent)}([\"']?){re.escape(key)}\1[ \t]*:(?:[ \t]|$)")
        return next((i for i in range(1, self.close) if pattern.match(self.content(i))), None)

    def value_end(self, index: int) -> int:
        """The index after the key's last line: a value may go on in more indented lines below it."""
        end = index + 1
        for following in range(index + 1, self.close):
            text = self.content(following)
            if not text.strip():
                continue
            if len(text) - len(text.lstrip()) <= len(self.indent):
                break
            end = following + 1
        return end


def set_front_matter(text: str, values: Sequence[tuple[str, str]], after: str) -> str:
    """text with each (key, value) set: a key already there is replaced on its own line (its comment
    kept), a missing one is added below the key before it in values, the first below `after` (or at
    the end of the front-matter when `after` is not there)."""
    anchor = after
    for key, value in values:
        lines = _Lines(text)
        found = lines.key_line(key)
        if found is not None:
            replaced = _replaced(lines.content(found), key, value) + lines.items[found][len(lines.content(found)):]
            lines.items[found: lines.value_end(found)] = [replaced]
        else:
            below = lines.key_line(anchor)
            at = lines.value_end(below) if below is not None else lines.close
            lines.items.insert(at, f"{lines.indent}{key}: {_written(value, '')}{lines.newline}")
        text, anchor = "".join(lines.items), key
    return text


def _replaced(line: str, key: str, value: str) -> str:
    """`key: old  # comment` -> `key: new  # comment`, spacing and quoting style kept."""
    match = re.fullmatch(rf"([ \t]*[\"']?{re.escape(key)}[\"']?)([ \t]*:[ \t]*)(.*?)([ \t]+#.*)?", line)
    if match is None:  # key_line matched this line, so this cannot happen; say so rather than guess
        raise FrontMatterEditError(f"cannot read the line '{line}'")
    lead, separator, old, comment = match.groups()
    if not separator.endswith((" ", "\t")):
        separator += " "
    return f"{lead}{separator}{_written(value, old)}{comment or ''}"


def _written(value: str, old: str) -> str:
    """The value as YAML text: in the quotes the old value used, else plain when it reads back as
    the same text, else in double quotes."""
    if old.startswith("'") and "'" not in value:
        return f"'{value}'"
    if old.startswith('"') or not reads_as_text(value):
        return json.dumps(value, ensure_ascii=False)
    return value
