"""Is a phrase the rule packs found really a claim? Judged in its sentence and clause.

A pattern match is only a candidate. It is dropped when
- one of its rule's `allow` patterns covers it within the sentence (e.g. "FDA-approved for ..."),
- it is made of Hangul and is not a word of the sentence (see korean.is_word: compounds),
- its clause negates or limits it: "we cannot guarantee results", "no treatment is painless",
  "is not permanent", "while it is impossible to target it 100%, ...", "완전히 무통은 아닙니다",
- it is in a yes/no question about the claim ("Is lip filler permanent?") or a myth being named,
  or in a reader's question ("I read 'pain-free' on your flyer, is that right?", "효과 없으면
  환불되나요?"), or in a question the next sentence answers with no ("Do you reward reviews? No, ..."),
- it stands inside quotation marks and the sentence refutes it or gives it to others ("be wary of
  'zero downtime' ads", "'부작용 제로'라는 광고 문구는 믿지 마세요"); a patient's words quoted by the
  clinic stay the clinic's claim, and testimonials are quotations by nature.

Negation is scoped to the clause: in "Unlike other clinics, we never use ..." the "never"
belongs to the second clause and does not excuse the comparison in the first. Korean is
judged on the analyzer's morphemes (korean.py), English on clause-level cues (below).
"""
from __future__ import annotations

import re

from generator.check import korean
from generator.config.textfiles import HANGUL as _HANGUL
# A sentence ends at a line break or at . ! ? followed by a space, a quote or the end.
_SENTENCE_END = re.compile(r"\n|[.!?。](?=[\s\"'”’)\]]|$)")
_REACH = 500  # characters searched for the ends of a sentence
_ENDS = (". ", "! ", "? ", ".\t", '." ', ".” ", ".) ", "。")

# Clauses: split at strong punctuation, commas, and before conjunctions that start a clause.
# "and" / "or" start a clause only before a subject ("and we never ..."); otherwise they join
# words that stay in the same clause ("not painless or risk-free").
_CLAUSE_BREAK = re.compile(
    r"[;:—–()\[\]]|,|\s-\s|\b(?<!not )(?<!n't )(?<!n’t )(?=(?:but|while|whereas|although|though|because|since|so|yet|however|if|unless|when|"
    r"whether|which|who|whose)\b)|\b(?=(?:and|or)\s+(?:we|you|i|it|they|he|she|our|your|the|this|that|these|there)\b)",
    re.I)
_NEGATION = re.compile(
    r"\b(?:not|never|no|none|nobody|nothing|neither|nor|cannot|impossible|unable|rarely|seldom|hardly|myths?|"
    r"misconceptions?|no\s+one|far\s+from|rather\s+than|instead\s+of|wrong|misleading|untrue|false)\b|n[’']t\b", re.I)
# Negation words that do not negate what follows them.
_NOT_NEGATION = re.compile(
    r"(?:not\s+(?:only|just)|no\s+(?:matter|wonder|doubt)|no\s*\.\s*\d|(?:do|don)[’']?t\s+(?:let|miss|wait|hesitate|forget|settle)"
    r"|do\s+not\s+(?:let|miss|wait|hesitate|forget|settle))\b", re.I)
# After the claim, in its clause: "... is not realistic", "... do not exist", "... is simply false"
# (used with match(text, pos), which anchors it at pos).
_NEGATED_AFTER = re.compile(
    r"[\W_]*(?:[\w'’%-]+\s+){0,3}?(?:(?:is|are|was|were|be|been)\s+(?:(?:simply|just|still|usually|often|also|really|"
    r"always)\s+)?(?:not\b|never\b|impossible|unrealistic|untrue|false|a\s+myth|rarely|no\s+such)|(?:isn|aren|wasn|weren)"
    r"[’']t\b|(?:cannot|can[’']t|won[’']t|will\s+not)\s+be\b|(?:do|does|did)(?:\s+not|n[’']t)\s+exist)", re.I)
_QUESTION = re.compile(r"^[\W_]*(?:is|are|was|were|will|does|do|did|can|could|would|should|has|have)\s+(?!you\b|your\b)", re.I)
_MYTH = re.compile(r"\b(?:myths?|misconceptions?)\b", re.I)
# Pairs of quotation marks; a straight single quote counts only when it is not an apostrophe.
_QUOTED = re.compile(r'"[^"\n]{1,120}"|“[^”\n]{1,120}”|‘[^’\n]{1,120}’|「[^」\n]{1,120}」|『[^』\n]{1,120}』|'
                     r"(?<![A-Za-z0-9])'[^'\n]{1,120}'(?![A-Za-z0-9])")  # a Korean particle may follow
# A question a reader asks, not a marketing hook ("Want painless lips?"): it asks about a fact.
_READER_QUESTION = re.compile(r"\b(?:is\s+(?:that|it|this)\s+(?:right|true|normal|possible|so|safe|real)|is\s+that\s+true|"
                              r"really|can\s+(?:you|i|it|they)|do\s+you|does\s+(?:it|that)|will\s+i|would\s+i|"
                              r"should\s+i)\b[^?]*\?\s*$", re.I)  # not why/how: "Why are our results 100% guaranteed?" boasts
