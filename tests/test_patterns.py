"""Every row of the structure patterns (parley/extract/patterns/*.yml) finds its own example
sentence: the row's label matches, a holder row marks the holder it expects, a condition row's
clause holds the words it expects. A row whose pattern stops matching English fails here."""
from __future__ import annotations

import pytest
import spacy

from parley.config import settings
from parley.errors import ExtractError
from parley.extract.matching import ACTIONS, PATTERN_DIR, PatternSet, load_patterns

NAMES = sorted(p.stem for p in PATTERN_DIR.glob("*.yml"))
ROWS = [(name, row) for name in NAMES for row in load_patterns(name)]


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(settings().spacy_model)


@pytest.fixture(scope="module")
def patterns(nlp):
    return PatternSet(nlp.vocab, tuple(NAMES))


def test_every_pattern_file_has_rows() -> None:
    assert {"holders", "conditions", "cues", "stance"} <= set(NAMES)
    for name in NAMES:
        rows = load_patterns(name)
        assert rows, name
        assert all(r.action in ACTIONS and r.example.strip() for r in rows), name


@pytest.mark.parametrize(("name", "row"), ROWS, ids=[f"{n}:{r.label}:{i}" for i, (n, r) in enumerate(ROWS)])
def test_a_row_matches_its_example(name, row, nlp, patterns) -> None:
    doc = nlp(row.example)
    found = [m for m in patterns(doc) if m.label == row.label]
    assert found, f"{name} {row.label}: no match in {row.example!r}"
    if row.action == "holder" and row.expect:
        assert any(doc[m.nodes["holder"]].text == row.expect for m in found), \
            (row.expect, [doc[m.nodes["holder"]].text for m in found])
    if row.action == "condition" and row.expect:
        clauses = [" ".join(t.text for t in doc[m.nodes["clause"]].subtree) for m in found if "clause" in m.nodes]
        assert any(row.expect.split()[-1] in c for c in clauses), (row.expect, clauses)


def test_a_yaml_boolean_in_a_word_list_is_refused(tmp_path) -> None:
    from parley.extract.matching import _expand

    with pytest.raises(ExtractError) as err:
        _expand({"LOWER": {"IN": ["maybe", True]}}, {}, "cues.yml row X")
    assert err.value.code == "E303" and "cues.yml row X" in err.value.message
