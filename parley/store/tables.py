"""SQLAlchemy Core descriptions of the tables the store queries.

These describe the schema *as the latest migration leaves it*: columns, keys,
indexes and named constraints. They are used to build queries, never to create
tables (``migrations.py`` owns the DDL, so an existing database is only ever
changed by a migration step). When a migration changes a table, change its
description here in the same commit: ``tests/schema_util.py`` checks that the
migrations produce exactly this schema, on SQLite and PostgreSQL.
See ``docs/schema.md`` for what every column means.
"""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

articles = sa.Table(
    "articles", metadata,
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
    sa.Column("flags", sa.Text, nullable=False, default="[]"),          # JSON list of strings
    sa.Column("dateline", sa.Date),                                    # v7: date read from the text's dateline
    sa.Index("ix_articles_published", "published"),
    sa.Index("ix_articles_duplicate_of", "duplicate_of"),
    sa.Index("ix_articles_external_id", "external_id"),
)

runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("extractor", sa.Text, nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("articles", sa.Integer, nullable=False, default=0),
    sa.Column("positions", sa.Integer, nullable=False, default=0),
    sa.Column("status", sa.Text, nullable=False, default="finished"),   # running|finished|interrupted|failed
    sa.Column("pid", sa.Integer),
    sa.Column("host", sa.Text),
    sa.Column("heartbeat_at", sa.DateTime),
    sa.Column("failed", sa.Integer, nullable=False, default=0),
    sa.Column("taxonomy", sa.Text, nullable=False, default="default"),  # v6
    # what the run cost and what its extractor refused (migration 8; the llm extractor fills them)
    sa.Column("requests", sa.Integer, nullable=False, default=0),
    sa.Column("cache_hits", sa.Integer, nullable=False, default=0),
    sa.Column("prompt_tokens", sa.Integer, nullable=False, default=0),
    sa.Column("completion_tokens", sa.Integer, nullable=False, default=0),
    sa.Column("dropped_unquoted", sa.Integer, nullable=False, default=0),
    sa.Column("dropped_off_taxonomy", sa.Integer, nullable=False, default=0),
    sa.Column("dropped_malformed", sa.Integer, nullable=False, default=0),
    sa.Index("ix_runs_status", "status"),
    sqlite_autoincrement=True,
)

