"""Claims no rule lists, read by the claims model (model.py): a warning with the rule family, the
sentence's decisive words and the labelled sentence it reads most like.

Only sentences no rule flagged are given to the model, and only in a post's prose (the rule packs
already read titles, descriptions and FAQs word by word). The model never raises an error: the
rules, which cite the law, keep that level.
"""
from __future__ import annotations

import re
from typing import Iterator

from generator.check.core import Finding, LintContext, PostText
from generator.check.matching import LanguageMatcher
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy and the weights load only in a process that reads prose with the model
    from generator.check.model import ClaimsModel, Verdict

# A sentence: up to . ! ? (and the Korean full stop) followed by a space, or a line break.
SENTENCE = re.compile(r"[^\n.!?。]*(?:[.!?。]+(?=\s|$)|[^\n.!?。]*)", re.UNICODE)
_MIN_CHARACTERS = 12  # shorter lines are headings and labels, too short to judge
# Risks: "no downtime", "멍 없이" negate a risk, and negating a risk is the claim, not a refusal of one.
_RISK = re.compile(r"^(?:pain|pains|hurts?|bruis(?:e|es|ing)|swell\w*|downtime|scars?|scarring|side|effects?|risks?|"
                   r"redness|recovery|통증\w*|아프\w*|멍\w*|붓기\w*|부기\w*|흉터\w*|부작용\w*|다운타임\w*|회복\w*|자국\w*)$")


def model_verdict(model: "ClaimsModel", matcher: LanguageMatcher, sentence: str) -> "Verdict | None":
    """The model's verdict, unless the sentence negates, questions or quotes its most decisive word as
    the rules would judge it ("No treatment is completely painless"): word counts do not see negation."""
    verdict = model.judge(sentence)
    if verdict is None or not verdict.decisive:
        return verdict
    word = verdict.decisive[0]
    at = sentence.lower().find(word)
    if at >= 0 and not _RISK.match(word) and not matcher.judge.is_claim(sentence, at, at + len(word), None, verdict.family):
        return None
    return verdict


def model_findings(text: PostText, matcher: LanguageMatcher, ctx: LintContext,
                   flagged: list[tuple[int, int]]) -> Iterator[Finding]:
    """flagged: (start, end) of what the rules found in text.prose; those sentences are theirs."""
    from generator.check.model import load_model

    model = load_model(text.post.lang.split("-")[0])
    if model is None:
        return
    rules = {rule.id: rule for rule in matcher.rules}
    candidates = []
    for match in SENTENCE.finditer(text.prose):
        start, end = match.span()
        sentence = match.group().strip()
        if len(sentence) >= _MIN_CHARACTERS and not (flagged and any(s < end and start < e for s, e in flagged)):
            candidates.append((match, " ".join(sentence.split())))
    for (match, sentence), near in zip(candidates, model.flagged([sentence for _, sentence in candidates])):
        verdict = model_verdict(model, matcher, sentence) if near else None
        if verdict is None or not ctx.on(verdict.family) or verdict.family not in rules:
            continue
        rule = rules[verdict.family]
        lead = match.start() + (len(match.group()) - len(match.group().lstrip()))
        words = ", ".join(f"'{word}'" for word in verdict.decisive)
        yield text.finding(verdict.family, lead,
                           f"reads like {rule.description} ({verdict.probability:.0%} by the claims model"
                           + (f"; decisive words: {words}" if words else "") + ")",
                           f"reads like: \"{verdict.reads_like}\"; {rule.hint}", end=lead + len(match.group().strip()),
                           reference=rule.reference or None, cap="warning")
