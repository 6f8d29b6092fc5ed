"""Line numbers for keys in a TOML file, which tomllib does not report."""
from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+))*)\s*=""")
_TOML_ERROR_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def _split_dotted(key: str) -> tuple[str, ...]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_\-]+)', key)
    return tuple(a or b or c for a, b, c in parts)


class TomlLocator:
    """Maps dotted key paths such as ("languages", "ko", "title") to 1-based lines."""

    def __init__(self, text: str):
        self._lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                table = _split_dotted(header.group(1))
                self._lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self._lines.setdefault(table + _split_dotted(key.group(1)), number)

    def line(self, *path: str) -> int:
        """The line of the key, else of its nearest enclosing key or table, else 1."""
        for end in range(len(path), 0, -1):
            found = self._lines.get(tuple(path[:end]))
            if found:
                return found
        return 1


def toml_error_position(message: str) -> tuple[int, str]:
    """Split tomllib's "msg (at line N, column M)" into (N, msg)."""
    match = _TOML_ERROR_POS.search(message)
    if not match:
        return 1, message
    return int(match.group(1)), message[: match.start()].strip()


_GENERIC_HINT = 'text needs quotes: title = "My Blog"; tables look like [site]'


def explain_toml_error(message: str) -> tuple[str, str]:
    """tomllib's terse wording ("Invalid value") turned into what to change, and how."""
    declared = re.match(r"Cannot declare \((.*)\) twice", message)
    if declared:
        table = ".".join(re.findall(r"'([^']*)'", declared.group(1)))
        return f"the table [{table}] is given twice", f"merge the two [{table}] tables into one"
    if message.startswith("Illegal character '\\n'") or message == "Unterminated string":
        return "a text value is not closed before the end of the line", 'end it with a closing quote: title = "My Blog"'
    known = {
        "Cannot overwrite a value": ("a key is given twice in the same table", "keep one of the two lines"),
        "Invalid value": ("the value after '=' is not valid",
                          'text needs quotes: title = "My Blog"; numbers and true/false do not'),
        "Expected '=' after a key in a key/value pair": ("a line has no '=' after its key",
                                                         'write key = value, as in title = "My Blog"'),
        "Expected ']' at the end of a table declaration": ("a table header is missing its closing ]",
                                                          "write table headers as [clinic]"),
        "Unclosed array": ("a list [...] is not closed", "end the list with ]"),
        "Unclosed inline table": ("a table {...} is not closed", "end it with } on the same line"),
        "Unescaped '\\' in a string": ("a backslash in a text value starts an escape",
                                        "double it (\\\\) or put the text in single quotes"),
    }
    if message in known:
        return known[message]
    return message, _GENERIC_HINT
