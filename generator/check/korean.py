"""Korean advertising matches judged on morphemes (the Kiwi analyzer) instead of characters.

The rule packs' patterns find candidates cheaply; a candidate with Hangul in it only
counts when it is a word of the sentence, not a piece of a longer one:

- it does not end inside a noun ("무통" is not in "무통장": 무 + 통장; "보증" not in "보증금"),
- no noun follows inside the same word (최고 + 기온 is a temperature, not a claim),
- no prefix comes before it (반 + 영구 is semi-permanent).

Particles, endings and suffixes may follow ("무통으로", "보장합니다", "영구적인"), and a noun
may come before it inside the same word ("입술필러후기": the phrase is the compound's head).

A candidate is honest when its clause negates, limits or questions it: the negative copula
아니다 (VCN), the auxiliaries 않다 / 못하다 / 말다 after -지, 없다 with the claim as its
subject, 어렵다 / 드물다, 불가능 / 오해, a contrast with 보다, or a yes/no question whose
predicate is the claim ("필러는 영구적인가요?").

The analyzer is only asked about sentences in which a pattern matched, and only when the
spelling leaves a doubt (a word followed by more than a common particle or ending, a possible
negation cue after it). It is created once per process, on first use: its model takes about a
second and 250 MB to load. Worker processes forked after that inherit it (the checker loads it
before it starts its workers when the first Korean posts need it); others create their own.
Without kiwipiepy, only the plain cases count (a whole word, or one followed by a common
particle or ending) and negation is not recognised.
"""
from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any, NamedTuple

from generator.config.textfiles import HANGUL as _HANGUL, HANGUL_CHARS

_HANGUL_RUN = re.compile(f"[{HANGUL_CHARS}]+")
_MYTH = re.compile(r"(?:오해|잘못\s*알려진\s*\S+|속설)\s*\d*\s*[:：]")
# What may follow a word inside its eojeol without the analyzer being asked: particles, the copula,
# 하다 / 되다 and the suffixes of 영구적 / 영구히 with their most common endings.
_ENDINGS = frozenset("""은 는 이 가 을 를 의 에 에서 에게 께 으로 로 와 과 도 만 까지 부터 처럼 같이 이나 나 이라도 라도
으로는 로는 에는 에도 으로도 로도 이란 란 이라는 라는 이고 고 이며 며 이다 다 입니다 이에요 예요 인 인데 이지만 이라 라
이니 이죠 죠 들 들은 들이 들을 들의 들도 하 합니다 해요 해 한 하는 할 했 했습니다 하고 하며 하게 해서 하면 해야
됩니다 되는 된 될 되어 돼 되고 되며 적 적인 적으로 적입니다 적이고 적이며 히""".split())
# Substrings without which no Korean cue of negation, limit or question can be in the rest of a sentence.
_CUES = re.compile(r"않|없|아니|아닙|아냐|아님|(?<![\uac00-\ud7a3])(?:안|못)\s|못하|못해|못합|못한|못할|어렵|어려|힘들|힘드|"
                   r"드물|드뭅|불가능|오해|착각|과장|거짓|무리|사실무근|마세|마십|말고|말아|말라|맙시|\?|보다")

NOUNS = frozenset({"NNG", "NNP", "NR", "SL", "SH", "SN"})
# Verbs that report or expect a claim: "완치된다고 말씀드릴 수 없습니다", "효과를 기대하기는 어렵습니다".
REPORTING = frozenset({"하", "말하", "말씀", "드리", "단정", "단언", "장담", "약속", "보", "생각", "기대", "말", "소개", "표현",
                       "광고", "홍보", "설명", "주장", "표기", "부르", "쓰", "적"})
NEGATIVE_NOUNS = frozenset({"불가능", "오해", "착각", "과장", "거짓", "무리", "사실무근"})
NEGATIVE_ADJECTIVES = frozenset({"없", "어렵", "힘들", "드물"})  # none, hard, rare
NEGATIVE_AUXILIARIES = frozenset({"않", "못하", "말"})


class Token(NamedTuple):
    form: str
    tag: str  # without Kiwi's -R / -I marks for irregular conjugation
    start: int
    end: int


_analyzer: Any = None
_unavailable = False


def analyzer() -> Any:
    """The process's Kiwi instance, created on first use; None when kiwipiepy is missing."""
    global _analyzer, _unavailable
    if _analyzer is None and not _unavailable:
        try:
            from kiwipiepy import Kiwi
        except ImportError:  # pragma: no cover - a dependency; without it the patterns alone decide
            _unavailable = True
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # num_workers=0 warns that its meaning changed in 0.21
            # No threads of its own (num_workers=0): forked workers can use the parent's copy.
            _analyzer = Kiwi(num_workers=0, load_default_dict=False, load_typo_dict=False, load_multi_dict=False)
    return _analyzer


def analyzer_loaded() -> bool:
    return _analyzer is not None


def analyzer_version() -> str:
    """The analyzer's version, read from its package's metadata: importing it takes longer than many checks."""
    from importlib import metadata  # for the findings' cache key only: `check --no-cache` never loads it

    try:
        return metadata.version("kiwipiepy")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "none"


@lru_cache(maxsize=4096)
def tokens(sentence: str) -> tuple[Token, ...] | None:
    kiwi = analyzer()
    if kiwi is None:
        return None
    return tuple(Token(t.form, t.tag.split("-")[0], t.start, t.start + t.len) for t in kiwi.tokenize(sentence))