extractions = sa.Table(
    "extractions", metadata,
    sa.Column("article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("extractor", sa.Text, primary_key=True),
    sa.Column("taxonomy", sa.Text, primary_key=True, default="default"),   # v6
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
    sa.Column("extracted_at", sa.DateTime, nullable=False),
    sa.Column("positions", sa.Integer, nullable=False, default=0),
    sa.Index("ix_extractions_extractor_version", "extractor", "version", "taxonomy"),
    sa.Index("ix_extractions_run", "run_id"),
)

positions = sa.Table(
    "positions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
    sa.Column("extractor", sa.Text, nullable=False),
    sa.Column("extractor_version", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("aliases", sa.Text, nullable=False, default="[]"),       # JSON list of strings
    sa.Column("issue", sa.Text, nullable=False),
    sa.Column("proposition", sa.Text, nullable=False, default=""),
    sa.Column("stance", sa.Text, nullable=False),
    sa.Column("conditions", sa.Text, nullable=False, default="[]"),    # JSON list of strings
    sa.Column("red_line", sa.Boolean, nullable=False, default=False),
    sa.Column("previous_stance", sa.Text),
    sa.Column("ev_start", sa.Integer, nullable=False),
    sa.Column("ev_end", sa.Integer, nullable=False),
    sa.Column("evidence_text", sa.Text, nullable=False),
    sa.Column("cue", sa.Text),
    sa.Column("confidence", sa.Float, nullable=False, default=1.0),
    sa.Column("speaker", sa.Text),
    sa.Column("taxonomy", sa.Text, nullable=False, default="default"),  # v6
    sa.Column("uid", sa.Text),                                         # v6: content-derived position id
    sa.Column("article_date", sa.Date),       # v11: the article's date (published, else dateline), kept here
    sa.CheckConstraint("stance IN ('support', 'oppose', 'conditional', 'mixed')", name="ck_positions_stance"),
    sa.Index("ix_positions_article_extractor", "article_id", "extractor"),
    sa.Index("ix_positions_article_extractor_taxonomy", "article_id", "extractor", "taxonomy"),
    sa.Index("ix_positions_actor", "actor"),
    sa.Index("ix_positions_issue", "issue"),
    sa.Index("ix_positions_uid", "uid", unique=True),
    sa.Index("ix_positions_date", "article_date", "id"),
    sa.Index("ix_positions_issue_date", "issue", "article_date", "id"),
    sa.Index("ix_positions_stance_date", "stance", "article_date", "id"),
    sa.Index("ix_positions_actor_date", "actor", "article_date", "id"),
    sa.Index("ix_positions_article_date", "article_id", "article_date", "id"),
    sa.Index("ix_positions_red_line", "article_date", "id", sqlite_where=sa.text("red_line"),
             postgresql_where=sa.text("red_line")),
    sa.Index("ix_positions_conditional", "article_date", "id", sqlite_where=sa.text("conditions <> '[]'"),
             postgresql_where=sa.text("conditions <> '[]'")),
    sa.Index("ix_positions_run", "run_id"),
    sqlite_autoincrement=True,
)

#: the runs columns that say what a run cost and what its extractor refused (migration 8)
RUN_USAGE_COLUMNS = ("requests", "cache_hits", "prompt_tokens", "completion_tokens", "dropped_unquoted",
                     "dropped_off_taxonomy", "dropped_malformed")

actor_links = sa.Table(
    "actor_links", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("alias", sa.Text, nullable=False),
    sa.Column("canonical", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False, default="manual"),
    sa.Column("confidence", sa.Float, nullable=False, default=1.0),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("alias", "canonical", name="uq_actor_links_alias_canonical"),
    sa.CheckConstraint("kind IN ('merge', 'split')", name="ck_actor_links_kind"),
    sa.Index("ix_actor_links_canonical", "canonical"),
)

# --------------------------------------------------------------------------- the kept ledger (migration 9)
# Cross-article actor resolution, timelines and shifts, computed when positions are stored
# (parley/analyze/kept.py) and read by the analysis commands, the API and the dashboard.

ledger_state = sa.Table(
    "ledger_state", metadata,
    sa.Column("taxonomy", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False, default=0),       # bumped by every change
    sa.Column("links_hash", sa.Text, nullable=False, default=""),      # the curated links it applies
    sa.Column("points", sa.Integer, nullable=False, default=0),
    sa.Column("built_at", sa.DateTime),                                # last full resolution
    sa.Column("updated_at", sa.DateTime),                              # last change of any kind
    sa.Column("last_mode", sa.Text, nullable=False, default=""),       # rebuild | update | curate
)

ledger_actors = sa.Table(
    "ledger_actors", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("taxonomy", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("side", sa.Text),
    sa.Column("side_note", sa.Text, nullable=False, default=""),
    sa.Column("side_evidence", sa.Text, nullable=False, default="[]"),   # JSON list (SideEvidence.to_dict)
    sa.Column("merges", sa.Text, nullable=False, default="[]"),          # JSON list (Merge.to_dict)
    sa.Column("confidence", sa.Float, nullable=False, default=1.0),
    sa.Column("mentions", sa.Integer, nullable=False, default=0),
    sa.Column("articles", sa.Integer, nullable=False, default=0),
    sa.Column("hidden", sa.Boolean, nullable=False, default=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("taxonomy", "name", name="uq_ledger_actors_taxonomy_name"),
    sa.CheckConstraint("kind IN ('person', 'state', 'org', 'group')", name="ck_ledger_actors_kind"),
    sa.Index("ix_ledger_actors_taxonomy_mentions", "taxonomy", "mentions"),
    sa.Index("ix_ledger_actors_taxonomy_side", "taxonomy", "side"),
    sqlite_autoincrement=True,
)

ledger_names = sa.Table(
    "ledger_names", metadata,
    sa.Column("taxonomy", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("actor_id", sa.Integer, sa.ForeignKey("ledger_actors.id", ondelete="CASCADE"), nullable=False),
    sa.Index("ix_ledger_names_actor", "actor_id"),
)

ledger_points = sa.Table(
    "ledger_points", metadata,
    sa.Column("position_id", sa.Integer, primary_key=True, autoincrement=False),   # positions.id (no FK)
    sa.Column("uid", sa.Text, nullable=False),
    sa.Column("taxonomy", sa.Text, nullable=False),
    sa.Column("actor_id", sa.Integer, sa.ForeignKey("ledger_actors.id", ondelete="CASCADE"), nullable=False),
    sa.Column("article_id", sa.Text, nullable=False),
    sa.Column("issue", sa.Text, nullable=False),
    sa.Column("stance", sa.Text, nullable=False),
    sa.Column("red_line", sa.Boolean, nullable=False, default=False),
    sa.Column("conditional", sa.Boolean, nullable=False, default=False),
    sa.Column("day", sa.Date),
    sa.Column("date_source", sa.Text),
    sa.Index("ix_ledger_points_actor_day", "taxonomy", "actor_id", "day"),
    sa.Index("ix_ledger_points_issue_day", "taxonomy", "issue", "day"),
    sa.Index("ix_ledger_points_day", "taxonomy", "day"),
    sa.Index("ix_ledger_points_red_line_day", "taxonomy", "red_line", "day"),
    sa.Index("ix_ledger_points_article", "article_id"),
    sa.Index("ix_ledger_points_uid", "uid"),
)

ledger_shifts = sa.Table(
    "ledger_shifts", metadata,
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
    sa.Column("announced", sa.Boolean, nullable=False, default=False),
    sa.Index("ix_ledger_shifts_date", "taxonomy", "date_after"),
    sa.Index("ix_ledger_shifts_actor_issue", "taxonomy", "actor_id", "issue"),
    sqlite_autoincrement=True,
)

ledger_side_votes = sa.Table(
    "ledger_side_votes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("actor_id", sa.Integer, sa.ForeignKey("ledger_actors.id", ondelete="CASCADE"), nullable=False),
    sa.Column("side", sa.Text, nullable=False),
    sa.Column("how", sa.Text, nullable=False),
    sa.Column("article_id", sa.Text),
    sa.Column("start", sa.Integer),
    sa.Column("end", sa.Integer),
    sa.Column("text", sa.Text, nullable=False, default=""),
    sa.Index("ix_ledger_side_votes_actor", "actor_id"),
    sqlite_autoincrement=True,
)

#: the kept-ledger tables, in the order a full rebuild empties them
LEDGER_TABLES = (ledger_side_votes, ledger_shifts, ledger_points, ledger_names, ledger_actors)
#: the near-duplicate index kept in the database (v12): one row per LSH band of a canonical article's
#: MinHash, under the band scheme (threshold, permutations, bands x rows) it was computed with
minhash_bands = sa.Table(
    "minhash_bands", metadata,
    sa.Column("scheme", sa.Text, primary_key=True),
    sa.Column("band_key", sa.BigInteger, primary_key=True),
    sa.Column("article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_minhash_bands_article", "article_id"),
)
