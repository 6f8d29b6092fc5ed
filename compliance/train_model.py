"""Train the advertising-claims model (generator/check/model.py) from the labelled sentences:
`make model`, or `python compliance/train_model.py`.

Trained on the corpus (compliance/corpus/), the rules' tuning set (tests/fixtures/compliance/) and,
as honest examples of plain clinic prose, the sentences of the sample posts (posts/<lang>/, which
`check` passes); never on a blind batch (compliance/blind/), which measures it. Multinomial logistic regression over
the features of generator/check/model_features.py, the classes being the rule families and
"honest". The confidence a family needs is chosen by five-fold cross-validation on the training
sentences: the lowest at which at most 2.5% of honest sentences would be flagged. The result is
deterministic: the same sentences give the same file.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.check.model import HONEST, MODEL_DIR  # noqa: E402
from generator.check.model_features import sentence_features  # noqa: E402
from generator.check.model_rule import SENTENCE  # noqa: E402
from tests.compliance_report import read_corpus  # noqa: E402

HONEST_FLAGGED = 0.025  # the share of honest training sentences the chosen confidence may flag (the aim: under 3%)
PROSE_FLAGGED = 0.005  # the share of the sample posts' plain sentences it may flag: a post has dozens
REGULARISATION = 4.0  # scikit-learn's C
KEEP_WEIGHT = 0.01  # features whose weights all stay below this are left out of the file


def sample_post_sentences(lang: str) -> list[tuple[str, str]]:
    """The prose of the sample posts, a sentence a row, as honest examples."""
    rows = []
    for path in sorted((ROOT / "posts" / lang).glob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        body = re.sub(r"```.*?```|<!--.*?-->|!\[[^\]]*\]\([^)]*\)", " ", body, flags=re.S)
        body = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", body)
        body = re.sub(r"(?m)^\s*(?:#+|[-*>|]|\d+\.)\s*|[*_`|]", " ", body)
        for match in SENTENCE.finditer(body):
            sentence = " ".join(match.group().split())
            if len(sentence) >= 12:
                rows.append((HONEST, sentence))
    return rows


def training_rows(lang: str) -> tuple[list[tuple[str, str]], np.ndarray]:
    """The labelled sentences, and which of them are the sample posts' plain prose."""
    labelled = read_corpus(lang, "corpus") + read_corpus(lang, "tuning")
    rows, prose, seen = [], [], set()
    for index, (label, sentence) in enumerate(labelled + sample_post_sentences(lang)):
        if sentence not in seen:
            seen.add(sentence)
            rows.append((label, sentence))
            prose.append(index >= len(labelled))
    return rows, np.array(prose)


def choose_threshold(probabilities: np.ndarray, labels: list[str], classes: list[str], prose: np.ndarray) -> float:
    """The lowest confidence at which, held out, few honest sentences and very few plain ones are flagged."""
    claim = 1.0 - probabilities[:, classes.index(HONEST)]
    is_honest = np.array([label == HONEST for label in labels])
    for threshold in np.arange(0.30, 0.996, 0.005):
        if (claim[is_honest] >= threshold).mean() <= HONEST_FLAGGED and \
                (not prose.any() or (claim[prose] >= threshold).mean() <= PROSE_FLAGGED):
            return round(float(threshold), 3)
    return 0.995


def train(lang: str) -> Path | None:
    rows, prose = training_rows(lang)
    if not rows:
        return None
    labels = [label for label, _ in rows]
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([sentence_features(sentence, lang) for _, sentence in rows])
    model = LogisticRegression(C=REGULARISATION, max_iter=3000, class_weight="balanced")
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    held_out = cross_val_predict(model, matrix, labels, cv=folds, method="predict_proba")
    model.fit(matrix, labels)
    classes = [str(c) for c in model.classes_]
    threshold = choose_threshold(held_out, labels, classes, prose)
    weights = model.coef_.T  # features x classes
    keep = np.abs(weights).max(axis=1) >= KEEP_WEIGHT
    names = np.array(vectorizer.get_feature_names_out())[keep]
    examples = [(label, sentence) for label, sentence in rows if label != HONEST]
    # The violating sentences as rows over the kept features, to find the one a sentence reads most like.
    example_rows = matrix[[i for i, label in enumerate(labels) if label != HONEST]][:, np.flatnonzero(keep)].tocsr()
    MODEL_DIR.mkdir(exist_ok=True)
    path = MODEL_DIR / f"{lang}.npz"
    with path.open("wb") as out:
        np.savez_compressed(out, classes=np.array(classes), features=names.astype(str),
                            weights=weights[keep].astype(np.float16), intercept=model.intercept_.astype(np.float32),
                            threshold=np.array(threshold), example_labels=np.array([e[0] for e in examples]),
                            example_sentences=np.array([e[1] for e in examples]),
                            example_indptr=example_rows.indptr.astype(np.int32),
                            example_indices=example_rows.indices.astype(np.int32),
                            example_data=example_rows.data.astype(np.float16))
    honest = classes.index(HONEST)
    claim = 1.0 - held_out[:, honest]
    families = held_out.copy()
    families[:, honest] = -1
    predicted = families.argmax(axis=1)
    violating = [i for i, label in enumerate(labels) if label != HONEST]
    found = sum(1 for i in violating if classes[predicted[i]] == labels[i] and claim[i] >= threshold)
    plain = (claim[prose] >= threshold).mean() if prose.any() else 0.0
    print(f"{lang}: {len(rows)} sentences, {len(names):,} features kept, threshold {threshold}; "
          f"cross-validated recall {found / len(violating):.1%}, plain prose flagged {plain:.1%}; "
          f"{path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    return path


def main() -> int:
    for lang in ("ko", "en"):
        train(lang)
    return 0


if __name__ == "__main__":
    sys.exit(main())
