"""Claims no rule lists, read by the claims model (model.py): a warning with the rule family, the
sentence's decisive words and the labelled sentence it reads most like.

The model reads a post's prose (the rule packs already read titles, descriptions and FAQs word by
word); a sentence a rule flagged gets its finding only when it reads as another family. The model
never raises an error: the rules, which cite the law, keep that level. It may lower one: a rule that matched a word in a
sentence the model reads as honest with OVERRULE confidence ("Reserved parking is guaranteed for
patients", "시술 당일 음주는 무조건 피해 주세요") is shown as info, for a person to read once more.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from generator.check.core import Finding, LintContext, PostText
from generator.check.matching import LanguageMatcher
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy and the weights load only in a process that reads prose with the model
    from generator.check.model import ClaimsModel, Verdict

# A sentence: up to . ! ? (and the Korean full stop) followed by a space, or a line break; never empty.
# The training reads sentences with it; `check` finds the same ones with numpy (sentences.py).
SENTENCE = re.compile(r"[^\n.!?。]+(?:[.!?。]+(?=\s|$))?|[.!?。]+(?=\s|$)", re.UNICODE)
_MIN_CHARACTERS = 12  # shorter lines are headings and labels, too short to judge
# Risks: "no downtime", "멍 없이" negate a risk, and negating a risk is the claim, not a refusal of one.
_RISK = re.compile(r"^(?:pain|pains|hurts?|bruis(?:e|es|ing)|swell\w*|downtime|scars?|scarring|side|effects?|risks?|"
                   r"redness|recovery|통증\w*|아프\w*|멍\w*|붓기\w*|부기\w*|흉터\w*|부작용\w*|다운타임\w*|회복\w*|자국\w*)$")


# P(honest) at which the model's reading lowers a rule's match to info. Chosen by training without
# blind batch b3 and scoring it: at 0.8 four of b3's honest Korean sentences with a rule's warning
# became info and none of its violating sentences did (compliance/PROTOCOL.md, run 8).
OVERRULE = 0.8
# Families whose words are the claim or its refutation by negation alone ("painless for most", "no
# treatment is painless"): the rules read negation, the model reads words, so it never overrules them.
NEGATION_DECIDES = frozenset({"ad-absolute-claim"})
# A verdict this sure stands even where a rule reads a word refuted: on the batches read (b1-b6 and the
# tuning set) every sentence the negation rightly cleared scored under 0.985, and 15 of the 20 it
# wrongly cleared 0.99 or more ("Q. 리뷰 쓰면 혜택이 있나요? A. 네, …": the question is not the claim).
# Not for a family that NEGATION_DECIDES: "No treatment is completely painless" reads as sure as
# "completely painless" to word counts (compliance/PROTOCOL.md, runs 15 and 18).
SURE = 0.99
# Families where the quotation marks hold the claim: a patient quoted is the testimonial, an award's
# name in quotes the endorsement.
QUOTING_IS_THE_CLAIM = frozenset({"ad-testimonial", "ad-endorsement"})


def prose_model(lang: str) -> "ClaimsModel | None":
    """The language's claims model, loaded on first use (numpy and the weights load only here)."""
    from generator.check.model import load_model

    return load_model(lang.split("-")[0])


def prepared_model(lang: str) -> "ClaimsModel | None":
    """prose_model(), with what reading prose needs built now: before worker processes fork, so that
    they share it rather than each build it."""
    model = prose_model(lang)
    if model is not None:
        from generator.check.sentences import character_classes

        model.prepare()
        character_classes()
    return model


def sentence_around(prose: str, offset: int) -> tuple[int, int]:
    """(start, end) of the sentence of prose that holds offset: from after the last line break or
    stop followed by a space before it, to the next stop (with it) or line break."""
    before = [prose.rfind("\n", 0, offset) + 1] + [at + 2 for at in (prose.rfind(f"{stop} ", 0, offset) for stop in ".!?。")
                                                  if at >= 0]
    after = [at for at in (prose.find("\n", offset), *(prose.find(f"{stop} ", offset) for stop in ".!?。")) if at >= 0]
    end = min(after) if after else len(prose)
    return max(before), end + (prose[end:end + 1] != "\n")


def overruled(model: "ClaimsModel | None", sentence: str, rule_ids: Iterable[str]) -> float | None:
    """How surely the model reads a sentence the rules matched as honest, when surely enough to
    overrule them (never for a family that NEGATION_DECIDES)."""
    if model is None or NEGATION_DECIDES.intersection(rule_ids):
        return None
    honest = model.probabilities(sentence)["honest"]
    return honest if honest >= OVERRULE else None


