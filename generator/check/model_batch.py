"""The claims model's arithmetic for many sentences at once (ClaimsModel.verdicts, and judge() for one).

A post has a hundred sentences and a site thousands of posts: listing each sentence's features in
Python costs more than all the rules. A sentence's score is a sum over its words and word pairs
(model_features.py), so the words are found and hashed with numpy, and each word's weights are added
up once per run, the first time it is seen: its character and letter n-grams are hashed all at once with numpy and looked up among the hashes of
the features the model knows. The words' rows are kept too, for the few sentences that are flagged
and must say which words decided and which labelled sentence they read like.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from generator.check.model_features import CHAR_SIZES, LETTER_SIZES, letters, scale_floor

_KNOWN_WORDS = 100_000  # words remembered (about 400 bytes each): a worker forgets them all past this many
_SEPARATOR = 10  # "\n" between the words whose n-grams are hashed together: no n-gram spans it
_MULTIPLIER = np.uint64(0x100000001B3)  # odd, so no two short strings of one size share a hash by construction
_INVERSE = np.uint64(pow(int(_MULTIPLIER), -1, 1 << 64))
_MIXER = np.uint64(0x9E3779B97F4A7C15)  # spreads the hashes' bits into their top bits, which pick a bucket
_SALTS = {"c": 0x5A17C0DE1234567, "j": 0x3243F6A8885A308D}  # a hash space per kind of n-gram


GRAM_KINDS = ("c", "j")  # n-grams: the model file keeps their hashes, which is all `check` looks them up by


def stored_features(names: np.ndarray) -> dict[str, np.ndarray]:
    """The features' names ("kind:value", the kind one letter; a numpy string array, a name's place its
    row of weights) as the model file keeps them: by kind, each value with its row, and an n-gram as its
    hash, with whether it names a word (three letters or more). Loading then makes no string of the
    hundred thousand n-grams, and no worker splits or hashes them."""
    arrays: dict[str, np.ndarray] = {"feature_count": np.array(len(names))}
    width = max(names.dtype.itemsize // 4, 3)
    codes = names.astype(f"U{width}").view(np.uint32).reshape(len(names), width)
    values = np.ascontiguousarray(codes[:, 2:]).view(f"U{width - 2}").reshape(len(names))
    for code in np.unique(codes[:, 0]).tolist():
        kind, rows = chr(code), np.flatnonzero(codes[:, 0] == code)
        if kind in GRAM_KINDS:
            hashes, order = _gram_hashes(values[rows], kind)
            arrays[f"{kind}_hashes"], arrays[f"{kind}_rows"] = hashes, rows[order].astype(np.int32)
            arrays[f"{kind}_explains"] = np.strings.str_len(np.strings.strip(values[rows][order])) >= 3
        else:
            # As wide as the kind needs, not as the widest name.
            arrays[f"{kind}_values"] = np.array(values[rows].tolist(), dtype=str)
            arrays[f"{kind}_rows"] = rows.astype(np.int32)
    return arrays


def _gram_hashes(values: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of n-grams (a numpy string array; none empty), and which value each one is."""
    hashes, order = [np.zeros(0, dtype=np.uint64)], [np.zeros(0, dtype=np.int64)]
    codes = values.view(np.uint32).reshape(len(values), values.dtype.itemsize // 4)
    sizes = np.strings.str_len(values)
    distinct, first = np.unique(sizes, return_index=True)
    for size in distinct[np.argsort(first)].tolist():  # sizes in the order they first come
        chosen = np.flatnonzero(sizes == size)
        flat = codes[chosen, :size].astype(np.uint64).ravel()
        hashes.append(_hash(flat, np.arange(0, len(flat), size), size, kind))
        order.append(chosen)
    return np.concatenate(hashes), np.concatenate(order)


class FeatureIndex:
    """Feature name ("kind:value") -> its row of weights, from the arrays of stored_features(). Only the
    words get a dictionary, when asked for."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.size = int(arrays["feature_count"])
        self.kinds: dict[str, tuple[np.ndarray, np.ndarray]] = {
            key[0]: (arrays[key], arrays[f"{key[0]}_rows"].astype(np.int64)) for key in arrays if key.endswith("_values")}
        self.grams: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {
            kind: (arrays[f"{kind}_hashes"], arrays[f"{kind}_rows"].astype(np.int64), arrays[f"{kind}_explains"])
            for kind in GRAM_KINDS if f"{kind}_hashes" in arrays}
        self._dictionaries: dict[str, dict] = {}

    def values(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """A kind of words' values (a numpy string array) and their rows, in row order."""
        return self.kinds.get(kind, (np.zeros(0, dtype="U1"), np.zeros(0, dtype=np.int64)))

    def hashes(self, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A kind of n-grams' hashes, their rows, and whether each names a word."""
        empty = np.zeros(0, dtype=np.int64)
        return self.grams.get(kind, (empty.astype(np.uint64), empty, empty.astype(bool)))

    def of_kind(self, kind: str) -> dict[str, int]:
        """A kind of words' values -> their rows."""
        if kind not in self._dictionaries:
            values, rows = self.values(kind)
            self._dictionaries[kind] = dict(zip(values.tolist(), rows.tolist()))
        return self._dictionaries[kind]

    def get(self, name: str) -> int | None:
        kind, _, value = name.partition(":")
        if kind not in GRAM_KINDS:
            return self.of_kind(kind).get(value)
        if kind not in self._dictionaries:
            hashes, rows, _ = self.hashes(kind)
            self._dictionaries[kind] = dict(zip(hashes.tolist(), rows.tolist()))
        codes = np.array([ord(letter) for letter in value], dtype=np.uint64)
        return self._dictionaries[kind].get(int(_hash(codes, np.zeros(1, dtype=np.int64), len(value), kind)[0])) \
            if value else None

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    def __getitem__(self, name: str) -> int:
        row = self.get(name)
        if row is None:
            raise KeyError(name)
        return row

    def __len__(self) -> int:
        return self.size


@dataclass(frozen=True, slots=True)
class Scored:
    """What a batch of sentences scored: each sentence's scores (before softmax) and, for each
    sentence, the numbers of its words and its known word pairs, to explain a verdict."""

    scores: np.ndarray  # sentences x classes
    sizes: np.ndarray  # each sentence's feature occurrences
    word_places: np.ndarray  # each word occurrence's sentence (sorted)
    words: np.ndarray  # each word occurrence's number
    pair_places: np.ndarray  # each known pair occurrence's sentence
    pair_words: np.ndarray  # each known pair occurrence: its first word's number (its second follows it)
    pair_rows: np.ndarray  # each known pair occurrence's row of weights


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)


class _Tokens:
    """The words of many sentences, found and hashed with numpy as model_features.words() finds them
    (`[\\w'’%+#]+` after lower()): a regular expression and a dictionary lookup a word cost more than
    the model's arithmetic, on a million words a language."""

    _EXTRA = "_'’%+#"  # what a word holds besides letters and digits (str.isalnum(), as \\w reads them)

    def __init__(self) -> None:
        self.basic = _word_letters(self._EXTRA)  # the Basic Multilingual Plane; others (emoji) are looked up when met
        self.powers, self.inverse_powers = np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64)

    def _grow(self, size: int) -> None:
        if size > len(self.powers):
            size = max(size, 2 * len(self.powers))
            self.powers, self.inverse_powers = (
                np.concatenate(([np.uint64(1)], np.cumprod(np.full(size - 1, base, dtype=np.uint64))))
                for base in (_MULTIPLIER, _INVERSE))

    def split(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(each word's start and end in text, its hash, and its sentence: how many line breaks come before it)."""
        codes = _codes(text)
        starts, ends, hashes = self.split_codes(codes)
        sentences = np.cumsum(codes == _SEPARATOR)[starts] if len(starts) else np.zeros(0, dtype=np.int64)
        return starts, ends, hashes, sentences

    def split_codes(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(each word's start and end, and its hash) in a text's code points (_codes())."""
        is_word = self.basic[np.minimum(codes, (1 << 16) - 1).astype(np.int64)]
        astral = np.flatnonzero(codes >= (1 << 16))
        if len(astral):
            astral_codes = codes[astral].tolist()
            word_like = {code for code in set(astral_codes) if chr(code).isalnum()}
            is_word[astral] = [code in word_like for code in astral_codes]
        edges = np.flatnonzero(np.diff(np.concatenate(([False], is_word, [False])).astype(np.int8)))
        starts, ends = edges[0::2], edges[1::2]
        self._grow(len(codes) + 1)
        # Polynomial hashes of every stretch from prefix sums: codes[i] * M^-i summed, times M^(end-1).
        prefix = np.zeros(len(codes) + 1, dtype=np.uint64)
        np.cumsum(codes * self.inverse_powers[:len(codes)], out=prefix[1:])
        hashes = (prefix[ends] - prefix[starts]) * self.powers[ends - 1] if len(starts) else np.zeros(0, np.uint64)
        hashes = (hashes + (ends - starts).astype(np.uint64) * _MIXER) * _MIXER
        hashes ^= hashes >> np.uint64(31)
        return starts, ends, hashes


@lru_cache(maxsize=1)
def _word_letters(extra: str) -> np.ndarray:
    """By code point of the Basic Multilingual Plane: whether it is in a word (one table for every language's model)."""
    letters = np.array([chr(code).isalnum() for code in range(1 << 16)], dtype=bool)
    letters[[ord(c) for c in extra]] = True
    letters.flags.writeable = False
    return letters


def _hash(codes: np.ndarray, starts: np.ndarray, size: int, kind: str) -> np.ndarray:
    """A 64-bit hash of each codes[start:start + size] (arithmetic wraps around, as intended)."""
    hashes = np.full(len(starts), _SALTS[kind] + size, dtype=np.uint64)
    for offset in range(size):
        hashes = hashes * _MULTIPLIER + codes[starts + offset]
    return hashes


class _HashIndex:
    """The hashes of one kind's known n-grams, bucketed by their top bits, with their rows: a Korean
    site has hundreds of thousands of distinct words, and a bucket is found in one step where a sorted
    array of a hundred thousand hashes takes seventeen."""

    def __init__(self, hashes_array: np.ndarray, rows_array: np.ndarray):
        """hashes_array: distinct 64-bit keys (uint64), rows_array their rows."""
        # About four buckets a hash: most n-grams of a sentence are unknown, and an empty bucket tells so at once.
        self.shift = np.uint64(64 - max(4, int(len(hashes_array)).bit_length() + 2))
        buckets = self._bucket(hashes_array)
        order = np.argsort(buckets, kind="stable")
        self.hashes, self.rows = hashes_array[order], rows_array[order]
        self.starts = np.concatenate(([0], np.cumsum(np.bincount(buckets, minlength=1 << (64 - int(self.shift)))))
                                     ).astype(np.int32)
        self.deepest = int(np.diff(self.starts).max()) if len(hashes_array) else 0

    def _bucket(self, hashes: np.ndarray) -> np.ndarray:
        return ((hashes * _MIXER) >> self.shift).astype(np.int64)

    def find(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the places among hashes that are known, in order, and their rows)."""
        bucket = self._bucket(hashes)
        start, end = self.starts[bucket], self.starts[bucket + 1]
        found = np.full(len(hashes), -1, dtype=np.int64)
        waiting = np.flatnonzero(end > start)
        at = start[waiting]
        for _ in range(self.deepest):
            hit = self.hashes[at] == hashes[waiting]
            found[waiting[hit]] = self.rows[at[hit]]
            more = ~hit & (at + 1 < end[waiting])
            waiting, at = waiting[more], at[more] + 1
            if not len(waiting):
                break
        places = np.flatnonzero(found >= 0)
        return places, found[places]


class _Growing:
    """An array that grows at its end with room to spare: copying it whole for every post would cost
    more than the sums."""

    def __init__(self, dtype: type, width: int | None = None):
        self.size = 0
        self.data = np.zeros((64, width) if width else 64, dtype=dtype)

    def extend(self, values: np.ndarray) -> None:
        need = self.size + len(values)
        if need > len(self.data):
            grown = np.zeros((max(need, 2 * len(self.data)),) + self.data.shape[1:], dtype=self.data.dtype)
            grown[:self.size] = self.data[:self.size]
            self.data = grown
        self.data[self.size:need] = values
        self.size = need

    @property
    def values(self) -> np.ndarray:
        return self.data[:self.size]


class BatchScorer:
    def __init__(self, lang: str, index: FeatureIndex, weights: np.ndarray, intercept: np.ndarray):
        """index: the model's features by kind, each with its row of weights (features x classes)."""
        self.lang = lang
        self.weights = weights  # float32, as ClaimsModel holds them: a copy would double them
        self.intercept = intercept.astype(np.float64)
        self.tokens = _Tokens()
        self.known_words = self._by_hash(*index.values("w"))
        self.korean = lang == "ko"
        self.grams = {kind: _HashIndex(*index.hashes(kind)[:2]) for kind in GRAM_KINDS}
        pair_words, self.pairs = self._pairs(*index.values("b"))  # pairs of words
        prefix_words, self.prefix_pairs = self._pairs(*index.values("p"))  # pairs of first syllables (Korean)
        self.pair_words = self._by_hash(pair_words, np.arange(len(pair_words)))
        self.prefix_words = self._by_hash(prefix_words, np.arange(len(prefix_words)))
        self._forget()

    @staticmethod
    def _pairs(values: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, tuple[_HashIndex, int]]:
        """The known pairs' words in the order they first come (their numbers), and the pairs by their keys
        (first * words + second) with their rows. A value with another "_" inside a word is ambiguous,
        and such pairs are left out. (A dictionary numbers the words faster than numpy's string
        functions split and sort them.)"""
        numbers: dict[str, int] = {}
        firsts, seconds, kept = [], [], []
        for at, value in enumerate(values.tolist()):
            first, separator, second = value.partition("_")
            if separator and "_" not in second:
                firsts.append(numbers.setdefault(first, len(numbers)))
                seconds.append(numbers.setdefault(second, len(numbers)))
                kept.append(at)
        keys = np.array(firsts, dtype=np.int64) * len(numbers) + np.array(seconds, dtype=np.int64)
        return (np.array(list(numbers), dtype=str),
                (_HashIndex(keys.astype(np.uint64), np.asarray(rows, dtype=np.int64)[kept]), len(numbers)))

    def _by_hash(self, words: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Words (each one word as _Tokens reads them) with their values, as their hashes sorted: the
        words of a batch are looked up by the hashes split() gives them, not one by one in a dictionary."""
        if not len(words):
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
        starts, ends, hashes, places = self.tokens.split("\n".join(words.tolist()))
        # A word the tokenizer reads as several (none are) is never a batch's word: it is left out.
        alone = (np.bincount(places, minlength=len(words)) == 1)[places]
        whole = alone & ((ends - starts) == np.strings.str_len(words)[places])
        order = np.argsort(hashes[whole], kind="stable")
        return hashes[whole][order], np.asarray(values, dtype=np.int64)[places[whole]][order]

    def _forget(self) -> None:
        # The words seen, numbered in the order they came: their hashes sorted, with their numbers.
        self.word_hashes, self.word_numbers = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
        self.vocabulary: list[str] = []
        # By word number: the sum of its features' weights, how many feature occurrences it has, where
        # its known features' rows start in `rows` and how many there are, and its number among the
        # known word pairs' words and first-syllable pairs' prefixes (-1: none).
        classes = len(self.intercept)
        self.sums, self.sizes = _Growing(np.float64, classes), _Growing(np.float64)
        self.row_start, self.row_count, self.rows = _Growing(np.int64), _Growing(np.int64), _Growing(np.int32)
        self.pair_number, self.prefix_number = _Growing(np.int64), _Growing(np.int64)

    def _numbers(self, hashes: np.ndarray) -> np.ndarray:
        """The numbers of the words with these hashes (-1: not seen yet)."""
        if not len(self.word_hashes):
            return np.full(len(hashes), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.word_hashes, hashes), len(self.word_hashes) - 1)
        return np.where(self.word_hashes[at] == hashes, self.word_numbers[at], -1)

    def _learn(self, new: list[str], hashes: np.ndarray) -> None:
        """Number the new words (hashes: theirs) and add up each one's weights."""
        sizes = np.ones(len(new))  # the word itself
        known_rows = _looked_up(self.known_words, hashes)
        owners = [np.flatnonzero(known_rows >= 0)]
        rows = [known_rows[owners[0]]]
        padded = "\n".join(f" {word} " for word in new)
        for kind, text, sizes_of_kind in (("c", padded, CHAR_SIZES), ("j", letters(padded), LETTER_SIZES)):
            if kind == "j" and not self.korean:
                continue
            codes = _codes(text)
            separator = codes == _SEPARATOR
            owner = np.cumsum(separator)  # the word each letter belongs to
            index = self.grams[kind]
            for size in sizes_of_kind:
                starts = np.arange(max(len(codes) - size + 1, 0))
                starts = starts[(owner[starts] == owner[starts + size - 1]) & ~separator[starts]]
                sizes += np.bincount(owner[starts], minlength=len(new))
                if len(starts):
                    hit, known_rows = index.find(_hash(codes, starts, size, kind))
                    owners.append(owner[starts[hit]])
                    rows.append(known_rows)
        owner, row = np.concatenate(owners), np.concatenate(rows)
        order = np.argsort(owner, kind="stable")
        owner, row = owner[order], row[order]
        sums = np.zeros((len(new), len(self.intercept)))
        if len(owner):
            first = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
            sums[owner[first]] = np.add.reduceat(np.take(self.weights, row, axis=0), first, axis=0, dtype=np.float64)
        counts = np.bincount(owner, minlength=len(new))
        self.row_start.extend(self.rows.size + np.cumsum(counts) - counts)
        self.row_count.extend(counts)
        self.rows.extend(row)
        self.vocabulary += new
        self.sums.extend(sums)
        self.sizes.extend(sizes)
        self.pair_number.extend(_looked_up(self.pair_words, hashes))
        if self.korean:
            prefixes = self.tokens.split("\n".join([word[:2] for word in new]))[2]
            self.prefix_number.extend(_looked_up(self.prefix_words, prefixes))
        else:
            self.prefix_number.extend(np.full(len(new), -1, dtype=np.int64))

    def score(self, sentences: list[str]) -> Scored:
        """The scores of sentences (none may hold a line break), with what explains them."""
        text = "\n".join(sentences).lower()
        word_starts, word_ends, hashes, places = self.tokens.split(text)  # places: each word's sentence
        return self._scored(text, word_starts, word_ends, hashes, places, len(sentences))

    def score_spans(self, lowered: str, leads: np.ndarray, tails: np.ndarray) -> Scored:
        """score() of the sentences lowered[lead:tail] (in order, none overlapping), read where they are:
        cutting a hundred thousand sentences out of the prose and joining them again costs more than
        blanking what lies between them."""
        codes = _codes(lowered)
        inside = np.cumsum(np.bincount(leads, minlength=len(codes) + 1) - np.bincount(tails, minlength=len(codes) + 1))
        codes[inside[:len(codes)] == 0] = _SEPARATOR
        word_starts, word_ends, hashes = self.tokens.split_codes(codes)
        places = np.searchsorted(leads, word_starts, side="right") - 1
        return self._scored(lowered, word_starts, word_ends, hashes, places, len(leads))

    def _scored(self, text: str, word_starts: np.ndarray, word_ends: np.ndarray, hashes: np.ndarray,
                places: np.ndarray, count: int) -> Scored:
        """The scores of `count` sentences, from their words' places in text, hashes and sentences (sorted)."""
        if len(self.vocabulary) >= _KNOWN_WORDS:
            self._forget()  # before, not while, numbering this batch's words
        distinct, first_seen, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        numbered = self._numbers(distinct)
        unseen = np.flatnonzero(numbered < 0)
        if len(unseen):
            unseen = unseen[np.argsort(first_seen[unseen], kind="stable")]  # numbered in the order they come
            self._learn([text[start:end] for start, end in zip(word_starts[first_seen[unseen]].tolist(),
                                                               word_ends[first_seen[unseen]].tolist())],
                        distinct[unseen])
            numbered[unseen] = len(self.vocabulary) - len(unseen) + np.arange(len(unseen))
            hashes_now = np.concatenate((self.word_hashes, distinct[unseen]))
            order = np.argsort(hashes_now, kind="stable")
            self.word_hashes = hashes_now[order]
            self.word_numbers = np.concatenate((self.word_numbers, numbered[unseen]))[order]
        numbers = numbered[inverse.reshape(-1)]
        sums, sizes = np.zeros((count, len(self.intercept))), np.zeros(count)
        empty = np.zeros(0, dtype=np.int64)
        pair_places, pair_words, pair_rows = [empty], [empty], [empty]
        if len(numbers):
            starts = np.flatnonzero(np.concatenate(([True], places[1:] != places[:-1])))
            sums[places[starts]] = np.add.reduceat(np.take(self.sums.values, numbers, axis=0), starts, axis=0)
            sizes = np.bincount(places, weights=self.sizes.values[numbers], minlength=count)
            same = np.flatnonzero(places[1:] == places[:-1])  # a word followed by a neighbour in its sentence
            first, second = numbers[same], numbers[same + 1]
            kinds = [(self.pair_number, self.pairs)] + ([(self.prefix_number, self.prefix_pairs)] if self.korean else [])
            for known_number, known in kinds:
                sizes += np.bincount(places[same], minlength=count)
                rows, at = _known_pairs(known_number.values[first], known_number.values[second], known)
                pair_places.append(places[same[at]])  # in order: a sentence's pairs of a kind come together
                pair_words.append(same[at])
                pair_rows.append(rows)
                if len(rows):
                    starts = np.flatnonzero(np.concatenate(([True], pair_places[-1][1:] != pair_places[-1][:-1])))
                    sums[pair_places[-1][starts]] += np.add.reduceat(np.take(self.weights, rows, axis=0), starts, axis=0,
                                                                      dtype=np.float64)
        pair_place, pair_word, pair_row = (np.concatenate(parts) for parts in (pair_places, pair_words, pair_rows))
        scores = self.intercept + sums / np.sqrt(np.maximum(sizes, scale_floor(self.lang)))[:, None]
        return Scored(scores, sizes, places, numbers, pair_place, pair_word, pair_row)


def _looked_up(table: tuple[np.ndarray, np.ndarray], hashes: np.ndarray) -> np.ndarray:
    """The values of the words with these hashes in a table of _by_hash() (-1: not there)."""
    known, values = table
    if not len(known):
        return np.full(len(hashes), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(known, hashes), len(known) - 1)
    return np.where(known[at] == hashes, values[at], -1)


def _known_pairs(a: np.ndarray, b: np.ndarray, known: tuple[_HashIndex, int]) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the pairs the model knows (a, b: their words' numbers among the known pairs'), and their places."""
    index, count = known
    both = np.flatnonzero((a >= 0) & (b >= 0))
    if not count or not len(both):
        return np.zeros(0, dtype=np.int64), both
    places, rows = index.find((a[both] * count + b[both]).astype(np.uint64))
    return rows, both[places]
