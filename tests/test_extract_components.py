"""Component-level checks on sentences about made-up parties (one parse each)."""
from __future__ import annotations

import pytest

from parley.model import Article


def run(ex, text):
    return ex.extract(Article.create(text))


def one(ex, text):
    ps = run(ex, text)
    assert len(ps) == 1, [(p.actor, p.issue, p.stance) for p in ps]
    return ps[0]


def test_refusal_is_oppose_with_subject_as_holder(extractor):
    p = one(extractor, "The Kestrel Federation rejected the proposed truce on Monday.")
    assert (p.actor, p.issue, p.stance) == ("Kestrel Federation", "ceasefire", "oppose")
    assert p.evidence.cue == "rejected"


def test_speaker_holds_the_demand_not_the_party_spoken_about(extractor):
    p = one(extractor, "Vardenian President Ilona Marsh said the Kestrel Federation must withdraw its troops from the valley.")
    assert p.actor == "Ilona Marsh"
    assert (p.issue, p.stance) == ("withdrawal", "support")


def test_only_if_condition_makes_conditional(extractor):
    p = one(extractor, "Ilona Marsh said she was willing to hold talks with the rebels, but only if the Kestrel Federation halts its shelling.")
    assert p.stance == "conditional"
    assert p.issue == "talks"
    assert p.conditions == ("the Kestrel Federation halts its shelling",)


def test_unless_keeps_its_marker_and_inverts(extractor):
    p = one(extractor, "The Dockworkers' Guild warned that it would strike unless the port authority raised wages.")
    assert p.stance == "conditional"
    assert p.conditions and p.conditions[0].startswith("unless the port authority")


def test_embedded_question_is_not_a_condition(extractor):
    ps = run(extractor, "When asked if he would meet the rebels, Tomas Brell rejected any talks with them.")
    assert ps and all(p.stance == "oppose" and not p.conditions for p in ps)


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


def test_mixed_signals_is_mixed(extractor):
    ps = run(extractor, "The Republic of Vardenia has sent mixed signals about its willingness to negotiate.")
    assert [(p.actor, p.stance) for p in ps] == [("Republic of Vardenia", "mixed")]


def test_shift_gives_previous_stance(extractor):
    text = ("Tomas Brell leads the Kestrel Federation. While he previously dismissed talks as pointless, "
            "he now appears open to dialogue with Vardenia.")
    ps = run(extractor, text)
    talks = [p for p in ps if p.issue == "talks"]
    assert [(p.actor, p.stance, p.previous_stance) for p in talks] == [("Tomas Brell", "support", "oppose")]


def test_pronoun_and_surname_resolve_to_full_name(extractor):
    text = ("Kestrel Foreign Minister Tomas Brell met envoys on Sunday. "
            "He rejected the ceasefire proposal. Brell later demanded new sanctions on Vardenia.")
    ps = run(extractor, text)
    assert {p.actor for p in ps} == {"Tomas Brell"}
    assert {(p.issue, p.stance) for p in ps} == {("ceasefire", "oppose"), ("sanctions", "support")}
    assert "Brell" in ps[0].aliases


def test_journalist_analysis_is_not_a_position(extractor):
    assert run(extractor, "The ceasefire looks fragile, and the talks are unlikely to succeed soon.") == []


def test_relayed_statement_goes_to_the_principal(extractor):
    p = one(extractor, "A spokesman for Tomas Brell said the Kestrel Federation rejected the sanctions.")
    assert p.stance == "oppose"
    ps = run(extractor, "A spokesman for Tomas Brell said he would never accept new sanctions.")
    assert [(p.actor, p.issue, p.stance, p.red_line) for p in ps] == [("Tomas Brell", "sanctions", "oppose", True)]
    assert ps[0].speaker == "spokesman for Tomas Brell"


def test_evidence_is_the_exact_sentence(extractor):
    text = "Nothing happened at first. The Dockworkers' Guild rejected the pay offer. Talks resume Friday."
    ps = run(extractor, text)
    assert ps
    for p in ps:
        assert text[p.evidence.start:p.evidence.end] == p.evidence.text == "The Dockworkers' Guild rejected the pay offer."


def test_duplicates_merge_and_conditions_union(extractor):
    text = ("Ilona Marsh is willing to hold talks if the shelling stops. "
            "Marsh said she would join talks provided that observers are admitted.")
    ps = [p for p in run(extractor, text) if p.issue == "talks"]
    assert len(ps) == 1
    assert ps[0].stance == "conditional"
    assert len(ps[0].conditions) == 2
    assert ps[0].evidence.text.startswith("Ilona Marsh is willing")
