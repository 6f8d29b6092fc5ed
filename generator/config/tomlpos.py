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
_AT_END = "(at end of document)"
# What a TOML value can start with: a string, a list, an inline table, a number, a date, true or false.
_VALUE_START = re.compile(r"""["'\[{]|[+-]?(?:\d|inf\b|nan\b)|(?:true|false)\b""")
_STRING = re.compile(r"'[^']*'" + r'|"(?:[^"\\]|\\.)*"')  # a string within one line
_ESCAPE = re.compile(r'\\(?:[btnfre"\\]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})')


def explain_toml_error(text: str, line: int, library_message: str) -> tuple[int, str, str]:
    """(line, message, hint) for a file tomllib refused, worked out from what the file holds where tomllib
    stopped: its own wording belongs to one Python version and is shown only when nothing here fits."""
    lines = text.split("\n")
    if library_message.endswith(_AT_END):
        line = text.rstrip().count("\n") + 1
        if _open_brackets(lines):
            return line, "the file ends inside a list [...] or a table {...}", "close it with ] or }"
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    still_open = _open_brackets(lines[: line - 1])
    if still_open:
        bracket, opened = still_open[-1]
        return (opened, "a list [...] opened on this line is not closed", "end the list with ]") if bracket == "[" \
            else (opened, "a table {...} opened on this line is not closed", "end it with } on the same line")
    for number, earlier in enumerate(lines[: line - 1], start=1):  # a string left open stops tomllib later on
        key = _KEY.match(earlier)
        problem = _value_problem(earlier[key.end():].strip()) if key else None
        if problem:
            return number, *problem
    tables, keys, table = _defined_before(lines[: line - 1])
    stripped = source.strip()
    if stripped.startswith("["):
        closing = "]]" if stripped.startswith("[[") else "]"
        header = _HEADER.match(source)
        if not header or not stripped.split("#")[0].rstrip().endswith(closing):
            return line, f"a table header is missing its closing {closing}", "write table headers as [clinic]"
        name = _split_dotted(header.group(1))
        if closing == "]" and name in tables:
            shown = ".".join(name)
            return line, f"the table [{shown}] is given twice", f"merge the two [{shown}] tables into one"
    key = _KEY.match(source)
    if key:
        path = table + _split_dotted(key.group(1))
        if any(path[:end] in keys for end in range(len(table) + 1, len(path) + 1)):
            return line, "a key is given twice in the same table", "keep one of the two lines"
        problem = _value_problem(source[key.end():].strip())
        if problem:
            return line, *problem
        if _open_brackets([source])[:1] == [("{", 1)]:
            return line, "a table {...} is not closed", "end it with } on the same line"
    elif stripped and not stripped.startswith(("[", "#")):
        return line, "a line has no '=' after its key", 'write key = value, as in title = "My Blog"'
    return line, library_message.removesuffix(_AT_END).strip(), _GENERIC_HINT


def _value_problem(value: str) -> tuple[str, str] | None:
    """What is wrong with the one-line value after '=', if this module can tell."""
    unclosed = "a text value is not closed before the end of the line", 'end it with a closing quote: title = "My Blog"'
    if value.startswith(('"""', "'''")):
        return None
    if value.startswith('"'):
        index = 1
        while index < len(value) and value[index] != '"':
            if value[index] == "\\":
                escape = _ESCAPE.match(value, index)
                if not escape:
                    return "a backslash in a text value starts an escape", \
                        "double it (\\\\) or put the text in single quotes"
                index = escape.end()
            else:
                index += 1
        return unclosed if index >= len(value) else None
    if value.startswith("'"):
        return unclosed if "'" not in value[1:] else None
    if not _VALUE_START.match(value):
        return "the value after '=' is not valid", 'text needs quotes: title = "My Blog"; numbers and true/false do not'
    return None


def _defined_before(lines: list[str]) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]], tuple[str, ...]]:
    """The [tables] and dotted keys these lines define, and the table the next line belongs to."""
    tables: set[tuple[str, ...]] = set()
    keys: set[tuple[str, ...]] = set()
    table: tuple[str, ...] = ()
    for line in lines:
        header = _HEADER.match(line)
        if header:
            table = _split_dotted(header.group(1))
            if not line.strip().startswith("[["):
                tables.add(table)
            keys = {key for key in keys if key[: len(table)] != table} if line.strip().startswith("[[") else keys
            continue
        key = _KEY.match(line)
        if key:
            keys.add(table + _split_dotted(key.group(1)))
    return tables, keys, table


def _open_brackets(lines: list[str]) -> list[tuple[str, int]]:
    """The [ and { of values still open after these lines, innermost last, with their 1-based lines.
    Strings within a line and comments are skipped; a [table] header is not a list."""
    stack: list[tuple[str, int]] = []
    for number, line in enumerate(lines, start=1):
        key = None if stack else _KEY.match(line)
        if not stack and not key:
            continue
        index = key.end() if key else 0
        while index < len(line):
            char = line[index]
            if char in "\"'":
                string = _STRING.match(line, index)
                if not string:
                    break
                index = string.end()
                continue
            if char == "#":
                break
            if char in "[{":
                stack.append((char, number))
            elif char in "]}" and stack:
                stack.pop()
            index += 1
    return stack