_KOREAN_QUESTION = re.compile(r"(?:나요|까요|가요|는지요|ㄴ가요|맞나요|건가요|인가요|될까요|되나요|있나요|없나요|하나요|"
                              r"인지|는지)\s*\?+\s*$")  # not 죠?: "자연스럽죠?" is a boast
_ANSWERED_NO = re.compile(r"\s*(?:no\b|nope\b|not\s+at\s+all|not\s+(?:from|with|here|at)\s+us\b|not\s+here\b|never\b|"
                          r"아니(?:요|오|에요)|아뇨|그렇지\s*않|저희는\s*(?:안|하지\s*않))", re.I)
_TESTIMONIAL = "ad-testimonial"
# Words that give a quoted phrase to others or refute it.
_ATTRIBUTED = re.compile(r"\b(?:ads?|adverts?|advertis\w*|marketing|flyers?|claims?|clinics?\s+(?:that|who|which)|"
                         r"other\s+(?:clinics?|places)|promis\w*|phrases?|words?|wary|careful|beware|red\s+flag|"
                         r"myths?|run|avoid|doubt|skeptic\w*|sceptic\w*|means?|honest|truth|mislead\w*|is\s+not|isn[’']t)\b|🚩|"
                         r"광고|문구|표현|말(?:은|이|을|에)|홍보|속설|오해|믿지|믿으면|주의|조심|경계|의심|사실이\s*아|아닙니다|"
                         r"뜻이|다른\s*(?:병원|곳)|라는|이라는", re.I)


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence holding text[start:end] begins and ends."""
    begin = max(0, start - _REACH, text.rfind("\n", 0, start) + 1)
    for mark in _ENDS:
        at = text.rfind(mark, begin, start)
        if at != -1:
            begin = at + len(mark)
    high = min(len(text), end + _REACH)
    stop = _SENTENCE_END.search(text, end, high)
    return begin, (stop.start() + (stop.group() != "\n")) if stop else high


def clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The clause of sentence[start:end] (English): from the last break before it to the first after it."""
    begin = 0
    for found in _CLAUSE_BREAK.finditer(sentence, 0, start):
        begin = found.end()
    stop = _CLAUSE_BREAK.search(sentence, end)
    return begin, stop.start() if stop else len(sentence)


def english_negated(sentence: str, start: int, end: int) -> bool:
    """Is sentence[start:end] negated, limited or questioned in its clause?"""
    if sentence.rstrip().endswith("?") and _QUESTION.match(sentence):
        return True  # "Is the treatment painless?"
    if _MYTH.search(sentence, 0, start):
        return True  # "Myth: filler results are permanent."
    begin, stop = clause_bounds(sentence, start, end)
    before = sentence[begin:start]
    excluded = [m.span() for m in _NOT_NEGATION.finditer(before)]
    for cue in _NEGATION.finditer(before):
        if not any(low <= cue.start() < high for low, high in excluded):
            return True
    return bool(_NEGATED_AFTER.match(sentence, end, stop))


def quoted(sentence: str, start: int, end: int) -> bool:
    """Is sentence[start:end] inside quotation marks that the rest of the sentence refutes or gives to others?"""
    for span in _QUOTED.finditer(sentence):
        if span.start() < start and end < span.end():
            rest = sentence[:span.start()] + " " + sentence[span.end():]
            return bool(_ATTRIBUTED.search(rest))
    return False


def asked(text: str, sentence: str, stop: int) -> bool:
    """Is the sentence a reader's question, or a question that the next sentence answers with no?"""
    stripped = sentence.rstrip()
    if not stripped.endswith("?"):
        return False
    if _READER_QUESTION.search(stripped) or _KOREAN_QUESTION.search(stripped):
        return True
    return bool(_ANSWERED_NO.match(text, stop, stop + 20))


class ClaimJudge:
    """Decides, for one language, whether a pattern match is a claim."""

    def __init__(self, lang: str):
        primary = lang.split("-")[0].lower()
        self.negated = korean.negated if primary == "ko" else english_negated if primary == "en" else None

    def is_claim(self, text: str, start: int, end: int, allow: re.Pattern | None, rule_id: str = "") -> bool:
        begin, stop = sentence_bounds(text, start, end)
        if allow is not None and any(span.start() <= start and span.end() >= end
                                     for span in allow.finditer(text, begin, stop)):
            return False
        sentence = text[begin:stop]
        if rule_id != _TESTIMONIAL and (quoted(sentence, start - begin, end - begin) or asked(text, sentence, stop)):
            return False
        if _HANGUL.search(text, start, end) and not korean.is_word(sentence, start - begin, end - begin):
            return False
        return self.negated is None or not self.negated(sentence, start - begin, end - begin)
