"""The claims model's confidence for many sentences at once: the sum ClaimsModel.judge() makes for one
sentence, made for a post's sentences in a few numpy calls.

A post has a hundred sentences and a site thousands of posts: reading each sentence's features in
Python costs more than all the rules. Here a word's features are looked up once per run (a site's
vocabulary is small), the sentences' words are read with one regular-expression call, and each
feature is counted once per sentence by one sort, as judge() counts it with a set. Only the few
sentences near or over the threshold are then read one by one by judge(), which also explains them.
"""
from __future__ import annotations

import re
from array import array
from typing import Callable, Mapping

import numpy as np

from generator.check.model_features import token_parts

_WORD_OR_END = re.compile(r"[\w'’%+#]+|\n", re.UNICODE)  # model_features.words, with the sentences' ends
_END = -1  # a sentence's end among the words' numbers
_KNOWN_WORDS = 30_000  # words kept (some 500 bytes each); a site has far fewer, a corpus of made-up words more
# A feature's id is its row when the model knows it, else a 44-bit hash of its name or the numbers of a
# pair's words, in ranges that never meet. A sentence's place in its batch and an id share one int64, so
# that one sort finds each sentence's distinct features.
_HASH, _PAIR, _PREFIX_PAIR = (1 << 44) - 1, 1 << 45, (1 << 45) + (1 << 44)
_ID_BITS, _NUMBER_BITS, _BATCH = 46, 22, 1 << 16
_SALTS = {"c": 0x5A17C0DE1234567, "w": 0x2B7E151628AED2A6, "j": 0x3243F6A8885A308D}  # a hash space per kind


