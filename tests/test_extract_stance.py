"""Stance: mixed signals and evidence offsets."""
from __future__ import annotations

from parley.model import Article


def run(ex, text):
    return ex.extract(Article.create(text))


def one(ex, text):
    ps = run(ex, text)
    assert len(ps) == 1, [(p.actor, p.issue, p.stance) for p in ps]
    return ps[0]


def test_mixed_signals_is_mixed(extractor):
    ps = run(extractor, "The Republic of Vardenia has sent mixed signals about its willingness to negotiate.")
    assert [(p.actor, p.stance) for p in ps] == [("Republic of Vardenia", "mixed")]


def test_evidence_is_the_exact_sentence(extractor):
    text = "Nothing happened at first. The Dockworkers' Guild rejected the pay offer. Talks resume Friday."
    ps = run(extractor, text)
    assert ps
    for p in ps:
        assert text[p.evidence.start:p.evidence.end] == p.evidence.text == "The Dockworkers' Guild rejected the pay offer."
