"""Stance: mixed signals and evidence offsets."""
from __future__ import annotations

from extract_helpers import run


def test_mixed_signals_is_mixed(extractor):
    ps = run(extractor, "The Republic of Vardenia has sent mixed signals on whether it will negotiate.")
    assert [(p.actor, p.stance) for p in ps] == [("Republic of Vardenia", "mixed")]


def test_evidence_is_the_exact_sentence(extractor):
    text = "Nothing happened at first. The Dockworkers' Guild rejected the pay offer. Talks resume Friday."
    ps = run(extractor, text)
    assert ps
    for p in ps:
        assert text[p.evidence.start:p.evidence.end] == p.evidence.text == "The Dockworkers' Guild rejected the pay offer."


def test_denied_evaluative_words_oppose(extractor):
    ps = run(extractor, "Tomas Brell said the Kestrel offer of talks \"lacks sincerity\" and was not a credible offer.")
    assert ps and ps[0].stance == "oppose"


def test_quoted_verdict_is_a_position(extractor):
    ps = run(extractor, "Ilona Marsh has called the Kestrel Federation's demand for a budget rebate \"unjustified\".")
    assert ("Ilona Marsh", "oppose") in [(p.actor, p.stance) for p in ps]


def test_halting_hostilities_supports_a_ceasefire(extractor):
    ps = run(extractor, "The Kestrel Federation will halt its assault on the valley under the ceasefire, Ilona Marsh said.")
    assert ps and all(p.stance == "support" for p in ps), [(p.actor, p.issue, p.stance) for p in ps]


def test_not_ruling_out_with_a_reservation_is_mixed(extractor):
    ps = run(extractor, "Premier Otto Vance has not ruled out peace talks with the river rebels, but he said "
             "any meeting would be brief.")
    assert ("Otto Vance", "talks", "mixed") in {(p.actor, p.issue, p.stance) for p in ps}


def test_under_no_circumstances_accept_is_oppose(extractor):
    ps = run(extractor, "Premier Otto Vance of Drevia rejected the truce talks on Monday. Vance said he would under "
             "no circumstances accept a referendum held while rebel fighters stayed in the hills.")
    got = {(p.actor, p.issue, p.stance, p.red_line) for p in ps}
    assert ("Otto Vance", "governance", "oppose", True) in got
    assert not any(s == "support" for _a, _i, s, _r in got)
