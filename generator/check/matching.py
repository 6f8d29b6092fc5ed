"""Fast phrase matching for the rule packs.

One case-insensitive regex holding every phrase of a language costs about 1 ms per
post: far too slow for 10,000 posts. Instead every phrase or pattern gets an anchor, a
literal that each of its matches contains ("effects" for the phrase "no side effects",
"guarantee" for the pattern 'guarantee[ds]?'). One Aho-Corasick pass over the lower-cased
text finds every anchor and where it is; only the expressions behind the anchors present run,
near them (or, for an expression whose matches start with its anchor, at them), on the lower-cased
text and case-sensitively, which lets the re module jump straight to their first literal.
"""
from __future__ import annotations

import re


from generator.config.textfiles import HANGUL
from dataclasses import dataclass
from typing import Container, Iterator

from generator.check.claims import ClaimJudge

try:  # the parser of the re module: used only to read literals out of a pattern
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # pragma: no cover - another Python; every pattern then simply always runs
    _sre = _sre_parse = None

# Words in nearly every clinic post: poor anchors, since the expressions behind them would run everywhere.
COMMON = frozenset("""patient patients treatment treatments clinic clinics doctor doctors effect effects result
results risk risks side skin time before after price free the and for with your our you will one more most best
review reviews reviewed rating first only second team when after about
시술 병원 부작용 효과 결과 통증 치료 가격 필러 수술 관리 기간 상담 회복 원장 드립 드려 제공 의원 의료진 클리닉""".split())
_UPPER_LITERAL = re.compile(r"(?<!\\)[A-Z]")
_REACH = 300  # a match lies within this many characters of its anchor
_WORD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_WORD_GAP = (r"\b", r"\s+", r"[\s-]+")  # gaps that cannot be empty: "award[\s-]*winning" matches "#awardwinning"


@dataclass(frozen=True, slots=True)
class PackRule:
    """One compliance rule as declared in a pack (merged over every pack that names its id)."""

    id: str
    severity: str
    description: str
    message: str
    hint: str
    reference: str
    lang: str | None  # None: every language
    expressions: tuple[str, ...]  # regular expressions, phrases already converted
    allow: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Match:
    rule: PackRule
    start: int
    end: int
    text: str


def phrase_regex(phrase: str) -> str:
    """A literal phrase as a lower-case regex: Hangul words may be written with or without spaces,
    Latin words with spaces or hyphens between them and as whole words."""
    words = phrase.lower().split()
    if HANGUL.search(phrase):
        return r"\s*".join(re.escape(w) for w in words)
    body = r"[\s-]*".join(re.escape(w) for w in words)
    return body + r"\b" if re.match(r"\w", phrase[-1]) else body


def parsed(pattern: str) -> list | None:
    """The pattern as the re module's parser reads it (None: it cannot be read here)."""
    if _sre_parse is None:
        return None
    try:
        return list(_sre_parse.parse(pattern, re.I))
    except re.error:
        return None


def required_sets(items: list | None) -> list[frozenset[str]]:
    """Every set of lower-case strings of which each match of a parsed pattern contains one member (the
    sets worth a scan)."""
    # Very short literals ("in", "에") are everywhere: they would slow the scan down and filter nothing.
    return [found for found in _candidates(items or []) if all(len(s) >= (3 if s.isascii() else 2) for s in found)]


def _rarity(found: frozenset[str]) -> tuple[int, int]:
    """Prefer anchors that are rare in clinic posts, then long ones, then few alternatives."""
    return -sum(word in COMMON for word in found), min(len(s) for s in found) - len(found)


def _best(items: list) -> frozenset[str] | None:
    candidates = _candidates(items)
    if not candidates:
        return None
    return max(candidates, key=lambda found: (min(len(s) for s in found), -len(found)))


def _candidates(items: list) -> list[frozenset[str]]:
    """Sets of alternatives such that one member of each set is in every match."""
    found: list[frozenset[str]] = []
    run: list[str] = []
    for op, value in items:
        if op is _sre.LITERAL:
            run.append(chr(value))
            continue
        if run and op in (_sre.BRANCH, _sre.IN) and len(run) < (3 if "".join(run).isascii() else 2):
            # The parser factors a common prefix out of alternatives ('review|rating' -> 'r' + 'eview|ating',
            # '보장|보증' -> '보' + '[장증]'):
            # when that prefix is too short to be an anchor itself, put it back, or the anchors would be
            # word middles.
            leads, _ = _prefixes([(op, value)])
            if leads and all(leads):
                found.append(frozenset(("".join(run) + lead).lower() for lead in leads))
                run = []
                continue
        if run:
            found.append(frozenset(["".join(run).lower()]))
            run = []
        inner: frozenset[str] | None = None
        if op is _sre.SUBPATTERN:
            inner = _best(list(value[-1]))
        elif op is _sre.BRANCH:
            branches = [_best(list(branch)) for branch in value[1]]
            inner = frozenset().union(*branches) if all(branches) else None
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and value[0] >= 1:
            inner = _best(list(value[2]))
        elif op is _sre.IN and value and all(kind is _sre.LITERAL for kind, _ in value):
            inner = frozenset(chr(code).lower() for _, code in value)
        if inner:
            found.append(inner)
    if run:
        found.append(frozenset(["".join(run).lower()]))
    return found


