"""Build the benchmark ledger: the corpus (../shared/data/corpus/articles.jsonl, read in place)
ingested and extracted by the configured extractor into a SQLite file outside the repo, then its kept
ledger built. Extracting 9.6k articles takes a while (14 minutes with the rules extractor on two busy
cores): build it once and pass the file to ``api_load.py``, ``ledger_update.py`` and the analysis
timings in docs/benchmarks.md.

    python benchmarks/build_ledger.py --out /work/bench-10/corpus.db          # --limit N for fewer articles
"""
from __future__ import annotations

import argparse
import sys
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "articles.jsonl"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="the SQLite file to create (outside the repo)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N corpus records")
    args = ap.parse_args(argv)
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent", file=sys.stderr)
        return 0
    out = Path(args.out)
    if out.exists():
        print(f"{out} exists: remove it first", file=sys.stderr)
        return 2
    from parley.analyze import kept
    from parley.extract import get_extractor
    from parley.ingest.pipeline import ingest_into
    from parley.store import open_store, runner

    src = str(CORPUS)
    if args.limit:
        part = out.with_suffix(".part.jsonl")
        with CORPUS.open(encoding="utf-8") as fh:
            part.write_text("".join(islice(fh, args.limit)), encoding="utf-8")
        src = str(part)
    print(f"# command: python benchmarks/build_ledger.py --out {args.out}" + (f" --limit {args.limit}" if args.limit else ""))
    with open_store(str(out)) as store:
        t0 = time.perf_counter()
        rep = ingest_into(store, [src], progress=True)
        t1 = time.perf_counter()
        keep, runner._keep_ledger = runner._keep_ledger, lambda *a: None    # the kept ledger: timed apart below
        try:
            run = runner.extract_into(store, get_extractor(), progress=True)
        finally:
            runner._keep_ledger = keep
        t2 = time.perf_counter()
        [led] = kept.rebuild(store, run.taxonomy)
        t3 = time.perf_counter()
        print(f"ingest: {rep.inserted} articles in {t1 - t0:.0f}s; extract: {run.positions} positions from "
              f"{run.articles} articles in {t2 - t1:.0f}s; kept ledger: {led.added} points, {led.new_actors} actors "
              f"in {t3 - t2:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
