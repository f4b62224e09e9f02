"""The analysis on real corpus articles, checked: side precision on the hand-checked list, and a
briefing that opposes no actor to its own side, lists no undated item as new, cites only real
footnotes and whose chart labels never overprint.

Usage: python tools/check_corpus_report.py [--articles 200] [--offset 0] [--since 2016-01-01] [--db FILE]
Reads ../shared/data/corpus/articles.jsonl (third-party text: it stays there). Without --db, builds a
throwaway SQLite ledger (ingest + extract with the configured extractor). Exits 1 on any problem.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from itertools import islice
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "articles.jsonl"
LABELS = ROOT / "tests" / "data" / "analysis" / "corpus_sides.yml"


def build(db: Path, articles: int, offset: int) -> float:
    from parley.extract import get_extractor
    from parley.ingest.pipeline import ingest_into
    from parley.store import open_store
    from parley.store.runner import extract_into

    part = db.with_suffix(".jsonl")
    with CORPUS.open(encoding="utf-8") as fh:
        part.write_text("".join(islice(fh, offset, offset + articles)), encoding="utf-8")
    t = time.perf_counter()
    with open_store(str(db)) as store:
        ingest_into(store, [str(part)])
        extract_into(store, get_extractor())
    part.unlink()
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--since", default="2016-01-01")
    ap.add_argument("--db", type=Path, default=None, help="use (or build) this ledger")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    if not CORPUS.exists():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    from parley.analyze.ledger import Ledger
    from parley.analyze.report import audit_report, build_report
    from parley.analyze.sides import side_figures
    from parley.analyze.timeline import chart_figure, overlapping_labels
    from parley.store import open_store

    tmp = None
    db = args.db
    if db is None:
        tmp = tempfile.TemporaryDirectory()
        db = Path(tmp.name) / "corpus.db"
    built = build(db, args.articles, args.offset) if not db.exists() else None
    since = date.fromisoformat(args.since)
    with open_store(str(db)) as store:
        t = time.perf_counter()
        ledger = Ledger.from_store(store, taxonomy=store.choose_taxonomy(None))
        resolve_s = time.perf_counter() - t
    arts = ledger.articles
    undated = sorted(a for a in arts if ledger.dating(next(p for p in ledger.positions if p.article_id == a))[0]
                     is None)
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["actors"]
    sides = side_figures(ledger.resolution, labels)
    t = time.perf_counter()
    rep = build_report(ledger, since=since, charts=True)
    report_s = time.perf_counter() - t
    problems = audit_report(rep, ledger)
    overlaps = 0
    for s in rep.parties:
        if s.chart is not None:
            fig, anns = chart_figure(s.chart, s.chart_numbers)
            overlaps += len(overlapping_labels(fig, anns))
    non_state = [r for r in ledger.records if r.kind != "state"]
    figures = {
        "articles_with_positions": len(arts), "undated_articles_with_positions": len(undated),
        "positions": len(ledger.positions), "actors": len(ledger.records),
        "non_state_actors": len(non_state),
        "non_state_actors_with_a_side": sum(1 for r in non_state if r.side and r.side != r.name),
        "side_list": {k: sides[k] for k in ("checked", "found", "right", "with_side")},
        "side_precision": round(sides["precision"], 3), "side_recall": round(sides["recall"], 3),
        "side_errors": sides["wrong"],
        "report": {"since": since.isoformat(), "parties": [s.label for s in rep.parties],
                   "comparisons": len(rep.comparisons), "clashes": len(rep.clashes),
                   "common_ground": len(rep.common_ground),
                   "new_terms": sum(len(s.new_terms) for s in rep.parties), "shifts": len(rep.shifts),
                   "undated_positions_left_out": sum(s.undated for s in rep.parties),
                   "not_compared": rep.not_compared, "footnotes": len(rep.notes.items),
                   "charts": sum(1 for s in rep.parties if s.chart is not None), "label_overlaps": overlaps},
        "problems": problems,
        "seconds": {"ingest_and_extract": round(built, 1) if built else None, "resolve": round(resolve_s, 2),
                    "report_with_charts": round(report_s, 2)},
    }
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        for k, v in figures.items():
            print(f"{k}: {v}")
    if tmp is not None:
        tmp.cleanup()
    return 1 if problems or overlaps or sides["precision"] < 0.95 else 0


if __name__ == "__main__":
    sys.exit(main())