def _prefixes(items: list, past_boundaries: bool = False) -> tuple[frozenset[str], bool]:
    """Literals one of which starts every match of items, and whether they are the whole match.
    past_boundaries: a word boundary or line start before the first literal is passed over."""
    found = {""}
    for op, value in items:
        if past_boundaries and op is _sre.AT and found == {""}:
            continue
        if op is _sre.LITERAL:
            found = {f + chr(value) for f in found}
            continue
        if op is _sre.IN and value and all(kind is _sre.LITERAL for kind, _ in value):
            found = {f + chr(code) for f in found for _, code in value}
            continue
        if op is _sre.BRANCH:
            subs = [_prefixes(list(branch), past_boundaries) for branch in value[1]]
            found = {f + s for f in found for sub, _ in subs for s in sub}
            if len(found) > 40:
                return frozenset(), False
            if all(done for _, done in subs):
                continue
        return frozenset(found), False
    return frozenset(found), True


def _starts_with_anchor(items: list | None, anchors: frozenset[str]) -> bool:
    """Whether every match of a parsed pattern starts with one of its anchors: it is then tried only where they are."""
    leads, _ = _prefixes(items or [], past_boundaries=True)
    return bool(leads) and all(lead and any(lead.lower().startswith(anchor) for anchor in anchors) for lead in leads)


def _starts_word(anchor: str, expression: str) -> bool:
    """Is the anchor, wherever the expression has it, at the start of a word (after \\b, a run of spaces or
    hyphens that cannot be empty, or nothing)?"""
    places = _places(expression.lower(), re.escape(anchor), most=None) or []
    for place in places:
        before = expression[:place]
        while before.endswith(("(?:", "|")):  # the first word of a group: look before the group
            before = before[:-3] if before.endswith("(?:") else _before_group(before[:-1])
        if before and not before.endswith(_WORD_GAP):
            return False
    return bool(places)


def _before_group(text: str) -> str:
    """Text before the '(' that opens the group whose inside ends text."""
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        if index and text[index - 1] == "\\":
            continue
        if text[index] == ")":
            depth += 1
        elif text[index] == "(":
            if depth == 0:
                return text[:index + 3] if text.startswith("(?:", index) else text[:index]
            depth -= 1
    return ""