def is_word(sentence: str, start: int, end: int) -> bool:
    """Is sentence[start:end] a word (or words) of the sentence rather than part of a longer word?"""
    if not _HANGUL.search(sentence, start, end):
        return True
    if start == 0 or not _HANGUL.match(sentence, start - 1):
        rest = _HANGUL_RUN.match(sentence, end)
        if rest is None or rest.group() in _ENDINGS:
            return True  # a whole word, or one with a plain particle or ending: no need to ask the analyzer
    elif any(c.isspace() for c in sentence[start:end]):
        return False  # a phrase of several words starts a word: "레이저가 병원" holds no "저가 병원"
    found = tokens(sentence)
    if found is None:
        return False  # no analyzer: only the plain cases above count
    if any(t.start < end < t.end and t.tag in NOUNS | {"XSN", "XPN"} for t in found):
        return False  # ends inside a noun: 무통|장, 보증|금
    if any(t.start == end and t.tag in NOUNS for t in found) and _HANGUL.search(sentence[end:end + 1]):
        return False  # a compound whose head comes after: 최고|기온
    if any(t.start == start for t in found):
        return not any(t.end == start and t.tag == "XPN" for t in found)  # 반|영구
    # Inside a token: only as the head of a compound noun kept whole, after a noun of two syllables or more.
    inside = next((t for t in found if t.start < start < t.end), None)
    return inside is not None and inside.tag in ("NNG", "NNP") and start - inside.start >= 2 and inside.end == end


def negated(sentence: str, start: int, end: int) -> bool:
    """Does the clause of sentence[start:end] negate, limit or question it?"""
    if _MYTH.search(sentence, 0, start):
        return True  # "흔한 오해: 필러는 영구적이다"
    if not _CUES.search(sentence, end):
        return False  # nothing after it can negate it: no need to ask the analyzer
    found = tokens(sentence)
    if found is None:
        return False
    inside = [t for t in found if start <= t.start < end]
    if inside and (inside[-1].tag == "JKB" or inside[-1].form in ("달리", "비하", "대비")):
        return False  # a comparison ("타 병원보다", "다른 병원처럼"): the predicate it modifies does not undo it
    after = [t for t in found if t.start >= end]
    # "100%" and "영구적으로" modify a predicate rather than being one of its arguments.
    adverbial = not _HANGUL.search(sentence, start, end) or bool(inside and inside[-1].tag == "XSN"
                                                                  and after and after[0].form in ("으로", "로"))
    return _negated_after(after, adverbial, sentence.rstrip().endswith("?"))


def _negated_after(after: list[Token], adverbial: bool, question: bool) -> bool:
    """Walk from the claim to the end of its clause, looking for what negates it."""
    phrase = True  # still in the claim's noun phrase ("무통 시술", or a head after -ㄴ: "무통인 시술")
    other_subject = False  # another noun is the subject of what follows: "통증 걱정이 없습니다"
    predicate = False  # a verb of its own came after the claim
    subject = False  # the claim is the subject or topic (이/가, 은/는) of what follows
    acts = False  # ... of a verb of its own: "경쟁 병원들은 따라 할 수 없는" says what they cannot do
    for index, token in enumerate(after[:24]):
        form, tag = token.form, token.tag
        previous = after[index - 1] if index else None
        following = after[index + 1] if index + 1 < len(after) else None
        if _cue(token, previous, following):
            if acts and form == "없" and previous is not None and previous.form == "수":
                return False
            return not other_subject
        if tag in ("SF", "SP", "SS"):
            return form == "?" and question and not predicate and not other_subject
        if tag == "EC":
            if not _linking(after, index):
                return False
            phrase = False  # "... 없다고는 말씀드릴 수 없습니다": a report of the claim follows
            continue
        if tag.startswith("J"):
            if phrase:
                phrase, subject = False, tag in ("JKS", "JX")
                if tag == "JKB" and form.startswith("보다"):
                    return True  # "완치보다 관리가 목표입니다": contrasted, not claimed
                if tag == "JKB" and not adverbial:
                    return False  # an adjunct of another predicate: "무통 시술로 ..."
            elif tag in ("JKS", "JX") and index and after[index - 1].tag in NOUNS:
                other_subject = True
            continue
        if tag in NOUNS:
            if following is not None and (following.tag in ("XSV", "XSA") or following.form in REPORTING):
                predicate, phrase = True, False  # a verbal noun: 보장(하다), 기대(하다), 말씀(드리다)
            elif index and after[index - 1].tag == "ETM":
                phrase = True  # the noun a relative clause describes: "부작용이 없는 시술은 없습니다"
            continue
        if tag in ("VV", "VA", "VX"):
            predicate, phrase = predicate or tag != "VX", False
            acts = acts or (subject and tag == "VV" and form not in ("하", "되", "있"))
        elif tag == "VCP":
            phrase = False
    return False


def _cue(token: Token, previous: Token | None, following: Token | None) -> bool:
    form, tag = token.form, token.tag
    if tag == "VCN" or (tag in ("VX", "VV") and form in NEGATIVE_AUXILIARIES and form != "말"):
        return True
    if tag == "VX" and form == "말":
        return previous is not None and previous.form == "지"  # -지 말다: "믿지 마세요"
    if tag == "MAG" and form in ("못", "안"):
        return following is not None and following.tag in ("VV", "VA", "XSV", "VX")
    if tag == "VA" and form in NEGATIVE_ADJECTIVES:
        return True
    if tag in ("NNG", "XR") and form in NEGATIVE_NOUNS:
        return True
    return tag == "NNG" and form == "가능" and previous is not None and previous.form == "불"


def _linking(after: list[Token], index: int) -> bool:
    """Does the connective ending at index lead into an auxiliary or reporting verb (the same clause)?"""
    rest = [t for t in after[index + 1:index + 3] if not t.tag.startswith("J")]
    return bool(rest) and (rest[0].tag == "VX" or rest[0].form in NEGATIVE_AUXILIARIES or rest[0].form in REPORTING
                           or rest[0].form == "못")
