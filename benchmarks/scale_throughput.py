"""Extraction throughput on a Dask LocalCluster with 1 and 2 worker processes, and the cost model.

Over the first ``--limit`` articles of ../shared/data/corpus/articles.jsonl (read in place), ingested
once into a SQLite file that is copied for each run:

  (a) one process: ``parley.store.runner.extract_into`` (what `parley extract` does);
  (b) ``extract_on_cluster`` on a LocalCluster of 1 worker process;
  (c) the same with 2 worker processes;

each timed from the first partition submitted to the run recorded (both clusters are started and the
extractor loaded on their workers before any clock starts: that one-off cost is printed apart).
(b) and (c) alternate for ``--rounds`` rounds, so that both see the same share of a busy machine, and
the fastest run of each is compared. The ratio (c)/(b) is the speed-up of a second worker; articles
per worker CPU-second gives the cost model (workers needed for a daily volume). What else was running
on the machine is printed with the figures.

    python benchmarks/scale_throughput.py --limit 300

Skips with a message (exit 0) when ../shared is absent.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "articles.jsonl"
DAY = 86_400


def other_load() -> str:
    """Load average and the busiest processes that are not this benchmark's (what else was running)."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        out = subprocess.run(["ps", "-eo", "pid,ppid,pcpu,comm", "--sort=-pcpu"], capture_output=True, text=True,
                             timeout=10).stdout.splitlines()[1:]
    except (OSError, subprocess.SubprocessError):
        return f"load average {load}"
    mine = {os.getpid()}
    busy = []
    for line in out:
        parts = line.split(None, 3)
        if len(parts) < 4:
            continue
        pid, ppid, pcpu, comm = int(parts[0]), int(parts[1]), float(parts[2]), parts[3]
        if pid in mine or ppid in mine or pcpu < 5.0:
            continue
        busy.append(f"{comm} {pcpu:.0f}%")
    return f"load average {load}; other processes over 5% CPU: {', '.join(busy[:8]) or 'none'}"


