"""The claims model's confidence for many sentences at once: the sum ClaimsModel.judge() makes for one
sentence, made for a post's sentences in a few numpy calls.

A post has a hundred sentences and a site thousands of posts: listing each sentence's features in
Python costs more than all the rules. A sentence's score is a sum over its words and word pairs
(model_features.py), so each word's weights are added up once per run, the first time it is seen:
its character and letter n-grams are hashed all at once with numpy and looked up among the hashes of
the features the model knows. Only the few sentences near or over the threshold are then read one by
one by judge(), which also explains them.
"""
from __future__ import annotations

import re
from typing import Callable, Mapping

import numpy as np

from generator.check.model_features import CHAR_SIZES, LETTER_SIZES, letters

_WORD_OR_END = re.compile(r"[\w'’%+#]+|\n", re.UNICODE)  # model_features.words, with the sentences' ends
_END = -1  # a sentence's end among the words' numbers
_KNOWN_WORDS = 30_000  # words remembered (some 150 bytes each); a site has fewer, a corpus of made-up words more
_BATCH = 1 << 16  # sentences scored at once
_SEPARATOR = 10  # "\n" between the words whose n-grams are hashed together: no n-gram spans it
_MULTIPLIER = np.uint64(0x100000001B3)  # odd, so no two short strings of one size share a hash by construction
_SALTS = {"c": 0x5A17C0DE1234567, "j": 0x3243F6A8885A308D}  # a hash space per kind of n-gram


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _hash(codes: np.ndarray, starts: np.ndarray, size: int, kind: str) -> np.ndarray:
    """A 64-bit hash of each codes[start:start + size] (arithmetic wraps around, as intended)."""
    hashes = np.full(len(starts), _SALTS[kind] + size, dtype=np.uint64)
    for offset in range(size):
        hashes = hashes * _MULTIPLIER + codes[starts + offset]
    return hashes


def _known_hashes(values: Mapping[str, int], kind: str) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of one kind's known n-grams, sorted, with their rows."""
    hashes, rows = [np.zeros(0, dtype=np.uint64)], [np.zeros(0, dtype=np.int64)]
    by_size: dict[int, list[tuple[str, int]]] = {}
    for value, row in values.items():
        by_size.setdefault(len(value), []).append((value, row))
    for size, items in by_size.items():
        if size == 0:
            continue
        codes = np.array([value for value, _ in items]).view(np.uint32).astype(np.uint64)
        hashes.append(_hash(codes, np.arange(0, len(codes), size), size, kind))
        rows.append(np.array([row for _, row in items], dtype=np.int64))
    hashes_array, rows_array = np.concatenate(hashes), np.concatenate(rows)
    order = np.argsort(hashes_array, kind="stable")
    return hashes_array[order], rows_array[order]


