"""Attribution: who holds the position (made-up parties)."""
from __future__ import annotations

from extract_helpers import one, run, with_control

from parley.model import Article


def test_refusal_is_oppose_with_subject_as_holder(extractor):
    p = one(extractor, "The Kestrel Federation rejected the proposed truce on Monday.")
    assert (p.actor, p.issue, p.stance) == ("Kestrel Federation", "ceasefire", "oppose")
    assert p.evidence.cue == "rejected"


def test_speaker_holds_the_demand_not_the_party_spoken_about(extractor):
    p = one(extractor, "Vardenian President Ilona Marsh said the Kestrel Federation must withdraw its troops from the valley.")
    assert p.actor == "Ilona Marsh"
    assert (p.issue, p.stance) == ("withdrawal", "support")


def test_journalist_analysis_is_not_a_position(extractor):
    assert run(extractor, "The ceasefire looks fragile, and the talks are unlikely to succeed soon.") == []


def test_relayed_statement_goes_to_the_principal(extractor):
    p = one(extractor, "A spokesman for Tomas Brell said the Kestrel Federation rejected the sanctions.")
    assert p.stance == "oppose"
    ps = run(extractor, "A spokesman for Tomas Brell said he would never accept new sanctions.")
    assert [(p.actor, p.issue, p.stance, p.red_line) for p in ps] == [("Tomas Brell", "sanctions", "oppose", True)]
    assert ps[0].speaker == "spokesman for Tomas Brell"


def test_cue_inside_a_because_clause_is_no_position(extractor):
    ps = with_control(extractor, "Tomas Brell said he left the summit because Vardenia wanted new sanctions.")
    assert all(p.actor != "Vardenia" for p in ps)


def test_headline_line_is_not_a_statement(extractor):
    text = "Kestrel rejects truce offer\nThe Kestrel Federation rejected the truce offer on Monday."
    ps = run(extractor, text)
    assert ps and all(p.evidence.text.startswith("The Kestrel Federation") for p in ps)


def test_quotation_speaker_found_when_the_parse_loses_the_link(extractor):
    text = ("\u201cVardenia should realise that it will face new sanctions if it does not stop the shelling,\u201d "
            "Tomas Brell, a spokesman for the Kestrel defence ministry, said on Tuesday.")
    ps = run(extractor, text)
    assert [(p.actor, p.stance) for p in ps] == [("Tomas Brell", "conditional")]
    assert ps[0].conditions == ("it does not stop the shelling",)


def test_dated_past_act_is_history_not_a_position(extractor):
    assert run(extractor, "In 2011 the Kestrel Federation agreed to release prisoners in exchange for a soldier.") == []


def test_quotation_over_several_sentences_keeps_its_speaker(extractor):
    text = ("Guild leader Mara Voss warned that there could be more walkouts unless pay rose. "
            "\"They tell us there is no choice,\" she said. \"If you want your pension you must work longer. "
            "\"For dockworkers, it's completely unacceptable.\"")
    ps = run(extractor, text)
    assert any(p.actor == "Mara Voss" and p.red_line for p in ps), [(p.actor, p.red_line, p.evidence.text) for p in ps]


def test_possessor_of_a_spokesman_holds_the_position(extractor):
    text = "Tomas Brell met the envoys for talks. Brell's spokesman said he was not ruling out new sanctions on Vardenia."
    ps = run(extractor, text)
    assert ps and {p.actor for p in ps} == {"Tomas Brell"}


def test_denial_of_facts_and_embedded_questions_are_no_positions(extractor):
    ps = with_control(extractor,
        "The Kestrel Federation was accused of arming the rebels during the talks, though the Kestrel Federation "
        "has denied this. \"We will see if the rebels are willing to accept a ceasefire,\" Ilona Marsh said.")
    assert not any(p.actor == "Kestrel Federation" and p.stance == "oppose" for p in ps)
    assert not any(p.actor.endswith("rebels") for p in ps)


def test_their_demand_quoted_by_the_refuser(extractor):
    ps = extractor.extract(Article.create(
        "\"They wanted the sanctions lifted in full and we couldn't do that,\" Ilona Marsh said after the summit."))
    assert ("Ilona Marsh", "oppose") in [(p.actor, p.stance) for p in ps]


