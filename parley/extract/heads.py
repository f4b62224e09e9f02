"""Learned linear heads over sparse string features and dense vectors.

A :class:`LinearHead` is a logistic regression (binary, or multinomial over ``classes``) fitted
with scikit-learn at training time and applied with numpy at run time, so extraction needs no
scikit-learn. Its inputs are a :class:`Vocabulary` of sparse string features (those seen at
least ``min_count`` times in training) and an optional dense block (sentence vectors).
Weights are versioned data: :meth:`LinearHead.to_arrays` / :meth:`LinearHead.from_arrays`
round-trip through one ``.npz`` file per model (:mod:`.model_io`).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = ["Vocabulary", "LinearHead", "design_matrix"]


@dataclass
class Vocabulary:
    """Sparse feature strings -> column indices."""

    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def fit(cls, rows: Iterable[Sequence[str]], min_count: int = 2) -> Vocabulary:
        counts: Counter[str] = Counter()
        for fs in rows:
            counts.update(set(fs))
        kept = sorted(f for f, n in counts.items() if n >= min_count)
        return cls({f: i for i, f in enumerate(kept)})

    def __len__(self) -> int:
        return len(self.index)

    def to_list(self) -> list[str]:
        out = [""] * len(self.index)
        for f, i in self.index.items():
            out[i] = f
        return out


def design_matrix(rows: Sequence[Sequence[str]], vocab: Vocabulary, dense: np.ndarray | None = None) -> sp.csr_matrix:
    """Binary sparse features (known ones only) beside an optional dense block."""
    ind: list[int] = []
    ptr = [0]
    index = vocab.index
    for fs in rows:
        cols = sorted({index[f] for f in fs if f in index})
        ind.extend(cols)
        ptr.append(len(ind))
    x = sp.csr_matrix((np.ones(len(ind), dtype=np.float32), np.array(ind, dtype=np.int64), np.array(ptr)),
                      shape=(len(rows), len(vocab)), dtype=np.float32)
    if dense is not None and dense.size:
        x = sp.hstack([x, sp.csr_matrix(dense.astype(np.float32))], format="csr")
    return x


@dataclass
class LinearHead:
    """Logistic regression weights: ``coef`` (n_classes or 1) x n_features, ``intercept``."""

    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    vocab: Vocabulary
    dense_dim: int = 0

    @classmethod
    def fit(cls, rows: Sequence[Sequence[str]], labels: Sequence[str], *, dense: np.ndarray | None = None,
            C: float = 0.3, min_count: int = 2, class_weight: str | None = None, seed: int = 0,
            sample_weight: np.ndarray | None = None) -> LinearHead:
        from sklearn.linear_model import LogisticRegression

        vocab = Vocabulary.fit(rows, min_count=min_count)
        x = design_matrix(rows, vocab, dense)
        classes = sorted(set(labels))
        if len(classes) == 1:      # one class seen: a constant head
            n = x.shape[1]
            return cls(classes=classes, coef=np.zeros((1, n), np.float32), intercept=np.array([10.0], np.float32),
                       vocab=vocab, dense_dim=0 if dense is None else dense.shape[1])
        solver = "liblinear" if len(classes) == 2 else "lbfgs"
        model = LogisticRegression(C=C, solver=solver, max_iter=5000, class_weight=class_weight, random_state=seed)
        model.fit(x, list(labels), sample_weight=sample_weight)
        return cls(classes=[str(c) for c in model.classes_], coef=model.coef_.astype(np.float32),
                   intercept=model.intercept_.astype(np.float32), vocab=vocab,
                   dense_dim=0 if dense is None else int(dense.shape[1]))

    def scores(self, rows: Sequence[Sequence[str]], dense: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities, one row per input, columns in ``classes`` order."""
        if not rows:
            return np.zeros((0, len(self.classes)), np.float32)
        if self.dense_dim and (dense is None or dense.shape[1] != self.dense_dim):
            raise ValueError(f"this head needs {self.dense_dim}-wide dense input")
        x = design_matrix(rows, self.vocab, dense if self.dense_dim else None)
        z = np.asarray(x @ self.coef.T) + self.intercept
        if len(self.classes) == 1:
            return np.ones((len(rows), 1), np.float32)
        if z.shape[1] == 1:        # binary: one column of logits for classes[1]
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1 - p, p], axis=1)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        probs: np.ndarray = e / e.sum(axis=1, keepdims=True)
        return probs

    def prob(self, rows: Sequence[Sequence[str]], label: str, dense: np.ndarray | None = None) -> np.ndarray:
        """Probability of one class (0 when the head never saw it)."""
        if label not in self.classes:
            return np.zeros(len(rows), np.float32)
        return self.scores(rows, dense)[:, self.classes.index(label)]

    # -- serialisation -----------------------------------------------------------------------
    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.coef": self.coef, f"{prefix}.intercept": self.intercept,
                f"{prefix}.classes": np.array(self.classes, dtype=str),
                f"{prefix}.vocab": np.array(self.vocab.to_list() or [""], dtype=str),
                f"{prefix}.dense_dim": np.array([self.dense_dim])}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> LinearHead:
        vocab = [str(v) for v in arrays[f"{prefix}.vocab"]]
        if vocab == [""] and arrays[f"{prefix}.coef"].shape[1] == int(arrays[f"{prefix}.dense_dim"][0]):
            vocab = []
        return cls(classes=[str(c) for c in arrays[f"{prefix}.classes"]], coef=arrays[f"{prefix}.coef"],
                   intercept=arrays[f"{prefix}.intercept"], vocab=Vocabulary({f: i for i, f in enumerate(vocab)}),
                   dense_dim=int(arrays[f"{prefix}.dense_dim"][0]))
