"""Text the user saved (posts, site.toml): decoded as UTF-8, with messages that name the editor's mistake."""
from __future__ import annotations

import re
from typing import Any, Iterator

from generator.errors import Diagnostic

# Characters XML 1.0 forbids or discourages: no feed could carry them, and no editor shows them. They
# arrive pasted from word processors (U+000B is Word's line break), from text converted twice (U+0092 is
# a Windows curly quote gone wrong) or written as escapes such as "\0".
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
UTF8_HINT = "save the file again in your editor, choosing the encoding UTF-8"

# Hangul jamo, compatibility jamo and syllables: the one definition of "Korean script" in the package.
HANGUL_CHARS = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
HANGUL = re.compile(f"[{HANGUL_CHARS}]")


def decode_text(raw: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
    """UTF-8 text (a BOM is fine) with line endings made \\n; or an error saying how to fix the file."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Diagnostic("error", path, 1, "the file is saved as UTF-16, not UTF-8", UTF8_HINT)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = UTF8_HINT
        if _looks_korean_legacy(raw):
            hint = "the file looks saved as EUC-KR (CP949), as older Korean editors do; " + UTF8_HINT
        return None, Diagnostic("error", path, line, f"the file is not valid UTF-8 text (byte 0x{raw[exc.start]:02x})",
                                hint)
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def _looks_korean_legacy(raw: bytes) -> bool:
    try:
        text = raw.decode("cp949")
    except UnicodeDecodeError:
        return False
    return HANGUL.search(text) is not None


def describe_char(char: str) -> str:
    return f"U+{ord(char):04X}"


def invisible_character(text: str, path: str) -> Diagnostic | None:
    """The first character of `text` that a page or feed cannot carry, located by line and column."""
    found = INVISIBLE.search(text)
    if not found:
        return None
    start = found.start()
    line = text.count("\n", 0, start) + 1
    column = start - text.rfind("\n", 0, start)
    return Diagnostic("error", path, line, f"invisible control character {describe_char(found.group())}",
                      "delete it (retype the text around it); it usually comes along when text is pasted "
                      "from a word processor or a chat app", column=column)


def invisible_in_values(value: Any, key_path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(key path, character) for each parsed string holding a character no page can carry: YAML and
    TOML let escapes such as "\\0" or "\\u0007" write them."""
    stack = [(key_path, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            found = INVISIBLE.search(item)
            if found:
                yield path, describe_char(found.group())
        elif isinstance(item, dict):
            stack.extend((path + (key,), child) for key, child in item.items())
            stack.extend((path, key) for key in item)
        elif isinstance(item, (list, tuple)):
            stack.extend((path, child) for child in item)
