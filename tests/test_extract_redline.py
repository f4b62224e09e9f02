"""Red lines."""
from __future__ import annotations

from extract_helpers import one


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
