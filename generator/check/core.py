"""What every content rule shares: findings, the settings they read, and a post's text prepared once.

A post body is masked once (code, comments, link targets replaced by spaces of the
same length) so that every rule can scan it with one regular expression and still
report exact lines and columns.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

from generator.check.packs import LanguageMatcher
from generator.content.models import Post
from generator.errors import Excerpt
from generator.site.model import Site


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's raw result; the runner turns it into a Diagnostic with the configured severity."""

    rule: str
    path: str
    line: int | None
    column: int | None
    message: str
    hint: str | None = None
    reference: str | None = None
    excerpt: Excerpt | None = None
    cap: str | None = None  # the highest severity it may have ("warning": never an error)


def excerpt_at(text: str, start: int, end: int, field: str, lowered: str | None = None) -> Excerpt:
    """text[start:end] as an Excerpt: which occurrence of those words (ignoring case and spacing) it is in text.
    text is what the field shows readers, or a masked copy of it with the same offsets. For short texts.
    lowered: text.lower(), when it was made already with the same offsets."""
    words = " ".join(text[start:end].split()).lower()
    # Most flagged words (a whole sentence, for the claims model) come once: when their longest word is
    # nowhere before them, neither are they, and the text before need not be normalized.
    if not words:
        return Excerpt(text[start:end], field, 0)
    longest = max(words.split(" "), key=len)
    if (lowered.find(longest, 0, start) < 0) if lowered is not None else longest not in text[:start].lower():
        return Excerpt(text[start:end], field, 0)
    # Nor when another of them is nowhere before them (the common words of a long sentence often are).
    if lowered is not None and any(lowered.find(word, 0, start) < 0 for word in words.split(" ")):
        return Excerpt(text[start:end], field, 0)
    before = " ".join(text[:start].split()).lower()
    return Excerpt(text[start:end], field, before.count(words))


# A preview highlights at most this many findings of one post's body; the others are listed without a
# highlight. It bounds the work on huge posts with a finding on every line.
EXCERPTS_PER_POST = 200
# A post's first excerpts count the words before them directly; past this many, normalizing the whole
# text once (Occurrences) costs less. Most posts have a finding or two, and normalizing costs as much as
# several counts.
_COUNTED_DIRECTLY = 8
_SPACE_RUN = re.compile(r"\s{2,}")


class Occurrences:
    """excerpt_at for a long text: the text is normalized once, and counting resumes where the last
    count of the same words stopped (a rule's findings come in text order)."""

    def __init__(self, text: str):
        self.text = text
        collapsed = " ".join(text.split())
        self.normalized = collapsed.lower()
        self.exact = len(self.normalized) == len(collapsed)  # lower() kept every offset ('İ' does not)
        lead = len(text) - len(text.lstrip())
        # Whitespace removed before each offset: a leading run goes, any other run becomes one space.
        self.ends, self.removed = [lead], [lead]
        for match in _SPACE_RUN.finditer(text, lead):
            self.ends.append(match.end())
            self.removed.append(self.removed[-1] + match.end() - match.start() - 1)
        self.counted: dict[str, tuple[int, int]] = {}  # words -> (normalized offset, occurrences before it)

    def excerpt(self, start: int, end: int, field: str) -> Excerpt:
        words = " ".join(self.text[start:end].split()).lower()
        start += len(self.text[start:end]) - len(self.text[start:end].lstrip())
        at = start - self.removed[bisect_right(self.ends, start) - 1]
        if not words or not self.exact or not self.normalized.startswith(words, at):
            return excerpt_at(self.text, start, end, field)
        since, count = self.counted.get(words, (0, 0))
        if since > at:
            since, count = 0, 0
        count += self.normalized.count(words, since, at)
        self.counted[words] = (at, count)
        return Excerpt(self.text[start:end], field, count)


@dataclass(frozen=True, slots=True)
class LintSettings:
    """The validated [check] table of site.toml."""

    severities: Mapping[str, str]  # rule id -> "off" | "info" | "warning" | "error"
    procedure_tags: tuple[str, ...] | None  # None: the rule packs' lists
    proper_nouns: tuple[str, ...]
    stale_days: int
    english_run_words: int
    title_length: Mapping[str, tuple[int, int]]
    description_length: Mapping[str, tuple[int, int]]
    claims_model: bool = True  # also read prose with the claims model (check/model.py)


class Matchers(Mapping[str, LanguageMatcher]):
    """Each language's matcher, compiled on first use. Compiling every rule's patterns takes about a
    quarter of a second, which a rebuild that checks no post again does not need to pay."""

    def __init__(self, languages: tuple[str, ...], make: Callable[[str], LanguageMatcher]) -> None:
        self._languages, self._make = languages, make
        self._made: dict[str, LanguageMatcher] = {}

    def __getitem__(self, lang: str) -> LanguageMatcher:
        if lang not in self._made:
            if lang not in self._languages:
                raise KeyError(lang)
            self._made[lang] = self._make(lang)
        return self._made[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._languages)

    def __len__(self) -> int:
        return len(self._languages)


@dataclass(frozen=True, slots=True)
class LintContext:
    """Everything a rule may look at; built once per run."""

    site: Site
    settings: LintSettings
    enabled: frozenset[str]
    matchers: Mapping[str, LanguageMatcher]
    pages: Mapping[str, Post | None]  # site path of every page -> its post (None for list pages, feeds)
    static: frozenset[str]  # static file paths, e.g. "images/lips.png"
    published: Callable[[Post], bool]  # would a real build publish it?
    # site path -> (upright width, height, bytes) of a static image, None when there is none
    image_facts: Callable[[str], tuple[int, int, int] | None] = lambda path: None
    unread: frozenset[tuple[str, str]] = frozenset()  # (lang, translation key) of posts with errors, left out

    def on(self, rule: str) -> bool:
        return rule in self.enabled


