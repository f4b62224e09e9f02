"""Red lines."""
from __future__ import annotations

from parley.model import Article


def run(ex, text):
    return ex.extract(Article.create(text))


def one(ex, text):
    ps = run(ex, text)
    assert len(ps) == 1, [(p.actor, p.issue, p.stance) for p in ps]
    return ps[0]


def test_red_line_phrase_marks_position(extractor):
    p = one(extractor, "For Ilona Marsh, the return of the northern provinces is non-negotiable.")
    assert p.actor == "Ilona Marsh"
    assert p.red_line is True
    assert p.stance == "support"
    assert p.issue == "territory"


def test_under_no_circumstances_is_an_oppose_red_line(extractor):
    p = one(extractor, "The Kestrel Federation said it would under no circumstances give up its nuclear programme.")
    assert p.red_line is True
    assert (p.issue, p.stance) == ("nuclear", "oppose")
