"""How deeply a post's Markdown nests, measured before Python-Markdown reads it.

Python-Markdown parses nested lists and emphasis by recursion and copies what is nested at every
level: a line of 500 list markers reaches Python's recursion limit, and a list indented one step more
on each of 2,000 lines takes minutes and gigabytes before it does. No post nests anything MAX_DEPTH
levels deep, so deeper Markdown is refused at the line where it goes too deep.

The scan is one pass over the lines and mirrors what Python-Markdown reads as nesting: list markers,
`>` and indentation (four columns a level) at the start of a line; `*` and `_` emphasis and `[`
brackets inside it. It skips fenced and indented code, where nothing nests, and it errs on the side
of counting: an emphasis or bracket left open counts until its paragraph or list item ends.
"""
from __future__ import annotations

import re
from collections import deque

from generator.errors import Diagnostic, error

MAX_DEPTH = 32
BLOCK_HINT = (f"lists, > quotes and indentation go at most {MAX_DEPTH} levels deep; "
              "a line of pasted list markers or spaces is the usual cause")
INLINE_HINT = (f"*, _ emphasis and [ brackets go at most {MAX_DEPTH} levels deep; "
               "close them, or write a literal one as \\*, \\_ or \\[")

# Each level needs a character at the start of its line at least ('>', '- ', '1. ' or four spaces): the
# first line, or one after a line break (which the re module finds fast, where `^` in MULTILINE mode
# is tried at every character).
_DEEP_FIRST_LINE = re.compile(r"[ >*+\-\d.]{%d}" % (MAX_DEPTH + 1))
_DEEP_LINE_START = re.compile(r"\n[ >*+\-\d.]{%d}" % (MAX_DEPTH + 1))
# One container at the start of a line: the spaces before it, then a quote or a list marker.
_CONTAINER = re.compile(r"( *)(?:(>) ?|([*+-]|\d+\.) +)")
# A horizontal rule (---, * * *) read from the end of the line, reversed: Python-Markdown takes such
# a line as a rule before it looks for list markers.
_RULE_REVERSED = re.compile(r" *(?:-(?: {0,2}-)*|\*(?: {0,2}\*)*|_(?: {0,2}_)*)")
# Fences as Python-Markdown's fenced_code reads them: at the start of a line, closed by the same fence.
_FENCE_OPEN = re.compile(r"(~{3,}|`{3,}) *(?:\{([^\n]*)\}|(?:\.?[\w#.+-]* *)?(?:hl_lines=(\"|').*?\3 *)?)")
_FENCE_CLOSE = re.compile(r"(~{3,}|`{3,}) *")
_BACKTICKS = re.compile(r"`+")
_INLINE_TOKEN = re.compile(r"\\.|\*+|_+|[\[\]]")


def nesting_problems(path: str, body: str, body_line: int, answers: list[str], faq_line: int) -> list[Diagnostic]:
    """An error for the body, and one for the FAQ answers (at the faq key), where they nest too deeply."""
    problems = []
    found = too_deep(body)
    if found is not None:
        problems.append(_too_deep_error(path, body_line + found[0], found[1]))
    for answer in answers:
        found = too_deep(answer)
        if found is not None:
            problems.append(_too_deep_error(path, faq_line, found[1]))
            break
    return problems


def _too_deep_error(path: str, line: int, inline: bool) -> Diagnostic:
    return error(path, line, f"nesting deeper than {MAX_DEPTH} levels", INLINE_HINT if inline else BLOCK_HINT)


def too_deep(text: str) -> tuple[int, bool] | None:
    """(0-based line, whether emphasis or brackets rather than blocks) where `text` nests deeper than
    MAX_DEPTH, or None. Text with too few of the characters that nest is passed at once."""
    if "\t" in text:
        text = text.expandtabs(4)  # as Python-Markdown does before it reads the text
    # Emphasis and brackets close at a blank line: only a stretch between two with more of them than
    # MAX_DEPTH can nest too deeply.
    inline = text.count("*") + text.count("_") + text.count("[") > MAX_DEPTH and any(
        part.count("*") + part.count("_") + part.count("[") > MAX_DEPTH for part in text.split("\n\n"))
    if not inline and _DEEP_FIRST_LINE.match(text) is None and _DEEP_LINE_START.search(text) is None:
        return None
    return _Scan(text.split("\n"), inline).run()