class BatchScorer:
    def __init__(self, lang: str, by_kind: Mapping[str, Mapping[str, int]], weights: np.ndarray,
                 intercept: np.ndarray, honest: int, claim: Callable[[str], float]):
        """by_kind: feature kind -> value -> row of weights (features x classes); honest: the honest
        class's column; claim: one sentence's confidence, the slow way (ClaimsModel)."""
        self.lang, self.rows, self.claim, self.honest = lang, len(weights), claim, honest
        self.weights = weights  # float32, as ClaimsModel holds them: a copy would double them
        self.intercept = intercept.astype(np.float64)
        self.known = by_kind
        self.pair_words, self.pairs = self._pairs("b")  # pairs of words
        self.prefix_words, self.prefix_pairs = self._pairs("p")  # pairs of first syllables (Korean)
        self.korean = lang == "ko"
        self._forget()

    def _pairs(self, kind: str) -> tuple[dict[str, int], tuple[np.ndarray, np.ndarray, int]]:
        """The known pairs' words numbered, and the pairs as sorted keys (first * words + second) with their rows."""
        numbers: dict[str, int] = {}
        pairs = []
        for value, row in self.known.get(kind, {}).items():
            parts = value.split("_")
            if len(parts) == 2:  # with "_" in a word the name is ambiguous: such sentences are read one by one
                pairs.append((*(numbers.setdefault(part, len(numbers)) for part in parts), row))
        keys = np.array([first * len(numbers) + second for first, second, _ in pairs], dtype=np.int64)
        order = np.argsort(keys)
        return numbers, (keys[order], np.array([row for *_, row in pairs], dtype=np.int64)[order], len(numbers))

    def _forget(self) -> None:
        self.words: dict[str, int] = {"\n": _END}
        self.prefixes: dict[str, int] = {}
        # By word number: where its feature ids start in `ids`, how many, its number among the known pairs'
        # words, and its first syllables' numbers (all prefixes; known pairs' prefixes).
        self.ids = array("q")
        self.starts, self.sizes, self.pair_number, self.prefix, self.prefix_number = (array("q") for _ in range(5))

    def _add(self, word: str) -> int:
        self.starts.append(len(self.ids))
        for kind, values in token_parts(word, self.lang):
            known, salt = self.known.get(kind, {}), _SALTS[kind]
            self.ids.extend([row if (row := known.get(value)) is not None else self.rows + ((hash(value) ^ salt) & _HASH)
                             for value in set(values)])
        self.sizes.append(len(self.ids) - self.starts[-1])
        self.pair_number.append(self.pair_words.get(word, -1))
        self.prefix.append(self.prefixes.setdefault(word[:2], len(self.prefixes)))
        self.prefix_number.append(self.prefix_words.get(word[:2], -1))
        self.words[word] = len(self.starts) - 1
        return self.words[word]

    def claims(self, sentences: list[str]) -> np.ndarray:
        """1 - P(honest) of each sentence, as judge() computes it (to within rounding)."""
        result = np.empty(len(sentences))
        fast = [i for i, sentence in enumerate(sentences) if "_" not in sentence]
        for i in sorted(set(range(len(sentences))) - set(fast)):
            result[i] = self.claim(sentences[i])
        for at in range(0, len(fast), _BATCH):
            chosen = fast[at:at + _BATCH]
            result[chosen] = self._claims([sentences[i] for i in chosen])
        return result

    def _claims(self, sentences: list[str]) -> np.ndarray:
        if len(self.words) > _KNOWN_WORDS:
            self._forget()  # before, not while, numbering this batch's words
        tokens = _WORD_OR_END.findall("\n".join(sentences).lower())
        numbers = list(map(self.words.get, tokens))
        if None in numbers:
            numbers = [self.words[token] if token in self.words else self._add(token) for token in tokens]
        count = len(sentences)
        sums, sizes = np.zeros((count, len(self.intercept))), np.zeros(count)
        numbers_array = np.array(numbers, dtype=np.int64)
        is_word = numbers_array != _END
        if is_word.any():
            owners, ids = self._features(np.cumsum(~is_word)[is_word], numbers_array[is_word])
            keys = np.sort((owners << _ID_BITS) | ids)  # by sentence, then by feature
            keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]  # each feature once per sentence
            owners, ids = keys >> _ID_BITS, keys & ((1 << _ID_BITS) - 1)
            sizes = np.bincount(owners, minlength=count).astype(np.float64)
            known = ids < self.rows
            rows, owners = ids[known], owners[known]
            if len(rows):
                starts = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1])))
                sums[owners[starts]] = np.add.reduceat(self.weights[rows], starts, axis=0, dtype=np.float64)
        scores = self.intercept + sums / np.sqrt(np.maximum(sizes, 1.0))[:, None]
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return 1.0 - exp[:, self.honest] / exp.sum(axis=1)

    def _features(self, places: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every feature id of the words and neighbouring pairs, with the sentence it is in."""
        starts = np.frombuffer(self.starts, dtype=np.int64)[words]
        sizes = np.frombuffer(self.sizes, dtype=np.int64)[words]
        offsets = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())
        ids, owners = [np.frombuffer(self.ids, dtype=np.int64)[offsets]], [np.repeat(places, sizes)]
        same = places[1:] == places[:-1]
        first, second = words[:-1][same], words[1:][same]
        kinds = [(first, second, self.pair_number, self.pairs, _PAIR)]
        if self.korean:
            prefix = np.frombuffer(self.prefix, dtype=np.int64)
            kinds.append((prefix[first], prefix[second], self.prefix_number, self.prefix_pairs, _PREFIX_PAIR))
        for a, b, known_number, known, base in kinds:
            pair_ids = base + (a << _NUMBER_BITS) + b
            number = np.frombuffer(known_number, dtype=np.int64)
            rows, at = _known_pairs(number[first], number[second], known)
            pair_ids[at] = rows
            ids.append(pair_ids)
            owners.append(places[1:][same])
        return np.concatenate(owners), np.concatenate(ids)


def _known_pairs(a: np.ndarray, b: np.ndarray, known: tuple[np.ndarray, np.ndarray, int]) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the pairs the model knows (a, b: their words' numbers among the known pairs'), and their places."""
    keys, rows, count = known
    both = np.flatnonzero((a >= 0) & (b >= 0))
    if not len(keys) or not len(both):
        return np.zeros(0, dtype=np.int64), both
    wanted = a[both] * count + b[both]
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    found = keys[at] == wanted
    return rows[at[found]], both[found]