def test_role_and_proposal_nouns_name_their_holder(extractor):
    ps = extractor.extract(Article.create(
        "Ilona Marsh has been a leading advocate of a ceasefire in the valley. "
        "The deal came despite a Kestrel demand for the rebels to disarm. "
        "The rebels have not yet tabled a formal proposal on the ceasefire."))
    got = {(p.actor, p.stance) for p in ps}
    assert ("Ilona Marsh", "support") in got
    assert not any(p.actor.endswith("rebels") and p.stance == "support" for p in ps)


def test_according_to_a_spokesman_names_the_pronoun_speaker(extractor):
    ps = extractor.extract(Article.create(
        "Ilona Marsh met the rebels on Monday. He said the door to talks was open if the Kestrel Federation "
        "withdrew its troops, according to a spokesman for President Tomas Brell."))
    assert any(p.actor.endswith("Brell") and p.stance == "conditional" for p in ps), [(p.actor, p.stance) for p in ps]


def test_inflected_cue_verbs_survive_lemma_slips(extractor):
    ps = extractor.extract(Article.create(
        "Ilona Marsh said that while the ceasefire will be hard to keep, she hopes it will last and end the war."))
    assert ("Ilona Marsh", "support") in [(p.actor, p.stance) for p in ps]


def test_guesses_gerund_subjects_and_relative_clauses_are_no_positions(extractor):
    ps = with_control(extractor,
        "If it joins the union, the Kestrel Federation may have to accept limits on its fishing fleet. "
        "Lawmakers said Tomas Brell walking away from the talks was better than a bad deal. "
        "Ilona Marsh, who refused to recognise the tribunal in 2009, was ousted after the talks.")
    assert not any(p.actor in ("Kestrel Federation", "Tomas Brell", "Ilona Marsh") for p in ps), \
        [(p.actor, p.stance) for p in ps]


def test_first_person_in_a_quotation_is_its_speaker(extractor):
    ps = extractor.extract(Article.create(
        "\"That is why we reject the ceasefire plan and the talks,\" Ilona Marsh said on Monday."))
    assert ("Ilona Marsh", "oppose") in [(p.actor, p.stance) for p in ps], [(p.actor, p.stance) for p in ps]


def test_words_quoted_as_a_subject_are_judged_by_the_speaker(extractor):
    ps = extractor.extract(Article.create(
        "Tomas Brell said that what the rebels said about the ceasefire talks is \"accurate\"."))
    assert ("Tomas Brell", "support") in [(p.actor, p.stance) for p in ps], [(p.actor, p.stance) for p in ps]


def _relay(extractor, text):
    from parley.model import Article as _A
    return {(p.actor, p.issue, p.stance) for p in extractor.extract(_A.create(text))}


def test_spokesperson_relays_the_principals_position(extractor):
    lead = "Premier Otto Vance of Drevia spoke about the talks on Monday. "
    got = _relay(extractor, lead + "Lena Marsh, his spokeswoman, said the Premier wanted the talks to focus on "
                 "a prisoner exchange.")
    assert any(a.endswith("Otto Vance") and i == "prisoners" for a, i, _s in got)
    assert not any("Marsh" in a for a, _i, _s in got)
    got = _relay(extractor, lead + "Lena Marsh, a spokeswoman for Premier Otto Vance, said the Premier would "
                 "under no circumstances attend talks in Rivna.")
    assert {(a.split()[-1], i, s) for a, i, s in got} == {("Vance", "talks", "oppose")}


def test_spokesperson_speaking_for_herself_keeps_the_position(extractor):
    got = _relay(extractor, "Premier Otto Vance of Drevia spoke about the talks on Monday. Lena Marsh, a "
                 "spokeswoman for Premier Otto Vance, said she would not attend talks in Rivna.")
    assert {(a, i, s) for a, i, s in got} == {("Lena Marsh", "talks", "oppose")}


def test_calling_something_a_name_for_years_is_no_call_for(extractor):
    got = _relay(extractor, "Premier Otto Vance of Drevia rejected the talks. Drevia will never give up the "
                 "river province, he added, calling the province \"Drevian soil for four centuries.\"")
    assert ("Otto Vance", "territory", "oppose") in got
    assert ("Otto Vance", "territory", "support") not in got
