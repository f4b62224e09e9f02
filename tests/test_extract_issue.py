"""Issue labelling from a taxonomy data file, replaceable by the user."""
import pytest

from parley.errors import ExtractError
from parley.extract import get_extractor
from parley.extract.rules.lexicon import load_taxonomy
from parley.model import Article


def test_default_taxonomy_scores_labels():
    tax = load_taxonomy()
    assert tax.default == "other"
    assert "talks" in tax.labels and "nuclear" in tax.labels
    assert max(tax.score(["tariff", "import"], "tariffs on imports").items(), key=lambda kv: kv[1])[0] == "trade"


def test_broken_taxonomy_file_raises_e302(tmp_path):
    bad = tmp_path / "tax.yaml"
    bad.write_text("labels: 3\n")
    with pytest.raises(ExtractError) as exc:
        get_extractor(taxonomy=str(bad))
    assert exc.value.code == "E302"


def test_user_taxonomy_relabels_positions(tmp_path):
    tax = tmp_path / "labour.yaml"
    tax.write_text("default: other\nlabels:\n  wages: {lemmas: [wage, pay, salary]}\n  strike: [strike, walkout]\n")
    ex = get_extractor(taxonomy=str(tax))  # builds its own pipeline with that taxonomy
    ps = ex.extract(Article.create("The Dockworkers' Guild rejected the pay offer of the port authority."))
    assert [(p.actor, p.issue, p.stance) for p in ps] == [("Dockworkers' Guild", "wages", "oppose")]


def test_generic_agreement_words_take_the_article_topic(extractor):
    text = ("Vardenia and the Kestrel Federation resumed nuclear talks on the uranium enrichment programme. "
            "The nuclear inspectors left the reactor site. The Kestrel envoy said the deal was not renegotiable.")
    ps = [p for p in extractor.extract(Article.create(text)) if p.red_line]
    assert [(p.issue, p.stance) for p in ps] == [("nuclear", "oppose")]


def _issues(extractor, text):
    return {(p.actor, p.issue, p.stance) for p in extractor.extract(Article.create(text))}


def test_taxonomy_process_labels_and_wildcard_phrases():
    tax = load_taxonomy()
    assert tax.process == frozenset({"talks"})
    assert tax.score(["open", "borders"], "they will open the northern borders").get("sanctions")


def test_negotiating_a_ceasefire_is_about_the_ceasefire(extractor):
    text = ("Kestrel Foreign Minister Tomas Brell met envoys in Halvik on Monday. "
            "Brell rejected any suggestion that Kestrel could help negotiate a cease-fire in the valley.")
    assert ("Tomas Brell", "ceasefire", "oppose") in _issues(extractor, text)


def test_refusing_to_negotiate_over_a_topic_is_about_talks(extractor):
    text = ("The Vardenian government met envoys about the uranium enrichment programme. "
            "Vardenia said it would not negotiate over its nuclear programme, officials said.")
    assert {(i, s) for _a, i, s in _issues(extractor, text)} >= {("talks", "oppose")}


def test_the_setting_of_a_statement_is_no_issue(extractor):
    text = ("The Dockworkers' Guild and the port authority held another round of talks on Friday. "
            "Speaking after the meeting, Guild leader Mara Voss said the pension scheme was set in stone.")
    assert ("Mara Voss", "other", "support") in _issues(extractor, text)


def test_an_evaluation_of_the_object_names_no_issue(extractor):
    text = ("The Harbour Party and the Guild argued over the budget deal for weeks. "
            "The Harbour Party called the budget proposals \"unacceptable\" and \"hostage taking\".")
    assert {i for _a, i, _s in _issues(extractor, text)} == {"other"}


def test_a_deal_whose_content_is_given_takes_that_content(extractor):
    text = ("Vardenia and the Kestrel Federation resumed ceasefire talks on the valley truce. "
            "The ceasefire held. Vardenia wants any agreement to include a pledge that the valley "
            "will not be used as a base by armed groups.")
    ps = extractor.extract(Article.create(text))
    assert ("Vardenia", "security_guarantees", "support") in {(p.actor, p.issue, p.stance) for p in ps}


def test_control_and_status_of_land_are_territory():
    tax = load_taxonomy()
    for text in ("the return of the hills to vardenian control", "talks on the final status of the valley",
                 "kestrel would never cede the valley"):
        scores = tax.score(text.split(), text)
        assert max(scores, key=scores.get) == "territory", text


def test_ransom_idiom_is_no_hostage_issue():
    tax = load_taxonomy()
    assert "prisoners" not in tax.score(["hold", "economy", "to", "ransom"], "holding the regional economy to ransom")
    assert "prisoners" in tax.score(["pay", "a", "ransom"], "they refused to pay a ransom")


def test_a_bargaining_topic_outside_the_taxonomy_is_a_definite_issue(parley_nlp):
    doc = parley_nlp("A spokesman for the Harbour Guild warned that the pension changes would have to go ahead.")
    claims = [c for c in doc._.parley_claims if c.issue == "other"]
    assert claims and all(c.issue_hit for c in claims)


def test_giving_up_or_getting_back_land_is_territory():
    tax = load_taxonomy()
    text = "the premier said the republic would never give up the northern province"
    assert max(tax.score(text.split(), text).items(), key=lambda kv: kv[1])[0] == "territory"
    text = "the return of the entire Brannoch peninsula is a precondition"
    assert "territory" in tax.score(text.lower().split(), text.lower())


def test_resuming_operations_is_about_the_ceasefire():
    tax = load_taxonomy()
    text = "the army would resume military operations along the river"
    assert max(tax.score(text.split(), text).items(), key=lambda kv: kv[1])[0] == "ceasefire"


def test_red_line_idiom_words_name_no_issue(extractor):
    text = ("Maria Quell, leader of the Dockers' Guild, rejected the pay offer of the port authority. "
            "She added that any cut to the guild pension scheme was off the table.")
    ps = [p for p in extractor.extract(Article.create(text)) if p.red_line]
    assert [(p.actor, p.issue, p.stance) for p in ps] == [("Maria Quell", "other", "oppose")]


def test_opening_a_border_to_freight_is_trade():
    tax = load_taxonomy()
    text = "ostmark would reopen its border to drevian freight once the guns fell silent"
    sc = tax.score(text.split(), text)
    assert max(sc.items(), key=lambda kv: kv[1])[0] == "trade"
