"""Issue labelling from a taxonomy data file, replaceable by the user."""
import pytest

from parley.errors import ExtractError
from parley.extract import get_extractor
from parley.extract.lexicon import load_taxonomy
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
