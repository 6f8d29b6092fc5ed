"""YAML front-matter: split from the Markdown body and read safely, each problem placed on its file line.

Only plain YAML is accepted (text, numbers, true/false, lists, mappings): tags (!!python/..., !include)
and aliases (*name) are refused before anything is constructed, so no input can build objects or
expand into a billion-element value."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import yaml
from frontmatter.default_handlers import YAMLHandler

from generator.errors import Diagnostic, error
from generator.config.textfiles import decode_text, invisible_character, invisible_in_values
from generator.content.models import SourceFile

_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ten times faster
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}"
                       for name in ("str", "int", "float", "bool", "null", "seq", "map", "merge"))
MAX_DEPTH = 16  # lists and mappings inside one another, the front-matter itself being the first
DEPTH_HINT = "front-matter values are text, lists or short mappings"
QUOTE_HINT = 'values with ": " or " #" in them need quotes: title: "Lips: a guide"'


class _PostYAMLLoader(_SafeBase):
    """Safe YAML that keeps dates as text, so they are validated with clear messages."""


_PostYAMLLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class FrontMatter:
    data: dict
    key_lines: dict[str, int]  # top-level key -> file line
    body: str
    body_line: int  # file line where the Markdown body starts


def split_post(text: str, path: str) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """Decoded post text -> front-matter and body, or the diagnostics that explain why not."""
    if not text.strip():
        return None, [error(path, 1, "the file is empty",
                            "a post starts with front-matter between --- lines: title, date, description")]
    invisible = invisible_character(text, path)
    if invisible:
        return None, [invisible]
    handler = YAMLHandler()
    if not handler.detect(text):
        return None, [error(path, 1, "the post has no front-matter",
                            "did you forget `---`? The first line must be --- and the front-matter end with ---")]
    try:
        front_matter, body = handler.split(text)
    except ValueError:
        return None, [error(path, 1, "the front-matter is not closed",
                            "did you forget `---`? Add a line with --- after the last front-matter key")]
    # Lines are counted from where the front-matter really starts, so YAML marks map to file lines.
    first_line = text[: text.index(front_matter)].count("\n") + 1
    body_start = len(text) - len(body)
    if body.startswith("\n"):
        body, body_start = body[1:], body_start + 1
    body_line = text[:body_start].count("\n") + 1
    data, key_lines, diagnostics = _load(front_matter, path, first_line)
    diagnostics += _text_cut_by_comment(front_matter, path, first_line) if data is not None else []
    if data is None or diagnostics:
        return None, diagnostics
    return FrontMatter(data, key_lines, body, body_line), []


def declared_translation_key(source: SourceFile) -> str:
    """The translation key of a post that could not be parsed, as far as its front-matter can be read
    (else the file name, the default): `check` then knows which post it would have translated."""
    try:
        text, problem = decode_text(source.read(), source.path)
    except OSError:
        return source.name
    parts = None if problem else split_post(text, source.path)[0]
    value = parts.data.get("translation_key") if parts else None
    return value.strip() if isinstance(value, str) and value.strip() else unicodedata.normalize("NFC", source.name)


def reads_as_text(value: str) -> bool:
    """Whether `key: value` written without quotes reads back as that text (not a number, true/false or null)."""
    loader = _PostYAMLLoader(f"key: {value}\n")
    try:
        return loader.get_single_data() == {"key": value}
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()


def _load(front_matter: str, path: str, first_line: int) -> tuple[dict | None, dict[str, int], list[Diagnostic]]:
    loader = _PostYAMLLoader(front_matter)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, [error(path, first_line, "the front-matter is empty", "add at least title: and date:")]
        if not isinstance(node, yaml.MappingNode):
            line = node.start_mark.line + first_line
            if isinstance(node, yaml.SequenceNode):
                return None, {}, [error(path, line, "the front-matter must be 'key: value' lines, not a list",
                                        "write title: My post, not '- title: My post'")]
            return None, {}, [error(path, line, "the front-matter must be 'key: value' lines, not plain text",
                                    "start with lines such as title: My post and date: 2026-07-03")]
        key_lines, problems = _check_nodes(node, path, first_line)
        if problems:
            return None, {}, problems
        data = loader.construct_document(node)
    except (yaml.MarkedYAMLError, RecursionError) as exc:
        # Deep input stops some YAML versions with an error of their own (a libyaml scanner limit, Python's
        # recursion limit): the depth is measured here instead, so the message is the same on every version.
        too_deep = _nested_too_deeply(front_matter, path, first_line)
        if too_deep or isinstance(exc, RecursionError):
            return None, {}, [too_deep or _too_deep_error(path, first_line)]
        return None, {}, [_syntax_error(exc, front_matter, path, first_line)]
    except yaml.YAMLError as exc:  # a reader error without a mark; invisible characters are caught before
        return None, {}, [error(path, first_line, f"invalid front-matter: {exc}")]
    finally:
        loader.dispose()
    return data, key_lines, _escaped_invisible(data, key_lines, path)


def _check_nodes(root: yaml.MappingNode, path: str, first_line: int) -> tuple[dict[str, int], list[Diagnostic]]:
    """Keys that are names and given once; no tags, aliases or runaway nesting under them."""
    key_lines: dict[str, int] = {}
    problems: list[Diagnostic] = []
    seen: set[int] = set()
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + first_line
        if key_node.tag != "tag:yaml.org,2002:str" or not isinstance(key_node, yaml.ScalarNode):
            shown = f"'{key_node.value}'" if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
            problems.append(error(path, line, f"{shown} cannot be a front-matter key",
                                  "keys are names such as title: or date:"))
            continue
        key = key_node.value
        if key in key_lines:
            problems.append(error(path, line, f"'{key}' is given twice (first on line {key_lines[key]})",
                                  "keep one of the two lines"))
            continue
        key_lines[key] = line
        problem = _check_value(value_node, line, seen, path, first_line)
        if problem:
            problems.append(problem)
    return key_lines, problems


def _check_value(value: yaml.Node, line: int, seen: set[int], path: str, first_line: int) -> Diagnostic | None:
    stack = [(value, 2)]  # (node, its nesting level), in document order; the front-matter is level 1
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            return error(path, line, "anchors and aliases (&name, *name) are not supported in front-matter",
                         "write the value out in full; a value that starts with * or & needs quotes")
        seen.add(id(node))
        if node.tag not in PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            return error(path, node.start_mark.line + first_line, f"the YAML tag '{tag}' is not allowed",
                         "front-matter holds plain text, numbers, lists and true/false; "
                         "a value that starts with ! needs quotes")
        if isinstance(node, yaml.CollectionNode) and depth > MAX_DEPTH:
            return _too_deep_error(path, node.start_mark.line + first_line)
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in reversed(node.value) for child in reversed(pair))
    return None


def _nested_too_deeply(front_matter: str, path: str, first_line: int) -> Diagnostic | None:
    """The line where lists and mappings inside one another first go past MAX_DEPTH, read from YAML's
    events one at a time (the pure-Python parser: no node is built and no look-ahead limit is hit)."""
    depth = 0
    try:
        for event in yaml.parse(front_matter, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _too_deep_error(path, event.start_mark.line + first_line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # broken before it got too deep: the syntax error is the one to report
    return None


def _too_deep_error(path: str, line: int) -> Diagnostic:
    return error(path, line, f"front-matter is nested too deeply (more than {MAX_DEPTH} levels)", DEPTH_HINT)


def _escaped_invisible(data: dict, key_lines: dict[str, int], path: str) -> list[Diagnostic]:
    """Control characters written as escapes ("\\0", "\\x07") survive YAML; no page or feed can carry them."""
    found = {key_path[0]: char for key_path, char in invisible_in_values(data) if key_path}
    return [error(path, key_lines.get(key, 1), f"'{key}' contains the control character {char}",
                  "remove the \\ escape that writes it") for key, char in sorted(found.items())]


_COMMENTED_TEXT = re.compile(r"^\s*(?:-\s+)?(title|description|image_alt|q|a):[ \t]+([^\s\"'|>\[{!&*#][^#]*?)\s+#(.*)$")


def _text_cut_by_comment(front_matter: str, path: str, first_line: int) -> list[Diagnostic]:
    """An unquoted ' #' starts a YAML comment, so `title: Lips #1 guide` would silently become 'Lips'."""
    problems = []
    for number, line in enumerate(front_matter.split("\n")):
        match = _COMMENTED_TEXT.match(line)
        if match:
            key, kept, cut = match.groups()
            whole = f"{kept} #{cut}".strip().replace('"', '\\"')
            problems.append(error(path, number + first_line,
                                  f"'{key}' would stop before ' #': YAML reads the rest of the line as a comment",
                                  f'put the whole text in quotes: {key}: "{whole}"'))
    return problems


_QUOTE_OPENED = re.compile(r"""^\s*(?:-\s+)?(?:[^\s"'#][^:#]*:\s+)?(["'])(.*)$""")


def _unclosed_quote_line(lines: list[str], last: int) -> tuple[int, str] | None:
    """The first line up to `last` (0-based) whose value opens a quote it does not close."""
    for number, line in enumerate(lines[: last + 1]):
        match = _QUOTE_OPENED.match(line)
        if not match:
            continue
        quote, rest = match.groups()
        closed = re.search(r'(?<!\\)"', rest) if quote == '"' else "'" in rest.replace("''", "")
        if not closed:
            return number, quote
    return None


_NO_SPACE_AFTER_COLON = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*):[^\s/]")
_VALUE_START = re.compile(r"^\s*(?:-\s+)?[^\s:#]+:\s+")


def _syntax_error(exc: yaml.MarkedYAMLError, front_matter: str, path: str, first_line: int) -> Diagnostic:
    """Say what the writer should change, worked out from where YAML stopped and what the text holds there:
    never from YAML's own words, which differ between libyaml and pure-Python PyYAML and between versions."""
    line, message, hint = _explain(exc, front_matter.split("\n"))
    return error(path, line + first_line, f"invalid front-matter: {message}", hint)


_DOUBLE_QUOTED_ESCAPES = frozenset('0abt\tnvfre "/\\N_LP \n')
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_INDICATORS = "*&@`%|>!"  # characters that start YAML syntax, not text, at the beginning of a value


def _quote_problem(lines: list[str], opened: yaml.Mark) -> tuple[int, str] | None:
    """For a quote at `opened`: ("escape", line) for a backslash that starts no escape, ("unclosed", line)
    for a quote never closed, None for a quote closed properly (or no quote there)."""
    quote = lines[opened.line][opened.column:][:1]
    if quote not in ("'", '"'):
        return None
    text = "\n".join([lines[opened.line][opened.column + 1:]] + lines[opened.line + 1:])
    index = 0
    while index < len(text):
        char = text[index]
        if quote == "'" and char == "'":
            if text[index + 1: index + 2] != "'":
                return None
            index += 1
        elif quote == '"' and char == '"':
            return None
        elif quote == '"' and char == "\\":
            escape = text[index + 1: index + 2]
            digits = _HEX_ESCAPES.get(escape, 0)
            hex_digits = text[index + 2: index + 2 + digits]
            if not (escape in _DOUBLE_QUOTED_ESCAPES and escape
                    or digits and len(hex_digits) == digits and all(c in "0123456789abcdefABCDEF" for c in hex_digits)):
                return "escape", opened.line + text[:index].count("\n")
            index += 1 + digits
        index += 1
    return "unclosed", opened.line


def _explain(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str, str]:
    """(0-based line, message, hint), most specific explanation first."""
    mark = exc.problem_mark or exc.context_mark
    at, column = (mark.line, mark.column) if mark else (0, 0)
    text = lines[at] if at < len(lines) else ""
    rest = text[column:]
    opened = exc.context_mark
    quoted = _quote_problem(lines, opened) if opened is not None else None
    if quoted and quoted[0] == "escape":
        return quoted[1], "a \\ escape in a quoted value is not a character", \
            "write the character itself, or use single quotes, in which \\ is an ordinary character"
    if quoted:
        quote = lines[opened.line][opened.column]
        return opened.line, f"the quote ({quote}) opened on this line is not closed", \
            f"end the value with a closing {quote}, or remove the opening one"
    if opened is not None and lines[opened.line][opened.column:][:1] in ("[", "{"):
        bracket = lines[opened.line][opened.column]
        closing = "]" if bracket == "[" else "}"
        return opened.line, f"the {bracket} opened on this line is not closed", \
            f"end it with {closing}; an item with a comma or colon in it needs quotes"
    if "\t" in text[: len(text) - len(text.lstrip())] or rest[:1] == "\t":
        return at, "a tab is used to indent this line", "indent front-matter with spaces, not tabs"
    for number, earlier in enumerate(lines[: at + 1]):
        match = _NO_SPACE_AFTER_COLON.match(earlier)
        if match:
            key = match.group(1)
            return number, f"'{key}:' needs a space after the colon", \
                f"write {key}: {earlier.split(':', 1)[1].strip()}"
    unclosed = _unclosed_quote_line(lines, at)
    if unclosed:
        number, quote = unclosed
        return number, f"the quote ({quote}) opened on this line is not closed", \
            f"end the value with a closing {quote}, or remove the opening one"
    if isinstance(exc, yaml.scanner.ScannerError) and rest[:1] == ":":  # a ': ' where no value may start
        if at > 0 and text[:1] == " " and not lines[at - 1].rstrip().endswith(":"):
            return at, "this line is indented, so it reads as part of the line above", \
                "start the key at the beginning of the line"
        return at, "a value contains ': ' and needs quotes", QUOTE_HINT
    value_start = _VALUE_START.match(text)
    value = text[value_start.end():] if value_start else rest
    if value[:1] and value[:1] in _INDICATORS:
        char, shown = value[:1], value.strip().replace('"', '\\"')
        return at, f"a value that starts with {char} needs quotes", \
            f'write it in quotes: {text[: len(text) - len(value)].strip()} "{shown}"'
    if value_start and column > value_start.end():
        key = text[: value_start.end()].strip()
        return at, "there is more on this line after the value has ended", \
            f"remove what follows the value, or put all of it in single quotes: {key} '{value.strip()}'"
    if isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError)):
        return at, "this line does not line up with the lines above", \
            "keys start at the beginning of the line; items of a list line up under each other"
    return at, exc.problem or "not valid YAML", QUOTE_HINT