_NOT_NEWLINE = re.compile(r"[^\n]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)", re.M | re.S)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_INLINE_CODE = re.compile(r"(`{1,3})(?!`)[^\n]+?(?<!`)\1(?!`)")
_LINK_TARGET = re.compile(r"\]\([^)\n]*\)")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>\n]*>")
_BARE_URL = re.compile(r"https?://[^\s)>\]]+")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[^\n]*", re.M)
_IGNORE = re.compile(r"<!--\s*check:\s*(ignore-file|ignore)\b([^>]*?)-->")


def blank(match: re.Match) -> str:
    return _NOT_NEWLINE.sub(" ", match.group())


def mask_code(text: str) -> str:
    """Code blocks, inline code and HTML comments become spaces; lines and columns stay put."""
    if "```" in text or "~~~" in text:
        text = _FENCE.sub(blank, text)
    if "<!--" in text:
        text = _HTML_COMMENT.sub(blank, text)
    if "`" in text:
        text = _INLINE_CODE.sub(blank, text)
    return text


def mask_markup(text: str) -> str:
    """Also link targets, HTML tags, bare URLs and reference definitions: what is left is what readers read."""
    if "](" in text:
        text = _LINK_TARGET.sub(blank, text)
    if "<" in text:
        text = _HTML_TAG.sub(blank, text)
    if "://" in text:
        text = _BARE_URL.sub(blank, text)
    if "]:" in text:
        text = _REFERENCE.sub(blank, text)
    return text


@dataclass(frozen=True, slots=True)
class IgnoreComment:
    line: int  # file line of the comment
    column: int
    scope: str  # "ignore" | "ignore-file"
    rules: tuple[str, ...]
    silenced_line: int | None  # file line the comment covers besides its own


class PostText:
    """A post's body prepared for the rules: masked copies, line lookup, and its ignore comments."""

    __slots__ = ("post", "body", "code", "prose", "_starts", "_located", "comments", "_occurrences", "_excerpts",
                 "_lowered")

    def __init__(self, post: Post):
        self.post = post
        self.body = post.body  # decoded once: Post keeps the body as bytes
        self.code = mask_code(self.body)
        self.prose = mask_markup(self.code)
        self._starts: list[int] | None = None
        self._located = 0
        self.comments = self._read_comments() if "check:" in self.body else ()
        self._occurrences: Occurrences | None = None
        self._excerpts = 0
        self._lowered: str | None = None

    def location(self, offset: int) -> tuple[int, int]:
        """File line and 1-based column of a body offset."""
        if self._starts is None and self._located < _COUNTED_DIRECTLY:
            # A post's first findings count the line breaks before them: listing them all costs more.
            self._located += 1
            return (self.post.body_line + self.body.count("\n", 0, offset),
                    offset - self.body.rfind("\n", 0, offset))
        if self._starts is None:
            body, starts = self.body, [0]
            index = body.find("\n")
            while index != -1:
                starts.append(index + 1)
                index = body.find("\n", index + 1)
            self._starts = starts
        index = bisect_right(self._starts, offset) - 1
        return self.post.body_line + index, offset - self._starts[index] + 1

    def finding(self, rule: str, offset: int, message: str, hint: str | None = None, *, end: int | None = None,
                reference: str | None = None, cap: str | None = None) -> Finding:
        """A finding at a body offset; with end, body[offset:end] are the flagged words (an Excerpt)."""
        line, column = self.location(offset)
        return Finding(rule, self.post.source, line, column, message, hint, reference, self._excerpt(offset, end), cap)

    def _excerpt(self, start: int, end: int | None) -> Excerpt | None:
        if end is None or end <= start or self._excerpts >= EXCERPTS_PER_POST:
            return None
        self._excerpts += 1
        if self._excerpts <= _COUNTED_DIRECTLY:
            shown = self.prose[start:end]
            if self._lowered is None:
                self._lowered = self.prose.lower()  # once a post, for every excerpt's first look back
            lowered = self._lowered if len(self._lowered) == len(self.prose) else None
            return excerpt_at(self.prose, start + len(shown) - len(shown.lstrip()), end, "body", lowered)
        if self._occurrences is None:
            self._occurrences = Occurrences(self.prose)
        return self._occurrences.excerpt(start, end, "body")

    def _read_comments(self) -> tuple[IgnoreComment, ...]:
        body = self.body
        lines = body.split("\n")
        found = []
        for match in _IGNORE.finditer(body):
            line, column = self.location(match.start())
            end_index = self.location(match.end() - 1)[0] - self.post.body_line
            following = next((i for i in range(end_index + 1, len(lines)) if lines[i].strip()), None)
            rules = tuple(r for r in re.split(r"[\s,]+", match.group(2).strip()) if r)
            found.append(IgnoreComment(line, column, match.group(1), rules,
                                       None if following is None else self.post.body_line + following))
        return tuple(found)

    def silences(self, finding: Finding) -> bool:
        for comment in self.comments:
            if finding.rule not in comment.rules:
                continue
            if comment.scope == "ignore-file" or finding.line in (comment.line, comment.silenced_line):
                return True
        return False


def front_matter_finding(post: Post, key: str, rule: str, message: str, hint: str | None = None, *,
                         reference: str | None = None, excerpt: Excerpt | None = None) -> Finding:
    """A finding about a front-matter value, pointing at its key."""
    return Finding(rule, post.source, post.key_lines.get(key, 1), 1, message, hint, reference, excerpt)
