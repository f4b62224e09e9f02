"""Schema migrations: an ordered list of steps and the ``schema_version`` table.

Opening a database runs :func:`migrate`, which applies every step newer than
the database's version, each in its own transaction together with its
``schema_version`` row: a step that fails is rolled back whole and raises
``E202`` (the database stays at the previous version); a database whose
version is newer than :data:`LATEST` is refused with ``E205``.

The table definitions inside each step are frozen copies of the schema *at
that version*. Never edit a released step: add a new one (and update
``tables.py`` and ``docs/schema.md``).

A step is applied when its version is missing from ``schema_version``, also
below the newest version applied: a database written by a build that had a
later step but not an earlier one (steps 6 and 7 were reserved while step 8
was released first) gets the earlier step when it is next opened.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..errors import StoreError
from ..model import utcnow
from . import dialect

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    """One schema step: ``apply(conn)`` runs inside the step's transaction."""

    version: int
    description: str
    apply: Callable[[sa.Connection], None]


def _v1_core_tables(conn: sa.Connection) -> None:
    md = sa.MetaData()
    sa.Table(
        "articles", md,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("language", sa.Text),
        sa.Column("ingested_at", sa.DateTime),
        sa.Column("origin", sa.Text),
        sa.Column("external_id", sa.Text),
        sa.Column("duplicate_of", sa.Text, sa.ForeignKey("articles.id", ondelete="SET NULL")),
        sa.Column("minhash", sa.LargeBinary),
        sa.Index("ix_articles_published", "published"),
        sa.Index("ix_articles_duplicate_of", "duplicate_of"),
        sa.Index("ix_articles_external_id", "external_id"),
    )
    sa.Table(
        "runs", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("extractor", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("articles", sa.Integer, nullable=False, server_default="0"),
        sa.Column("positions", sa.Integer, nullable=False, server_default="0"),
        sqlite_autoincrement=True,
    )
    sa.Table(
        "extractions", md,
        sa.Column("article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("extractor", sa.Text, primary_key=True),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
        sa.Column("extracted_at", sa.DateTime, nullable=False),
        sa.Column("positions", sa.Integer, nullable=False, server_default="0"),
        sa.Index("ix_extractions_extractor_version", "extractor", "version"),
    )
    sa.Table(
        "positions", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
        sa.Column("extractor", sa.Text, nullable=False),
        sa.Column("extractor_version", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("aliases", sa.Text, nullable=False, server_default="[]"),
        sa.Column("issue", sa.Text, nullable=False),
        sa.Column("proposition", sa.Text, nullable=False, server_default=""),
        sa.Column("stance", sa.Text, nullable=False),
        sa.Column("conditions", sa.Text, nullable=False, server_default="[]"),
        sa.Column("red_line", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("previous_stance", sa.Text),
        sa.Column("ev_start", sa.Integer, nullable=False),
        sa.Column("ev_end", sa.Integer, nullable=False),
        sa.Column("evidence_text", sa.Text, nullable=False),
        sa.Column("cue", sa.Text),
        sa.Column("confidence", sa.Float, nullable=False, server_default="1.0"),
        sa.Column("speaker", sa.Text),
        sa.CheckConstraint("stance IN ('support', 'oppose', 'conditional', 'mixed')", name="ck_positions_stance"),
        sa.Index("ix_positions_article_extractor", "article_id", "extractor"),
        sa.Index("ix_positions_actor", "actor"),
        sa.Index("ix_positions_issue", "issue"),
        sqlite_autoincrement=True,
    )
    md.create_all(conn)


def _v2_search_index(conn: sa.Connection) -> None:
    dialect.create_search_index(conn)


def _v3_actor_links(conn: sa.Connection) -> None:
    md = sa.MetaData()
    sa.Table(
        "actor_links", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alias", sa.Text, nullable=False),
        sa.Column("canonical", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False, server_default="manual"),
        sa.Column("confidence", sa.Float, nullable=False, server_default="1.0"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("alias", "canonical", name="uq_actor_links_alias_canonical"),
        sa.CheckConstraint("kind IN ('merge', 'split')", name="ck_actor_links_kind"),
        sa.Index("ix_actor_links_canonical", "canonical"),
    )
    md.create_all(conn)


def _v4_run_status(conn: sa.Connection) -> None:
    """runs.status / pid / host / heartbeat_at / failed; runs an older Parley left unfinished
    (``finished_at`` null: killed outright) become ``interrupted`` with their true counts."""
    stamp = "DATETIME" if dialect.is_sqlite(conn) else "TIMESTAMP WITHOUT TIME ZONE"
    for ddl in ("ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'finished'",
                "ALTER TABLE runs ADD COLUMN pid INTEGER",
                "ALTER TABLE runs ADD COLUMN host TEXT",
                f"ALTER TABLE runs ADD COLUMN heartbeat_at {stamp}",
                "ALTER TABLE runs ADD COLUMN failed INTEGER NOT NULL DEFAULT 0"):
        conn.exec_driver_sql(ddl)
    conn.exec_driver_sql(
        "UPDATE runs SET status = 'interrupted', finished_at = started_at, "
        "articles = (SELECT count(*) FROM extractions e WHERE e.run_id = runs.id), "
        "positions = (SELECT count(*) FROM positions p WHERE p.run_id = runs.id) "
        "WHERE finished_at IS NULL")
    conn.exec_driver_sql("CREATE INDEX ix_runs_status ON runs (status)")


def _v5_article_flags(conn: sa.Connection) -> None:
    """articles.flags: a JSON list saying how a text was obtained when not the usual way."""
    conn.exec_driver_sql("ALTER TABLE articles ADD COLUMN flags TEXT NOT NULL DEFAULT '[]'")


def _v6_taxonomies_and_stable_ids(conn: sa.Connection) -> None:
    """Positions of several taxonomies side by side; a content-derived position id (``uid``)."""
    from .ids import position_uid

    conn.execute(sa.text("ALTER TABLE runs ADD COLUMN taxonomy TEXT NOT NULL DEFAULT 'default'"))
    conn.execute(sa.text("ALTER TABLE positions ADD COLUMN taxonomy TEXT NOT NULL DEFAULT 'default'"))
    conn.execute(sa.text("ALTER TABLE positions ADD COLUMN uid TEXT"))
    rows = conn.execute(sa.text(
        "SELECT id, article_id, extractor, actor, issue, stance, ev_start, ev_end FROM positions ORDER BY id")).all()
    seen: dict[str, int] = {}
    for r in rows:
        base = position_uid(r.article_id, r.extractor, "default", r.actor, r.issue, r.stance, r.ev_start, r.ev_end)
        n = seen.get(base, 0)
        seen[base] = n + 1
        uid = base if n == 0 else position_uid(r.article_id, r.extractor, "default", r.actor, r.issue, r.stance,
                                               r.ev_start, r.ev_end, n)
        conn.execute(sa.text("UPDATE positions SET uid = :u WHERE id = :i"), {"u": uid, "i": r.id})
    conn.execute(sa.text("CREATE UNIQUE INDEX ix_positions_uid ON positions (uid)"))
    conn.execute(sa.text("CREATE INDEX ix_positions_article_extractor_taxonomy "
                         "ON positions (article_id, extractor, taxonomy)"))
    # extractions: the primary key gains the taxonomy (a table rebuild: SQLite cannot alter a key)
    md = sa.MetaData()
    sa.Table("articles", md, sa.Column("id", sa.Text, primary_key=True))     # referenced, not created
    sa.Table("runs", md, sa.Column("id", sa.Integer, primary_key=True))
    new = sa.Table(
        "extractions_v6", md,
        sa.Column("article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("extractor", sa.Text, primary_key=True),
        sa.Column("taxonomy", sa.Text, primary_key=True, server_default="default"),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
        sa.Column("extracted_at", sa.DateTime, nullable=False),
        sa.Column("positions", sa.Integer, nullable=False, server_default="0"),
    )
    new.create(conn)
    conn.execute(sa.text(
        "INSERT INTO extractions_v6 (article_id, extractor, taxonomy, version, run_id, extracted_at, positions) "
        "SELECT article_id, extractor, 'default', version, run_id, extracted_at, positions FROM extractions"))
    conn.execute(sa.text("DROP TABLE extractions"))
    conn.execute(sa.text("ALTER TABLE extractions_v6 RENAME TO extractions"))
    conn.execute(sa.text("CREATE INDEX ix_extractions_extractor_version ON extractions (extractor, version, taxonomy)"))


def _v7_datelines(conn: sa.Connection) -> None:
    """``articles.dateline``: the date an undated article's own dateline gives (read from its text)."""
    from ..ingest.dates import dateline_date

    conn.execute(sa.text("ALTER TABLE articles ADD COLUMN dateline DATE"))
    arts = sa.table("articles", sa.column("id", sa.Text), sa.column("text", sa.Text),
                    sa.column("published", sa.Date), sa.column("dateline", sa.Date))
    last = ""
    while True:
        rows = conn.execute(sa.select(arts.c.id, arts.c.text).where(arts.c.published.is_(None), arts.c.id > last)
                            .order_by(arts.c.id).limit(500)).all()
        if not rows:
            break
        for r in rows:
            d = dateline_date(r.text)
            if d is not None:
                conn.execute(arts.update().where(arts.c.id == r.id).values(dateline=d))
        last = rows[-1].id


def _v8_run_usage(conn: sa.Connection) -> None:
    """runs.requests, cache_hits, prompt_tokens, completion_tokens and the positions an extractor
    dropped (dropped_unquoted, dropped_off_taxonomy, dropped_malformed): what a run cost."""
    for column in ("requests", "cache_hits", "prompt_tokens", "completion_tokens", "dropped_unquoted",
                   "dropped_off_taxonomy", "dropped_malformed"):
        conn.exec_driver_sql(f"ALTER TABLE runs ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")


def _v9_ledger_tables(conn: sa.Connection) -> None:
    """The kept ledger: resolved actors, their names, timeline points, shifts and side votes, per
    taxonomy (filled by ``parley.analyze.kept`` when positions are stored; empty here)."""
    md = sa.MetaData()
    sa.Table(
        "ledger_state", md,
        sa.Column("taxonomy", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("links_hash", sa.Text, nullable=False, server_default=""),
        sa.Column("points", sa.Integer, nullable=False, server_default="0"),
        sa.Column("built_at", sa.DateTime),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("last_mode", sa.Text, nullable=False, server_default=""),
    )
    sa.Table(
        "ledger_actors", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("taxonomy", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("side", sa.Text),
        sa.Column("side_note", sa.Text, nullable=False, server_default=""),
        sa.Column("side_evidence", sa.Text, nullable=False, server_default="[]"),
        sa.Column("merges", sa.Text, nullable=False, server_default="[]"),
        sa.Column("confidence", sa.Float, nullable=False, server_default="1.0"),
        sa.Column("mentions", sa.Integer, nullable=False, server_default="0"),
        sa.Column("articles", sa.Integer, nullable=False, server_default="0"),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("taxonomy", "name", name="uq_ledger_actors_taxonomy_name"),
        sa.CheckConstraint("kind IN ('person', 'state', 'org', 'group')", name="ck_ledger_actors_kind"),
        sa.Index("ix_ledger_actors_taxonomy_mentions", "taxonomy", "mentions"),
        sa.Index("ix_ledger_actors_taxonomy_side", "taxonomy", "side"),
        sqlite_autoincrement=True,
    )
    sa.Table(
        "ledger_names", md,
        sa.Column("taxonomy", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("actor_id", sa.Integer, sa.ForeignKey("ledger_actors.id", ondelete="CASCADE"), nullable=False),
        sa.Index("ix_ledger_names_actor", "actor_id"),
    )
    sa.Table(
        "ledger_points", md,
        sa.Column("position_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("uid", sa.Text, nullable=False),
        sa.Column("taxonomy", sa.Text, nullable=False),
        sa.Column("actor_id", sa.Integer, sa.ForeignKey("ledger_actors.id", ondelete="CASCADE"), nullable=False),
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("issue", sa.Text, nullable=False),
        sa.Column("stance", sa.Text, nullable=False),
        sa.Column("red_line", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("conditional", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("day", sa.Date),
        sa.Column("date_source", sa.Text),
        sa.Index("ix_ledger_points_actor_day", "taxonomy", "actor_id", "day"),
        sa.Index("ix_ledger_points_issue_day", "taxonomy", "issue", "day"),
        sa.Index("ix_ledger_points_day", "taxonomy", "day"),
        sa.Index("ix_ledger_points_red_line_day", "taxonomy", "red_line", "day"),
        sa.Index("ix_ledger_points_article", "article_id"),
        sa.Index("ix_ledger_points_uid", "uid"),
    )
    sa.Table(
        "ledger_shifts", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("taxonomy", sa.Text, nullable=False),
        sa.Column("actor_id", sa.Integer, sa.ForeignKey("ledger_actors.id", ondelete="CASCADE"), nullable=False),
        sa.Column("issue", sa.Text, nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        sa.Column("before_uid", sa.Text),
        sa.Column("after_uid", sa.Text, nullable=False),
        sa.Column("date_before", sa.Date),
        sa.Column("date_after", sa.Date),
        sa.Column("announced", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Index("ix_ledger_shifts_date", "taxonomy", "date_after"),
        sa.Index("ix_ledger_shifts_actor_issue", "taxonomy", "actor_id", "issue"),
        sqlite_autoincrement=True,
    )
    sa.Table(
        "ledger_side_votes", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("actor_id", sa.Integer, sa.ForeignKey("ledger_actors.id", ondelete="CASCADE"), nullable=False),
        sa.Column("side", sa.Text, nullable=False),
        sa.Column("how", sa.Text, nullable=False),
        sa.Column("article_id", sa.Text),
        sa.Column("start", sa.Integer),
        sa.Column("end", sa.Integer),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Index("ix_ledger_side_votes_actor", "actor_id"),
        sqlite_autoincrement=True,
    )
    md.create_all(conn)
def _v11_filter_indexes_and_search(conn: sa.Connection) -> None:
    """positions.article_date (the article's date kept beside each position, so that the API's
    filters and date order run on one table's indexes); indexes for the filters (issue, stance,
    red line, conditional, dates, article); on PostgreSQL, GIN indexes for full-text search
    (tsvector expressions) and trigram indexes for the actor substring filter."""
    conn.exec_driver_sql("ALTER TABLE positions ADD COLUMN article_date DATE")
    conn.exec_driver_sql(
        "UPDATE positions SET article_date = (SELECT coalesce(a.published, a.dateline) FROM articles a "
        "WHERE a.id = positions.article_id)")
    for ddl in (
            "CREATE INDEX ix_positions_date ON positions (article_date, id)",
            "CREATE INDEX ix_positions_issue_date ON positions (issue, article_date, id)",
            "CREATE INDEX ix_positions_stance_date ON positions (stance, article_date, id)",
            "CREATE INDEX ix_positions_actor_date ON positions (actor, article_date, id)",
            "CREATE INDEX ix_positions_article_date ON positions (article_id, article_date, id)",
            "CREATE INDEX ix_positions_red_line ON positions (article_date, id) WHERE red_line",
            "CREATE INDEX ix_positions_conditional ON positions (article_date, id) WHERE conditions <> '[]'",
            "CREATE INDEX ix_positions_run ON positions (run_id)",
            "CREATE INDEX ix_extractions_run ON extractions (run_id)"):
        conn.exec_driver_sql(ddl)
    dialect.create_scale_indexes(conn)


def _v12_minhash_bands(conn: sa.Connection) -> None:
    """minhash_bands: the near-duplicate index (LSH band keys of each canonical article's MinHash) kept
    in the database, so that ingesting millions of articles needs no index in memory. Filled by the
    next ingest from the stored signatures (``StoredNearDuplicateIndex``)."""
    md = sa.MetaData()
    sa.Table("articles", md, sa.Column("id", sa.Text, primary_key=True))     # referenced, not created
    sa.Table(
        "minhash_bands", md,
        sa.Column("scheme", sa.Text, primary_key=True),
        sa.Column("band_key", sa.BigInteger, primary_key=True),
        sa.Column("article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Index("ix_minhash_bands_article", "article_id"),
        sqlite_with_rowid=False,
    ).create(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "articles, runs, extractions, positions", _v1_core_tables),
    Migration(2, "full-text search over articles and evidence", _v2_search_index),
    Migration(3, "actor_links (curated actor resolution)", _v3_actor_links),
    Migration(4, "runs.status, pid, host, heartbeat_at, failed (interrupted runs)", _v4_run_status),
    Migration(5, "articles.flags (visible_text, feed_content)", _v5_article_flags),
    Migration(6, "positions per taxonomy (runs, extractions, positions); content-derived position ids",
              _v6_taxonomies_and_stable_ids),
    Migration(7, "articles.dateline: the date an undated article's dateline gives", _v7_datelines),
    Migration(8, "runs.requests, cache_hits, prompt/completion tokens, dropped positions (llm usage)",
              _v8_run_usage),
    Migration(9, "the kept ledger: ledger_actors, ledger_names, ledger_points, ledger_shifts, ledger_side_votes, "
                 "ledger_state", _v9_ledger_tables),
    # 9 and 10 are reserved for the kept ledger tables (issue 10)
    Migration(11, "positions.article_date; indexes for the API's filters; PostgreSQL full-text (GIN) and "
                  "trigram indexes", _v11_filter_indexes_and_search),
    Migration(12, "minhash_bands: the near-duplicate index kept in the database", _v12_minhash_bands),
)

#: the schema version this code writes
LATEST: int = MIGRATIONS[-1].version

_VERSION_TABLE = sa.Table(
    "schema_version", sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)


def current_version(conn: sa.Connection) -> int:
    """The database's schema version (0 for an empty database)."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return int(conn.execute(sa.select(sa.func.max(_VERSION_TABLE.c.version))).scalar() or 0)


def applied_versions(conn: sa.Connection) -> set[int]:
    """The versions of every step applied to the database (empty for an empty database)."""
    if not sa.inspect(conn).has_table("schema_version"):
        return set()
    return {int(v) for v in conn.execute(sa.select(_VERSION_TABLE.c.version)).scalars()}


def _missing(applied: set[int], steps: Sequence[Migration], target: int) -> list[Migration]:
    return [s for s in steps if s.version <= target and s.version not in applied]


def migrate(engine: sa.Engine, steps: Sequence[Migration] = MIGRATIONS, target: int | None = None,
            url: str | None = None) -> int:
    """Bring the database up to ``target`` (default: the last of ``steps``); return its version.

    Applies every step up to ``target`` missing from ``schema_version``, in order (also one below
    the newest applied: see the module's docstring). Raises ``StoreError`` E205 when the database
    is newer than ``steps`` know, E202 when a step fails (that step is rolled back; earlier ones stay).
    """
    url = url or engine.url.render_as_string(hide_password=True)
    known = steps[-1].version if steps else 0
    target = known if target is None else target
    with engine.connect() as conn:     # up to date: a read transaction only, never waiting for a writer
        with conn.begin():
            applied = applied_versions(conn)
    found = max(applied, default=0)
    if found > known:
        raise StoreError("E205", url=url, found=found, known=known)
    if not _missing(applied, steps, target):
        return found
    with engine.connect() as conn:
        conn.execution_options(**{dialect.WRITE_OPTION: True})
        with conn.begin():
            _VERSION_TABLE.create(conn, checkfirst=True)
        with conn.begin():
            found = current_version(conn)
        if found > known:
            raise StoreError("E205", url=url, found=found, known=known)
        for step in steps:
            if step.version > target:
                break
            try:
                with conn.begin():
                    # re-read inside the write transaction: another process may have migrated meanwhile
                    if step.version in applied_versions(conn):
                        continue
                    log.info("migrating %s to version %d: %s", url, step.version, step.description)
                    step.apply(conn)
                    conn.execute(_VERSION_TABLE.insert().values(
                        version=step.version, description=step.description, applied_at=utcnow()))
            except StoreError:
                raise
            except Exception as exc:  # any failure inside a step: report with the version we are left at
                if dialect.is_lock_error(exc):
                    raise StoreError("E210", url=url, seconds=dialect.busy_timeout(),
                                     op=f"migration {step.version}") from exc
                with conn.begin():
                    left = current_version(conn)
                raise StoreError("E202", version=step.version, detail=f"{type(exc).__name__}: {exc}",
                                 current=left) from exc
        with conn.begin():
            return current_version(conn)
