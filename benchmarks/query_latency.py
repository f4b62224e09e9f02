"""Query latency of the API's main position filters at 1M positions, on SQLite and on PostgreSQL.

Builds a synthetic ledger (invented articles and positions: nothing from ../shared) through the
store's bulk paths: ``add_articles`` for ``--articles`` short articles dated over three years (one in
twenty undated), then ``add_positions_bulk`` (``COPY`` on PostgreSQL, ``executemany`` on SQLite) for
``--positions`` positions over them: 2,000 actors, 12 issues, four stances, 5% red lines, 20% with
conditions. Then times ``store.positions(...)`` with the filters the REST API offers (actor, issue,
stance, red line, conditional, since/until, article, and a combination), a page of 100 at a time as
the API serves them, plus a full-text evidence search: ``--repeat`` calls per filter with varied
values, p50 and p95 in milliseconds.

PostgreSQL: a throwaway server (initdb + pg_ctl, as the tests start one) unless ``--pg-url`` is given.

    python benchmarks/query_latency.py --positions 1000000
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ISSUES = ("talks", "ceasefire", "sanctions", "trade", "borders", "prisoners", "aid", "energy", "elections",
          "security", "labour", "wages")
STANCES = ("support", "oppose", "conditional", "mixed")
WORDS = ("harbour", "corridor", "guarantee", "observers", "ceasefire", "mandate", "tariff", "quota", "convoy",
         "referendum", "amnesty", "pipeline", "monitors", "withdrawal", "summit", "treaty", "strike", "wages")
START = date(2022, 1, 1)


def actors(n: int = 2000) -> list[str]:
    rnd = random.Random(7)
    syll = ("va", "ren", "dor", "kes", "tre", "il", "sa", "bad", "mor", "row", "quel", "ta", "lin", "os")
    return [("".join(rnd.choice(syll) for _ in range(3))).title() + " " + ("".join(rnd.choice(syll) for _ in range(2))).title()
            for _ in range(n)]


def articles(n: int) -> Iterator[Any]:
    from parley.model import Article

    rnd = random.Random(11)
    for i in range(n):
        day = None if i % 20 == 0 else START + timedelta(days=rnd.randrange(3 * 365))
        sents = [f"Delegates of round {i} discussed the {rnd.choice(WORDS)} and the {rnd.choice(WORDS)} on day {k}."
                 for k in range(6)]
        yield Article.create(" ".join(sents), title=f"Round {i}", published=day)


def position_rows(arts: list[tuple[str, str, date | None]], n: int, names: list[str]) -> Iterator[dict[str, Any]]:
    from parley.store.ids import position_uid

    rnd = random.Random(13)
    per = max(1, n // len(arts))
    for i in range(n):
        aid, text, day = arts[(i // per) % len(arts)]
        k = i % 6
        start = 0
        for _ in range(k):
            start = text.index(".", start) + 2
        end = text.index(".", start) + 1
        actor, issue, stance = rnd.choice(names), rnd.choice(ISSUES), rnd.choice(STANCES)
        conds = '["the convoy is released"]' if rnd.random() < 0.2 else "[]"
        yield dict(uid=position_uid(aid, "synthetic", "default", actor, issue, stance, start, end, i),
                   taxonomy="default", article_id=aid, run_id=None, extractor="synthetic", extractor_version="1",
                   actor=actor, aliases=f'["{actor.split()[0]}"]', issue=issue, proposition="", stance=stance,
                   conditions=conds, red_line=rnd.random() < 0.05, previous_stance=None, ev_start=start, ev_end=end,
                   evidence_text=text[start:end], cue=None, confidence=1.0, speaker=None, article_date=day)


def build(url: str, n_articles: int, n_positions: int) -> dict[str, float]:
    from parley.store import open_store

    names = actors()
    t0 = time.perf_counter()
    keep: list[tuple[str, str, date | None]] = []
    with open_store(url) as store:
        batch = []
        for a in articles(n_articles):
            batch.append((a, None))
            keep.append((a.id, a.text, a.published))
            if len(batch) == 2000:
                store.add_articles(batch)
                batch = []
        if batch:
            store.add_articles(batch)
        t1 = time.perf_counter()
        store.add_positions_bulk(position_rows(keep, n_positions, names), batch=20_000)
        t2 = time.perf_counter()
        with store.engine.begin() as conn:      # planner statistics, as after any large load
            conn.exec_driver_sql("ANALYZE")
        assert store.count_positions() == n_positions
    return {"articles_s": t1 - t0, "positions_s": t2 - t1}


def cases(ids: list[str], names: list[str]) -> list[tuple[str, Callable[[Any, random.Random], Any]]]:
    def month(rnd: random.Random) -> tuple[date, date]:
        d = START + timedelta(days=rnd.randrange(3 * 365 - 31))
        return d, d + timedelta(days=30)

    return [
        ("no filter (first page)", lambda s, r: s.positions(limit=100)),
        ("actor (exact name, actor_names=)", lambda s, r: s.positions(actor_names=[r.choice(names)], limit=100)),
        ("actor (substring of name or alias)", lambda s, r: s.positions(actor=r.choice(names), limit=100)),
        ("issue", lambda s, r: s.positions(issue=r.choice(ISSUES), limit=100)),
        ("stance", lambda s, r: s.positions(stance=r.choice(STANCES), limit=100)),
        ("red line", lambda s, r: s.positions(red_line=True, limit=100)),
        ("conditional", lambda s, r: s.positions(conditional=True, limit=100)),
        ("since/until (30 days)", lambda s, r: (lambda d: s.positions(since=d[0], until=d[1], limit=100))(month(r))),
        ("article", lambda s, r: s.positions(article_id=r.choice(ids), limit=100)),
        ("issue + stance + since/until", lambda s, r: (lambda d: s.positions(
            issue=r.choice(ISSUES), stance=r.choice(STANCES), since=d[0], until=d[1], limit=100))(month(r))),
        ("full-text search (evidence)", lambda s, r: s.search(f"{r.choice(WORDS)} {r.choice(WORDS)}",
                                                             kind="evidence", limit=20)),
    ]


def measure(url: str, repeat: int) -> list[tuple[str, float, float, float]]:
    import sqlalchemy as sa

    from parley.store import open_store

    names = actors()
    with open_store(url) as store:
        with store.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(sa.text("select id from articles order by id limit 5000"))]
        out = []
        for label, call in cases(ids, names):
            rnd = random.Random(label)
            call(store, rnd)                       # warm the cache for this filter
            times, rows = [], 0
            for _ in range(repeat):
                t0 = time.perf_counter()
                got = call(store, rnd)
                times.append((time.perf_counter() - t0) * 1000)
                rows += len(got)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            out.append((label, statistics.median(times), p95, rows / repeat))
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--positions", type=int, default=1_000_000)
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--pg-url", default=None, help="an empty PostgreSQL database (default: a throwaway server)")
    ap.add_argument("--only", choices=("sqlite", "postgresql"), default=None)
    args = ap.parse_args()
    print(f"# command: python benchmarks/query_latency.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"# machine: {os.cpu_count()} CPUs visible, {platform.machine()}, CPython {platform.python_version()}; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"# ledger: {args.articles:,} synthetic articles, {args.positions:,} positions; {args.repeat} calls per "
          f"filter, pages of 100")
    tmp = Path(tempfile.mkdtemp(prefix="parley-query-bench-"))
    pg = None
    try:
        targets = []
        if args.only in (None, "sqlite"):
            targets.append(("SQLite", str(tmp / "ledger.db")))
        if args.only in (None, "postgresql"):
            url = args.pg_url
            if url is None:
                sys.path.insert(0, str(ROOT / "tests"))
                from conftest import _throwaway_postgres

                pg = _throwaway_postgres()
                url = next(pg)
                if url is None:
                    print("# PostgreSQL: no server could be started (initdb/pg_ctl on PATH?); skipped")
            if url is not None:
                targets.append(("PostgreSQL", url))
        results = {}
        for name, url in targets:
            built = build(url, args.articles, args.positions)
            print(f"# {name}: {args.articles:,} articles in {built['articles_s']:.0f}s, {args.positions:,} positions "
                  f"in {built['positions_s']:.0f}s ({args.positions / built['positions_s']:,.0f}/s through the bulk path)")
            results[name] = measure(url, args.repeat)
        print()
        names = list(results)
        head = f"{'filter (page of 100)':38}" + "".join(f" {n + ' p50':>15} {n + ' p95':>15}" for n in names)
        print(head + f" {'rows':>6}")
        for i, (label, *_r) in enumerate(next(iter(results.values()))):
            line = f"{label:38}"
            for n in names:
                _l, p50, p95, _rows = results[n][i]
                line += f" {p50:13.1f}ms {p95:13.1f}ms"
            print(line + f" {results[names[0]][i][3]:6.0f}")
    finally:
        if pg is not None:
            try:
                next(pg)
            except StopIteration:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
