"""Issue 12, the store's bulk paths: batched idempotent saves (a retried batch replaces, never doubles,
and never counts twice), several processes saving overlapping batches at once without deadlock or lost
rows (SQLite and a real PostgreSQL), the COPY loader, the filter indexes, and full-text search through
PostgreSQL's GIN-indexed tsvectors."""
from __future__ import annotations

import multiprocessing
from datetime import date

import pytest

from parley.model import Article, Evidence, Position
from parley.store import open_store

N_ARTICLES = 40


def _texts(n: int) -> list[str]:
    return [f"Delegation {i} supports the harbour talks on berth {i}. Union {i} opposes the night shifts of pier {i}."
            for i in range(n)]


def _positions(text: str, tag: str = "") -> list[Position]:
    first = text.index(".") + 1
    return [Position(actor=f"Delegation{tag}", issue="talks", stance="support", evidence=Evidence(0, first, text[:first])),
            Position(actor="Union", issue="labour", stance="oppose", conditions=("the shifts end",), red_line=True,
                     evidence=Evidence(first + 1, len(text), text[first + 1:]))]


def _fill(store, n: int = N_ARTICLES) -> list[Article]:
    arts = [Article.create(t, published=date(2024, 1, 1 + i % 28)) for i, t in enumerate(_texts(n))]
    store.add_articles([(a, None) for a in arts])
    return arts


def _check_retried_batch(url: str) -> None:
    with open_store(url) as s:
        arts = _fill(s, 6)
        run = s.start_run("bulk", "1")
        batch = [(a.id, _positions(a.text)) for a in arts[:4]]
        assert s.save_many(batch, "bulk", "1", run_id=run) == 8
        ids = sorted(p.id for p in s.positions())
        assert s.save_many(batch, "bulk", "1", run_id=run) == 8          # the retried partition
        assert sorted(p.id for p in s.positions()) == ids and s.count_positions() == 8
        r = s.runs()[0]
        assert (r["articles"], r["positions"]) == (4, 8) == s.run_counts(run)   # counted once
        # one article's positions change on the retry: replaced, the count follows
        s.save_many([(arts[0].id, _positions(arts[0].text)[:1])], "bulk", "1", run_id=run)
        assert (s.runs()[0]["articles"], s.runs()[0]["positions"]) == (4, 7) == s.run_counts(run)
        # the filters the API uses, on positions alone
        assert len(s.positions(red_line=True)) == 3 and len(s.positions(conditional=True)) == 3
        assert len(s.positions(red_line=False, conditional=False)) == 4
        assert {p.published for p in s.positions(since=date(2024, 1, 3), until=date(2024, 1, 3))} == {date(2024, 1, 3)}
        assert [p.actor for p in s.positions(actor="deleg", limit=2)] == ["Delegation", "Delegation"]
        s.finish_run(run, *s.run_counts(run))


def test_a_retried_batch_replaces_and_is_counted_once_sqlite(tmp_path):
    _check_retried_batch(str(tmp_path / "b.db"))


def test_a_retried_batch_replaces_and_is_counted_once_postgres(pg_url):
    _check_retried_batch(pg_url)


def _saver(url: str, ids_texts: list[tuple[str, str]], tag: str, rounds: int, out) -> None:  # in a child
    try:
        with open_store(url) as s:
            run = s.start_run("bulk", "1")
            for r in range(rounds):
                order = ids_texts if (r % 2 == 0) == (tag == "a") else list(reversed(ids_texts))
                for k in range(0, len(order), 7):
                    s.save_many([(i, _positions(t, tag)) for i, t in order[k:k + 7]], "bulk", "1", run_id=run)
            out.put(("ok", tag))
    except Exception as exc:  # reported to the parent, which fails with it
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def _race(url: str) -> None:
    with open_store(url) as s:
        arts = _fill(s)
    items = [(a.id, a.text) for a in arts]
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_saver, args=(url, items, tag, 6, out)) for tag in ("a", "b", "c")]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert all(r[0] == "ok" for r in results), results
    with open_store(url) as s:
        # every article has exactly one writer's positions: nothing lost, nothing doubled or mixed
        assert s.count_positions() == 2 * N_ARTICLES
        by_article: dict[str, set[str]] = {}
        for p in s.positions():
            by_article.setdefault(p.article_id, set()).add(p.actor)
        assert len(by_article) == N_ARTICLES
        assert all(len(actors) == 2 and "Union" in actors for actors in by_article.values())
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("select count(*) from extractions").scalar() == N_ARTICLES


@pytest.mark.timeout(180)
def test_three_processes_saving_overlapping_batches_sqlite(tmp_path):
    _race(str(tmp_path / "race.db"))


