"""A post's front-matter as its writer laid it out: a save that writes every key anew (the browser
editor's, Decap CMS, both in `serve --edit` and through GitHub) keeps the writer's lines wherever it
left the values as they were."""
from __future__ import annotations

import re

import yaml
from frontmatter.default_handlers import YAMLHandler

_TOP_KEY = re.compile(r"^([^\s#:'\"-][^:]*):(?:\s|$)")


def keep_layout(old: str, new: str) -> str:
    """The editor's save (new) with the front-matter lines of the file it replaces (old) wherever their
    values are unchanged: the editor writes every key anew (its quoting, its order, its dates), which
    would turn a one-word fix into a diff of the whole front-matter and lose the writer's comments.
    Changed keys take the editor's lines (after the comments above them), keys it added follow, keys it
    removed go; the body is the editor's. Whenever the result would not read as the editor's save, the
    save is kept as it is."""
    old_parts, new_parts = _front_and_body(old), _front_and_body(new)
    if not old_parts or not new_parts:
        return new
    try:
        old_values, new_values = (yaml.safe_load(front) or {} for front, _ in (old_parts, new_parts))
    except yaml.YAMLError:
        return new
    old_blocks, new_blocks = _key_blocks(old_parts[0]), _key_blocks(new_parts[0])
    if not isinstance(old_values, dict) or not isinstance(new_values, dict) or old_blocks is None or new_blocks is None:
        return new
    lines = []
    for key, (above, own) in old_blocks.items():
        if key in new_values and key in new_blocks:
            unchanged = key in old_values and old_values[key] == new_values[key]
            lines.append(above + (own if unchanged else new_blocks[key][1]))  # a changed key keeps its comments
    lines += [above + own for key, (above, own) in new_blocks.items() if key not in old_blocks]
    front = "".join(lines)
    try:
        if yaml.safe_load(front or "") != new_values:
            return new
    except yaml.YAMLError:
        return new
    return f"---\n{front}---\n{new_parts[1]}"


def _front_and_body(text: str) -> tuple[str, str] | None:
    """The front-matter's lines and the body, split as posts are read (python-frontmatter); None without one."""
    handler = YAMLHandler()
    if not handler.detect(text):
        return None
    try:
        front, body = handler.split(text)
    except ValueError:
        return None
    return front.removeprefix("\n"), body.removeprefix("\n")


def _key_blocks(front: str) -> dict[str, tuple[str, str]] | None:
    """Each top-level key's comment and blank lines just above it, and its own lines, in order; None when
    a key repeats."""
    blocks: dict[str, list[str]] = {}
    pending, key = "", None
    for line in front.splitlines(keepends=True):
        found = _TOP_KEY.match(line)
        if found:
            key = found.group(1).strip()
            if key in blocks:
                return None
            blocks[key], pending = [pending, line], ""
        elif key is not None and (line.startswith((" ", "\t", "-")) and not pending):
            blocks[key][1] += line  # the key's value, on the lines below it
        else:
            pending += line  # a comment or blank line: it belongs to the key below it
    if pending and key is not None:
        blocks[key][1] += pending
    return {key: (above, own) for key, (above, own) in blocks.items()}
