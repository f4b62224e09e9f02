"""The same store code path on PostgreSQL (skipped when no PostgreSQL is available)."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from parley.errors import StoreError
from parley.model import Article, Evidence, Position
from parley.store import SCHEMA_VERSION, ActorLink, open_store

TEXT_1 = ("Delegates from Corvin said they support a truce on the eastern ridge. "
          "The Salt Guild rejected every proposal on export quotas.")
TEXT_2 = "Mayor Ilse Brandt said the city will join talks only if the strike ends."


def ev(text: str, needle: str) -> Evidence:
    start = text.index(needle)
    end = text.index(".", start) + 1
    return Evidence(start, end, text[start:end])


def test_store_round_trip_on_postgres(pg_url: str) -> None:
    with open_store(pg_url) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert "postgresql" in s.url
        a1 = Article.create(TEXT_1, title="Ridge truce", published=date(2024, 2, 1))
        a2 = Article.create(TEXT_2, title="City talks", published=date(2024, 3, 1))
        near = Article.create(TEXT_1 + " More soon.", duplicate_of=a1.id)
        assert s.add_article(a1, signature=b"sig").status == "inserted"
        assert s.add_article(a1).status == "duplicate"
        assert s.add_article(near).status == "near_duplicate"
        s.add_article(a2)
        assert s.count_articles() == 3
        assert list(s.signatures()) == [(a1.id, b"sig")]
        assert {a.id for a in s.pending_articles("rules", "1")} == {a1.id, a2.id}

        p1 = Position(actor="Corvin", issue="ceasefire", stance="support", evidence=ev(TEXT_1, "Delegates"),
                      aliases=("Delegates from Corvin",))
        p2 = Position(actor="Salt Guild", issue="trade", stance="oppose", evidence=ev(TEXT_1, "The Salt"))
        p3 = Position(actor="Ilse Brandt", issue="talks", stance="conditional", evidence=ev(TEXT_2, "Mayor"),
                      conditions=("the strike ends",))
        s.save_positions(a1.id, "rules", "1", [p1, p2])
        s.save_positions(a1.id, "rules", "1", [p1, p2])          # replaces
        s.save_positions(a2.id, "rules", "1", [p3])
        assert s.count_positions() == 3
        assert [p.actor for p in s.positions()] == ["Corvin", "Salt Guild", "Ilse Brandt"]
        assert [p.actor for p in s.positions(actor="delegates FROM")] == ["Corvin"]
        assert [p.actor for p in s.positions(since=date(2024, 2, 15))] == ["Ilse Brandt"]
        assert s.positions(stance="conditional")[0].conditions == ("the strike ends",)
        assert s.count_pending("rules", "1") == 0
        # content-derived ids and a second taxonomy beside the default one (migration 6 on PostgreSQL)
        ids = [p.id for p in s.positions()]
        s.save_positions(a1.id, "rules", "2", [p1, p2])
        assert [p.id for p in s.positions()] == ids and s.find_position(ids[2][:8]).actor == "Ilse Brandt"
        s.save_positions(a2.id, "rules", "1", [p3.with_(issue="strike")], taxonomy="labour")
        assert s.taxonomies() == {"default": 3, "labour": 1}
        assert [p.issue for p in s.positions(taxonomy="labour")] == ["strike"]
        assert [p.actor for p in s.positions(until=date(2024, 2, 15), taxonomy="default")] == ["Corvin", "Salt Guild"]

        hits = s.search("salt guild")
        assert {(h.kind, h.article_id) for h in hits} == {("article", a1.id), ("article", near.id),
                                                          ("evidence", a1.id)}
        assert "[[Salt]]" in next(h for h in hits if h.kind == "evidence").snippet
        assert s.search("100%") == []

        assert s.find_article(a2.id[:8]).id == a2.id
        with pytest.raises(StoreError) as err:
            s.get_article("missing")
        assert err.value.code == "E203"

        s.set_actor_link(ActorLink("Brandt", "Ilse Brandt", "merge"))
        s.set_actor_link(ActorLink("Brandt", "Ilse Brandt", "merge", confidence=0.4))
        assert s.actor_links() == [ActorLink("Brandt", "Ilse Brandt", "merge", "manual", 0.4)]

        rid = s.start_run("rules", "1")
        s.finish_run(rid, 2, 3)
        assert s.stats()["runs"] == 1


def test_newer_postgres_database_is_refused(pg_url: str) -> None:
    open_store(pg_url).close()
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("insert into schema_version values (%s, 'future', now())" % (SCHEMA_VERSION + 1))
    engine.dispose()
    with pytest.raises(StoreError) as err:
        open_store(pg_url)
    assert err.value.code == "E205"


def test_force_run_and_usage_on_postgres(pg_url: str) -> None:
    """extract --force (redo_run) and the run usage columns (migration 8) on the same code path."""
    from parley.store.runner import extract_into

    class Metered:
        name, version = "metered", "1"

        class usage:
            n = 0

            @classmethod
            def as_dict(cls) -> dict[str, int]:
                return {"requests": cls.n, "prompt_tokens": 10 * cls.n, "dropped_unquoted": 1}

        def extract(self, article: Article) -> list[Position]:
            self.usage.n += 1
            return [Position(actor="Corvin", issue="talks", stance="support", evidence=ev(article.text, article.text[:8]))]

        def extract_many(self, articles):
            for a in articles:
                yield a, self.extract(a)

    with open_store(pg_url) as s:
        for text in (TEXT_1, TEXT_2):
            s.add_article(Article.create(text))
        first = extract_into(s, Metered())
        assert first.articles == 2 and first.usage == {"requests": 2, "prompt_tokens": 20, "dropped_unquoted": 0}
        ids = {p.id for p in s.positions()}
        again = extract_into(s, Metered(), force=True)
        # replaced, never doubled: the rows are the new run's, and the content-derived ids stay
        assert again.articles == 2 and s.count_positions() == 2 and {p.id for p in s.positions()} == ids
        with s.engine.connect() as conn:
            assert {r[0] for r in conn.execute(sa.text("select run_id from positions"))} == {again.run_id}
        st = s.stats()
        assert st["requests"]["sent"] == 4 and st["tokens"]["prompt"] == 40
        run = s.runs()[0]
        assert (run["requests"], run["prompt_tokens"], run["articles"]) == (2, 20, 2)


def test_postgres_schema_matches_tables_py_also_after_the_6_7_gap(pg_url: str) -> None:
    """A fresh PostgreSQL database has the tables tables.py describes; one left at {1..5, 8} by the
    build that released step 8 first gets steps 6 and 7 and the same schema (column order aside)."""
    from schema_util import assert_matches_tables, schema_of

    from parley.store.dialect import configure_engine
    from parley.store.migrations import MIGRATIONS, migrate

    engine = sa.create_engine(pg_url)
    configure_engine(engine)
    assert migrate(engine, steps=[m for m in MIGRATIONS if m.version not in (6, 7) and m.version <= 8]) == 8
    with engine.begin() as conn:
        conn.execute(sa.text("insert into runs (extractor, version, started_at, requests) "
                             "values ('llm', '1', now(), 5)"))
    assert migrate(engine) == SCHEMA_VERSION
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(sa.text("select version from schema_version order by version"))] == \
            [m.version for m in MIGRATIONS]
    assert_matches_tables(engine, ordered=False)
    gap = schema_of(engine, ordered=False)
    engine.dispose()
    with open_store(pg_url) as s:
        assert (s.runs()[0]["taxonomy"], s.runs()[0]["requests"]) == ("default", 5)
        with s.engine.begin() as conn:      # the same database, emptied, then migrated from scratch
            conn.execute(sa.text("drop schema public cascade; create schema public"))
    with open_store(pg_url) as s:
        assert_matches_tables(s.engine)
        assert schema_of(s.engine, ordered=False) == gap


def test_postgres_schema_check_sees_drift(pg_url: str) -> None:
    """The same check fails on a PostgreSQL database with an index or a foreign key tables.py does not have."""
    from schema_util import assert_matches_tables

    with open_store(pg_url) as s:
        assert_matches_tables(s.engine)
        for ddl, undo in (("CREATE INDEX ix_positions_speaker ON positions (speaker)", "DROP INDEX ix_positions_speaker"),
                          ("ALTER TABLE actor_links ADD COLUMN run_id INTEGER REFERENCES runs (id)",
                           "ALTER TABLE actor_links DROP COLUMN run_id")):
            with s.engine.begin() as conn:
                conn.execute(sa.text(ddl))
            with pytest.raises(AssertionError):
                assert_matches_tables(s.engine)
            with s.engine.begin() as conn:
                conn.execute(sa.text(undo))
        assert_matches_tables(s.engine)
