"""Per-article actor resolution: titles, places, the gazetteer, pronouns."""
from __future__ import annotations

from parley.extract.rules.claims import Mention
from parley.extract.rules.lexicon import load_cues, load_places
from parley.extract.rules.resolve import ActorRegistry
from parley.model import Article


def reg(text: str, title: str = "") -> ActorRegistry:
    return ActorRegistry(text=text, cues=load_cues(), title=title)


def test_gazetteer_covers_the_world():
    places = load_places()
    assert len(places.forms) >= 193
    assert places.state_of("Nairobi") == "Kenya"
    assert places.state_of("the Kremlin") == "Russia"
    assert places.state_of("Ukrainian") == "Ukraine"
    assert places.state_of("U.K.") == "United Kingdom"
    assert places.state_of("Orsk") is None


def test_capital_takes_the_state_name_the_article_uses():
    r = reg("Britain said it would wait. London later rejected the offer. Britain's envoy left.")
    assert r.resolve(Mention(0, 1, "London", "state")) == "Britain"
    assert reg("Officials in Canberra met.").resolve(Mention(0, 1, "Canberra", "state")) == "Australia"
    assert reg("Washington said no.").resolve(Mention(0, 1, "Washington", "state")) == "United States"


def test_name_follows_its_last_title():
    r = reg("Kestrel Federation Chancellor Ivo Renner spoke. Renner said no.")
    assert r.resolve(Mention(0, 5, "Kestrel Federation Chancellor Ivo Renner", "name")) == "Ivo Renner"
    assert r.resolve(Mention(0, 1, "Renner", "org")) == "Ivo Renner"


def test_a_town_is_no_person():
    r = reg("Mila Toren spoke at a rally in Orsk. \"Talks with Orsk are over,\" Ivo Renner said.")
    assert r.resolve(Mention(0, 1, "Orsk", "person")) == "Orsk"
    assert all(p != "Orsk" for p, _a in r.persons)


def test_nationality_and_possessive_name_one_place():
    r = reg("x")
    assert r._same_place("Ukrainian", "Ukraine")
    assert not r._same_place("Ukrainian", "Russian")
    assert r._same_place("Vardenian", "Vardenia")   # unknown places: a shared stem


def test_pronoun_takes_the_titled_person_of_an_unparsed_sentence(extractor):
    text = ("Kestrel Federation Chancellor Ivo Renner rejected talks with Vardenia on Monday. "
            "Vardenian President Mila Toren answered within hours. "
            "Speaking at a rally in Orsk, she said the ceasefire proposal was unacceptable.")
    ps = extractor.extract(Article.create(text))
    actors = {p.actor for p in ps}
    assert "Mila Toren" in actors and "Orsk" not in actors
    assert "Ivo Renner" in actors


def test_hyphenated_given_name_is_kept(extractor):
    text = ("South Kestrel President Moon Ha-eun met envoys on Monday. "
            "Moon Ha-eun rejected the ceasefire proposal on Tuesday.")
    assert {p.actor for p in extractor.extract(Article.create(text))} == {"Moon Ha-eun"}


def test_party_possessive_name_and_his_party():
    r = reg("The Harbour Party's Jon Varga spoke. His party wants a new vote.")
    assert r.resolve(Mention(0, 5, "Harbour Party's Jon Varga", "org")) == "Jon Varga"
    assert r.resolve(Mention(0, 1, "he", "pronoun")) == "Jon Varga"
    assert r.resolve(Mention(0, 2, "His party", "group", principal="he")) == "Harbour Party"


def test_a_word_used_in_compounds_is_no_person():
    r = reg("Hardline Grexit-supporters met. Pro-Grexit members said Grexit would come.")
    assert r.resolve(Mention(0, 1, "Grexit", "person")) is None
    assert r.full_name("Grexit") == "Grexit"


def test_well_named_actors_for_the_salience_filter():
    r = reg("Kestrel Foreign Minister Tomas Brell spoke. Some Vardenian diplomats disagreed.")
    r.resolve(Mention(0, 5, "Kestrel Foreign Minister Tomas Brell", "person"))
    r.resolve(Mention(0, 2, "Vardenian diplomats", "group"))
    r.resolve(Mention(0, 1, "officials", "group"))
    assert r.well_named("Tomas Brell")
    assert r.well_named("Vardenian diplomats")
    assert not r.well_named("officials") and not r.well_named("Brell")


def test_commentators_are_no_actors():
    text = ("\"Kestrel must move first,\" said analyst Lena Hart at Nordbank. "
            "Pia Moll, a senior fellow at the Harbour Institute, doubted the deal. "
            "Tomas Brell, the Kestrel foreign minister, told reporters Brell would not move.")
    r = reg(text)
    assert r.resolve(Mention(0, 2, "Lena Hart", "person")) is None
    assert r.resolve(Mention(0, 1, "Hart", "person")) is None
    assert r.resolve(Mention(0, 2, "Pia Moll", "person")) is None
    assert r.resolve(Mention(0, 2, "Harbour Institute", "org")) is None
    assert r.resolve(Mention(0, 2, "Tomas Brell", "person")) == "Tomas Brell"


def test_an_office_resolves_to_the_person_introduced_with_that_title(extractor):
    text = ("Kestrel Foreign Minister Tomas Brell met Prime Minister Ana Lind on Monday. "
            "Brell left early. The prime minister later rejected the ceasefire proposal.")
    ps = extractor.extract(Article.create(text))
    assert ("Ana Lind", "ceasefire", "oppose") in {(p.actor, p.issue, p.stance) for p in ps}


def test_a_former_office_holder_is_not_the_office():
    text = ("President Ana Lind spoke, and former President Tomas Brell criticised her. "
            "The president said she would wait.")
    r = reg(text)
    r.sentence = 1
    assert r.resolve(Mention(0, 2, "The president", "description")) == "Ana Lind"


def test_pronoun_after_an_unparsed_sentence_opened_by_a_known_surname(extractor):
    from parley.model import Article as _A
    text = ("Premier Otto Vance of Drevia rejected the truce talks on Monday. "
            "Foreign Minister Karl Dunmore said Drevia would attend the talks only if the rebels withdrew. "
            "Vance was firmer. Addressing the cabinet, he said any deal that left rebel soldiers in the hills "
            "was off the table.")
    ps = [p for p in extractor.extract(_A.create(text)) if p.red_line]
    assert [(p.actor, p.issue, p.stance) for p in ps] == [("Otto Vance", "withdrawal", "oppose")]


def test_leader_description_after_an_unparsed_titled_sentence(extractor):
    from parley.model import Article as _A
    text = ("The river rebels rejected the truce talks on Monday. Premier Otto Vance struck a calmer note in "
            "the capital. The Drevian leader said he could accept a freeze, but only if foreign observers were "
            "deployed along the river and the rebels stopped shelling border villages.")
    got = [(p.actor, p.issue, p.stance, len(p.conditions)) for p in extractor.extract(_A.create(text))
           if p.stance == "conditional"]
    assert got == [("Otto Vance", "ceasefire", "conditional", 2)]


def test_leader_description_matches_the_pronoun_gender(extractor):
    from parley.model import Article as _A
    text = ("President Anna Kell said the truce talks were a start and that she backed monitoring along the river. "
            "Chancellor Piet Droon rejected the ceasefire talks, and he walked out. "
            "The Lorvanian leader said she would under no circumstances accept a referendum held while foreign "
            "troops stayed in the hills.")
    ps = [p for p in extractor.extract(_A.create(text)) if p.red_line]
    assert [p.actor for p in ps] == ["Anna Kell"]