def model_verdict(model: "ClaimsModel", matcher: LanguageMatcher, sentence: str,
                  verdict: "Verdict | None" = None) -> "Verdict | None":
    """The model's verdict, unless a rule reads a claim where its decisive words are and the sentence
    negates, questions or quotes it ("No treatment is completely painless"): word counts do not see
    negation. Only where a rule reads one: "never fails" and "not a bruise" are the claim, and a
    negation judged without a rule's phrase refuted claims the model had right (compliance/PROTOCOL.md,
    run 10). A word naming a risk is left out: "no downtime" negates the risk, which is the claim.
    verdict: the model's, when it was judged already."""
    verdict = verdict or model.judge(sentence)
    if verdict is None or verdict.family in QUOTING_IS_THE_CLAIM or (
            verdict.probability >= SURE and verdict.family not in NEGATION_DECIDES):
        return verdict
    lowered = sentence.lower()
    # A hashtag stands alone: the sentence before it does not negate "#painfree".
    spans = [(at, at + len(word)) for word in verdict.decisive if not _RISK.match(word) and word[0] != "#"
             and (at := lowered.find(word)) >= 0]
    return None if spans and matcher.refuted(sentence, spans) else verdict


@dataclass(frozen=True, slots=True)
class FlaggedSentence:
    """A sentence of a post's prose that the model read as a claim."""

    span: tuple[int, int]  # where the sentence is in the prose, with the whitespace around it
    lead: int  # and where it starts and ends without
    end: int
    text: str  # its text, the spaces evened out
    verdict: "Verdict"


@dataclass(frozen=True, slots=True)
class ProseReading:
    """The sentences of a post's prose that the model read as claims."""

    flagged: tuple[FlaggedSentence, ...]


def read_prose(texts: list[PostText]) -> list[ProseReading | None]:
    """The model's reading of each post's prose (None: no model for its language), the posts of a
    language scored together: one call for many posts costs far less than one a post. The sentences
    are those SENTENCE finds (sentences.py), but headings and a table's rows: headings are labels
    ("## Side by side" above a table), and a row's cells are data ("Reversible? | No, it wears off |
    Yes, with hyaluronidase"), not the sentences the model learnt from; the rules read both."""
    from generator.check.sentences import find_sentences

    readings: list[ProseReading | None] = [None] * len(texts)
    by_lang: dict[str, list[int]] = {}
    for at, text in enumerate(texts):
        by_lang.setdefault(text.post.lang, []).append(at)
    for lang, places in by_lang.items():
        model = prose_model(lang)
        if model is None:
            continue
        found = find_sentences([texts[at].prose for at in places], _MIN_CHARACTERS)
        joined = found.text
        flagged: list[list[FlaggedSentence]] = [[] for _ in places]
        for index, verdict in model.verdicts_in(joined, found.lead, found.tail):
            post = int(found.post[index])
            offset = int(found.text_starts[post])
            lead, tail = int(found.lead[index]), int(found.tail[index])
            sentence = " ".join(joined[lead:tail].split()) if found.uneven[index] else joined[lead:tail]
            flagged[post].append(FlaggedSentence(
                (int(found.start[index]) - offset, int(found.end[index]) - offset),
                lead - offset, tail - offset, sentence, verdict))
        for at, sentences_of_post in zip(places, flagged):
            readings[at] = ProseReading(tuple(sentences_of_post))
    return readings


def model_findings(text: PostText, matcher: LanguageMatcher, ctx: LintContext, flagged: list[tuple[int, int, str]],
                   reading: ProseReading | None = None) -> Iterator[Finding]:
    """flagged: (start, end, rule id) of what the rules found in text.prose; reading: the model's, when
    read_prose() read the post with others."""
    model = prose_model(text.post.lang)
    if model is None:
        return
    rules = {rule.id: rule for rule in matcher.rules}
    reading = reading or read_prose([text])[0]
    assert reading is not None
    for sentence in reading.flagged:
        verdict = model_verdict(model, matcher, sentence.text, sentence.verdict)
        if verdict is None or not ctx.on(verdict.family) or verdict.family not in rules:
            continue
        # A sentence a rule flagged gets the model's finding too when it reads as another family
        # ("write about us and get a free peel": the rule sees a gift, the model a paid review).
        start, end = sentence.span
        if any(rule_id == verdict.family and s < end and start < e for s, e, rule_id in flagged):
            continue
        rule = rules[verdict.family]
        words = ", ".join(f"'{word}'" for word in verdict.decisive)
        yield text.finding(verdict.family, sentence.lead,
                           f"reads like {rule.description} ({verdict.probability:.0%} by the claims model"
                           + (f"; decisive words: {words}" if words else "") + ")",
                           f"reads like: \"{verdict.reads_like}\"; {rule.hint}", end=sentence.end,
                           reference=rule.reference or None, cap="warning")