class BatchScorer:
    def __init__(self, lang: str, by_kind: Mapping[str, Mapping[str, int]], weights: np.ndarray,
                 intercept: np.ndarray, honest: int, claim: Callable[[str], float]):
        """by_kind: feature kind -> value -> row of weights (features x classes); honest: the honest
        class's column; claim: one sentence's confidence, the slow way (ClaimsModel)."""
        self.lang, self.claim, self.honest = lang, claim, honest
        self.weights = weights  # float32, as ClaimsModel holds them: a copy would double them
        self.intercept = intercept.astype(np.float64)
        self.known_words = by_kind.get("w", {})
        self.korean = lang == "ko"
        self.grams = {kind: _known_hashes(by_kind.get(kind, {}), kind) for kind in ("c", "j")}
        self.pair_words, self.pairs = self._pairs(by_kind, "b")  # pairs of words
        self.prefix_words, self.prefix_pairs = self._pairs(by_kind, "p")  # pairs of first syllables (Korean)
        self._forget()

    @staticmethod
    def _pairs(by_kind: Mapping[str, Mapping[str, int]], kind: str) -> tuple[dict[str, int], tuple[np.ndarray, np.ndarray, int]]:
        """The known pairs' words numbered, and the pairs as sorted keys (first * words + second) with their rows."""
        numbers: dict[str, int] = {}
        pairs = []
        for value, row in by_kind.get(kind, {}).items():
            parts = value.split("_")
            if len(parts) == 2:  # with "_" in a word the name is ambiguous: such sentences are read one by one
                pairs.append((*(numbers.setdefault(part, len(numbers)) for part in parts), row))
        keys = np.array([first * len(numbers) + second for first, second, _ in pairs], dtype=np.int64)
        order = np.argsort(keys)
        return numbers, (keys[order], np.array([row for *_, row in pairs], dtype=np.int64)[order], len(numbers))

    def _forget(self) -> None:
        self.words: dict[str, int] = {"\n": _END}
        # By word number: the sum of its features' weights, how many feature occurrences it has, and its
        # number among the known word pairs' words and first-syllable pairs' prefixes (-1: none).
        self.sums = np.zeros((0, len(self.intercept)))
        self.sizes = np.zeros(0)
        self.pair_number = np.zeros(0, dtype=np.int64)
        self.prefix_number = np.zeros(0, dtype=np.int64)

    def _learn(self, new: list[str]) -> None:
        """Number the new words and add up each one's weights."""
        sums = np.zeros((len(new), len(self.intercept)))
        sizes = np.ones(len(new))  # the word itself
        known = [(at, row) for at, word in enumerate(new) if (row := self.known_words.get(word)) is not None]
        if known:
            at, rows = map(list, zip(*known))
            sums[at] += self.weights[rows]
        padded = "\n".join(f" {word} " for word in new)
        owners, rows = [], []  # each known n-gram occurrence: its word, its row
        for kind, text, sizes_of_kind in (("c", padded, CHAR_SIZES), ("j", letters(padded), LETTER_SIZES)):
            if kind == "j" and not self.korean:
                continue
            codes = _codes(text)
            separator = codes == _SEPARATOR
            owner = np.cumsum(separator)  # the word each letter belongs to
            known_hashes, known_rows = self.grams[kind]
            for size in sizes_of_kind:
                starts = np.arange(max(len(codes) - size + 1, 0))
                starts = starts[(owner[starts] == owner[starts + size - 1]) & ~separator[starts]]
                sizes += np.bincount(owner[starts], minlength=len(new))
                if len(known_hashes) and len(starts):
                    hashes = _hash(codes, starts, size, kind)
                    at = np.minimum(np.searchsorted(known_hashes, hashes), len(known_hashes) - 1)
                    hit = known_hashes[at] == hashes
                    owners.append(owner[starts[hit]])
                    rows.append(known_rows[at[hit]])
        if owners:
            owner, row = np.concatenate(owners), np.concatenate(rows)
            order = np.argsort(owner, kind="stable")
            owner, row = owner[order], row[order]
            if len(owner):
                first = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
                sums[owner[first]] += np.add.reduceat(self.weights[row], first, axis=0, dtype=np.float64)
        self.words.update((word, len(self.sizes) + at) for at, word in enumerate(new))
        self.sums = np.concatenate((self.sums, sums))
        self.sizes = np.concatenate((self.sizes, sizes))
        self.pair_number = np.concatenate((self.pair_number, [self.pair_words.get(word, -1) for word in new]))
        self.prefix_number = np.concatenate((self.prefix_number, [self.prefix_words.get(word[:2], -1) for word in new]))

    def claims(self, sentences: list[str]) -> np.ndarray:
        """1 - P(honest) of each sentence, as judge() computes it (to within rounding)."""
        result = np.empty(len(sentences))
        fast = [i for i, sentence in enumerate(sentences) if "_" not in sentence]
        for i in sorted(set(range(len(sentences))) - set(fast)):
            result[i] = self.claim(sentences[i])
        for at in range(0, len(fast), _BATCH):
            chosen = fast[at:at + _BATCH]
            result[chosen] = self._claims([sentences[i].replace("\n", " ") for i in chosen])
        return result

    def _claims(self, sentences: list[str]) -> np.ndarray:
        if len(self.words) > _KNOWN_WORDS:
            self._forget()  # before, not while, numbering this batch's words
        tokens = _WORD_OR_END.findall("\n".join(sentences).lower())
        new = [token for token in dict.fromkeys(tokens) if token not in self.words]
        if new:
            self._learn(new)
        count = len(sentences)
        sums, sizes = np.zeros((count, len(self.intercept))), np.zeros(count)
        numbers = np.array([self.words[token] for token in tokens], dtype=np.int64)
        is_word = numbers != _END
        places, numbers = np.cumsum(~is_word)[is_word], numbers[is_word]  # each word's sentence, and the word
        if len(numbers):
            starts = np.flatnonzero(np.concatenate(([True], places[1:] != places[:-1])))
            sums[places[starts]] = np.add.reduceat(self.sums[numbers], starts, axis=0)
            sizes = np.bincount(places, weights=self.sizes[numbers], minlength=count)
            same = places[1:] == places[:-1]  # neighbours in one sentence
            pair_places = places[1:][same]
            first, second = numbers[:-1][same], numbers[1:][same]
            kinds = [(self.pair_number, self.pairs)] + ([(self.prefix_number, self.prefix_pairs)] if self.korean else [])
            for known_number, known in kinds:
                sizes += np.bincount(pair_places, minlength=count)
                rows, at = _known_pairs(known_number[first], known_number[second], known)
                if len(rows):
                    np.add.at(sums, pair_places[at], self.weights[rows])
        scores = self.intercept + sums / np.sqrt(np.maximum(sizes, 1.0))[:, None]
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return 1.0 - exp[:, self.honest] / exp.sum(axis=1)


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
