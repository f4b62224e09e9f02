"""The analysis on 200 real corpus articles (skips without ../shared): side precision on a hand-checked
list of actors (tests/data/analysis/corpus_sides.yml, names only), and a briefing that opposes no actor
to its own side, lists no undated item as new and whose chart labels never overprint."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from parley.analyze.ledger import Ledger
from parley.analyze.report import audit_report, build_report, render_markdown
from parley.analyze.sides import side_figures
from parley.analyze.timeline import chart_figure, overlapping_labels
from parley.store import open_store

LABELS = Path(__file__).parent / "data" / "analysis" / "corpus_sides.yml"
SINCE = date(2016, 1, 1)

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def corpus_ledger(corpus_db: str) -> Ledger:
    with open_store(corpus_db) as store:
        return Ledger.from_store(store, taxonomy=store.choose_taxonomy(None))


def test_side_precision_on_hand_checked_corpus_actors(corpus_ledger: Ledger) -> None:
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["actors"]
    assert len(labels) >= 100
    figs = side_figures(corpus_ledger.resolution, labels)
    # floors from the measured figures (docs/analysis.md); floors only go up
    assert figs["checked"] >= 100, figs["absent"]
    assert figs["precision"] >= 0.95, figs["wrong"]
    assert figs["recall"] >= 0.60, figs["missed"]
    # every side found carries the words that say it
    for rec in corpus_ledger.records:
        if rec.side and rec.side != rec.name:
            assert rec.side_evidence and all(e.side == rec.side for e in rec.side_evidence), rec.name


def test_briefing_on_200_corpus_articles_states_nothing_false(corpus_ledger: Ledger) -> None:
    undated = {a for a, art in corpus_ledger.articles.items() if corpus_ledger.dating(
        next(p for p in corpus_ledger.positions if p.article_id == a))[0] is None}
    assert undated, "the sample should hold undated articles"
    rep = build_report(corpus_ledger, since=SINCE, charts=True)
    assert audit_report(rep, corpus_ledger) == []
    md = render_markdown(rep)
    new = md.split("## New conditions and red lines", 1)[1].split("\n## ", 1)[0]
    assert "(undated)" not in new and "undated):" not in new
    assert all(c.published and c.published >= SINCE for s in rep.parties for c in
               (rep.notes.items[x.notes[0] - 1] for x in s.new_terms))
    # an actor whose side is unknown is never paired against a side (it could be its own)
    for comp in rep.comparisons:
        assert "(side unknown)" not in comp.a_label + comp.b_label
    # chart points carry the footnote numbers, and no two labels overprint
    drawn = 0
    for s in rep.parties:
        if s.chart is None:
            continue
        assert all(1 <= n <= len(rep.notes.items) for n in s.chart_numbers)
        fig, anns = chart_figure(s.chart, s.chart_numbers)
        assert overlapping_labels(fig, anns) == [], s.name
        shown = {int(x) for a in anns for x in a.get_text().replace("–", ",").split(",") if x}
        assert set(s.chart_numbers) <= shown | set(range(min(s.chart_numbers), max(s.chart_numbers) + 1))
        drawn += 1
    assert drawn >= 3
    # asked for, undated items are listed as such
    with_undated = build_report(corpus_ledger, since=SINCE, include_undated=True)
    assert audit_report(with_undated, corpus_ledger) == []
