"""Actors: pronouns, surnames, aliases."""
from __future__ import annotations

from extract_helpers import run


def test_pronoun_and_surname_resolve_to_full_name(extractor):
    text = ("Kestrel Foreign Minister Tomas Brell met envoys on Sunday. "
            "He rejected the ceasefire proposal. Brell later demanded new sanctions on Vardenia.")
    ps = run(extractor, text)
    assert {p.actor for p in ps} == {"Tomas Brell"}
    assert {(p.issue, p.stance) for p in ps} == {("ceasefire", "oppose"), ("sanctions", "support")}
    assert "Brell" in ps[0].aliases


def test_mentions_component_on_a_parsed_doc(parley_nlp):
    doc = parley_nlp("Kestrel Foreign Minister Tomas Brell and the striking dockworkers met Vardenian diplomats.")
    kinds = {m.text: m.kind for m in doc._.parley_mentions}
    assert kinds.get("Tomas Brell") == "person"


def test_registry_resolves_surname_and_seat_of_power():
    from parley.extract.rules.claims import Mention
    from parley.extract.rules.lexicon import load_cues
    from parley.extract.rules.resolve import ActorRegistry

    text = "Kestrel Foreign Minister Tomas Brell spoke. Brell said Moscow agreed."
    reg = ActorRegistry(text=text, cues=load_cues())
    assert reg.resolve(Mention(0, 1, "Brell", "person")) == "Tomas Brell"
    assert reg.resolve(Mention(0, 1, "he", "pronoun")) == "Tomas Brell"
    assert reg.resolve(Mention(0, 1, "Moscow", "state")) == "Russia"
    assert reg.resolve(Mention(0, 1, "U.S.", "state")) == "United States"


def test_bare_government_takes_the_nationality_the_article_uses():
    from parley.extract.rules.claims import Mention
    from parley.extract.rules.lexicon import load_cues
    from parley.extract.rules.resolve import ActorRegistry

    text = "Vardenian officials met the envoy. Later the government said it would consider the offer."
    reg = ActorRegistry(text=text, cues=load_cues())
    assert reg.resolve(Mention(0, 1, "the government", "group")) == "Vardenian government"
    assert reg.resolve(Mention(0, 1, "Vardenian officials", "group")) == "Vardenian government"


def test_dateline_is_not_an_actor(extractor):
    ps = run(extractor, "VELDA, Vardenia (Wire) — The Kestrel Federation rejected the truce on Sunday.")
    assert [(p.actor, p.issue, p.stance) for p in ps] == [("Kestrel Federation", "ceasefire", "oppose")]


def test_it_needs_a_recent_state_subject(extractor):
    text = ("The Kestrel Federation met envoys. Crowds gathered. Rain fell. "
            "It rejected the truce proposal.")
    assert run(extractor, text) == []


def test_party_possessive_is_not_part_of_a_name_and_given_names_resolve(extractor):
    text = ("The Guild's Mara Voss rejected the pay offer on Monday. "
            "Kestrel Foreign Minister Ri Sol Ju met the envoys. Ri later rejected the truce.")
    ps = run(extractor, text)
    assert {p.actor for p in ps} == {"Mara Voss", "Ri Sol Ju"}


def test_possessive_inside_an_organisation_name_is_no_principal(extractor):
    text = ("The Harbour Workers' Union rejected the pay offer on Monday. "
            "The Harbour Workers' Union later rejected the pension offer as well.")
    assert {p.actor for p in run(extractor, text)} == {"Harbour Workers' Union"}
