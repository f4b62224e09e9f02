"""Conditions: clause spans, markers, embedded questions, merging."""
from __future__ import annotations

from extract_helpers import one, run


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


def test_duplicates_merge_and_conditions_union(extractor):
    text = ("Ilona Marsh is willing to hold talks if the shelling stops. "
            "Marsh said she would join talks provided that observers are admitted.")
    ps = [p for p in run(extractor, text) if p.issue == "talks"]
    assert len(ps) == 1
    assert ps[0].stance == "conditional"
    assert len(ps[0].conditions) == 2
    assert ps[0].evidence.text.startswith("Ilona Marsh is willing")


def test_exchange_inside_a_relative_clause_describes_a_deal_not_a_condition(extractor):
    ps = run(extractor, "The Kestrel Federation rejected a treaty which lifted sanctions in return for inspections.")
    assert ps and all(p.stance == "oppose" and not p.conditions for p in ps)


def test_demand_before_an_act_is_a_precondition(extractor):
    p = one(extractor, "The Dockworkers' Guild wants a pay rise before it can agree to end the strike.")
    assert p.stance == "conditional"
    assert p.conditions == ("a pay rise",)


def test_temporal_before_without_a_demand_is_no_condition(extractor):
    ps = run(extractor, "The Kestrel Federation rejected the truce before the envoys arrived.")
    assert ps and all(p.stance == "oppose" for p in ps)


def test_rhetorical_and_counterfactual_if_are_no_conditions(extractor):
    ps = run(extractor, "\"If anybody believes the militias will just wait patiently for the talks, they are wrong,\" "
                        "Tomas Brell said. Ilona Marsh conceded that if the Kestrel troops had been told to hold "
                        "their ground, the rebels may have thought otherwise about the talks.")
    assert all(not p.conditions for p in ps), [(p.actor, p.conditions) for p in ps]


def test_past_exchange_is_described_not_demanded(extractor):
    ps = run(extractor, "Tomas Brell said nine prisoners had been returned to the rebels in exchange for 60 soldiers "
                        "under the prisoner deal.")
    assert all(not p.conditions for p in ps)


def test_condition_of_a_contrasting_clause_is_not_the_hope(extractor):
    ps = run(extractor, "\"We hope the negotiations carry on, but if they collapse we will restart the "
                        "missile programme,\" Ilona Marsh told reporters.")
    talks = [p for p in ps if p.issue == "talks"]
    assert talks and talks[0].stance == "support" and not talks[0].conditions


def test_refusal_with_a_demand_first_is_conditional(extractor):
    ps = run(extractor, "The Kestrel Federation declined to prolong the ceasefire, saying it wants guarantees "
                        "from the rebels first that the harbour will reopen.")
    assert [(p.issue, p.stance) for p in ps] == [("ceasefire", "conditional")], [(p.issue, p.stance) for p in ps]
    assert ps[0].conditions[0].startswith("guarantees from the rebels first")


def test_a_belief_in_an_if_clause_is_no_condition(extractor):
    ps = run(extractor, "\"If the rebels think they have worn us down in the talks, they are wrong,\" Ilona Marsh said.")
    assert all(not p.conditions for p in ps)


def test_what_is_sought_in_exchange_is_the_condition(extractor):
    ps = run(extractor, "Tomas Brell said the rebels had only sought limited sanctions relief in exchange for "
                        "the dismantling of their missile programme.")
    cond = [p for p in ps if p.stance == "conditional"]
    assert cond and cond[0].conditions == ("limited sanctions relief",), [(p.issue, p.conditions) for p in ps]
    assert cond[0].issue != "sanctions"


def test_ultimatum_or_face_is_conditional_on_the_demanded_act(extractor):
    ps = run(extractor, "The Nordmark Council is giving the Kestrel Federation a one-week ultimatum to pull its "
                        "troops back from the border or face additional economic sanctions.")
    cond = [p for p in ps if p.stance == "conditional"]
    assert cond and cond[0].actor == "Nordmark Council" and cond[0].issue == "sanctions"
    assert cond[0].conditions[0].startswith("pull its troops back")


def test_only_a_would_pave_the_way_for_b(extractor):
    ps = run(extractor, "Tomas Brell said that only a full withdrawal and the release of prisoners would pave the "
                        "way for talks with the rebels.")
    cond = [p for p in ps if p.stance == "conditional"]
    assert cond and cond[0].issue == "talks"
    assert cond[0].conditions == ("a full withdrawal", "the release of prisoners")


def test_no_deal_which_does_not_is_a_condition(extractor):
    ps = run(extractor, "Ilona Marsh said there can be no deal on the budget which does not protect the rebate.")
    cond = [p for p in ps if p.stance == "conditional"]
    assert cond and cond[0].conditions == ("protect the rebate",) and cond[0].red_line


def test_providing_with_an_object_is_no_condition(extractor):
    ps = run(extractor, "The rebel council agreed to a temporary ceasefire, providing a window in which a peace "
                        "agreement can be signed, Ilona Marsh said.")
    assert ps and all(not p.conditions for p in ps)


def test_before_talks_demands_are_preconditions_of_the_talks(extractor):
    from parley.model import Article as _A
    text = ("\u201cBefore any negotiations, the rebels must hand back the two ferries and clear the mines from "
            "the harbour,\u201d Premier Otto Vance told the assembly in Drevport on Friday.")
    ps = extractor.extract(_A.create(text))
    assert [(p.actor, p.issue, p.stance) for p in ps] == [("Otto Vance", "talks", "conditional")]
    assert len(ps[0].conditions) == 2 and "ferries" in ps[0].conditions[0] and "mines" in ps[0].conditions[1]
