"""The extractor interface: anything that turns an Article into Positions.

Callers (CLI, store runs, evaluation, benchmarks) use only this interface and
:func:`get_extractor`, so the engine can be replaced without touching them.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from ..model import Article, Position


@runtime_checkable
class Extractor(Protocol):
    name: str
    version: str

    def extract(self, article: Article) -> list[Position]:
        """Positions attributed in one article; evidence offsets index ``article.text``."""

    def extract_many(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Position]]]:
        """Stream (article, positions) pairs; memory must stay flat in the number of articles."""
