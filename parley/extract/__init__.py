"""Extraction engine: turn an Article into Positions (shared/docs/positions.md).

Public API::

    from parley.extract import get_extractor
    ex = get_extractor()                 # settings().extractor ("rules" until a bundled model beats it)
    ex = get_extractor("learned", model="my-model/", taxonomy="labour.yml")
    ex.extract(article) -> list[Position]
    ex.extract_many(articles) -> Iterator[(Article, list[Position])]

Extractors are found through :data:`EXTRACTORS` (name -> factory), not an if-chain.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..config import settings
from ..errors import ExtractError
from .base import Extractor


def _learned(taxonomy: str | None, model: str | None) -> Extractor:
    from .learned import LearnedExtractor

    return LearnedExtractor(model=model, taxonomy=taxonomy)


def _rules(taxonomy: str | None, model: str | None) -> Extractor:
    from .rules import RulesExtractor

    return RulesExtractor(taxonomy=taxonomy)


def _llm(taxonomy: str | None, model: str | None) -> Extractor:
    from .llm import LLMExtractor

    return LLMExtractor(taxonomy=taxonomy)


#: extractor name -> factory(taxonomy path or None, learned model directory or None)
EXTRACTORS: dict[str, Callable[[str | None, str | None], Any]] = {
    "learned": _learned, "rules": _rules, "llm": _llm,
}
KNOWN = tuple(EXTRACTORS)


def get_extractor(name: str | None = None, *, taxonomy: str | None = None, model: str | None = None) -> Extractor:
    """The extractor called ``name`` (default ``settings().extractor``).

    ``taxonomy`` is a path to a YAML/JSON issue taxonomy replacing the default one
    (``settings().taxonomy`` when not given; empty means built-in). ``model`` is a model
    directory for the learned extractor (``settings().model``; empty means the bundled one).
    """
    name = name or settings().extractor
    factory = EXTRACTORS.get(name)
    if factory is None:
        raise ExtractError("E304", name=name, known=", ".join(KNOWN))
    tax = taxonomy if taxonomy is not None else (settings().taxonomy or None)
    extractor: Extractor = factory(tax, model or settings().model or None)
    return extractor


__all__ = ["Extractor", "get_extractor", "EXTRACTORS", "KNOWN"]
