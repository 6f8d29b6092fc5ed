"""What the advertising-claims model sees in a sentence: the same features when it is trained
(compliance/train_model.py) and when `check` uses it (model.py, model_batch.py).

Character n-grams inside words catch a claim's wording in any inflection ("guarantee", "guaranteed";
"보장", "보장해"); words and word pairs catch constructions ("nowhere else", "on the house"). Korean
adds n-grams of each word's letters (jamo), so "해", "했" and "하" share their stem, and pairs of the
words' first two syllables, so a noun keeps its neighbour whatever particle or ending follows
("부작용이 없는", "부작용 걱정 없이"). Every feature is made from one word or two neighbours, never the
whole sentence, and a feature's value is how often it occurs divided by the square root of how many
feature occurrences the sentence has (at check time, scale_floor() at least): a sentence's score is
then a sum over its words, so `check` adds up each word's weights once per run and never lists a
sentence's features (a morphological analyzer would cost a millisecond a sentence).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

_WORD = re.compile(r"[\w'’%+#]+", re.UNICODE)
CHAR_SIZES = (2, 3, 4, 5)  # n-grams of " word "
LETTER_SIZES = (3, 4)  # n-grams of " word " in letters (Korean)
# The feature occurrences a line is weighed as having at least, at check time. The model learnt from
# sentences; an English label of a post ("👉 Our prices", "- Natural-looking lips") is shorter than nearly
# all of them, and weighed as its own few features it read as surely as a whole sentence of price lures.
# With the floor, its confidence falls towards the model's prior (honest). A Korean label of that length
# is under model_rule's twelve characters, which check leaves to the rules; a Korean floor only moved
# plain prose (compliance/PROTOCOL.md, run 26).
SHORT_LINE_FLOOR = {"en": 120.0}


def scale_floor(lang: str) -> float:
    return SHORT_LINE_FLOOR.get(lang, 1.0)


def words(sentence: str) -> list[str]:
    return _WORD.findall(sentence.lower())


def _grams(text: str, sizes: tuple[int, ...]) -> list[str]:
    return [text[i:i + size] for size in sizes for i in range(len(text) - size + 1)]


def token_parts(token: str, lang: str) -> tuple[tuple[str, list[str]], ...]:
    """The features one word gives, wherever it stands, by kind, each as often as it occurs: its
    character n-grams, itself and (Korean) its letters' n-grams."""
    parts: tuple[tuple[str, list[str]], ...] = (("c", _grams(f" {token} ", CHAR_SIZES)), ("w", [token]))
    if lang == "ko":
        parts += (("j", _grams(f" {letters(token)} ", LETTER_SIZES)),)
    return parts


def letters(text: str) -> str:
    """Hangul syllables as their letters (jamo)."""
    return unicodedata.normalize("NFD", text)


def pair_features(first: str, second: str, lang: str) -> tuple[str, ...]:
    """The features two neighbouring words give."""
    if lang == "ko":
        return f"b:{first}_{second}", f"p:{first[:2]}_{second[:2]}"
    return (f"b:{first}_{second}",)


def sentence_features(sentence: str, lang: str, floor: float | None = None) -> dict[str, float]:
    """Feature name -> occurrences / sqrt(all the sentence's feature occurrences, `floor` at least:
    scale_floor(lang) unless given; training gives 1, the sentences as they are)."""
    tokens = words(sentence)
    counts: Counter[str] = Counter()
    for token in tokens:
        counts.update(f"{kind}:{value}" for kind, values in token_parts(token, lang) for value in values)
    for first, second in zip(tokens, tokens[1:]):
        counts.update(pair_features(first, second, lang))
    if not counts:
        return {}
    scale = 1 / math.sqrt(max(sum(counts.values()), scale_floor(lang) if floor is None else floor))
    return {name: count * scale for name, count in counts.items()}
