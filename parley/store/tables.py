"""SQLAlchemy Core descriptions of the tables the store queries.

These describe the schema *as the latest migration leaves it*; they are used
to build queries, never to create tables (``migrations.py`` owns the DDL, so
an existing database is only ever changed by a migration step). When a
migration changes a table, change its description here in the same commit.
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
    sa.Column("uid", sa.Text, unique=True),                            # v6: content-derived position id
    sa.Column("article_date", sa.Date),       # v11: the article's date (published, else dateline), kept here
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
)

#: the near-duplicate index kept in the database (v12): one row per LSH band of a canonical article's
#: MinHash, under the band scheme (threshold, permutations, bands x rows) it was computed with
minhash_bands = sa.Table(
    "minhash_bands", metadata,
    sa.Column("scheme", sa.Text, primary_key=True),
    sa.Column("band_key", sa.BigInteger, primary_key=True),
    sa.Column("article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
)
