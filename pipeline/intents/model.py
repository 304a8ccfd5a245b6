"""A per-intent classifier trained, at load time, on the rule pack's own sentences.

Nearest-exemplar matching learnt the examples by heart and missed new wording (held-out recall
0.40-0.94). A logistic regression over the sentence vector plus hashed character and word
n-grams generalises better from the same labelled sentences, and it stays a rule-pack matter: it
is fitted from the pack's exemplars, counter-exemplars and labelled examples whenever they
change, so a QA lead still teaches callqa a phrasing by adding a line. The fitted weights are
cached in the model cache, keyed by those sentences, so workers and re-scoring do not refit.

Why hashed n-grams beside the vector: the vector knows paraphrase, the n-grams know the force's
words ("blue lights", "reference", "refuge") and survive recogniser spellings ("re fuge").
"""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from callqa.pipeline.matching import normalised_phrase

HASH_FEATURES = 2 ** 15      # per n-gram kind; collisions cost little at a few thousand sentences
NGRAM_WEIGHT = 1.0           # n-gram block against the unit-norm sentence vector
REGULARISATION_C = 8.0       # measured on the tune split by cross-validation (bench/accuracy.py)
MIN_PER_CLASS = 8            # fewer labelled sentences than this: nearest exemplar instead
CV_FOLDS = 3                 # for choosing each intent's threshold from out-of-fold probabilities
THRESHOLDS = np.round(np.arange(0.5, 0.951, 0.025), 3)
MODEL_VERSION = "3"          # bump when features or training change, to invalidate caches


@dataclass(frozen=True)
class TrainingSet:
    """The labelled sentences of one intent: normalised text, and whether it expresses it."""

    intent: str
    texts: tuple[str, ...]
    labels: tuple[bool, ...]

    @property
    def trainable(self) -> bool:
        positives = sum(self.labels)
        return positives >= MIN_PER_CLASS and len(self.labels) - positives >= MIN_PER_CLASS


def training_sets(intents_cfg: dict, speakers: dict[str, str]) -> list[TrainingSet]:
    """For each intent of `speakers`: its exemplars and examples labelled with it are positive,
    its counter-exemplars and its speaker's other examples negative."""
    out = []
    for name, speaker in sorted(speakers.items()):
        cfg = intents_cfg["by_intent"].get(name, {})
        labelled: dict[str, bool] = {}
        for example in intents_cfg.get("examples", []):
            if example["speaker"] == speaker:
                text = normalised_phrase(example["text"])
                labelled[text] = labelled.get(text, False) or name in example["intents"]
        for text in cfg.get("counter_exemplars", []):
            labelled.setdefault(text, False)
        for text in cfg.get("exemplars", []):
            labelled[text] = True
        texts = tuple(t for t in labelled if t)
        out.append(TrainingSet(name, texts, tuple(labelled[t] for t in texts)))
    return out


@lru_cache(maxsize=200_000)
def _char_grams(word: str) -> tuple[int, ...]:
    """Hashed character 3-5-grams of one word padded with spaces (words recur: each once per process)."""
    padded = f" {word} "
    grams = [padded[i:i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)] or [padded]
    return tuple(zlib.crc32(g.encode()) % HASH_FEATURES for g in grams)


@lru_cache(maxsize=200_000)
def _word_gram(gram: str) -> int:
    return HASH_FEATURES + zlib.crc32(gram.encode()) % HASH_FEATURES


def _grams(words: list[str], block: int) -> list[int]:
    if block == 0:
        return [g for w in words for g in _char_grams(w)]
    return [_word_gram(w) for w in words] + [_word_gram(f"{a} {b}") for a, b in zip(words, words[1:])]


def weighted_grams(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of the n-gram features of normalised texts: hashed character 3-5-grams
    and hashed word 1-2-grams, counted, each block scaled to unit length per row.

    Hashed with crc32 (stable across processes, unlike `hash`) and cached per word, and counted
    with one `np.unique` over every text at once: sklearn's HashingVectorizer took most of a
    re-scored call's time."""
    width = 2 * HASH_FEATURES
    out_rows, out_cols, out_vals = [], [], []
    for block in (0, 1):
        ids: list[int] = []
        grams: list[int] = []
        for r, text in enumerate(texts):
            g = _grams(text.split(), block)
            grams.extend(g)
            ids.extend([r] * len(g))
        if not grams:
            continue
        keys, counts = np.unique(np.asarray(ids, np.int64) * width + np.asarray(grams, np.int64), return_counts=True)
        rows, cols = keys // width, keys % width
        norms = np.sqrt(np.bincount(rows, weights=counts.astype(np.float64) ** 2, minlength=len(texts)))
        out_rows.append(rows)
        out_cols.append(cols)
        out_vals.append(NGRAM_WEIGHT * counts / norms[rows])
    if not out_rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(out_rows), np.concatenate(out_cols), np.concatenate(out_vals)


def ngrams(texts: list[str]) -> sparse.csr_matrix:
    """The n-gram block of `features`, one row per text."""
    rows, cols, vals = weighted_grams(texts)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), 2 * HASH_FEATURES))