def _cpu_seconds() -> float:
    """(run on each worker) user + system CPU seconds of this worker process so far."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def timed_cluster_run(db: str, cluster, size: int, extractor: str = "rules") -> tuple[float, object, float]:
    """(wall seconds, report, CPU seconds the workers spent) of one run on ``cluster``."""
    from parley.scale import extract_on_cluster
    from parley.store import open_store

    with open_store(db) as store:
        before = cluster.client.run(_cpu_seconds)
        t0 = time.perf_counter()
        report = extract_on_cluster(store, extractor=extractor, cluster=cluster, partition_size=size)
        wall = time.perf_counter() - t0
        after = cluster.client.run(_cpu_seconds)
        cpu = sum(after[w] - before.get(w, 0.0) for w in after)
        return wall, report, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=300, help="corpus articles (default 300)")
    ap.add_argument("--partition-size", type=int, default=25)
    ap.add_argument("--extractor", default="rules", help="extractor to time (default rules)")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds of (b) and (c) (default 2)")
    ap.add_argument("--skip-single", action="store_true", help="leave out the one-process run (a)")
    args = ap.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent")
        return 0
    from parley.extract import get_extractor
    from parley.ingest.pipeline import ingest_into
    from parley.scale import start_cluster
    from parley.store import open_store
    from parley.store.runner import extract_into

    tmp = Path(tempfile.mkdtemp(prefix="parley-scale-bench-"))
    try:
        src = tmp / "slice.jsonl"
        with CORPUS.open(encoding="utf-8") as fh:
            src.write_text("".join(islice(fh, args.limit)), encoding="utf-8")
        base = tmp / "base.db"
        with open_store(str(base)) as store:
            ingest_into(store, [str(src)])
            ex = get_extractor(args.extractor)
            pending = store.count_pending(ex.name, ex.version)
        words = sum(len(json.loads(line).get("text", "").split()) for line in src.open(encoding="utf-8"))
        print(f"# command: python benchmarks/scale_throughput.py {' '.join(sys.argv[1:])}".rstrip())
        print(f"# machine: {os.cpu_count()} CPUs visible, {platform.machine()}, CPython {platform.python_version()}")
        print(f"# corpus: {args.limit} records, {pending} articles to extract, {words} words; "
              f"partitions of {args.partition_size}; extractor {args.extractor}")
        print(f"# before: {other_load()}")
        rows = []
        if not args.skip_single:
            db = tmp / "single.db"
            shutil.copy(base, db)
            ex = get_extractor(args.extractor)
            ex.extract_many(iter([]))
            with open_store(str(db)) as store:
                c0 = time.process_time()
                t0 = time.perf_counter()
                rep = extract_into(store, ex)
                rows.append(("(a) one process, extract_into", 1, time.perf_counter() - t0, rep.articles, rep.positions,
                             time.process_time() - c0))
        warm = tmp / "warm.db"
        open_store(str(warm)).close()          # an empty ledger: a run on it only loads the extractor
        clusters = {}
        try:
            for n in (1, 2):
                t0 = time.perf_counter()
                clusters[n] = start_cluster(workers=n)
                clusters[n].client.wait_for_workers(n, timeout=120)
                started = time.perf_counter() - t0
                t1 = time.perf_counter()
                shutil.copy(warm, tmp / f"warm{n}.db")
                timed_cluster_run(str(tmp / f"warm{n}.db"), clusters[n], args.partition_size, args.extractor)   # loads the extractor
                print(f"# {n} workers: cluster started in {started:.1f}s, extractor loaded on the workers in "
                      f"{time.perf_counter() - t1:.1f}s (one-off, not in the timings)")
            for r in range(1, max(1, args.rounds) + 1):
                for n in (1, 2):
                    db = tmp / f"cluster{n}-{r}.db"
                    shutil.copy(base, db)
                    seconds, rep, cpu = timed_cluster_run(str(db), clusters[n], args.partition_size, args.extractor)
                    db.unlink()
                    rows.append((f"({'bc'[n - 1]}) LocalCluster, {n} worker{'s' if n > 1 else ''}, round {r}", n,
                                 seconds, rep.articles, rep.positions, cpu))
        finally:
            for cluster in clusters.values():
                cluster.close()
        print(f"# after: {other_load()}")
        print(f"{'run':48} {'procs':>5} {'seconds':>8} {'articles/s':>10} {'positions':>9} {'CPU s':>7} "
              f"{'cores got':>9} {'articles/CPU-s':>14}")
        for label, procs, seconds, arts, pos, cpu in rows:
            print(f"{label:48} {procs:5d} {seconds:8.1f} {arts / seconds:10.2f} {pos:9d} {cpu:7.1f} "
                  f"{cpu / seconds:9.2f} {arts / cpu:14.2f}")
        cluster_rows = [r for r in rows if not r[0].startswith("(a)")]
        assert len({(r[3], r[4]) for r in rows}) == 1, "the runs stored different counts"
        one = min((r for r in cluster_rows if r[1] == 1), key=lambda r: r[2])     # the fastest of each
        two = min((r for r in cluster_rows if r[1] == 2), key=lambda r: r[2])
        print(f"# {one[3]} articles and {one[4]} positions in every run; compared: the fastest of each, "
              f"{one[0].split(', ', 1)[1]} and {two[0].split(', ', 1)[1]}")
        r1, r2 = one[3] / one[2], two[3] / two[2]
        print(f"ratio 2 workers / 1 worker throughput: {r2 / r1:.2f}; cores the workers got: "
              f"{one[5] / one[2]:.2f} and {two[5] / two[2]:.2f}; articles per worker CPU-second: "
              f"{one[3] / one[5]:.2f} and {two[3] / two[5]:.2f} (ratio {(two[3] / two[5]) / (one[3] / one[5]):.2f})")
        # a worker with a core of its own extracts this many articles/s (CPU-seconds of the 2-worker run:
        # the cluster's own overhead included, the other processes' share of the cores left out)
        per_worker = two[3] / two[5]
        print(f"cost model: {per_worker:.2f} articles/s per worker with a core of its own (articles per worker "
              f"CPU-second, 2-worker run) = {per_worker * DAY:,.0f} articles per worker-day; "
              f"expected 2-worker ratio on 2 free cores: {2 * per_worker / (one[3] / one[5]):.2f}")
        for volume in (10_000, 100_000, 1_000_000):
            for hours in (24, 4):
                need = volume / (per_worker * hours * 3600)
                print(f"  {volume:>9,} articles/day in {hours:2d} h: {need:6.2f} -> {max(1, -(-need // 1)):.0f} workers")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
