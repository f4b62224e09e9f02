"""Model directories: ``model.json`` (what it is), ``heads.npz`` (weights), ``encoder/`` (vectors).

``model.json`` records the format version, the issue labels and taxonomy fingerprint the model
was trained for, the encoder name, the training configuration and seed, a fingerprint of the
training data, the thresholds, and the cross-validated figures. Arrays are plain numpy (no
pickle: a model directory from elsewhere cannot run code when loaded).
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ExtractError
from .decisions import Heads, Thresholds
from .heads import LinearHead

FORMAT = 1
HEAD_NAMES = ("position", "issue", "stance", "condition", "red_line", "shift", "prefilter", "sentence")
OPTIONAL_HEADS = ("prefilter", "sentence")
BUNDLED = Path(__file__).resolve().parent / "models" / "default"


@dataclass
class ModelInfo:
    path: Path
    labels: list[str]
    encoder: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """8 hex digits over the weights and metadata: part of the extractor version."""
        digest = hashlib.sha256()
        for name in ("model.json", "heads.npz"):
            digest.update((self.path / name).read_bytes())
        return digest.hexdigest()[:8]


def save_model(out: Path, heads: Heads, encoder: str, meta: dict[str, Any], encoder_dir: Path | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for name in HEAD_NAMES:
        head = getattr(heads, name)
        if head is not None:
            arrays.update(head.to_arrays(name))
    np.savez_compressed(out / "heads.npz", **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as bool
    info = {"format": FORMAT, "labels": heads.labels, "encoder": encoder,
            "thresholds": heads.thresholds.to_dict(), **meta}
    (out / "model.json").write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if encoder_dir is not None and encoder_dir.resolve() != (out / "encoder").resolve():
        if (out / "encoder").exists():
            shutil.rmtree(out / "encoder")
        shutil.copytree(encoder_dir, out / "encoder")


def read_info(path: Path) -> ModelInfo:
    meta_file = path / "model.json"
    if not path.is_dir() or not meta_file.is_file() or not (path / "heads.npz").is_file():
        raise ExtractError("E311", item=str(path), detail="not a model directory (model.json and heads.npz expected)")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExtractError("E311", item=str(path), detail=f"model.json unreadable ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or not isinstance(meta.get("labels"), list):
        raise ExtractError("E311", item=str(path), detail=f"model.json is not a format-{FORMAT} model description")
    return ModelInfo(path=path, labels=[str(x) for x in meta["labels"]], encoder=str(meta.get("encoder", "none")),
                     meta=meta)


def load_heads(info: ModelInfo) -> Heads:
    try:
        with np.load(info.path / "heads.npz", allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        heads = {name: LinearHead.from_arrays(arrays, name) for name in HEAD_NAMES if f"{name}.coef" in arrays}
    except (OSError, ValueError, KeyError) as exc:
        raise ExtractError("E311", item=str(info.path), detail=f"heads.npz unreadable ({exc})") from None
    missing = [n for n in HEAD_NAMES if n not in heads and n not in OPTIONAL_HEADS]
    if missing:
        raise ExtractError("E311", item=str(info.path), detail="heads.npz lacks " + ", ".join(missing))
    th = Thresholds(**{k: float(v) for k, v in (info.meta.get("thresholds") or {}).items()
                       if k in Thresholds.__dataclass_fields__})
    return Heads(labels=info.labels, thresholds=th, prefilter=heads.get("prefilter"), sentence=heads.get("sentence"),
                 **{n: heads[n] for n in HEAD_NAMES if n not in OPTIONAL_HEADS})
