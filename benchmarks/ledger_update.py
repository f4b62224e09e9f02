"""The kept ledger: a full rebuild against an incremental update after adding a few articles.

On a copy of an extracted ledger (``--db``; build one with ``benchmarks/build_ledger.py``):

1. the positions of ``--add`` articles (chosen with ``--seed``) are taken out and the ledger of the
   rest is built from scratch (``parley rebuild``): the time a rebuild takes;
2. their positions are stored again, and the kept ledger catches up (``parley.analyze.kept.refresh``,
   which chooses an update): the time an update takes;
3. a rebuild over all positions, for comparison: how many positions the update attributed to the
   same actor as the rebuild does, and how many actors each lists.

    python benchmarks/ledger_update.py --db /work/bench-10/corpus.db --add 10
"""
from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path


def _copy(src: str, dst: Path) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="an extracted SQLite ledger (it is copied, never changed)")
    ap.add_argument("--add", type=int, default=10, help="articles added to the ledger [10]")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if not Path(args.db).exists():
        print(f"no database at {args.db}; build one with benchmarks/build_ledger.py", file=sys.stderr)
        return 2
    from parley.analyze import kept
    from parley.store import open_store

    print(f"# command: python benchmarks/ledger_update.py --db {args.db} --add {args.add} --seed {args.seed}")
    tmp = Path(tempfile.mkdtemp(prefix="parley-ledger-"))
    try:
        work, full = tmp / "work.db", tmp / "full.db"
        _copy(args.db, work)
        with open_store(str(work)) as s:
            tax = s.choose_taxonomy(None) or "default"
            ids = sorted({p.article_id for p in s.positions(taxonomy=tax) if p.article_id})
            chosen = random.Random(args.seed).sample(ids, min(args.add, len(ids)))
            held = {aid: s.positions(article_id=aid, taxonomy=tax) for aid in chosen}
            n_held = sum(len(v) for v in held.values())
            total = s.taxonomies().get(tax, 0)
            with s.engine.begin() as conn:
                for aid in chosen:
                    conn.exec_driver_sql("DELETE FROM positions WHERE article_id = ? AND taxonomy = ?", (aid, tax))
            t0 = time.perf_counter()
            kept.rebuild(s, tax)
            t_rebuild = time.perf_counter() - t0
            print(f"# ledger: {total} positions of {len(ids)} articles, taxonomy {tax}; {n_held} positions of "
                  f"{len(chosen)} articles taken out")
            for aid, ps in held.items():
                if ps:
                    s.save_positions(aid, ps[0].extractor or "rules", ps[0].extractor_version or "0", ps,
                                     taxonomy=tax)
            t0 = time.perf_counter()
            [rep] = kept.refresh(s, tax)
            t_update = time.perf_counter() - t0
            res_u, _ = kept.resolution(s, tax)
            upd = {pt.position.id: pt.actor for pt in s.ledger.points(tax)}
        shutil.copy(work, full)
        with open_store(str(full)) as s:
            t0 = time.perf_counter()
            kept.rebuild(s, tax)
            t_full = time.perf_counter() - t0
            res_f, _ = kept.resolution(s, tax)
            reb = {pt.position.id: pt.actor for pt in s.ledger.points(tax)}
        same = sum(1 for k, v in upd.items() if reb.get(k) == v)
        new_same = sum(1 for ps in held.values() for p in ps if upd.get(p.id) == reb.get(p.id))
        print(f"{'step':<46}{'seconds':>9}")
        print(f"{'rebuild without the added articles':<46}{t_rebuild:>9.2f}")
        print(f"{'update after adding ' + str(len(chosen)) + ' articles (' + rep.mode + ')':<46}{t_update:>9.2f}")
        print(f"{'rebuild with them (for comparison)':<46}{t_full:>9.2f}")
        print(f"ratio rebuild/update: {t_full / max(t_update, 1e-9):.0f}")
        print(f"positions attributed as a rebuild does: {same}/{len(upd)} ({100 * same / max(len(upd), 1):.2f}%); "
              f"of the added ones: {new_same}/{n_held}")
        print(f"actors listed: update {len(res_u.records)}, rebuild {len(res_f.records)}; update: {rep.summary()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
