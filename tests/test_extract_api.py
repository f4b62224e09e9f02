import pytest

from parley.errors import ExtractError
from parley.extract import get_extractor
from parley.model import Article


def test_unknown_extractor_raises_e304():
    with pytest.raises(ExtractError) as exc:
        get_extractor("nope")
    assert exc.value.code == "E304"


def test_default_extractor_has_name_and_version():
    ex = get_extractor()
    assert ex.name == "rules"
    assert ex.version


def test_extract_many_streams_pairs():
    ex = get_extractor()
    arts = [Article.create("The Kestrel Federation rejected the offer of talks."), Article.create("Nothing here.")]
    out = list(ex.extract_many(iter(arts)))
    assert [a.id for a, _ in out] == [a.id for a in arts]
    assert out[0][1] and out[1][1] == []          # positions stay with their own article
    for art, positions in out:
        for p in positions:
            assert art.text[p.evidence.start:p.evidence.end] == p.evidence.text


def test_version_changes_with_the_taxonomy_file(tmp_path):
    """The version carries a fingerprint of the rules, so a changed rule set re-extracts."""
    from parley.extract import get_extractor

    base = get_extractor().version
    tax = tmp_path / "tax.yaml"
    tax.write_text("labels:\n  wages: {description: pay, keywords: [wage, pay]}\n  other: {description: rest, keywords: []}\n")
    one = get_extractor(taxonomy=str(tax)).version
    tax.write_text("labels:\n  wages: {description: pay, keywords: [wage, pay, salary]}\n  other: {description: rest, keywords: []}\n")
    two = get_extractor(taxonomy=str(tax)).version
    assert base != one != two
    assert base.split("+")[0] == one.split("+")[0]
