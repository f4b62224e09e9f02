"""Helpers shared by the extraction component tests (not fixtures: those live in conftest.py)."""
from __future__ import annotations

from parley.model import Article, Position


def run(ex, text: str) -> list[Position]:
    """Positions the extractor finds in ``text`` (an article made up by the test)."""
    return ex.extract(Article.create(text))


def one(ex, text: str) -> Position:
    """The single position the extractor must find in ``text``."""
    ps = run(ex, text)
    assert len(ps) == 1, [(p.actor, p.issue, p.stance) for p in ps]
    return ps[0]
