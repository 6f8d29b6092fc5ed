"""The advertising-claims model: a linear classifier beside the rule packs, for claims written in
words no rule lists ("nowhere else will your lips ...", "효과 없으면 돈 안 받아요").

Trained by `make model` (compliance/train_model.py) from the labelled corpus; its weights ship in
generator/check/model/<lang>.npz (numpy, no scikit-learn at run time) and are loaded only by the
process that checks, on first use. A verdict names a rule family, the sentence's decisive words and
the labelled sentence it reads most like, so a writer can see why it was flagged. The model only
warns: errors stay with the rules, which cite the law.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from generator.check.model_batch import BatchScorer, FeatureIndex, Scored

MODEL_DIR = Path(__file__).parent / "model"
HONEST = "honest"
_BATCH = 1 << 14  # sentences scored at once


@dataclass(frozen=True, slots=True)
class Verdict:
    family: str
    probability: float
    decisive: tuple[str, ...]  # the sentence's words that weigh most towards the family
    reads_like: str  # the nearest labelled sentence of that family


class ClaimsModel:
    def __init__(self, lang: str, arrays: dict[str, np.ndarray]):
        self.lang = lang
        self.classes = [str(c) for c in arrays["classes"]]
        self.index = FeatureIndex(arrays["features"])
        self.weights = arrays["weights"].astype(np.float32)
        self.intercept = arrays["intercept"].astype(np.float32)
        self.threshold = float(arrays["threshold"])
        self.example_labels = arrays["example_labels"].astype(str)
        self.example_sentences: list[str] = arrays["example_sentences"].astype(str).tolist()
        # Each example's features that pull most towards its family, as rows over the features.
        self.example_indptr = arrays["example_indptr"].astype(np.int64)
        self.example_indices = arrays["example_indices"].astype(np.int64)
        self.example_data = arrays["example_data"].astype(np.float32)
        self._honest = self.classes.index(HONEST)
        self._scorer: BatchScorer | None = None
        self._families: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        self._dense: np.ndarray | None = None
        self._explaining: np.ndarray | None = None

    def probabilities(self, sentence: str) -> dict[str, float]:
        scores = self._score([sentence]).scores[0]
        return dict(zip(self.classes, (float(p) for p in _softmax(scores))))

    def judge(self, sentence: str) -> Verdict | None:
        """The family the sentence reads as, or None when it reads as honest or the model is unsure."""
        return self.verdicts([sentence])[0]

    def verdicts(self, sentences: list[str]) -> list[Verdict | None]:
        """judge() of each sentence, scored together (a post's sentences at once)."""
        found: list[Verdict | None] = [None] * len(sentences)
        for at in range(0, len(sentences), _BATCH):
            scored = self._score(sentences[at:at + _BATCH])
            scores = scored.scores - scored.scores.max(axis=1, keepdims=True)
            probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
            flagged = np.flatnonzero(1.0 - probabilities[:, self._honest] >= self.threshold)
            if not len(flagged):
                continue
            word_from = np.searchsorted(scored.word_places, flagged)
            word_to = np.searchsorted(scored.word_places, flagged, side="right")
            pair_order = np.argsort(scored.pair_places, kind="stable")
            pair_places = scored.pair_places[pair_order]
            pair_from = np.searchsorted(pair_places, flagged)
            pair_to = np.searchsorted(pair_places, flagged, side="right")
            for k, index in enumerate(flagged.tolist()):
                found[at + index] = self._verdict(scored, index, probabilities[index], slice(word_from[k], word_to[k]),
                                                  pair_order[pair_from[k]:pair_to[k]])
        return found

    def _score(self, sentences: list[str]) -> Scored:
        if self._scorer is None:
            self._scorer = BatchScorer(self.lang, self.index, self.weights, self.intercept)
        return self._scorer.score([sentence.replace("\n", " ") for sentence in sentences])

    def _verdict(self, scored: Scored, index: int, probabilities: np.ndarray, words: slice,
                 pairs: np.ndarray) -> Verdict:
        claim = 1.0 - float(probabilities[self._honest])  # how likely the sentence breaks some rule
        others = probabilities.copy()
        others[self._honest] = -1.0
        best = int(np.argmax(others))
        family = self.classes[best]
        scorer = self._scorer
        assert scorer is not None
        numbers = scored.words[words]
        # Each word's known features, gathered in one step: its run of `rows`, word after word.
        starts, sizes = scorer.row_start.values[numbers], scorer.row_count.values[numbers]
        gathered = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
        pair_rows = scored.pair_rows[pairs].astype(np.int32)
        rows = np.concatenate([scorer.rows.values[gathered], pair_rows])
        # Whose feature each row is: its word's place in the sentence, or (a pair) its first word's.
        owners = np.concatenate([np.repeat(np.arange(len(numbers)), sizes),
                                 scored.pair_words[pairs] - words.start]).astype(np.int64)
        distinct, first, counts = np.unique(rows, return_index=True, return_counts=True)
        tokens = [scorer.vocabulary[number] for number in numbers.tolist()]
        values = counts / math.sqrt(max(float(scored.sizes[index]), 1.0))  # as the sentence's features weigh
        is_pair = first >= len(rows) - len(pair_rows)  # the pairs' rows come after the words'
        return Verdict(family, claim, self._decisive(tokens, distinct, owners[first], is_pair, values, best),
                       self._nearest(family, distinct, values))

    def _decisive(self, tokens: list[str], rows: np.ndarray, owners: np.ndarray, is_pair: np.ndarray,
                  values: np.ndarray, best: int, count: int = 3) -> tuple[str, ...]:
        """The words whose features push the sentence most from honest towards the family: each feature
        counts for the first word (or pair of words) that has it; n-grams of one or two letters, which
        many words share, count for none."""
        weights = (self.weights[rows, best] - self.weights[rows, self._honest]) * values.astype(np.float32)
        keep = self._explains()[rows] & (weights != 0)
        pull: dict[str, float] = {}
        for owner, pair, weight in zip(owners[keep].tolist(), is_pair[keep].tolist(), weights[keep].tolist()):
            token = f"{tokens[owner]} {tokens[owner + 1]}" if pair else tokens[owner]
            pull[token] = pull.get(token, 0.0) + weight
        ranked = sorted((token for token, weight in pull.items() if weight > 0), key=lambda t: -pull[t])
        return tuple(ranked[:count])

    def _explains(self) -> np.ndarray:
        """By row: whether the feature names words (a word, a pair, or an n-gram of three letters or more)."""
        if self._explaining is None:
            self._explaining = np.zeros(len(self.index), dtype=bool)
            for kind, (values, rows) in self.index.kinds.items():
                self._explaining[rows] = True if kind in ("w", "b", "p") else np.strings.str_len(
                    np.strings.strip(values)) >= 3
        return self._explaining

    def _nearest(self, family: str, rows: np.ndarray, values: np.ndarray) -> str:
        """The labelled sentence of the family whose features overlap the sentence's most (cosine).
        rows: the sentence's known features, sorted, with their values."""
        examples, indptr, indices, data = self._examples_of(family)
        # The sentence as a dense vector over the features: one gather reads every example's overlap.
        if self._dense is None:
            self._dense = np.zeros(len(self.index), dtype=np.float32)
        self._dense[rows] = values
        products = self._dense[indices] * data
        self._dense[rows] = 0.0
        starts = indptr[:-1]
        similarity = (np.add.reduceat(products, np.minimum(starts, len(products) - 1)) if len(products)
                      else np.zeros(len(starts)))
        similarity[starts == indptr[1:]] = 0.0  # reduceat repeats a value for an empty row
        return self.example_sentences[int(examples[int(np.argmax(similarity))])]

    def _examples_of(self, family: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The family's labelled sentences (their numbers) and their rows over the features, kept apart once."""
        if family not in self._families:
            examples = np.flatnonzero(self.example_labels == family)
            starts, ends = self.example_indptr[examples], self.example_indptr[examples + 1]
            taken = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)] or [np.zeros(0, dtype=np.int64)])
            indptr = np.concatenate(([0], np.cumsum(ends - starts)))
            self._families[family] = (examples, indptr, self.example_indices[taken], self.example_data[taken])
        return self._families[family]


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


@lru_cache(maxsize=None)
def load_model(lang: str) -> ClaimsModel | None:
    """The language's model, or None when none was trained for it."""
    path = MODEL_DIR / f"{lang}.npz"
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as arrays:
        return ClaimsModel(lang, {key: arrays[key] for key in arrays.files})
