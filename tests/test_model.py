"""Domain model behaviour."""
from parley.model import Evidence, Position


def _pos(*conds):
    return Position(actor="Guild", issue="other", stance="conditional" if conds else "support",
                    evidence=Evidence(0, 4, "text"), conditions=conds)


def test_condition_phrase_adds_if_only_where_the_condition_has_no_connective():
    assert _pos("the offer improves").condition_phrase() == "if the offer improves"
    assert _pos("unless the offer improves").condition_phrase() == "unless the offer improves"
    assert _pos("in exchange for a pay rise", "Only if talks resume").condition_phrase() == \
        "in exchange for a pay rise; Only if talks resume"
    assert _pos().condition_phrase() == ""


def test_position_round_trips_through_its_dict():
    p = _pos("the port reopens").with_(red_line=True, previous_stance="oppose", aliases=("the guild",))
    assert Position.from_dict(p.to_dict()) == p.with_(evidence=Evidence(0, 4, "text"))