@pytest.mark.timeout(180)
def test_three_processes_saving_overlapping_batches_postgres(pg_url):
    _race(pg_url)


def _bulk_rows(arts: list[Article], n: int):
    from parley.store.ids import position_uid

    for i in range(n):
        a = arts[i % len(arts)]
        end = a.text.index(".") + 1
        yield dict(uid=position_uid(a.id, "bulk", "default", f"Actor {i}", "talks", "support", 0, end, i),
                   taxonomy="default", article_id=a.id, run_id=None, extractor="bulk", extractor_version="1",
                   actor=f"Actor {i % 17}", aliases="[]", issue=("talks", "trade")[i % 2], proposition="",
                   stance="support", conditions="[]", red_line=i % 5 == 0, previous_stance=None, ev_start=0,
                   ev_end=end, evidence_text=a.text[:end], cue=None, confidence=1.0, speaker=None,
                   article_date=a.published)


def test_bulk_loader_copy_on_postgres_and_executemany_on_sqlite(tmp_path, pg_url):
    for url in (str(tmp_path / "bulk.db"), pg_url):
        with open_store(url) as s:
            arts = _fill(s, 10)
            assert s.add_positions_bulk(_bulk_rows(arts, 2500), batch=1000) == 2500
            assert s.count_positions() == 2500
            assert len(s.positions(issue="trade")) == 1250 and len(s.positions(red_line=True)) == 500
            assert len(s.search("harbour", kind="evidence", limit=5)) == 5


def test_postgres_search_uses_the_gin_indexes(pg_url):
    with open_store(pg_url) as s:
        arts = _fill(s, 30)
        for a in arts[:3]:
            s.save_positions(a.id, "bulk", "1", _positions(a.text))
        hits = s.search("supports harbour", kind="article", limit=50)
        assert len(hits) == 30 and all("[[" in h.snippet for h in hits)
        # stemming: "support" finds "supports"; a phrase; a prefix; only stop words falls back to ILIKE
        assert len(s.search("support", kind="evidence")) == 3
        assert {h.article_id for h in s.search('"night shifts of pier 7"', kind="article")} == {arts[7].id}
        assert {h.article_id for h in s.search('"pier 7" berth', kind="article")} == {arts[7].id}
        assert len(s.search("deleg*", kind="article", limit=100)) == 30
        assert len(s.search("the", kind="article", limit=100)) == 30
        assert s.search("'):* & !", kind="article") == []
        with s.engine.connect() as conn:
            names = {r[0] for r in conn.exec_driver_sql("select indexname from pg_indexes where tablename in "
                                                        "('articles', 'positions')")}
            assert {"ix_articles_fts", "ix_positions_fts", "ix_positions_issue_date", "ix_positions_red_line"} <= names
            from parley.store.dialect import PG_ARTICLE_TSV

            conn.exec_driver_sql("set enable_seqscan = off")
            plan = " ".join(r[0] for r in conn.exec_driver_sql(
                f"explain select id from articles where {PG_ARTICLE_TSV} @@ plainto_tsquery('english', 'harbour')"))
            assert "ix_articles_fts" in plan


def test_sqlite_filters_use_their_indexes(tmp_path):
    with open_store(str(tmp_path / "ix.db")) as s:
        with s.engine.connect() as conn:
            def plan(where: str) -> str:
                return " ".join(str(r[-1]) for r in conn.exec_driver_sql(
                    f"explain query plan select * from positions where {where} "
                    f"order by article_date nulls last, id limit 50"))

            assert "ix_positions_issue_date" in plan("issue = 'talks'")
            assert "ix_positions_stance_date" in plan("stance = 'conditional'")
            assert "ix_positions_red_line" in plan("red_line")
            assert "ix_positions_conditional" in plan("conditions <> '[]'")
            assert "USE TEMP B-TREE" not in plan("article_date >= '2024-01-01'")


def test_actor_filters_on_both_backends(tmp_path, pg_url):
    for url in (str(tmp_path / "actors.db"), pg_url):
        with open_store(url) as s:
            arts = _fill(s, 5)
            for k, a in enumerate(arts):
                s.save_positions(a.id, "bulk", "1", _positions(a.text, tag=str(k % 2)))
            assert len(s.positions(actor_names=["Delegation1"])) == 2
            assert len(s.positions(actor_names=["Delegation0", "Union"])) == 8
            assert len(s.positions(actor="delegation1")) == 2 and len(s.positions(actor="union", limit=3)) == 3
            assert [p.published for p in s.positions(actor="union")] == sorted(a.published for a in arts)
            assert s.positions(actor='", "') == []           # JSON punctuation of the aliases never matches
