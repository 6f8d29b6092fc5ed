"""Is a phrase the rule packs found really a claim? Judged in its sentence and clause.

A pattern match is only a candidate. It is dropped when
- one of its rule's `allow` patterns covers it within the sentence (e.g. "FDA-approved for ..."),
- it is made of Hangul and is not a word of the sentence (see korean.is_word: compounds),
- its clause negates or limits it: "we cannot guarantee results", "no treatment is painless",
  "is not permanent", "while it is impossible to target it 100%, ...", "완전히 무통은 아닙니다",
- it is in a yes/no question about the claim ("Is lip filler permanent?") or a myth being named,
  or in a reader's question ("I read 'pain-free' on your flyer, is that right?", "효과 없으면
  환불되나요?", a question quoted whole), or in a question the next sentence answers with no ("Do you
  reward reviews? No, ...", "Painless? Not always"), or reported from another clinic and doubted,
- it is an offer the sentence declines or names only to call it a lure ("a voucher for referrals is a
  sales hook"),
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
                          r"not\s+(?:always|really|necessarily|quite|exactly|for\s+everyone)\b|"
                          r"(?:sadly|unfortunately|honestly|afraid\s+not|well),?\s+(?:no|not)\b|"
                          r"아니(?:요|오|에요)|아뇨|그렇지\s*않|(?:꼭|항상|늘|다)\s*그렇(?:지는|진)\s*않|저희는\s*(?:안|하지\s*않))", re.I)
# A claim reported from someone else's clinic and doubted ("My sister said her clinic guaranteed flawless
# skin. Is that even possible?"): the reader's report, not the clinic's claim.
_REPORTED = re.compile(r"\b(?:my|a|her|his|their)\s+(?:friends?|cousins?|sisters?|brothers?|mum|mom|mother|dad|aunt|"
                       r"colleagues?|co-?workers?|neighbou?rs?|room-?mates?|flatmates?)\s+(?:said|says|told\s+\w+|"
                       r"mentioned|claims?|claimed|heard|read)\b", re.I)
_DOUBTED = re.compile(r"\s*(?:is|was)\s+(?:that|it|this)\s+(?:even\s+|really\s+|actually\s+)?(?:possible|true|real|right|"
                      r"realistic|legit|safe)\b|\s*(?:그게\s*)?(?:정말|진짜)?\s*(?:가능한가요|사실인가요|맞나요|가능할까요)", re.I)
# Advice about what an unnamed clinic might promise ("If a clinic tells you it is guaranteed, walk out";
# 「어떤 병원이 100% 보장한다고 하면 …」): the claim is inside the condition, in that clinic's mouth.
_IF_OTHERS_SAY = re.compile(
    r"\b(?:if|when|whenever|once)\s+(?:a|an|any|another|some|the)\s+(?:other\s+)?(?:clinics?|doctors?|injectors?|"
    r"practices?|places?|salons?|providers?|surgeons?|ads?|adverts?|advertisements?|posts?|websites?|influencers?)\s+"
    r"(?:tells?|says?|promises?|claims?|guarantees?|advertises?|swears?|insists?|offers?)\b[^,;:.!?]*$", re.I)
_OTHERS_IN_KOREAN = re.compile(r"(?:어떤|다른|아무|어느)\s*(?:병원|의원|곳|클리닉|광고|업체)(?:이|가|에서|에서는|은|는)?\s")
_SAY_IF_KOREAN = re.compile(r"[^,.!?\n]{0,12}?(?:다|라|이라)고\s*(?:하면|한다면|하는\s*곳|말하면|광고하면|홍보하면|"
                            r"약속하면|장담하면)|[^,.!?\n]{0,12}?(?:다|라|이라)고들\s*하면")
# A question that asks to be agreed with states its claim ("국내에 제일 먼저 들여온 데 맞죠?").
_TAG_QUESTION = re.compile(r"(?:죠|지요|right|isn[’']t\s+(?:it|that|she|he)|aren[’']t\s+(?:they|you))\s*[?!]+$", re.I)
_OPENING_QUOTE = "\"“「『‘'"
_CLOSING = "\"”」』’')] "
_TESTIMONIAL = "ad-testimonial"
# Offers a clinic may say it does not make ("no discounts, gifts or points for reviews", "어떤 보상도 드리지
# 않습니다"): the whole sentence declines them, though a list's commas end the clause the negation reads.
_OFFERS = frozenset({"ad-review-incentive", "ad-inducement", "ad-price-lure"})
_DECLINED = re.compile(
    r"\b(?:(?:do|does|will)\s+not|don[’']t|doesn[’']t|won[’']t|never)\s+(?:\w+\s+)?(?:offer|give|run|provide|reward|"
    r"pay|hand\s+out|accept|ask)\w*\b|\b(?:(?:is|are)\s+(?:not|never)|isn[’']t|aren[’']t|never)\s+rewarded\b|"
    r"\bno\s+(?:discounts?|gifts?|rewards?|freebies?|vouchers?|points?|perks?|incentives?|refunds?)\b|"
    r"(?:어떠한|어떤|아무런|일절)[^.!?\n]{0,40}(?:없습니다|없어요|없으며|없고|않습니다|않아요|않으며|않고|않는|않는다)|"
    r"(?:드리지|하지|운영하지|진행하지|모집하지|받지|주지)\s*않(?:습니다|아요|으며|고|는)", re.I)
# Offers the sentence names only to call them a lure ("a free facial for every referral is a sales hook",
# "후기 쓰면 할인해 준다는 곳은 미끼예요"): a warning to readers, not the clinic's offer. Only as a predicate:
# "no gimmicks!" and "상술 아니고 진짜예요" deny the word and keep the offer.
_DISPARAGED = re.compile(
    r"\b(?:is|are|as|(?:it|that|this)[’']s)\s+(?:just\s+|only\s+|simply\s+|usually\s+|often\s+|really\s+|basically\s+|"
    r"nothing\s+but\s+)?(?:an?\s+)?(?:(?:sales|marketing)\s+(?:hooks?|ploys?|tricks?|gimmicks?|tactics?)|red\s+flags?|"
    r"warning\s+signs?|gimmicks?|bait|traps?|lures?)\b|\btoo\s+good\s+to\s+be\s+true\b|"
    r"(?:상술|미끼|호객\s*행위)(?:일\s*뿐|입니다|이에요|예요|이죠|죠|이니|이라|라고|에\s*불과|에\s*가깝)|속지\s*마", re.I)
# ... unless the sentence goes on to make one anyway ("We don't give discounts, but this month ...").
_BUT = re.compile(r"\b(?:but|except|unless|however|instead)\b|(?:하지만|다만|대신|그러나|그런데|만\s)", re.I)
# Words that give a quoted phrase to others or refute it.
_ATTRIBUTED = re.compile(r"\b(?:ads?|adverts?|advertis\w*|marketing|flyers?|claims?|clinics?\s+(?:that|who|which)|"
                         r"other\s+(?:clinics?|places)|promis\w*|phrases?|words?|wary|careful|beware|red\s+flag|"
                         r"myths?|run|avoid|doubt|skeptic\w*|sceptic\w*|means?|honest|truth|mislead\w*|is\s+not|isn[’']t)\b|🚩|"
                         r"광고|문구|표현|말(?:은|이|을|에|로|만)|홍보|속설|오해|믿지|믿으면|주의|조심|경계|의심|사실이\s*아|아닙니다|"
                         r"뜻이|다른\s*(?:병원|곳)|라는|이라는|냐고|물으|묻는|써\s*있|적혀|들었|하더라|봤는데|"
                         r"(?:같은|식의|류의)\s*(?:숫자|수치|문구|말|광고|표현|주장|약속)|출처(?:부터|를\s*(?:확인|찾))", re.I)


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
    for span in _QUOTED.finditer(sentence):  # a quotation inside another one is read too
        if span.start() < start and end < span.end():
            rest = sentence[:span.start()] + " " + sentence[span.end():]
            if _ATTRIBUTED.search(rest):
                return True
    return False


def asked(text: str, sentence: str, stop: int) -> bool:
    """Is the sentence a reader's question, or a question that the next sentence answers with no?"""
    stripped = sentence.rstrip(_CLOSING)
    if not stripped.endswith("?"):
        return False
    if _READER_QUESTION.search(stripped) or _KOREAN_QUESTION.search(stripped):
        return True
    if stripped.lstrip()[:1] in _OPENING_QUOTE and not _TAG_QUESTION.search(stripped):
        return True  # a question quoted whole: someone asked it ("리뷰 이벤트 같은 거 하세요?")
    return bool(_ANSWERED_NO.match(text, stop, stop + 20))


