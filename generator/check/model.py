"""The advertising-claims model: a linear classifier beside the rule packs, for claims written in
words no rule lists ("nowhere else will your lips ...", "효과 없으면 돈 안 받아요").

Trained by `make model` (compliance/train_model.py) from the labelled corpus; its weights ship in
generator/check/model/<lang>.npz (numpy, no scikit-learn at run time) and are loaded only by the
process that checks, on first use. A verdict names a rule family, the sentence's decisive words and
the labelled sentence it reads most like, so a writer can see why it was flagged. The model only
warns: errors stay with the rules, which cite the law.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from generator.check.model_features import sentence_features, words

MODEL_DIR = Path(__file__).parent / "model"
HONEST = "honest"


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
        self.index = {str(name): row for row, name in enumerate(arrays["features"])}
        self.weights = arrays["weights"].astype(np.float32)
        self.intercept = arrays["intercept"].astype(np.float32)
        self.threshold = float(arrays["threshold"])
        self.example_labels = np.array([str(s) for s in arrays["example_labels"]])
        self.example_sentences = [str(s) for s in arrays["example_sentences"]]
        self.example_indptr = arrays["example_indptr"]
        self.example_indices = arrays["example_indices"]
        self.example_data = arrays["example_data"].astype(np.float32)
        self._honest = self.classes.index(HONEST)

    def probabilities(self, sentence: str) -> dict[str, float]:
        scores = self._scores(sentence_features(sentence, self.lang))
        return dict(zip(self.classes, (float(p) for p in _softmax(scores))))

    def judge(self, sentence: str) -> Verdict | None:
        """The family the sentence reads as, or None when it reads as honest or the model is unsure."""
        features = sentence_features(sentence, self.lang)
        probabilities = _softmax(self._scores(features))
        claim = 1.0 - float(probabilities[self._honest])  # how likely the sentence breaks some rule
        if claim < self.threshold:
            return None
        probabilities[self._honest] = -1.0
        best = int(np.argmax(probabilities))
        family = self.classes[best]
        return Verdict(family, claim, self._decisive(sentence, features, best), self._nearest(family, features))

    def _scores(self, features: dict[str, float]) -> np.ndarray:
        rows = [(self.index[name], value) for name, value in features.items() if name in self.index]
        if not rows:
            return self.intercept.copy()
        indices, values = zip(*rows)
        return self.intercept + np.asarray(values, dtype=np.float32) @ self.weights[list(indices)]

    def _decisive(self, sentence: str, features: dict[str, float], best: int, count: int = 3) -> tuple[str, ...]:
        """The words whose features push the sentence most from honest towards the family."""
        pull: dict[str, float] = {}
        tokens = words(sentence)
        for name in features:
            row = self.index.get(name)
            if row is None:
                continue
            weight = float(self.weights[row, best] - self.weights[row, self._honest])
            for token in _tokens_of(name, tokens):
                pull[token] = pull.get(token, 0.0) + weight
        ranked = sorted((token for token, weight in pull.items() if weight > 0), key=lambda t: -pull[t])
        return tuple(ranked[:count])

    def _nearest(self, family: str, features: dict[str, float]) -> str:
        """The labelled sentence of the family whose features overlap the sentence's most (cosine)."""
        vector = np.zeros(len(self.index), dtype=np.float32)
        for name, value in features.items():
            row = self.index.get(name)
            if row is not None:
                vector[row] = value
        products = vector[self.example_indices] * self.example_data
        starts = self.example_indptr[:-1]
        similarity = np.add.reduceat(products, starts) if len(products) else np.zeros(len(starts))
        similarity[starts == self.example_indptr[1:]] = 0.0  # reduceat repeats a value for an empty row
        similarity[self.example_labels != family] = -1.0
        return self.example_sentences[int(np.argmax(similarity))]


def _tokens_of(name: str, tokens: list[str]) -> list[str]:
    """The sentence's words a feature stands for: a word or word pair, a morpheme's word, or the words
    that hold a character n-gram."""
    kind, _, value = name.partition(":")
    if kind == "w":
        return [value]
    if kind == "b":
        return [" ".join(value.split("_", 1))]
    if kind in ("m", "n"):
        forms = [part.rsplit("/", 1)[0] for part in value.split("_")]
        return [token for token in tokens if any(form and form in token for form in forms)][:1]
    if kind == "c":
        gram = value.strip()
        return [token for token in tokens if gram and gram in token][:1] if len(gram) >= 3 else []
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
