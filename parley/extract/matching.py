"""Sentence shapes as data: the pattern files in ``patterns/`` compiled into spaCy matchers.

Each file holds ``patterns`` rows (``label``, ``action``, ``pattern``, ``example``, optional
``expect`` and ``keep_marker``) and optional ``lists`` that a pattern names as ``$list``.
A row whose ``pattern`` is a list of token dicts with ``RIGHT_ID`` keys is a
``DependencyMatcher`` pattern, otherwise a token ``Matcher`` pattern. Every row's
example is run by ``tests/test_extract_patterns.py``.

:func:`load_patterns` reads and checks a file (E303 naming the file and row when malformed);
:class:`PatternSet` matches a ``Doc`` and returns :class:`Match` records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..errors import ExtractError
from ..lexicon import read_yaml

PATTERN_DIR = Path(__file__).resolve().parent / "patterns"
ACTIONS = ("holder", "condition", "cue")


@dataclass(frozen=True)
class Row:
    label: str
    action: str
    pattern: list[dict[str, Any]]
    example: str
    expect: str | None = None
    keep_marker: bool = False

    @property
    def dependency(self) -> bool:
        return bool(self.pattern) and "RIGHT_ID" in self.pattern[0]


@dataclass(frozen=True)
class Match:
    """One match: the row's label and action, and token indices (by node name for dependency rows;
    ``start``/``end`` of the span for token rows)."""

    label: str
    action: str
    nodes: dict[str, int] = field(default_factory=dict)
    start: int = 0
    end: int = 0
    keep_marker: bool = False


def _expand(value: Any, lists: dict[str, list[str]], where: str) -> Any:
    if isinstance(value, dict):
        for op in ("IN", "NOT_IN"):
            if isinstance(value.get(op), list) and any(isinstance(v, bool) for v in value[op]):
                # YAML 1.1 reads bare no/off/on/yes as booleans: a word list must quote them
                raise ExtractError("E303", item=where, detail=f"a boolean in an {op} list (quote no/on/off/yes)")
    if isinstance(value, str) and value.startswith("$"):
        if value[1:] not in lists:
            raise ExtractError("E303", item=where, detail=f"unknown list {value}")
        return list(lists[value[1:]])
    if isinstance(value, dict):
        return {k: _expand(v, lists, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, lists, where) for v in value]
    return value


@lru_cache(maxsize=16)
def load_patterns(name: str) -> tuple[Row, ...]:
    """Rows of ``patterns/<name>.yml`` (or of the file at path ``name``)."""
    path = Path(name) if name.endswith((".yml", ".yaml")) else PATTERN_DIR / f"{name}.yml"
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("patterns"), list):
        raise ExtractError("E303", item=str(path), detail="expected a mapping with a 'patterns' list")
    lists = {str(k): [str(x) for x in v] for k, v in (data.get("lists") or {}).items()}
    rows = []
    for i, raw in enumerate(data["patterns"], 1):
        where = f"{path}, row {i}"
        if not isinstance(raw, dict) or not all(k in raw for k in ("label", "action", "pattern", "example")):
            raise ExtractError("E303", item=where, detail="a row needs label, action, pattern and example")
        if raw["action"] not in ACTIONS:
            raise ExtractError("E303", item=where, detail=f"action must be one of {', '.join(ACTIONS)}")
        pattern = _expand(raw["pattern"], lists, where)
        if not isinstance(pattern, list) or not all(isinstance(p, dict) for p in pattern):
            raise ExtractError("E303", item=where, detail="pattern must be a list of token dicts")
        rows.append(Row(label=str(raw["label"]), action=str(raw["action"]), pattern=pattern,
                        example=str(raw["example"]), expect=raw.get("expect"),
                        keep_marker=bool(raw.get("keep_marker", False))))
    return tuple(rows)


class PatternSet:
    """The rows of some pattern files compiled for one vocabulary."""

    def __init__(self, vocab: Vocab, names: tuple[str, ...]) -> None:
        self.rows: dict[str, Row] = {}
        self.tokens = Matcher(vocab)
        self.deps = DependencyMatcher(vocab)
        for name in names:
            for i, row in enumerate(load_patterns(name)):
                key = f"{name}:{i}:{row.label}"
                self.rows[key] = row
                try:
                    if row.dependency:
                        self.deps.add(key, [row.pattern])
                    else:
                        self.tokens.add(key, [row.pattern])
                except ValueError as exc:   # spaCy's own pattern validation
                    raise ExtractError("E303", item=f"{name}.yml, row {i + 1} ({row.label})",
                                       detail=str(exc).splitlines()[0]) from None

    def __call__(self, doc: Doc) -> list[Match]:
        out: list[Match] = []
        strings = doc.vocab.strings
        for key_id, start, end in self.tokens(doc):
            row = self.rows[strings[key_id]]
            out.append(Match(row.label, row.action, start=start, end=end, keep_marker=row.keep_marker))
        for key_id, token_ids in self.deps(doc):
            row = self.rows[strings[key_id]]
            nodes = {node["RIGHT_ID"]: tok for node, tok in zip(row.pattern, token_ids)}
            out.append(Match(row.label, row.action, nodes=nodes, start=min(token_ids), end=max(token_ids) + 1,
                             keep_marker=row.keep_marker))
        return out
