"""Ingesting a synthetic 100k-article JSON Lines file: throughput and peak memory at 10k and 100k.

The file is made from the corpus texts (../shared/data/corpus/articles.jsonl, read in place; the
file is written to a temporary folder outside the repo and deleted afterwards): record ``n`` is
corpus text ``n mod N`` with a varied id and light perturbations: one word in ``--every`` replaced by
a token of the copy (so that exact dedup keeps every record and most copies stay under the
near-duplicate threshold), and every ``--near``-th record a copy of an earlier one with a single word
changed (so that the near-duplicate index is exercised and links them).

A fresh child process runs ``ingest_into`` (what ``parley ingest FILE`` does) on the whole file into a
fresh SQLite file; a thread samples its RSS and peak RSS (VmHWM) and the number of articles stored,
so the peak is reported when 10k, 25k, 50k... articles are stored: memory flat in the number of
records means the peaks at 10k and 100k are close.

    python benchmarks/ingest_scale.py --records 100000

Skips with a message (exit 0) when ../shared is absent.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "articles.jsonl"
MARKS = (10_000, 25_000, 50_000, 75_000, 100_000, 250_000, 500_000, 1_000_000)


def status_mib() -> tuple[float, float]:
    rss = hwm = 0.0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return rss, hwm


def make_file(path: Path, records: int, every: int, near: int) -> tuple[int, int]:
    """Write the synthetic file; returns (records written, corpus texts used)."""
    texts = []
    with CORPUS.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if (rec.get("text") or "").strip():
                texts.append((rec.get("title"), rec["text"], rec.get("published")))
    n_texts = len(texts)
    with path.open("w", encoding="utf-8") as out:
        for n in range(records):
            if near and n % near == near - 1 and n > near:
                src = n - near // 2               # a near-copy of an earlier record: one word changed
                title, text, published = texts[src % n_texts]
                words = _perturb(text, src, every).split(" ")
                words[len(words) // 2] = f"revised{n}"
                body = " ".join(words)
            else:
                title, text, published = texts[n % n_texts]
                body = _perturb(text, n, every)
            out.write(json.dumps({"id": f"synthetic-{n}", "title": title, "text": body, "published": published},
                                 ensure_ascii=False) + "\n")
    return records, n_texts


def _perturb(text: str, n: int, every: int) -> str:
    """``text`` with one word in ``every`` replaced by a token of copy ``n`` (the first copy unchanged)."""
    copy = n // max(1, _perturb.n_texts)  # type: ignore[attr-defined]
    if copy == 0:
        return text
    words = text.split(" ")
    for i in range(copy % every, len(words), every):
        words[i] = f"c{copy}w{i}"
    return " ".join(words)


_perturb.n_texts = 1  # type: ignore[attr-defined]


def child(path: str, db: str) -> None:
    """Ingest ``path`` into ``db`` and print JSON samples of memory against articles stored."""
    from parley.ingest.pipeline import ingest_into
    from parley.store import open_store

    samples: list[dict] = []
    stop = threading.Event()

    def sample() -> None:
        con = None
        marks = list(MARKS)
        while not stop.wait(0.5):
            try:
                con = con or sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                n = con.execute("select count(*) from articles").fetchone()[0]
            except sqlite3.Error:
                continue
            rss, hwm = status_mib()
            while marks and n >= marks[0]:
                samples.append({"mark": marks.pop(0), "articles": n, "rss": rss, "hwm": hwm,
                                "t": time.perf_counter() - t0})

    t0 = time.perf_counter()
    with open_store(db) as store:
        th = threading.Thread(target=sample, daemon=True)
        th.start()
        report = ingest_into(store, [path], keep_ids=False)
        seconds = time.perf_counter() - t0
        stop.set()
        th.join(5)
        rss, hwm = status_mib()
        print(json.dumps({"samples": samples, "seconds": seconds, "rss": rss, "hwm": hwm,
                          "summary": report.summary(), "inserted": report.inserted,
                          "near": report.near_duplicates, "dups": report.duplicates, "errors": report.failed}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--every", type=int, default=12, help="one word in EVERY perturbed per copy (default 12)")
    ap.add_argument("--near", type=int, default=50, help="every NEAR-th record is a near-copy (default 50)")
    ap.add_argument("--child", nargs=2, metavar=("FILE", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return 0
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="parley-ingest-bench-"))
    try:
        path, db = tmp / "synthetic.jsonl", tmp / "ingest.db"
        with CORPUS.open(encoding="utf-8") as fh:
            _perturb.n_texts = sum(1 for line in fh if line.strip())  # type: ignore[attr-defined]
        t0 = time.perf_counter()
        records, n_texts = make_file(path, args.records, args.every, args.near)
        made = time.perf_counter() - t0
        size = path.stat().st_size / 2**20
        print(f"# command: python benchmarks/ingest_scale.py {' '.join(sys.argv[1:])}".rstrip())
        print(f"# machine: {os.cpu_count()} CPUs visible, {platform.machine()}, CPython {platform.python_version()}; "
              f"load average before {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"# file: {records} records ({size:.0f} MiB) from {n_texts} corpus texts, made in {made:.0f}s")
        out = subprocess.run([sys.executable, __file__, "--child", str(path), str(db)], capture_output=True,
                             text=True, check=True)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        db_mib = sum(p.stat().st_size for p in tmp.glob("ingest.db*")) / 2**20
        print(f"# ingest_into: {res['summary'].split('; ')[0]} (the names of what was not extracted left out)")
        print(f"# {res['seconds']:.0f}s, {records / res['seconds']:.0f} records/s; database {db_mib:.0f} MiB; "
              f"load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"{'articles stored':>16} {'seconds':>8} {'RSS MiB':>8} {'peak RSS MiB':>13}")
        for s in res["samples"]:
            print(f"{s['articles']:16,d} {s['t']:8.0f} {s['rss']:8.0f} {s['hwm']:13.0f}")
        print(f"{'end':>16} {res['seconds']:8.0f} {res['rss']:8.0f} {res['hwm']:13.0f}")
        marks = {s["mark"]: s["hwm"] for s in res["samples"]}
        if 10_000 in marks:
            print(f"peak RSS at 10k: {marks[10_000]:.0f} MiB; at the end ({records:,} records): {res['hwm']:.0f} MiB; "
                  f"ratio {res['hwm'] / marks[10_000]:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
