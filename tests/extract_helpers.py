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


#: a plain statement in a paragraph of its own, added to an article whose test asserts that something
#: is *not* a position: the test then also asserts that the extractor finds this one, so that an
#: extractor that finds nothing at all fails it (tools/check_extraction_tests.py)
CONTROL = "\n\nThe Vardenian government rejected the truce offer on Monday."


def with_control(ex, text: str) -> list[Position]:
    """Positions in ``text`` + :data:`CONTROL`, after asserting that the control statement was found
    (and is the only position drawn from it)."""
    article = Article.create(text + CONTROL)
    ps = ex.extract(article)
    start = len(text) + 2
    found = [(p.actor, p.stance) for p in ps if p.evidence.start >= start]
    assert found == [("Vardenian government", "oppose")], found
    return [p for p in ps if p.evidence.end <= len(text)]
