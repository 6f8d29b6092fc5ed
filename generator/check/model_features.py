"""What the advertising-claims model sees in a sentence: the same features when it is trained
(compliance/train_model.py) and when `check` uses it (model.py).

Character n-grams inside words catch a claim's wording in any inflection ("guarantee", "guaranteed";
"보장", "보장해"); words and word pairs catch constructions ("nowhere else", "on the house"). Korean
adds n-grams of each word's letters (jamo), so "해", "했" and "하" share their stem, and pairs of the
words' first two syllables, so a noun keeps its neighbour whatever particle or ending follows
("부작용이 없는", "부작용 걱정 없이"). Every feature is made from one word or two neighbours, never the
whole sentence, so that `check` can look a word's features up once per run (a morphological analyzer
would cost a millisecond a sentence). Every feature counts once; the vector is scaled to unit length.
"""
from __future__ import annotations

import math
import re
import unicodedata

_WORD = re.compile(r"[\w'’%+#]+", re.UNICODE)


def words(sentence: str) -> list[str]:
    return _WORD.findall(sentence.lower())


def _grams(text: str, low: int, high: int) -> list[str]:
    return [text[i:i + size] for size in range(low, high + 1) for i in range(len(text) - size + 1)]


def token_parts(token: str, lang: str) -> tuple[tuple[str, list[str]], ...]:
    """The features one word gives, wherever it stands, by kind: its character n-grams, itself and
    (Korean) its letters' n-grams."""
    parts: tuple[tuple[str, list[str]], ...] = (("c", _grams(f" {token} ", 2, 5)), ("w", [token]))
    if lang == "ko":
        parts += (("j", _grams(f" {unicodedata.normalize('NFD', token)} ", 3, 4)),)
    return parts


def token_features(token: str, lang: str) -> set[str]:
    return {f"{kind}:{value}" for kind, values in token_parts(token, lang) for value in values}


def pair_features(first: str, second: str, lang: str) -> tuple[str, ...]:
    """The features two neighbouring words give."""
    if lang == "ko":
        return f"b:{first}_{second}", f"p:{first[:2]}_{second[:2]}"
    return (f"b:{first}_{second}",)


def sentence_features(sentence: str, lang: str) -> dict[str, float]:
    """Feature name -> weight, scaled so that the vector has length one."""
    tokens = words(sentence)
    names: set[str] = set().union(*(token_features(token, lang) for token in tokens))
    for first, second in zip(tokens, tokens[1:]):
        names.update(pair_features(first, second, lang))
    if not names:
        return {}
    scale = 1 / math.sqrt(len(names))
    return {name: scale for name in names}
