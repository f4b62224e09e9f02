"""Issue taxonomies: the labels an extractor may give, read from a YAML or JSON file.

A taxonomy file has a ``labels`` mapping (label -> a description and optional word lists, or a
bare list of words) or list, and optionally ``default`` (the catch-all label). Labels keep the
file's order. The built-in one is ``parley/lexicon/taxonomy.yaml`` (``positions.md``); the
labour one in ``examples/`` is an example of a user's own. A learned model records the labels it
was trained for and refuses another taxonomy (E312).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import ExtractError
from ..lexicon import TAXONOMY

__all__ = ["Taxonomy", "load_taxonomy"]


@dataclass(frozen=True)
class Taxonomy:
    labels: tuple[str, ...]
    default: str
    descriptions: dict[str, str] = field(default_factory=dict)
    source: str = "default"            # "default" for the built-in file, else the file's path
    digest: str = ""                   # 12 hex digits over the labels

    @property
    def name(self) -> str:
        return "default" if self.source == "default" else Path(self.source).stem


def _parse(data: Any, item: str) -> tuple[list[str], str, dict[str, str]]:
    if not isinstance(data, dict) or "labels" not in data:
        raise ExtractError("E302", item=item, detail="expected a mapping with 'labels'")
    raw = data["labels"]
    if isinstance(raw, list):
        labels, desc = [str(x) for x in raw], {}
    elif isinstance(raw, dict):
        labels = [str(k) for k in raw]
        desc = {str(k): str(v.get("description", "")) for k, v in raw.items() if isinstance(v, dict)}
    else:
        raise ExtractError("E302", item=item, detail="'labels' must be a mapping or a list")
    if not labels or len(set(labels)) != len(labels):
        raise ExtractError("E302", item=item, detail="labels must be a non-empty list without repeats")
    default = str(data.get("default") or ("other" if "other" in labels else labels[-1]))
    if default not in labels:
        labels.append(default)
    return labels, default, desc


@lru_cache(maxsize=16)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    """The taxonomy at ``path`` (None or "" for the built-in one); E302 naming the file when broken."""
    file = Path(path) if path else TAXONOMY
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExtractError("E302", item=str(file), detail=exc.strerror or str(exc)) from None
    try:
        data = json.loads(text) if file.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ExtractError("E302", item=str(file), detail=f"not valid {'JSON' if file.suffix == '.json' else 'YAML'} ({exc})") from None
    labels, default, desc = _parse(data, str(file))
    digest = hashlib.sha256("\n".join(labels).encode()).hexdigest()[:12]
    builtin = not path or file.resolve() == TAXONOMY.resolve()
    return Taxonomy(labels=tuple(labels), default=default, descriptions=desc,
                    source="default" if builtin else str(file), digest=digest)