class LanguageMatcher:
    """Every compliance rule of one language, plus the words that make a post about a procedure."""

    def __init__(self, rules: list[PackRule], procedure_tags: tuple[str, ...], risk_words: tuple[str, ...],
                 lang: str = "en"):
        self.rules = tuple(rules)
        self.judge = ClaimJudge(lang)
        self.procedure_tags = procedure_tags
        # (rule, source, flags) of each expression, compiled the first time its anchor is found: a site's
        # posts bring a few dozen of the six hundred anchors, and compiling them all took half a second.
        self.sources: list[tuple[PackRule, str, int]] = []
        self._compiled: dict[int | str, re.Pattern] = {}
        self.always: list[int] = []
        # An expression with no anchor still needs its literals, however short: one missing, it is not run.
        self.always_needs: dict[int, tuple[frozenset[str], ...]] = {}
        self._rule_ids: frozenset[str] | None = None
        self.starts_at_anchor: set[int] = set()  # expressions whose every match starts at an anchor
        self.also_needs: list[tuple[frozenset[str], ...]] = []  # by expression
        self.by_anchor: dict[str, list[int]] = {}
        inside_words: set[str] = set()
        for rule in rules:
            for expression in rule.expressions:
                index = len(self.sources)
                source = expression[2:] if expression.startswith(r"\b") else expression  # see _starts_mid_word
                # Matching runs on lower-cased text; a pattern written with capitals keeps ignoring case.
                flags = re.I if _UPPER_LITERAL.search(source.replace(r"\b", "")) else 0
                self.sources.append((rule, source, flags))
                items = parsed(source)
                needed = required_sets(items)
                anchors = max(needed, key=_rarity, default=None)
                # The pattern's other literals: an expression whose anchor is near need not run when one
                # of them is nowhere in the text (most expressions behind a common anchor never match).
                self.also_needs.append(tuple(found for found in needed if found != anchors))
                if not anchors:
                    self.always.append(index)
                    self.always_needs[index] = tuple(_candidates(items or []))
                elif _starts_with_anchor(items, anchors):
                    self.starts_at_anchor.add(index)
                for anchor in anchors or ():
                    self.by_anchor.setdefault(anchor, []).append(index)
                    if not _starts_word(anchor, expression):
                        inside_words.add(anchor)
        anchors = set(self.by_anchor)
        # Latin anchors mostly start a word; such an anchor counts only where a word starts (its
        # expressions need it there), the others wherever they are.
        from generator.check.anchors import AnchorFinder  # numpy loads only in a process that matches

        self.anchors = AnchorFinder({anchor: (anchor, anchor not in inside_words and bool(re.match(r"[a-z0-9]", anchor)))
                                     for anchor in anchors})
        # An anchor found inside a longer one ("pain" in "painless") counts as found too.
        self.contained = {a: [b for b in anchors if b in a] for a in anchors}
        self._allow_sources = {rule.id: "|".join(rule.allow) for rule in rules if rule.allow}
        # Risk words match as word beginnings: "risk" also finds "risks", "side effect" also "side-effects".
        self.risk_words = tuple(sorted({variant for word in risk_words for variant in (
            word.lower(), word.lower().replace(" ", "-"), word.lower().replace("-", " "), word.lower().replace(" ", ""))}))

    @property
    def active(self) -> bool:
        return bool(self.sources)

    def expression(self, index: int) -> tuple[PackRule, re.Pattern]:
        """The expression's rule and its compiled pattern."""
        rule, source, flags = self.sources[index]
        return rule, self._pattern(index, source, flags)

    def allow(self, rule_id: str) -> re.Pattern | None:
        """What the rule allows around a match (None: nothing)."""
        source = self._allow_sources.get(rule_id)
        return None if source is None else self._pattern(rule_id, source, re.I)

    def _pattern(self, key: int | str, source: str, flags: int) -> re.Pattern:
        """source compiled on first use (key: an expression's index or an allowing rule's id)."""
        regex = self._compiled.get(key)
        if regex is None:
            regex = self._compiled[key] = re.compile(source, flags)
        return regex

    def matches(self, text: str, enabled: frozenset[str]) -> Iterator[Match]:
        """Claims in text order (see claims.py for what a match must be to count); overlapping
        matches of one rule count once."""
        lowered = text.lower()
        if len(lowered) != len(text):  # lower() moved the offsets (rare letters such as 'İ')
            lowered, candidates = text, dict.fromkeys(range(len(self.sources)))
        else:
            candidates = self._candidates(lowered)
        found = self._expression_matches(lowered, candidates, enabled)
        last_end: dict[str, int] = {}
        for start, end, rule in sorted(found, key=lambda f: (f[0], -f[1], f[2].id)):
            if start < last_end.get(rule.id, -1) or not self.judge.is_claim(text, start, end, self.allow(rule.id),
                                                                                 rule.id):
                continue
            last_end[rule.id] = end
            yield Match(rule, start, end, text[start:end])

    def refuted(self, text: str, spans: list[tuple[int, int]]) -> bool:
        """Whether a rule's expression matches where one of the spans is and the sentence refutes,
        negates, questions or quotes every such match ("No treatment is completely painless"): the
        rules read a claim's word there and found it is not a claim."""
        lowered = text.lower()
        if len(lowered) != len(text):
            return False
        there = [(start, end, rule) for start, end, rule in self._expression_matches(lowered, self._candidates(lowered))
                 if any(start < stop and at < end for at, stop in spans)]
        return bool(there) and not any(self.judge.is_claim(text, start, end, self.allow(rule.id), rule.id)
                                       for start, end, rule in there)

    def _expression_matches(self, lowered: str, candidates: dict[int, list[int] | None],
                            enabled: frozenset[str] | None = None) -> list[tuple[int, int, PackRule]]:
        """(start, end, rule) of every match of the candidate expressions (of the enabled rules; None:
        all), none starting inside a Latin word. Each runs in the stretches of text around its anchors'
        places (None: everywhere), or, when its matches start with an anchor, at each of those places."""
        found = []
        for index, places in sorted(candidates.items()):
            rule = self.sources[index][0]
            if enabled is None or rule.id in enabled:
                regex = self.expression(index)[1]
                windows = None if places is None else _windows(places, len(lowered))
                if windows is not None and index in self.starts_at_anchor:
                    found += [(m.start(), m.end(), rule) for m in _matches_at(regex, lowered, sorted(places), windows)
                              if not _starts_mid_word(lowered, m.start())]
                    continue
                for low, high in windows or ((0, len(lowered)),):
                    found += [(m.start(), m.end(), rule) for m in regex.finditer(lowered, low, high)
                              if not _starts_mid_word(lowered, m.start())]
        return found

    def _candidates(self, lowered: str) -> dict[int, list[int] | None]:
        """The expressions that may match, each with where its anchors start (None: too many places to
        list, or none to look for): an expression runs only near its anchors, not over the whole post."""
        present: set[str] = set()
        found: dict[str, list[int]] = {}
        if self.by_anchor:
            for end, (anchor, at_word_start) in self.anchors.iter(lowered):
                start = end - len(anchor) + 1
                found.setdefault(anchor, []).append(start)
                if not at_word_start or start == 0 or lowered[start - 1] not in _WORD_CHARACTERS:
                    present.update(self.contained[anchor])
        # The anchors found are all there are in the text: a literal that is an anchor is looked up, not searched for.
        occurs: dict[str, bool] = dict.fromkeys(found, True)
        anchors = self.by_anchor
        near: dict[int, list[int] | None] = {index: None for index in self.always
                                             if _has_all(lowered, self.always_needs[index], occurs, anchors)}
        for anchor in present:
            places = found[anchor]
            if len(places) > 8:
                places = None
            for index in self.by_anchor[anchor]:
                if self.also_needs[index] and not _has_all(lowered, self.also_needs[index], occurs, anchors):
                    continue
                if index not in near:
                    near[index] = places
                elif near[index] is not None:
                    near[index] = None if places is None else near[index] + places
        return near

    def mentions_risk(self, text: str, claims: list[Match] | None = None) -> bool:
        """A risk word outside the claims the rules find: '부작용 없는 최고의 시술' and 'no side effects'
        deny the risks they name. claims: the matches in text (or in a masked copy with the same offsets),
        when they were found already."""
        lowered = text.lower()
        places = [(at, at + len(word)) for word in self.risk_words if word in lowered
                  for at in _places(lowered, word, most=None) or ()]
        if not places:
            return False
        if claims is not None:
            return any(all(match.end <= at or match.start >= end for match in claims) for at, end in places)
        # A claim that holds a risk word lies within _REACH of it: only the text around each risk word
        # is read, one at a time, until one is named honestly (a post usually does so early on).
        for at, end in sorted(places):
            low = max(0, at - _REACH)
            found = self.matches(text[low:end + _REACH], self.rule_ids)
            if all(low + match.end <= at or low + match.start >= end for match in found):
                return True
        return False

    @property
    def rule_ids(self) -> frozenset[str]:
        if self._rule_ids is None:
            self._rule_ids = frozenset(rule.id for rule in self.rules)
        return self._rule_ids