class _Scan:
    def __init__(self, lines: list[str], inline: bool):
        self.lines, self.inline = lines, inline
        self.closers = _fence_closers(lines)
        self.open: list[list] = []  # emphasis and brackets not closed yet: [character, count]
        self.depth = 0

    def run(self) -> tuple[int, bool] | None:
        lines, index = self.lines, 0
        blank, in_code, in_list = True, False, False
        while index < len(lines):
            number, line = index, lines[index]
            index += 1
            fence_end = self._fence_end(number, line)
            if fence_end is not None:  # fenced code: passed over whole
                self._close_all()
                index, blank = fence_end + 1, True
                continue
            if not line.strip(" "):  # other white space, such as U+3000, does not end a paragraph
                self._close_all()
                blank = True
                continue
            indent = len(line) - len(line.lstrip(" "))
            # Indented code: after a blank line, unless it continues a list item.
            in_code = indent >= 4 and not in_list and (blank or in_code)
            if in_code:
                self._close_all()
                continue
            depth, start, item, rule = _line_start(line)
            if depth > MAX_DEPTH:
                return number, False
            if item:
                in_list = True
            elif blank and indent < 4:
                in_list = False
            blank = False
            # A list item, a heading and a rule each start a text of their own; a heading is one line.
            heading = line.startswith("#", start)
            if item or heading or rule:
                self._close_all()
            if self.inline and not rule and self._inline_too_deep(line, start):
                return number, True
            if heading:
                self._close_all()
        return None

    def _fence_end(self, index: int, line: str) -> int | None:
        """The line that closes a fence opened by `line`, if it opens one."""
        if not line.startswith(("```", "~~~")):
            return None
        opened = _FENCE_OPEN.fullmatch(line)
        # Attributes with a '}' inside may be refused by Python-Markdown, which then reads the lines as text.
        if opened is None or "}" in (opened.group(2) or ""):
            return None
        waiting = self.closers.get(opened.group(1))
        while waiting and waiting[0] <= index:
            waiting.popleft()
        return waiting[0] if waiting else None

    def _close_all(self) -> None:
        self.open.clear()
        self.depth = 0

    def _inline_too_deep(self, line: str, start: int) -> bool:
        position = start
        for span_start, span_end in _code_spans(line, start):
            if self._tokens_too_deep(line, position, span_start):
                return True
            position = span_end
        return self._tokens_too_deep(line, position, len(line))

    def _tokens_too_deep(self, line: str, start: int, end: int) -> bool:
        for token in _INLINE_TOKEN.finditer(line, start, end):
            char = token.group()[0]
            if char == "\\":
                continue
            if char == "[":
                self._push("[", 1)
            elif char == "]":
                self._close("[", 1)
            else:
                before = line[token.start() - 1] if token.start() else " "
                after = line[token.end()] if token.end() < len(line) else " "
                # Python-Markdown reads `_` inside a word as a letter, `*` as emphasis anywhere.
                can_open = not after.isspace() and (char == "*" or not before.isalnum())
                can_close = not before.isspace() and (char == "*" or not after.isalnum())
                count = token.end() - token.start()
                if can_close and any(entry[0] == char for entry in self.open):
                    self._close(char, count)
                elif can_open:
                    self._push(char, count)
            if self.depth > MAX_DEPTH:
                return True
        return False

    def _push(self, char: str, count: int) -> None:
        self.open.append([char, count])
        self.depth += _levels(char, count)

    def _close(self, char: str, count: int) -> None:
        """Close `count` of the latest open `char`s: the ones written last are closed first."""
        for entry in reversed(self.open):
            if count <= 0:
                break
            if entry[0] == char:
                used = min(count, entry[1])
                self.depth -= _levels(char, entry[1]) - _levels(char, entry[1] - used)
                entry[1] -= used
                count -= used
        self.open = [entry for entry in self.open if entry[1] > 0]


def _levels(char: str, count: int) -> int:
    """A run of * or _ opens strong emphasis for each pair and emphasis for one left over."""
    return count if char == "[" else (count + 1) // 2


def _line_start(line: str) -> tuple[int, int, bool, bool]:
    """(nesting levels, where the text starts, whether a list item starts here, whether the line is a
    horizontal rule) of one line, from the quotes, list markers and indentation it starts with."""
    depth = position = 0
    item = False
    rule: tuple[int, str] | None = None  # worked out at the first marker that could start one
    while depth <= MAX_DEPTH and (found := _CONTAINER.match(line, position)) is not None:
        spaces = len(found.group(1))
        marker = found.group(2) or found.group(3)
        if marker in "*-" and spaces <= 3:
            rule = rule or _rule_tail(line)
            if _starts_rule(line, found.start(3), rule):
                return depth + spaces // 4, found.start(3), item, True
        depth += spaces // 4 + 1
        item = item or marker != ">"
        position = found.end()
    spaces = len(line) - position - len(line[position:].lstrip(" "))
    return depth + spaces // 4, position + spaces, item, False


def _rule_tail(line: str) -> tuple[int, str]:
    """Where the longest end of the line made of one of -, * or _ and spaces starts (at most two
    spaces between them), and that character; (len(line), "") when the line ends otherwise."""
    tail = _RULE_REVERSED.match(line[::-1])
    if tail is None:
        return len(line), ""
    start = len(line) - tail.end()
    return start, line[start]


def _starts_rule(line: str, start: int, tail: tuple[int, str]) -> bool:
    """Whether line[start:] is a horizontal rule: three or more of the same -, * or _ in the tail."""
    tail_start, char = tail
    return start >= tail_start and line[start] == char and line.count(char, start) >= 3


def _fence_closers(lines: list[str]) -> dict[str, deque[int]]:
    """Fence text -> the lines that could close such a fence, in order."""
    closers: dict[str, deque[int]] = {}
    for index, line in enumerate(lines):
        if line.startswith(("```", "~~~")):
            found = _FENCE_CLOSE.fullmatch(line)
            if found:
                closers.setdefault(found.group(1), deque()).append(index)
    return closers


def _code_spans(line: str, start: int) -> list[tuple[int, int]]:
    """Where `code` spans are on a line, as Python-Markdown finds them: a run of backticks closed by
    the next run of the same length, or by a shorter one (the opening run then gives up its first
    backticks to the text); a run right after a backslash cannot open at its first backtick."""
    if "`" not in line:
        return []
    runs = [(found.start(), found.end()) for found in _BACKTICKS.finditer(line, start)]
    by_length: dict[int, deque[int]] = {}
    for number, (begin, end) in enumerate(runs):
        by_length.setdefault(end - begin, deque()).append(number)
    spans, number = [], 0
    while number < len(runs):
        begin, end = runs[number]
        longest = end - begin - (1 if begin > 0 and line[begin - 1] == "\\" else 0)
        closer = None
        for length in range(longest, 0, -1):
            waiting = by_length.get(length)
            while waiting and waiting[0] <= number:
                waiting.popleft()
            if waiting:
                closer = waiting[0]
                break
        if closer is None:
            number += 1
            continue
        spans.append((begin, runs[closer][1]))
        number = closer + 1
    return spans
