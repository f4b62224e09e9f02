"""Schema migrations: upgrade from older versions, refuse newer ones, roll back failed steps."""
from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from parley.errors import StoreError
from parley.model import Article
from parley.store import SCHEMA_VERSION, open_store
from parley.store.dialect import configure_engine
from parley.store.migrations import MIGRATIONS, Migration, current_version, migrate

TEXT = "The mediators said both delegations support resuming the harbour talks next week."


def engine_for(path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{path}")
    configure_engine(engine)
    return engine


def test_fresh_database_is_at_latest(db_path: Path) -> None:
    with open_store(str(db_path)) as s:
        assert s.schema_version() == SCHEMA_VERSION == MIGRATIONS[-1].version
    con = sqlite3.connect(db_path)
    versions = [r[0] for r in con.execute("select version from schema_version order by version")]
    assert versions == [m.version for m in MIGRATIONS]
    con.close()


def test_upgrade_from_version_1_keeps_data_and_indexes_it(db_path: Path) -> None:
    engine = engine_for(db_path)
    assert migrate(engine, target=1) == 1
    engine.dispose()
    article = Article.create(TEXT, title="Harbour talks")
    con = sqlite3.connect(db_path)
    con.execute("insert into articles (id, title, text, language) values (?, ?, ?, 'en')",
                (article.id, article.title, article.text))
    con.commit()
    assert "articles_fts" not in {r[0] for r in con.execute("select name from sqlite_master")}
    con.close()

    with open_store(str(db_path)) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert s.get_article(article.id).title == "Harbour talks"
        assert [h.article_id for h in s.search("harbour")] == [article.id]   # backfilled FTS
        assert s.actor_links() == []                                         # v3 table exists


def test_reopening_does_not_reapply(db_path: Path) -> None:
    with open_store(str(db_path)) as s:
        s.add_article(Article.create(TEXT))
    with open_store(str(db_path)) as s:
        assert s.count_articles() == 1
        assert len(s.search("harbour")) == 1          # FTS rows not doubled by a re-run step
    con = sqlite3.connect(db_path)
    assert con.execute("select count(*) from schema_version").fetchone()[0] == len(MIGRATIONS)
    con.close()


def test_newer_database_is_refused(db_path: Path) -> None:
    open_store(str(db_path)).close()
    con = sqlite3.connect(db_path)
    con.execute("insert into schema_version (version, description, applied_at) "
                "values (?, 'from the future', '2030-01-01 00:00:00')", (SCHEMA_VERSION + 5,))
    con.commit()
    con.close()
    with pytest.raises(StoreError) as err:
        open_store(str(db_path))
    assert err.value.code == "E205"
    assert str(SCHEMA_VERSION + 5) in err.value.message


def test_failed_step_rolls_back_and_is_e202(db_path: Path) -> None:
    def half_done(conn: sa.Connection) -> None:
        conn.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO articles (id, text) VALUES ('zz', 'partial')")
        raise RuntimeError("disk on fire")

    engine = engine_for(db_path)
    steps = (*MIGRATIONS, Migration(SCHEMA_VERSION + 1, "broken", half_done))
    with pytest.raises(StoreError) as err:
        migrate(engine, steps=steps)
    assert err.value.code == "E202"
    assert "disk on fire" in err.value.message and f"version {SCHEMA_VERSION}" in err.value.message
    with engine.connect() as conn:
        assert current_version(conn) == SCHEMA_VERSION
        assert not sa.inspect(conn).has_table("half_done")
        assert conn.exec_driver_sql("select count(*) from articles").scalar() == 0
    engine.dispose()
    with open_store(str(db_path)) as s:      # still usable by this code
        assert s.count_articles() == 0


def test_upgrade_from_version_3_gives_ids_taxonomy_and_datelines(db_path: Path) -> None:
    engine = engine_for(db_path)
    assert migrate(engine, target=3) == 3
    engine.dispose()
    dated = Article.create(TEXT, title="Harbour talks")
    lined = Article.create("PORT ELLA, June 2, 2025 - " + TEXT)
    con = sqlite3.connect(db_path)
    for a in (dated, lined):
        con.execute("insert into articles (id, title, text, language, published) values (?, ?, ?, 'en', ?)",
                    (a.id, a.title, a.text, "2025-06-01" if a is dated else None))
    con.execute("insert into runs (extractor, version, started_at) values ('rules', '1', '2025-06-01')")
    for _i in range(2):   # two rows of identical content: they get distinct ids
        con.execute("insert into positions (article_id, run_id, extractor, extractor_version, actor, issue, "
                    "stance, ev_start, ev_end, evidence_text) values (?, 1, 'rules', '1', 'mediators', 'talks', "
                    "'support', 0, ?, ?)", (dated.id, len(TEXT), TEXT))
    con.execute("insert into extractions (article_id, extractor, version, run_id, extracted_at, positions) "
                "values (?, 'rules', '1', 1, '2025-06-01', 2)", (dated.id,))
    con.commit()
    con.close()
    with open_store(str(db_path)) as s:
        ps = s.positions()
        assert len(ps) == 2 and len({p.id for p in ps}) == 2 and all(len(p.id) == 12 for p in ps)
        assert s.taxonomies() == {"default": 2}
        assert s.count_pending("rules", "1") == 1                       # the extraction row was kept
        assert s.runs()[0]["taxonomy"] == "default"
        assert s.datelines() == {lined.id: date(2025, 6, 2)}
        assert s.find_position(ps[0].id).id == ps[0].id


# ----------------------------------------------------------------------------- one schema, however reached

def _sqlite_master(path: Path) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(path)
    rows = con.execute("select type, name, sql from sqlite_master where name not like 'sqlite_%' "
                       "order by type, name").fetchall()
    con.close()
    return rows


def test_fresh_database_matches_tables_py(db_path: Path) -> None:
    from schema_util import assert_matches_tables

    open_store(str(db_path)).close()
    engine = engine_for(db_path)
    assert_matches_tables(engine)
    engine.dispose()


def test_migrated_step_by_step_ends_identical_to_a_fresh_database(tmp_path: Path) -> None:
    """One migrate() call per version, reopening in between, leaves the very DDL a fresh database
    gets (tables, indexes, full-text tables and triggers)."""
    fresh, stepped = tmp_path / "fresh.db", tmp_path / "stepped.db"
    open_store(str(fresh)).close()
    for m in MIGRATIONS:
        engine = engine_for(stepped)
        assert migrate(engine, target=m.version) == m.version
        engine.dispose()
    assert _sqlite_master(stepped) == _sqlite_master(fresh)
    with open_store(str(stepped)) as s:
        assert s.schema_version() == SCHEMA_VERSION


def test_a_database_at_8_without_6_and_7_gets_them(tmp_path: Path) -> None:
    """Steps 6 and 7 (issue 8) were reserved while step 8 (issue 13) was released first: a database
    written by that build ({1..5, 8}) gets 6 and 7 when opened, keeps its data, and ends with the
    schema of a fresh database (column order aside: ALTER TABLE appends)."""
    from schema_util import assert_matches_tables, schema_of

    gap, fresh = tmp_path / "gap.db", tmp_path / "fresh.db"
    engine = engine_for(gap)
    assert migrate(engine, steps=[m for m in MIGRATIONS if m.version not in (6, 7) and m.version <= 8]) == 8
    engine.dispose()
    dated = Article.create(TEXT, title="Harbour talks")
    lined = Article.create("PORT ELLA, June 2, 2025 - " + TEXT)
    con = sqlite3.connect(gap)
    assert [r[0] for r in con.execute("select version from schema_version order by version")] == [1, 2, 3, 4, 5, 8]
    for a in (dated, lined):
        con.execute("insert into articles (id, title, text, language, published) values (?, ?, ?, 'en', ?)",
                    (a.id, a.title, a.text, "2025-06-01" if a is dated else None))
    con.execute("insert into runs (extractor, version, started_at, requests, prompt_tokens) "
                "values ('llm', '1', '2025-06-01', 3, 120)")
    con.execute("insert into positions (article_id, run_id, extractor, extractor_version, actor, issue, stance, "
                "ev_start, ev_end, evidence_text) values (?, 1, 'llm', '1', 'mediators', 'talks', 'support', 0, ?, ?)",
                (dated.id, len(TEXT), TEXT))
    con.execute("insert into extractions (article_id, extractor, version, run_id, extracted_at, positions) "
                "values (?, 'llm', '1', 1, '2025-06-01', 1)", (dated.id,))
    con.commit()
    con.close()

    with open_store(str(gap)) as s:
        assert s.schema_version() == SCHEMA_VERSION
        [p] = s.positions()
        assert len(p.id) == 12 and s.find_position(p.id).actor == "mediators"
        assert s.taxonomies() == {"default": 1} and s.count_pending("llm", "1") == 1      # only `lined`
        run = s.runs()[0]
        assert (run["taxonomy"], run["requests"], run["prompt_tokens"]) == ("default", 3, 120)
        assert s.datelines() == {lined.id: date(2025, 6, 2)}
    con = sqlite3.connect(gap)
    assert [r[0] for r in con.execute("select version from schema_version order by version")] == [m.version for m in MIGRATIONS]
    con.close()
    open_store(str(fresh)).close()
    e_gap, e_fresh = engine_for(gap), engine_for(fresh)
    assert schema_of(e_gap, ordered=False) == schema_of(e_fresh, ordered=False)
    assert_matches_tables(e_gap, ordered=False)
    e_gap.dispose()
    e_fresh.dispose()
    assert {r[:2] for r in _sqlite_master(gap)} == {r[:2] for r in _sqlite_master(fresh)}
    triggers = lambda path: [r for r in _sqlite_master(path) if r[0] == "trigger"]   # noqa: E731
    assert triggers(gap) == triggers(fresh)
    with open_store(str(gap)) as s:      # opening again applies nothing
        assert s.schema_version() == SCHEMA_VERSION


@pytest.mark.parametrize("ddl", [
    "CREATE INDEX ix_positions_speaker ON positions (speaker)",          # an index tables.py lacks
    "DROP INDEX ix_positions_issue",                                     # one it declares
    "CREATE TABLE scratch (x INTEGER)",                                  # a table it does not describe
    "ALTER TABLE runs ADD COLUMN note TEXT",                             # a column it does not describe
])
def test_the_schema_check_sees_a_database_that_drifted(db_path: Path, ddl: str) -> None:
    """assert_matches_tables is not vacuous: any drift from tables.py fails it."""
    from schema_util import assert_matches_tables

    open_store(str(db_path)).close()
    con = sqlite3.connect(db_path)
    con.execute(ddl)
    con.commit()
    con.close()
    engine = engine_for(db_path)
    with pytest.raises(AssertionError):
        assert_matches_tables(engine)
    engine.dispose()
