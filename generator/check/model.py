"""The advertising-claims model: a linear classifier beside the rule packs, for claims written in
words no rule lists ("nowhere else will your lips ...", "효과 없으면 돈 안 받아요").

Trained by `make model` (compliance/train_model.py) from the labelled corpus; its weights ship in
generator/check/model/<lang>.npz (numpy, no scikit-learn at run time) and are loaded only by the
process that checks, on first use. A verdict names a rule family, the sentence's decisive words and
the labelled sentence it reads most like, so a writer can see why it was flagged. The model only
warns: errors stay with the rules, which cite the law.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from generator.check.model_batch import BatchScorer, FeatureIndex, Scored
from generator.check.model_features import scale_floor

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
        self.index = FeatureIndex(arrays)
        self.weights = arrays["weights"].astype(np.float32)
        self.intercept = arrays["intercept"].astype(np.float32)
        self.threshold = float(arrays["threshold"])
        self.example_labels = arrays["example_labels"].astype(str)
        self.example_sentences = example_sentences(arrays["example_text"])
        # Each example's features that pull most towards its family, as rows over the features.
        self.example_indptr = arrays["example_indptr"].astype(np.int64)
        self.example_indices = arrays["example_indices"].astype(np.int64)
        self.example_data = arrays["example_data"].astype(np.float32)
        self._honest = self.classes.index(HONEST)
        self._scorer: BatchScorer | None = None
        self._families: dict[str, tuple[np.ndarray, ...]] = {}
        self._turned: tuple | None = None
        self._explaining: np.ndarray | None = None

    def prepare(self) -> None:
        """Build what scoring and explaining need now, not on first use (before worker processes fork)."""
        self._score([""])
        self._explains()
        self._examples()

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
            for index, verdict in self._flagged(self._score(sentences[at:at + _BATCH])):
                found[at + index] = verdict
        return found

    def verdicts_in(self, text: str, leads: np.ndarray, tails: np.ndarray) -> list[tuple[int, Verdict]]:
        """(place, verdict) of the sentences text[lead:tail] (in order, none overlapping) the model flags:
        verdicts() of the sentences, read where they are in text."""
        lowered = text.lower()
        # lower() moved the offsets ('İ'), or lowers a sigma by what follows it, which is another sentence here.
        if len(lowered) != len(text) or "\u03a3" in text:
            judged = self.verdicts([text[lead:tail] for lead, tail in zip(leads.tolist(), tails.tolist())])
            return [(index, verdict) for index, verdict in enumerate(judged) if verdict is not None]
        found: list[tuple[int, Verdict]] = []
        for at in range(0, len(leads), _BATCH):
            upto = min(at + _BATCH, len(leads))
            low, high = int(leads[at]), int(tails[upto - 1])
            scored = self._ready().score_spans(lowered[low:high], leads[at:upto] - low, tails[at:upto] - low)
            found += [(at + index, verdict) for index, verdict in self._flagged(scored)]
        return found

    def _flagged(self, scored: Scored) -> list[tuple[int, Verdict]]:
        """(place, verdict) of the sentences scored that read as a claim."""
        scores = scored.scores - scored.scores.max(axis=1, keepdims=True)
        probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        flagged = np.flatnonzero(1.0 - probabilities[:, self._honest] >= self.threshold)
        if not len(flagged):
            return []
        return list(zip(flagged.tolist(), self._explain(scored, flagged, probabilities[flagged])))

    def _ready(self) -> BatchScorer:
        if self._scorer is None:
            self._scorer = BatchScorer(self.lang, self.index, self.weights, self.intercept)
        return self._scorer

    def _score(self, sentences: list[str]) -> Scored:
        return self._ready().score([sentence.replace("\n", " ") for sentence in sentences])

    def _explain(self, scored: Scored, flagged: np.ndarray, probabilities: np.ndarray) -> list[Verdict]:
        """The verdicts of the flagged sentences (their places in scored, their probabilities), explained
        together: a site has thousands, and arrays for each cost more than the scoring."""
        scorer = self._scorer
        assert scorer is not None
        others = probabilities.copy()
        others[:, self._honest] = -1.0
        best = np.argmax(others, axis=1)
        sentence = np.arange(len(flagged))
        # Each sentence's known features: its words' rows, word after word, then its known pairs' rows;
        # each row's owner is its word's place, or (a pair) its first word's.
        word_from = np.searchsorted(scored.word_places, flagged)
        word_counts = np.searchsorted(scored.word_places, flagged, side="right") - word_from
        word_at = _ranges(word_from, word_counts)
        numbers = scored.words[word_at]
        sizes = scorer.row_count.values[numbers]
        pair_order = np.argsort(scored.pair_places, kind="stable")
        pair_from = np.searchsorted(scored.pair_places[pair_order], flagged)
        pair_counts = np.searchsorted(scored.pair_places[pair_order], flagged, side="right") - pair_from
        pairs = pair_order[_ranges(pair_from, pair_counts)]
        owner_sentence = np.concatenate([np.repeat(np.repeat(sentence, word_counts), sizes),
                                         np.repeat(sentence, pair_counts)])
        rows = np.concatenate([scorer.rows.values[_ranges(scorer.row_start.values[numbers], sizes)],
                               scored.pair_rows[pairs]]).astype(np.int64)
        owners = np.concatenate([np.repeat(word_at, sizes), scored.pair_words[pairs]])
        is_pair = np.concatenate([np.zeros(int(sizes.sum()), dtype=bool), np.ones(len(pairs), dtype=bool)])
        order = np.argsort(owner_sentence, kind="stable")  # by sentence, words' rows before pairs'
        owner_sentence, rows, owners, is_pair = (values[order] for values in (owner_sentence, rows, owners, is_pair))
        # Each feature once per sentence, with how often it occurs and who has it first.
        features = len(self.index)
        distinct, first, counts = np.unique(owner_sentence * features + rows, return_index=True, return_counts=True)
        of, rows = distinct // features, distinct % features
        # as the sentence's features weigh
        values = counts / np.sqrt(np.maximum(scored.sizes[flagged], scale_floor(self.lang)))[of]
        decisive = self._decisive(scored, of, rows, owners[first], is_pair[first], values, best, len(flagged))
        nearest = self._nearest(of, rows, values, best)
        return [Verdict(self.classes[family], float(1.0 - probability[self._honest]), words, example)
                for family, probability, words, example in zip(best.tolist(), probabilities, decisive, nearest)]

    def _decisive(self, scored: Scored, of: np.ndarray, rows: np.ndarray, owners: np.ndarray, is_pair: np.ndarray,
                  values: np.ndarray, best: np.ndarray, sentences: int, count: int = 3) -> list[tuple[str, ...]]:
        """For each sentence, the words whose features push it most from honest towards its family: each
        feature counts for the first word (or pair of words) that has it; n-grams of one or two letters,
        which many words share, count for none. of: each feature's sentence."""
        scorer = self._scorer
        assert scorer is not None
        weights = (self.weights[rows, best[of]] - self.weights[rows, self._honest]) * values.astype(np.float32)
        keep = self._explains()[rows] & (weights != 0)
        of, owners, is_pair, weights = of[keep], owners[keep], is_pair[keep], weights[keep].astype(np.float64)
        # A token is a word's number, or a pair's two numbers; its pull is summed in the features' order.
        size = len(scorer.vocabulary)
        word = scored.words[owners]
        following = scored.words[np.minimum(owners + 1, len(scored.words) - 1)]
        tokens = np.where(is_pair, size + word * size + following, word)
        keys, first, inverse = np.unique(of * (size + size * size) + tokens, return_index=True, return_inverse=True)
        pull = np.bincount(inverse.reshape(-1), weights=weights, minlength=len(keys))
        # Strongest first, a tie to the token that came first; each sentence keeps `count`.
        pulling = np.flatnonzero(pull > 0)
        ranked = pulling[np.lexsort((first[pulling], -pull[pulling], of[first[pulling]]))]
        ranked_of = of[first[ranked]]
        place = np.arange(len(ranked)) - np.searchsorted(ranked_of, ranked_of)
        decisive: list[list[str]] = [[] for _ in range(sentences)]
        vocabulary = scorer.vocabulary
        for sentence, token in zip(ranked_of[place < count].tolist(), tokens[first[ranked[place < count]]].tolist()):
            decisive[sentence].append(vocabulary[token] if token < size else
                                      f"{vocabulary[(token - size) // size]} {vocabulary[(token - size) % size]}")
        return [tuple(words) for words in decisive]

    def _explains(self) -> np.ndarray:
        """By row: whether the feature names words (a word, a pair, or an n-gram of three letters or more)."""
        if self._explaining is None:
            self._explaining = np.zeros(len(self.index), dtype=bool)
            for _, rows in self.index.kinds.values():
                self._explaining[rows] = True
            for _, rows, names_a_word in self.index.grams.values():
                self._explaining[rows] = names_a_word
        return self._explaining

    def _nearest(self, of: np.ndarray, rows: np.ndarray, values: np.ndarray, best: np.ndarray) -> list[str]:
        """For each sentence, the labelled sentence of its family whose features overlap its own most
        (cosine). of, rows, values: each known feature's sentence, row and value."""
        keys, starts, example_of, data, examples, counts = self._examples()
        # Each feature of a sentence meets the examples of the sentence's family that have it.
        wanted = best[of] * len(self.index) + rows
        at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        shared = np.flatnonzero(keys[at] == wanted) if len(keys) else np.zeros(0, dtype=np.int64)
        at = at[shared]
        lengths = starts[at + 1] - starts[at]
        entries = _ranges(starts[at], lengths)
        width = max(int(counts[best].max()), 1) if len(best) else 1
        products = np.repeat(values[shared].astype(np.float32), lengths) * data[entries]
        similarity = np.bincount(np.repeat(of[shared], lengths) * width + example_of[entries], weights=products,
                                 minlength=len(best) * width).reshape(len(best), width)
        similarity[np.arange(width)[None, :] >= counts[best][:, None]] = -np.inf  # past the family's examples
        return [self.example_sentences[int(examples[family][example])] if counts[family] else ""
                for family, example in zip(best.tolist(), np.argmax(similarity, axis=1).tolist())]

    def _examples(self) -> tuple[np.ndarray, ...]:
        """Every family's labelled sentences turned around, kept once: (family, feature row) keys,
        sorted, where each key's entries start (one more at the end), each entry's example (its place
        among its family's) and value, and by family, its examples' numbers and how many there are."""
        if self._turned is None:
            keys, starts, example_of, data, examples = [], [np.zeros(1, dtype=np.int64)], [], [], []
            for number, family in enumerate(self.classes):
                family_examples, rows, row_starts, family_example_of, family_data = self._examples_of(family)
                keys.append(number * len(self.index) + rows)
                starts.append(row_starts[1:] + sum(len(part) for part in example_of))
                example_of.append(family_example_of)
                data.append(family_data)
                examples.append(family_examples)
            self._turned = (np.concatenate(keys).astype(np.int64), np.concatenate(starts), np.concatenate(example_of),
                            np.concatenate(data), examples, np.array([len(part) for part in examples]))
        return self._turned

    def _examples_of(self, family: str) -> tuple[np.ndarray, ...]:
        """The family's labelled sentences (their numbers) and their features turned around, kept once:
        the distinct rows, where each row's entries start (one more at the end), and each entry's
        sentence (its place among the family's) and value."""
        if family not in self._families:
            examples = np.flatnonzero(self.example_labels == family)
            starts, ends = self.example_indptr[examples], self.example_indptr[examples + 1]
            entries = _ranges(starts, ends - starts)
            example_of = np.repeat(np.arange(len(examples)), ends - starts)
            rows = self.example_indices[entries]
            order = np.argsort(rows, kind="stable")
            rows, example_of, data = rows[order], example_of[order], self.example_data[entries][order]
            distinct, feature_starts = np.unique(rows, return_index=True)
            self._families[family] = (examples, distinct, np.append(feature_starts, len(rows)), example_of, data)
        return self._families[family]


def example_text(sentences: list[str]) -> np.ndarray:
    """The labelled examples as the model file keeps them: their UTF-8 joined by line breaks, a tenth of
    an array of fixed-width strings as long as the longest, which took a third of the model's loading."""
    assert not any("\n" in sentence for sentence in sentences)
    return np.frombuffer("\n".join(sentences).encode("utf-8"), dtype=np.uint8)


def example_sentences(text: np.ndarray) -> list[str]:
    return text.tobytes().decode("utf-8").split("\n") if len(text) else []


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions starts[i], starts[i] + 1, ... (counts[i] of them), for every i, in one array."""
    counts = np.asarray(counts, dtype=np.int64)
    return np.repeat(np.asarray(starts, dtype=np.int64) - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))


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