def features(texts: list[str], vectors: np.ndarray) -> sparse.csr_matrix:
    """[sentence vector | n-grams], one row per text: what the model is fitted on."""
    return sparse.hstack([sparse.csr_matrix(vectors), ngrams(texts)], format="csr")


class IntentModel:
    """Fitted weights of every trainable intent: probability = sigmoid(features @ W + b), and the
    probability at which each intent counts as expressed."""

    def __init__(self, names: list[str], weights: np.ndarray, bias: np.ndarray, thresholds: np.ndarray) -> None:
        self.names = names
        self.column = {name: i for i, name in enumerate(names)}
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.thresholds = dict(zip(names, (float(t) for t in thresholds)))

    def probabilities(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        """One row per text, one column per intent in `names`."""
        if not texts or not self.names:
            return np.zeros((len(texts), len(self.names)), np.float32)
        dim = vectors.shape[1]
        logits = vectors @ self.weights[:dim] + self.bias
        rows, cols, vals = weighted_grams(texts)
        logits = _add_rows(logits, rows, self.weights[dim + cols] * vals[:, None].astype(np.float32))
        return (1.0 / (1.0 + np.exp(-np.asarray(logits)))).astype(np.float32)


def _add_rows(out: np.ndarray, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`out` after `np.add.at(out, rows, values)` (2-D), done on flattened arrays: the same additions
    in the same order (so the same bits), five times faster than numpy's 2-D path."""
    width = out.shape[1]
    flat = np.ascontiguousarray(out).reshape(-1)
    np.add.at(flat, (rows[:, None] * width + np.arange(width)).reshape(-1), values.reshape(-1))
    return flat.reshape(out.shape)


def threshold_for(probabilities: np.ndarray, labels: np.ndarray, precision: float) -> float:
    """The lowest threshold whose out-of-fold precision reaches `precision` (the highest if none does).

    Balanced class weights favour recall; a call has far more ordinary lines than the training
    sentences do, so each intent's threshold is raised until its own sentences say a hit is right
    often enough."""
    for threshold in THRESHOLDS:
        said = probabilities >= threshold
        if said.any() and (said & labels).sum() / said.sum() >= precision:
            return float(threshold)
    return float(THRESHOLDS[-1])


def fit(sets: list[TrainingSet], embed, precision: float) -> IntentModel:
    """Fit one balanced logistic regression per trainable intent (`embed`: texts -> unit vectors),
    with its threshold chosen by cross-validation for `precision`."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    trainable = [s for s in sets if s.trainable]
    all_texts = sorted({t for s in trainable for t in s.texts})
    if not trainable:
        return IntentModel([], np.zeros((384 + 2 * HASH_FEATURES, 0)), np.zeros(0), np.zeros(0))
    vectors = embed(all_texts)
    row = {t: i for i, t in enumerate(all_texts)}
    X = features(all_texts, vectors)
    weights, bias, thresholds = [], [], []
    for s in trainable:
        rows, labels = [row[t] for t in s.texts], np.array(s.labels)
        clf = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", solver="liblinear", max_iter=5000)
        folds = StratifiedKFold(min(CV_FOLDS, int(labels.sum()), int((~labels).sum())), shuffle=True, random_state=0)
        out_of_fold = cross_val_predict(clf, X[rows], labels, cv=folds, method="predict_proba")[:, 1]
        thresholds.append(threshold_for(out_of_fold, labels, precision))
        clf.fit(X[rows], labels)
        weights.append(clf.coef_[0])
        bias.append(clf.intercept_[0])
    return IntentModel([s.intent for s in trainable], np.stack(weights, axis=1), np.array(bias), np.array(thresholds))


def cache_key(sets: list[TrainingSet], model: str, precision: float) -> str:
    digest = hashlib.sha256(f"{MODEL_VERSION}\n{model}\n{HASH_FEATURES}\n{NGRAM_WEIGHT}\n{REGULARISATION_C}\n"
                            f"{precision}".encode())
    for s in sets:
        digest.update(f"\n#{s.intent}\n".encode())
        digest.update("\n".join(f"{int(l)}{t}" for t, l in zip(s.texts, s.labels)).encode())
    return digest.hexdigest()[:24]


def load_or_fit(sets: list[TrainingSet], model: str, embed, precision: float) -> IntentModel:
    """The fitted model for these sentences, from the model cache when it was fitted before."""
    from callqa.models.weights import cache_dir, write_atomically

    path = cache_dir() / f"intent-model-{cache_key(sets, model, precision)}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            return IntentModel([str(n) for n in data["names"]], data["weights"], data["bias"], data["thresholds"])
    except (OSError, ValueError, KeyError):
        pass
    fitted = fit(sets, embed, precision)
    buffer = io.BytesIO()
    np.savez(buffer, names=np.array(fitted.names, dtype=str), weights=fitted.weights, bias=fitted.bias,
             thresholds=np.array([fitted.thresholds[n] for n in fitted.names]))
    try:  # a cache that cannot be written (read-only home) only costs the time
        write_atomically(path, buffer.getvalue())
    except OSError:
        pass
    return fitted
