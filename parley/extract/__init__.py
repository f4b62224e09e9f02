"""Extraction engine: turn an Article into Positions (shared/docs/positions.md).

Public API::

    from parley.extract import get_extractor
    ex = get_extractor()                 # settings().extractor, "rules" by default
    ex.extract(article) -> list[Position]
    ex.extract_many(articles, batch_size=64) -> Iterator[(Article, list[Position])]
"""
from __future__ import annotations

from ..config import settings
from ..errors import ExtractError
from .base import Extractor

KNOWN = ("rules", "llm")


def get_extractor(name: str | None = None, *, taxonomy: str | None = None) -> Extractor:
    """The extractor called ``name`` (default ``settings().extractor``).

    ``taxonomy`` is a path to a YAML/JSON issue taxonomy replacing the default
    one (``settings().taxonomy`` when not given; empty means built-in).
    """
    name = name or settings().extractor
    if name == "rules":
        from .rules import RulesExtractor

        return RulesExtractor(taxonomy=taxonomy if taxonomy is not None else (settings().taxonomy or None))
    if name == "llm":
        from .llm import LLMExtractor

        return LLMExtractor(taxonomy=taxonomy if taxonomy is not None else (settings().taxonomy or None))
    raise ExtractError("E304", name=name, known=", ".join(KNOWN))


__all__ = ["Extractor", "get_extractor", "KNOWN"]
