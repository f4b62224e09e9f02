"""Issue 9, SQLite under concurrency and crashes: real processes racing on a new database file, a
database locked by someone else, and a real ``kill -9`` of ``parley extract`` mid-run."""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from parley.errors import StoreError
from parley.ingest.pipeline import ingest_into  # imported here, so forked children need not import it
from parley.model import Article, Evidence, Position
from parley.store import SCHEMA_VERSION, open_store

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 40            # new databases raced on; each round is two forked processes (~0.3 s)
PER_PROCESS = 60


def _records(tag: str, n: int) -> list[dict]:
    return [{"id": f"{tag}-{i}", "text": f"Delegation {tag} said on day {i} that it supports talks on item {i} "
                                         f"while the unions of sector {tag}{i} oppose the proposed cuts."}
            for i in range(n)]


def _ingest_child(db: str, path: str, barrier, out) -> None:  # runs in a forked process
    try:
        barrier.wait(10)
        with open_store(db) as store:
            report = ingest_into(store, [path])
        out.put(("ok", report.inserted, [e.code for e in report.errors]))
    except Exception as exc:  # reported to the parent, which fails the test with it
        out.put(("error", type(exc).__name__, str(exc)))


@pytest.mark.timeout(300)
def test_two_processes_ingesting_into_a_new_database_never_fail(tmp_path):
    ctx = multiprocessing.get_context("fork")
    files = []
    for tag in ("a", "b"):
        path = tmp_path / f"{tag}.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in _records(tag, PER_PROCESS)) + "\n", encoding="utf-8")
        files.append(str(path))
    for n in range(ROUNDS):
        db = str(tmp_path / f"race{n}.db")
        barrier, out = ctx.Barrier(2), ctx.Queue()
        procs = [ctx.Process(target=_ingest_child, args=(db, f, barrier, out)) for f in files]
        for p in procs:
            p.start()
        results = [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(30)
        assert all(r[0] == "ok" for r in results), (n, results)
        assert sorted(r[1] for r in results) == [PER_PROCESS, PER_PROCESS] and all(r[2] == [] for r in results)
        with open_store(db) as store:
            assert store.count_articles() == 2 * PER_PROCESS          # nothing lost, nothing doubled
            assert store.schema_version() == SCHEMA_VERSION


def _hold_lock(db: str, ready, release) -> None:  # runs in a forked process
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    ready.set()
    release.wait(60)
    con.execute("ROLLBACK")
    con.close()


@pytest.mark.timeout(120)
def test_a_locked_database_is_retried_then_reported_as_locked(db_path, monkeypatch):
    from parley.config import settings

    with open_store(str(db_path)) as store:                   # an existing ledger
        store.add_article(Article.create("The council backs the harbour deal."))
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(db_path), ready, release))
    holder.start()
    assert ready.wait(30)
    monkeypatch.setenv("PARLEY_SQLITE_BUSY_TIMEOUT", "0.5")
    settings.cache_clear()
    try:
        with open_store(str(db_path)) as store:
            assert store.count_articles() == 1             # readers are not blocked (WAL)
            with pytest.raises(StoreError) as info:
                store.add_article(Article.create("The mayor opposes the curfew."))
        assert info.value.code == "E210" and "locked by another process" in info.value.message
        assert "add_article" in info.value.message and "permissions" not in info.value.message
    finally:
        release.set()
        holder.join(30)
        monkeypatch.undo()
        settings.cache_clear()
    with open_store(str(db_path)) as store:
        store.add_article(Article.create("The mayor opposes the curfew."))
        assert store.count_articles() == 2


def _write_after(db: str, delay: float, out) -> None:
    try:
        time.sleep(delay)
        with open_store(db) as store:
            store.add_article(Article.create("Late writer: the guild supports the reform."))
        out.put("ok")
    except Exception as exc:
        out.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.timeout(120)
def test_a_writer_waits_for_a_short_lock_instead_of_failing(db_path):
    with open_store(str(db_path)) as store:
        store.add_article(Article.create("The council backs the harbour deal."))
    ctx = multiprocessing.get_context("fork")
    ready, release, out = ctx.Event(), ctx.Event(), ctx.Queue()
    holder = ctx.Process(target=_hold_lock, args=(str(db_path), ready, release))
    holder.start()
    assert ready.wait(30)
    writer = ctx.Process(target=_write_after, args=(str(db_path), 0.0, out))
    writer.start()
    time.sleep(1.0)                                       # the writer is now waiting on the lock
    release.set()
    assert out.get(timeout=60) == "ok"
    holder.join(30)
    writer.join(30)
    with open_store(str(db_path)) as store:
        assert store.count_articles() == 2


# ----------------------------------------------------------------------------- kill -9 mid-run

def _demo_variants(n: int) -> list[dict]:
    """``n`` distinct invented articles (no two near-duplicates): five paragraphs each, drawn at random
    (fixed seed) from the demo corpus's paragraphs."""
    import random

    from parley.ingest.sources import iter_articles

    paras = [p for a in iter_articles([str(ROOT / "examples" / "demo")]) if isinstance(a, Article)
             for p in a.text.split("\n") if len(p.strip()) > 40]
    rng = random.Random(9)
    return [{"id": f"v{i}", "text": f"Dispatch {i}\n\n" + "\n\n".join(rng.sample(paras, 5))} for i in range(n)]


