"""What the advertising-claims model sees in a sentence: the same features when it is trained
(compliance/train_model.py) and when `check` uses it (model.py).

Character n-grams inside words catch a claim's wording in any inflection ("guarantee", "guaranteed";
"보장", "보장해"); words and word pairs catch constructions ("nowhere else", "on the house"); Korean
morphemes (Kiwi) separate a noun from its particles and endings, so "드립니다" and "됩니다" stand
apart from the claim they close. Every feature counts once; the vector is scaled to unit length.
"""
from __future__ import annotations

import math
import re

from generator.check import korean

_WORD = re.compile(r"[\w'’%+#]+", re.UNICODE)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Kiwi's tags for punctuation and symbols, which say nothing about a claim.
_SKIPPED_TAGS = frozenset({"SF", "SP", "SS", "SSO", "SSC", "SE", "SO", "SW", "W_EMOJI", "W_URL", "W_EMAIL",
                           "W_HASHTAG", "W_MENTION", "W_SERIAL"})


def words(sentence: str) -> list[str]:
    return _WORD.findall(sentence.lower())


def _char_grams(tokens: list[str], low: int = 2, high: int = 4) -> set[str]:
    grams = set()
    for token in tokens:
        padded = f" {token} "
        for size in range(low, high + 1):
            grams.update(padded[i:i + size] for i in range(len(padded) - size + 1))
    return grams


def _morphemes(sentence: str) -> list[str]:
    found = korean.tokens(sentence) if _HANGUL.search(sentence) else None
    return [f"{t.form}/{t.tag[:2]}" for t in found or () if t.tag not in _SKIPPED_TAGS]


def sentence_features(sentence: str, lang: str) -> dict[str, float]:
    """Feature name -> weight, scaled so that the vector has length one."""
    tokens = words(sentence)
    names = {f"c:{gram}" for gram in _char_grams(tokens)}
    names.update(f"w:{token}" for token in tokens)
    names.update(f"b:{a}_{b}" for a, b in zip(tokens, tokens[1:]))
    if lang == "ko":
        morphemes = _morphemes(sentence)
        names.update(f"m:{m}" for m in morphemes)
        names.update(f"n:{a}_{b}" for a, b in zip(morphemes, morphemes[1:]))
    if not names:
        return {}
    scale = 1 / math.sqrt(len(names))
    return {name: scale for name in names}
