"""Replace the real extractors' output by nothing or by noise (used by tools/check_extraction_tests.py).

``PARLEY_SABOTAGE=empty``: every article yields no positions. ``PARLEY_SABOTAGE=noise``: every
article yields one to three well-formed positions whose actor, issue, stance, conditions, red line
and evidence sentence are drawn at random (seeded by the article id): valid offsets, wrong content.
Each call is logged (one line: the running test's node id) to ``PARLEY_SABOTAGE_LOG``.

The patch is applied when ``parley.extract.rules.extractor`` or ``parley.extract.learned`` is
imported, in the pytest process (the plugin) and in any Python subprocess that inherits the
environment (``sitecustomize.py`` in this folder is on its ``PYTHONPATH``).
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import random
import re
import sys
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import Any

TARGETS = {"parley.extract.rules.extractor": "RulesExtractor", "parley.extract.learned": "LearnedExtractor"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


def _log() -> None:
    path = os.environ.get("PARLEY_SABOTAGE_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(os.environ.get("PARLEY_SABOTAGE_TEST", "?") + "\n")


def noise_positions(article: Any) -> list[Any]:
    from parley.model import STANCES, Evidence, Position

    text = article.text or ""
    sentences = [m for m in _SENTENCE.finditer(text) if m.group().strip()]
    words = _WORD.findall(text) or ["Someone"]
    if not sentences:
        return []
    rng = random.Random(article.id)
    out = []
    for _ in range(rng.randint(1, 3)):
        m = rng.choice(sentences)
        start = m.start() + len(m.group()) - len(m.group().lstrip())
        end = m.end()
        out.append(Position(
            actor=" ".join(w.capitalize() for w in rng.sample(words, min(2, len(words)))),
            issue=rng.choice(["harbour access", "wages", "the ceasefire", "tariffs", rng.choice(words).lower()]),
            stance=rng.choice(STANCES),
            evidence=Evidence(start, end, text[start:end], article_id=article.id, cue=rng.choice(words).lower()),
            proposition=" ".join(rng.sample(words, min(4, len(words)))),
            conditions=tuple(rng.sample(words, rng.randint(0, min(2, len(words))))),
            red_line=rng.random() < 0.3,
            confidence=rng.random(),
            article_id=article.id,
        ))
    return out


def _patch(cls: type) -> None:
    mode = os.environ.get("PARLEY_SABOTAGE", "")
    if mode not in ("empty", "noise"):
        return

    def extract_many(self: Any, articles: Iterable[Any], *args: Any, **kw: Any) -> Iterator[tuple[Any, list[Any]]]:
        _log()
        for article in articles:
            yield article, ([] if mode == "empty" else noise_positions(article))

    def extract(self: Any, article: Any) -> list[Any]:
        return next(extract_many(self, [article]))[1]

    cls.extract_many = extract_many  # type: ignore[attr-defined]
    cls.extract = extract  # type: ignore[attr-defined]


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader, attr: str) -> None:
        self.inner, self.attr = inner, attr

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        _patch(getattr(module, self.attr))


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name not in TARGETS:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, TARGETS[name])
                return spec
        return None


def install() -> None:
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    for name, attr in TARGETS.items():      # already imported (should not happen: installed first)
        if name in sys.modules:
            _patch(getattr(sys.modules[name], attr))