class _Counter:
    name = "standin"
    version = "1"

    def extract(self, article):
        end = article.text.index(".") + 1
        return [Position(actor="Desk", issue="talks", stance="support", evidence=Evidence(0, end, article.text[:end]))]

    def extract_many(self, articles):
        for a in articles:
            yield a, self.extract(a)


@pytest.mark.timeout(300)
def test_kill_9_during_extract_keeps_everything_and_the_next_run_marks_it_interrupted(tmp_path):
    db = tmp_path / "k.db"
    src = tmp_path / "many.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in _demo_variants(400)) + "\n", encoding="utf-8")
    with open_store(str(db)) as store:
        assert ingest_into(store, [str(src)]).inserted == 400
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen([sys.executable, "-c", "from parley.cli import main; main()", "extract", "--db", str(db), "-q"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        done = 0
        while time.monotonic() < deadline and child.poll() is None:
            con = sqlite3.connect(db, timeout=30)
            done = con.execute("select count(*) from extractions").fetchone()[0]
            con.close()
            if done >= 5:
                break
            time.sleep(0.1)
        assert child.poll() is None, child.stderr.read().decode()
        assert done >= 5
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
    assert child.returncode == -signal.SIGKILL
    con = sqlite3.connect(db)
    [(run_id, status, finished, articles, positions, extractor, version)] = con.execute(
        "select id, status, finished_at, articles, positions, extractor, version from runs").fetchall()
    kept_articles = con.execute("select count(*) from extractions where run_id = ?", (run_id,)).fetchone()[0]
    kept_positions = con.execute("select count(*) from positions where run_id = ?", (run_id,)).fetchone()[0]
    con.close()
    assert status == "running" and finished is None and kept_articles >= 5 and kept_positions > 0
    # the counts were kept up to date with every saved article
    assert (articles, positions) == (kept_articles, kept_positions)

    with open_store(str(db)) as store:                 # the next run's start marks the killed one
        from parley.store.runner import extract_into

        extract_into(store, _Counter(), limit=1)
        runs = {r["id"]: r for r in store.runs()}
        killed = runs[run_id]
        assert killed["status"] == "interrupted" and killed["finished_at"] is not None
        assert (killed["articles"], killed["positions"]) == (kept_articles, kept_positions)
        assert store.count_pending(extractor, version) == 400 - kept_articles       # nothing redone
        assert store.count_articles() == 400
    con = sqlite3.connect(db)
    doubled = con.execute("select count(*) from (select article_id, extractor, actor, issue, stance, count(*) c "
                          "from positions group by 1, 2, 3, 4, 5 having c > 1)").fetchone()[0]
    bad = con.execute("select count(*) from positions p join articles a on a.id = p.article_id "
                      "where substr(a.text, p.ev_start + 1, p.ev_end - p.ev_start) <> p.evidence_text").fetchone()[0]
    con.close()
    assert doubled == 0 and bad == 0


def test_a_run_of_a_live_process_is_not_marked_interrupted(db_path):
    with open_store(str(db_path)) as a, open_store(str(db_path)) as b:
        rid = a.start_run("x", "1")
        assert b.recover_runs() == []                       # same pid: alive
        con = sqlite3.connect(db_path)
        con.execute("update runs set pid = ? where id = ?", (os.getppid(), rid))   # a live other process
        con.commit()
        assert b.recover_runs() == []
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        con.execute("update runs set pid = ? where id = ?", (dead.pid, rid))
        con.commit()
        con.close()
        assert b.recover_runs() == [rid]
        assert b.runs()[0]["status"] == "interrupted"


def test_migration_marks_runs_an_older_parley_left_unfinished(db_path):
    import sqlalchemy as sa

    from parley.store.dialect import configure_engine
    from parley.store.migrations import migrate

    engine = sa.create_engine(f"sqlite:///{db_path}")
    configure_engine(engine)
    migrate(engine, target=3)
    engine.dispose()
    art = Article.create("The council backs the harbour deal.")
    con = sqlite3.connect(db_path)
    con.execute("insert into articles (id, text, language) values (?, ?, 'en')", (art.id, art.text))
    con.execute("insert into runs (id, extractor, version, started_at, articles, positions) "
                "values (1, 'rules', '1', '2026-01-01 00:00:00', 0, 0)")
    con.execute("insert into extractions (article_id, extractor, version, run_id, extracted_at, positions) "
                "values (?, 'rules', '1', 1, '2026-01-01 00:00:01', 1)", (art.id,))
    con.execute("insert into positions (article_id, run_id, extractor, extractor_version, actor, issue, stance, "
                "ev_start, ev_end, evidence_text) values (?, 1, 'rules', '1', 'Council', 'talks', 'support', 0, 11, ?)",
                (art.id, art.text[:11]))
    con.commit()
    con.close()
    with open_store(str(db_path)) as store:
        [run] = store.runs()
        assert (run["status"], run["articles"], run["positions"]) == ("interrupted", 1, 1)
        assert store.get_article(art.id).flags == ()
