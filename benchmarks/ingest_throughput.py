"""Ingestion throughput on the shared corpus (../shared/data/corpus/articles.jsonl).

Measures articles per second for
  (a) reading + normalising + language detection + MinHash signature (no store), and
  (b) the full ``ingest_into`` a fresh SQLite file (when ``parley.store`` is present),
then prints a small table and the peak RSS of the process.

    .venv/bin/python benchmarks/ingest_throughput.py --limit 2000

The corpus is third-party text: it is read in place and never copied.
"""
from __future__ import annotations

import argparse
import resource
import shlex
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "articles.jsonl"


def _limited_copy(src: Path, dst: Path, limit: int | None) -> int:
    """Write the first ``limit`` lines of ``src`` to a temp file (outside the repo); return the count."""
    n = 0
    with src.open(encoding="utf-8") as fin, dst.open("w", encoding="utf-8") as fout:
        for line in fin:
            if limit is not None and n >= limit:
                break
            fout.write(line)
            n += 1
    return n


def _peak_rss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # KiB on Linux
    return kib / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N records of the corpus")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="JSONL corpus to read (default: %(default)s)")
    args = parser.parse_args(argv)

    print(f"# command: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    if not args.corpus.exists():
        print(f"# skipped: corpus {args.corpus} is absent")
        return 0

    from parley.config import settings
    from parley.errors import InputError
    from parley.ingest import iter_articles, minhash_signature

    cfg = settings()
    rows: list[tuple[str, int, int, float]] = []
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        src = Path(tmp) / "articles.jsonl"
        total = _limited_copy(args.corpus, src, args.limit)
        print(f"# corpus: {args.corpus} ({total} records), minhash_perm={cfg.minhash_perm}, "
              f"near_duplicate_threshold={cfg.near_duplicate_threshold}")

        t0 = time.perf_counter()
        n_ok = n_err = 0
        chars = 0
        for item in iter_articles([str(src)], settings=cfg):
            if isinstance(item, InputError):
                n_err += 1
                continue
            minhash_signature(item.text, cfg.minhash_perm)
            n_ok += 1
            chars += len(item.text)
        dt = time.perf_counter() - t0
        rows.append(("parse+normalise+language+signature", n_ok, n_err, dt))

        try:
            from parley.store import open_store
        except ImportError:
            open_store = None
        if open_store is None:
            print("# (b) skipped: parley.store.open_store is not available")
        else:
            from parley.ingest import ingest_into

            db = Path(tmp) / "bench.db"
            t0 = time.perf_counter()
            with open_store(str(db)) as store:
                report = ingest_into(store, [str(src)], settings=cfg)
            dt = time.perf_counter() - t0
            rows.append(("ingest_into fresh SQLite", report.seen, len(report.errors), dt))
            print(f"# ingest_into: {report.summary()}; db size {db.stat().st_size / 2**20:.1f} MiB")

    print(f"# mean article length: {chars / max(n_ok, 1):.0f} characters")
    print(f"{'stage':<38} {'articles':>9} {'errors':>7} {'seconds':>9} {'articles/s':>11}")
    for name, n, errs, dt in rows:
        print(f"{name:<38} {n:>9} {errs:>7} {dt:>9.2f} {n / dt if dt else float('nan'):>11.1f}")
    print(f"peak RSS: {_peak_rss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