def _places(text: str, anchor: str, most: int | None = 8) -> list[int] | None:
    """Where anchor occurs in text; None when it occurs more than most times (then the expressions behind
    it scan everything)."""
    places, at = [], text.find(anchor)
    while at != -1:
        if len(places) == most:
            return None
        places.append(at)
        at = text.find(anchor, at + 1)
    return places


def _has_all(text: str, needs: tuple[frozenset[str], ...], occurs: dict[str, bool], anchors: Container[str]) -> bool:
    """Whether text holds a member of every set in needs; occurs remembers the literals looked for, and
    holds every anchor found (an anchor it lacks is not in the text)."""
    for needed in needs:
        for literal in needed:
            found = occurs.get(literal)
            if found is None:
                found = occurs[literal] = literal not in anchors and literal in text
            if found:
                break
        else:
            return False
    return True


def _matches_at(regex: re.Pattern, text: str, places: list[int], windows: list[tuple[int, int]]) -> Iterator[re.Match]:
    """The matches of regex that start at one of the places (sorted), as finditer() over the windows
    around them finds them: none inside the one before, none past the end of its window."""
    window, last_end = 0, -1
    for place in places:
        while place >= windows[window][1]:
            window += 1
        if place < last_end:
            continue
        match = regex.match(text, place, windows[window][1])
        if match is not None:
            last_end = match.end()
            yield match


def _windows(starts: list[int], size: int) -> list[tuple[int, int]] | None:
    if len(starts) > 8:
        return None
    windows: list[tuple[int, int]] = []
    for at in sorted(starts):
        low, high = max(0, at - _REACH), min(size, at + _REACH)
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return windows


def _starts_mid_word(text: str, start: int) -> bool:
    """A match never starts inside a Latin word ('cure' is not in 'secure'); Hangul attaches freely."""
    return start > 0 and text[start].isascii() and text[start].isalnum() and text[start - 1].isascii() \
        and text[start - 1].isalnum()
