"""The advertising-claims model: a linear classifier beside the rule packs, for claims written in
words no rule lists ("nowhere else will your lips ...", "효과 없으면 돈 안 받아요").

Trained by `make model` (compliance/train_model.py) from the labelled corpus; its weights ship in
generator/check/model/<lang>.npz (numpy, no scikit-learn at run time) and are loaded only by the
process that checks, on first use. A verdict names a rule family, the sentence's decisive words and
the labelled sentence it reads most like, so a writer can see why it was flagged. The model only
warns: errors stay with the rules, which cite the law.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from generator.check.model_batch import BatchScorer
from generator.check.model_features import sentence_features, words

MODEL_DIR = Path(__file__).parent / "model"
HONEST = "honest"
_ROUNDING = 1e-3  # the batch sums in another order than judge(): sentences this close to the threshold go to judge()


class FeatureIndex:
    """Feature name ("kind:value") -> its row of weights, held as one dictionary per kind: the batch
    scorer looks words up by kind, and one copy of some hundred thousand names is enough."""

    def __init__(self, names: np.ndarray):
        self.by_kind: dict[str, dict[str, int]] = {}
        for row, name in enumerate(names.tolist()):
            kind, _, value = name.partition(":")
            self.by_kind.setdefault(kind, {})[value] = row
        self.size = len(names)

    def get(self, name: str) -> int | None:
        kind, _, value = name.partition(":")
        return self.by_kind.get(kind, {}).get(value)

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    def __getitem__(self, name: str) -> int:
        row = self.get(name)
        if row is None:
            raise KeyError(name)
        return row

    def __len__(self) -> int:
        return self.size


class _Known(NamedTuple):
    names: tuple[str, ...]
    rows: np.ndarray
    values: np.ndarray


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
        self.example_labels = np.array([str(s) for s in arrays["example_labels"]])
        self.example_sentences = [str(s) for s in arrays["example_sentences"]]
        # Each example's features that pull most towards its family, as rows over the features.
        self.example_indptr = arrays["example_indptr"].astype(np.int64)
        self.example_indices = arrays["example_indices"].astype(np.int64)
        self.example_data = arrays["example_data"].astype(np.float32)
        self._honest = self.classes.index(HONEST)
        self._batch: BatchScorer | None = None
        self._families: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def flagged(self, sentences: list[str]) -> list[bool]:
        """Which sentences judge() could flag, so that it reads only the few near or over the threshold."""
        if self._batch is None:
            self._batch = BatchScorer(self.lang, self.index.by_kind, self.weights, self.intercept, self._honest,
                                      lambda sentence: 1.0 - self.probabilities(sentence)[HONEST])
        return list(self._batch.claims(sentences) >= self.threshold - _ROUNDING)

    def probabilities(self, sentence: str) -> dict[str, float]:
        scores = self._scores(self._known(sentence_features(sentence, self.lang)))
        return dict(zip(self.classes, (float(p) for p in _softmax(scores))))

    def judge(self, sentence: str) -> Verdict | None:
        """The family the sentence reads as, or None when it reads as honest or the model is unsure."""
        known = self._known(sentence_features(sentence, self.lang))
        probabilities = _softmax(self._scores(known))
        claim = 1.0 - float(probabilities[self._honest])  # how likely the sentence breaks some rule
        if claim < self.threshold:
            return None
        probabilities[self._honest] = -1.0
        best = int(np.argmax(probabilities))
        family = self.classes[best]
        return Verdict(family, claim, self._decisive(sentence, known, best), self._nearest(family, known))

    def _known(self, features: dict[str, float]) -> _Known:
        """The features the model has weights for: their names, rows and values."""
        found = [(name, row, value) for name, value in features.items() if (row := self.index.get(name)) is not None]
        names, rows, values = zip(*found) if found else ((), (), ())
        return _Known(names, np.array(rows, dtype=np.int64), np.array(values, dtype=np.float32))

    def _scores(self, known: _Known) -> np.ndarray:
        if not len(known.rows):
            return self.intercept.copy()
        return self.intercept + known.values @ self.weights[known.rows]

    def _decisive(self, sentence: str, known: _Known, best: int, count: int = 3) -> tuple[str, ...]:
        """The words whose features push the sentence most from honest towards the family."""
        pull: dict[str, float] = {}
        tokens = words(sentence)
        weights = (self.weights[known.rows, best] - self.weights[known.rows, self._honest]) * known.values
        for name, weight in zip(known.names, weights.tolist()):
            for token in _tokens_of(name, tokens):
                pull[token] = pull.get(token, 0.0) + weight
        ranked = sorted((token for token, weight in pull.items() if weight > 0), key=lambda t: -pull[t])
        return tuple(ranked[:count])

    def _nearest(self, family: str, known: _Known) -> str:
        """The labelled sentence of the family whose features overlap the sentence's most (cosine)."""
        vector = np.zeros(len(self.index), dtype=np.float32)
        vector[known.rows] = known.values
        examples, indptr, indices, data = self._examples_of(family)
        products = vector[indices] * data
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


def _tokens_of(name: str, tokens: list[str]) -> list[str]:
    """The sentence's words a feature stands for: a word or word pair, the pair whose words begin so,
    or the word that holds a character or letter n-gram."""
    kind, _, value = name.partition(":")
    if kind == "w":
        return [value]
    if kind == "b":
        return [" ".join(value.split("_", 1))]
    if kind == "p":
        first, _, second = value.partition("_")
        return [f"{a} {b}" for a, b in zip(tokens, tokens[1:]) if a.startswith(first) and b.startswith(second)][:1]
    gram = value.strip()
    if kind == "c" and len(gram) >= 3:
        return [token for token in tokens if gram in token][:1]
    if kind == "j" and len(gram) >= 3:
        return [token for token in tokens if gram in unicodedata.normalize("NFD", token)][:1]
    return []


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