def supposed(sentence: str, start: int, end: int) -> bool:
    """Is the claim what an unnamed clinic might say, inside a condition ("If a clinic tells you …,")?"""
    if _IF_OTHERS_SAY.search(sentence, 0, start):
        return True
    opening = _OTHERS_IN_KOREAN.search(sentence, max(0, start - 40), start)
    return opening is not None and bool(_SAY_IF_KOREAN.match(sentence, end))


def reported(text: str, sentence: str, start: int, stop: int) -> bool:
    """Is the claim reported from someone else ("my friend said her clinic ...") and doubted right after?"""
    return bool(_REPORTED.search(sentence, 0, start)) and bool(_DOUBTED.match(text, stop, stop + 40))


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
        if rule_id != _TESTIMONIAL and (quoted(sentence, start - begin, end - begin) or asked(text, sentence, stop)
                                        or reported(text, sentence, start - begin, stop)
                                        or supposed(sentence, start - begin, end - begin)):
            return False
        if rule_id in _OFFERS and (_DECLINED.search(sentence) or _DISPARAGED.search(sentence)) \
                and not _BUT.search(sentence):
            return False
        if _HANGUL.search(text, start, end) and not korean.is_word(sentence, start - begin, end - begin):
            return False
        return self.negated is None or not self.negated(sentence, start - begin, end - begin)
