"""Everything that differs between SQLite and PostgreSQL, in one place.

* connection set-up: SQLite gets WAL, foreign keys, a busy timeout and real
  transactions (pysqlite's implicit transaction handling is switched off so a
  migration's DDL rolls back with the rest of its step). Switching a new file
  to WAL needs an exclusive lock and SQLite does not wait for it (no busy
  handler), so two processes opening a new database at once used to fail with
  "database is locked": the switch is retried until the busy timeout;
* :func:`is_lock_error`: the one test for "another process holds the lock";
* full-text search: SQLite FTS5 tables kept in sync by triggers; PostgreSQL
  ``tsvector`` expressions with GIN indexes (migration 11), ranked by
  ``ts_rank`` with ``ts_headline`` snippets; a query of stop words only (no
  lexeme left) falls back to ``ILIKE`` over the same columns;
* PostgreSQL trigram (``pg_trgm``) GIN indexes for the actor substring filter,
  where the extension can be created (skipped with a log line where not);
* :func:`is_conflict_error`: a PostgreSQL deadlock or serialization failure,
  which the bulk writers retry.

Callers elsewhere in :mod:`parley.store` never test the dialect themselves.
"""
from __future__ import annotations

import logging
import re
import sqlite3
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from . import tables as t
from .base import SearchHit

log = logging.getLogger(__name__)

#: markers put around matched terms in search snippets
HIT_OPEN, HIT_CLOSE = "[[", "]]"

WRITE_OPTION = "parley_write"


def is_sqlite(bind: sa.Engine | sa.Connection) -> bool:
    """True when ``bind`` talks to SQLite."""
    return bind.dialect.name == "sqlite"


_LOCKED = ("database is locked", "database table is locked", "database schema is locked", "sqlite_busy")


def is_lock_error(exc: BaseException) -> bool:
    """True when ``exc`` (sqlite3 or SQLAlchemy-wrapped) says another connection holds a lock."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, sqlite3.OperationalError) and any(m in str(cur).lower() for m in _LOCKED):
            return True
        cur = getattr(cur, "orig", None) or cur.__cause__
    return False


def busy_timeout() -> float:
    """Seconds a SQLite statement waits for another process's lock (the ``sqlite_busy_timeout`` setting)."""
    from ..config import settings

    return max(0.0, float(settings().sqlite_busy_timeout))


def _set_wal(cur: Any, wait: float) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another process holds the lock (up to ``wait`` s)."""
    deadline = time.monotonic() + wait
    pause = 0.01
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not is_lock_error(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def configure_engine(engine: sa.Engine) -> None:
    """Install per-connection settings for the engine's dialect (no-op for PostgreSQL)."""
    if not is_sqlite(engine):
        return
    in_memory = engine.url.database in (None, "", ":memory:")
    wait = busy_timeout()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module: we emit BEGIN ourselves.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            mode = cur.execute("PRAGMA journal_mode").fetchone()
            if not mode or str(mode[0]).lower() != "wal":     # WAL is persistent: set once per file
                _set_wal(cur, wait)
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A writer takes the write lock up front, so two writers queue on the
        # busy timeout instead of failing when a read lock cannot be upgraded.
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# --------------------------------------------------------------------------- full-text search DDL

_SQLITE_FTS = (
    # Articles: a self-contained FTS5 table keyed by the article id (articles has
    # a text primary key, and its implicit rowid may change on VACUUM).
    "CREATE VIRTUAL TABLE articles_fts USING fts5(article_id UNINDEXED, title, text)",
    """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
         INSERT INTO articles_fts(article_id, title, text) VALUES (new.id, coalesce(new.title, ''), new.text);
       END""",
    """CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
         DELETE FROM articles_fts WHERE article_id = old.id;
       END""",
    """CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN
         DELETE FROM articles_fts WHERE article_id = old.id;
         INSERT INTO articles_fts(article_id, title, text) VALUES (new.id, coalesce(new.title, ''), new.text);
       END""",
    "INSERT INTO articles_fts(article_id, title, text) SELECT id, coalesce(title, ''), text FROM articles",
    # Evidence: an external-content FTS5 index over positions.evidence_text (positions.id is stable).
    "CREATE VIRTUAL TABLE evidence_fts USING fts5(evidence_text, content='positions', content_rowid='id')",
    """CREATE TRIGGER evidence_fts_ai AFTER INSERT ON positions BEGIN
         INSERT INTO evidence_fts(rowid, evidence_text) VALUES (new.id, new.evidence_text);
       END""",
    """CREATE TRIGGER evidence_fts_ad AFTER DELETE ON positions BEGIN
         INSERT INTO evidence_fts(evidence_fts, rowid, evidence_text) VALUES ('delete', old.id, old.evidence_text);
       END""",
    """CREATE TRIGGER evidence_fts_au AFTER UPDATE OF evidence_text ON positions BEGIN
         INSERT INTO evidence_fts(evidence_fts, rowid, evidence_text) VALUES ('delete', old.id, old.evidence_text);
         INSERT INTO evidence_fts(rowid, evidence_text) VALUES (new.id, new.evidence_text);
       END""",
    "INSERT INTO evidence_fts(evidence_fts) VALUES ('rebuild')",
)


def create_search_index(conn: sa.Connection) -> None:
    """Create the full-text index (migration step): FTS5 on SQLite, nothing on PostgreSQL."""
    if not is_sqlite(conn):
        log.info("full-text search on %s uses ILIKE; no index created", conn.dialect.name)
        return
    for stmt in _SQLITE_FTS:
        conn.exec_driver_sql(stmt)


#: the text search configuration of the PostgreSQL full-text indexes (stemmed English)
PG_TS_CONFIG = "english"
#: the indexed expressions; a query must use exactly these for the GIN indexes to serve it
PG_ARTICLE_TSV = f"to_tsvector('{PG_TS_CONFIG}'::regconfig, coalesce(title, '') || ' ' || text)"
PG_EVIDENCE_TSV = f"to_tsvector('{PG_TS_CONFIG}'::regconfig, evidence_text)"


def create_scale_indexes(conn: sa.Connection) -> None:
    """Migration 11's dialect-specific part: on PostgreSQL, GIN indexes over the tsvector of article
    title + text and of evidence sentences, and trigram GIN indexes over positions.actor / aliases
    (``pg_trgm``; skipped where the extension cannot be created). Nothing on SQLite (FTS5 since v2)."""
    if is_sqlite(conn):
        return
    conn.exec_driver_sql(f"CREATE INDEX ix_articles_fts ON articles USING gin ({PG_ARTICLE_TSV})")
    conn.exec_driver_sql(f"CREATE INDEX ix_positions_fts ON positions USING gin ({PG_EVIDENCE_TSV})")
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.SQLAlchemyError as exc:
        log.warning("pg_trgm is not available (%s): the actor filter scans positions", _first_line(exc))
        return
    conn.exec_driver_sql("CREATE INDEX ix_positions_actor_trgm ON positions USING gin (actor gin_trgm_ops)")
    conn.exec_driver_sql("CREATE INDEX ix_positions_aliases_trgm ON positions USING gin (aliases gin_trgm_ops)")


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).splitlines()[0] if str(orig) else type(orig).__name__


#: SQLSTATEs of a PostgreSQL transaction that lost a race: deadlock_detected, serialization_failure
_PG_CONFLICT = frozenset({"40P01", "40001"})


def is_conflict_error(exc: BaseException) -> bool:
    """True when ``exc`` (psycopg or SQLAlchemy-wrapped) is a PostgreSQL deadlock or serialization
    failure: the transaction was rolled back and may simply be run again."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if getattr(cur, "sqlstate", None) in _PG_CONFLICT:
            return True
        cur = getattr(cur, "orig", None) or cur.__cause__
    return False


def pg_copy(conn: sa.Connection, table: str, columns: list[str], rows: Any) -> None:
    """``COPY table (columns) FROM STDIN`` of ``rows`` (sequences in column order) through psycopg 3."""
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cols = ", ".join(columns)
    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# --------------------------------------------------------------------------- queries

_TOKEN = re.compile(r'"([^"]+)"|(\w+\*?)', re.UNICODE)


def query_terms(query: str) -> list[str]:
    """Split a user query into terms: ``"quoted phrases"`` stay whole, other words split."""
    terms = []
    for phrase, word in _TOKEN.findall(query):
        term = (phrase or word).strip()
        if term:
            terms.append(term)
    return terms


def fts5_query(query: str) -> str:
    """A safe FTS5 MATCH expression: every term quoted (so punctuation never breaks the
    syntax), all terms required; a trailing ``*`` on a word keeps prefix search."""
    parts = []
    for term in query_terms(query):
        prefix = term.endswith("*")
        term = term.rstrip("*").replace('"', '""')
        if term:
            parts.append(f'"{term}"' + ("*" if prefix else ""))
    return " ".join(parts)


def search(conn: sa.Connection, query: str, limit: int, kind: str | None = None) -> list[SearchHit]:
    """Full-text search over articles (title, text) and evidence sentences.

    Returns up to ``limit`` article hits, then up to ``limit`` evidence hits,
    each best first; matched terms are wrapped in ``[[...]]`` in the snippet.
    """
    if not query_terms(query):
        return []
    if is_sqlite(conn):
        return _search_sqlite(conn, query, limit, kind)
    return _search_pg(conn, query, limit, kind)


def _search_sqlite(conn: sa.Connection, query: str, limit: int, kind: str | None) -> list[SearchHit]:
    match = fts5_query(query)
    hits: list[SearchHit] = []
    if kind in (None, "article"):
        rows = conn.execute(sa.text(
            "SELECT f.article_id, a.title, "
            "snippet(articles_fts, 2, :o, :c, '…', 16) AS snip "
            "FROM articles_fts f JOIN articles a ON a.id = f.article_id "
            "WHERE articles_fts MATCH :q ORDER BY f.rank LIMIT :n"),
            {"q": match, "n": limit, "o": HIT_OPEN, "c": HIT_CLOSE})
        hits += [SearchHit("article", r.article_id, r.title, r.snip) for r in rows]
    if kind in (None, "evidence"):
        rows = conn.execute(sa.text(
            "SELECT p.uid, p.article_id, a.title, "
            "highlight(evidence_fts, 0, :o, :c) AS snip "
            "FROM evidence_fts f JOIN positions p ON p.id = f.rowid JOIN articles a ON a.id = p.article_id "
            "WHERE evidence_fts MATCH :q ORDER BY f.rank, p.id LIMIT :n"),
            {"q": match, "n": limit, "o": HIT_OPEN, "c": HIT_CLOSE})
        hits += [SearchHit("evidence", r.article_id, r.title, r.snip, position_id=r.uid) for r in rows]
    return hits


_PG_WORD = re.compile(r"\w+", re.UNICODE)


def pg_tsquery(query: str) -> tuple[str, dict[str, str]]:
    r"""A PostgreSQL tsquery expression for ``query`` with its bound parameters: every term required
    (``&&``), a quoted phrase through ``phraseto_tsquery``, ``word*`` a prefix (``:*``) of its
    words, other words through ``plainto_tsquery`` (stemmed, stop words dropped). No user text is
    ever parsed as tsquery syntax: prefixes are rebuilt from ``\w`` runs only."""
    parts: list[str] = []
    params: dict[str, str] = {}
    cfg = f"'{PG_TS_CONFIG}'::regconfig"
    for i, term in enumerate(query_terms(query)):
        key = f"t{i}"
        if term.endswith("*") and " " not in term:
            words = _PG_WORD.findall(term)
            if not words:
                continue
            params[key] = " & ".join(f"'{w.lower()}':*" for w in words)
            parts.append(f"to_tsquery({cfg}, :{key})")
        elif " " in term:
            params[key] = term
            parts.append(f"phraseto_tsquery({cfg}, :{key})")
        else:
            params[key] = term.rstrip("*")
            parts.append(f"plainto_tsquery({cfg}, :{key})")
    return (" && ".join(parts) if parts else ""), params


def _search_pg(conn: sa.Connection, query: str, limit: int, kind: str | None) -> list[SearchHit]:
    """Full-text search on PostgreSQL through the GIN-indexed tsvector expressions of migration 11."""
    expr, params = pg_tsquery(query)
    if not expr or not conn.execute(sa.text(f"SELECT numnode({expr}) > 0"), params).scalar():
        return _search_ilike(conn, query, limit, kind)       # only stop words: nothing for the index
    cfg = f"'{PG_TS_CONFIG}'::regconfig"
    opts = f"StartSel={HIT_OPEN}, StopSel={HIT_CLOSE}, MaxWords=30, MinWords=12, MaxFragments=1"
    hits: list[SearchHit] = []
    args = {**params, "n": limit, "opts": opts}
    if kind in (None, "article"):
        rows = conn.execute(sa.text(
            f"WITH q AS (SELECT {expr} AS q) "
            f"SELECT a.id, a.title, ts_headline({cfg}, a.text, q.q, :opts) AS snip "
            f"FROM articles a, q WHERE {PG_ARTICLE_TSV} @@ q.q "
            f"ORDER BY ts_rank({PG_ARTICLE_TSV}, q.q) DESC, a.id LIMIT :n"), args)
        hits += [SearchHit("article", r.id, r.title, r.snip) for r in rows]
    if kind in (None, "evidence"):
        rows = conn.execute(sa.text(
            f"WITH q AS (SELECT {expr} AS q) "
            f"SELECT p.uid, p.article_id, a.title, "
            f"ts_headline({cfg}, p.evidence_text, q.q, 'StartSel={HIT_OPEN}, StopSel={HIT_CLOSE}, "
            f"HighlightAll=true') AS snip "
            f"FROM positions p JOIN articles a ON a.id = p.article_id, q "
            f"WHERE {PG_EVIDENCE_TSV.replace('evidence_text', 'p.evidence_text')} @@ q.q "
            f"ORDER BY ts_rank({PG_EVIDENCE_TSV.replace('evidence_text', 'p.evidence_text')}, q.q) DESC, p.id "
            f"LIMIT :n"), args)
        hits += [SearchHit("evidence", r.article_id, r.title, r.snip, position_id=r.uid) for r in rows]
    return hits


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _mark(text: str, terms: list[str], width: int = 160) -> str:
    """A window of ``text`` around the first term, terms wrapped in hit markers."""
    low = text.lower()
    first = min((i for i in (low.find(x.lower()) for x in terms) if i >= 0), default=0)
    start = max(0, first - width // 2)
    window = text[start:start + width]
    for term in terms:
        window = re.sub(re.escape(term), lambda m: f"{HIT_OPEN}{m.group(0)}{HIT_CLOSE}", window, flags=re.I)
    return ("…" if start else "") + window + ("…" if start + width < len(text) else "")


def _search_ilike(conn: sa.Connection, query: str, limit: int, kind: str | None) -> list[SearchHit]:
    terms = [x.rstrip("*") for x in query_terms(query)]
    hits: list[SearchHit] = []
    if kind in (None, "article"):
        cond = sa.and_(*[
            sa.or_(t.articles.c.title.ilike(f"%{_escape_like(x)}%", escape="\\"),
                   t.articles.c.text.ilike(f"%{_escape_like(x)}%", escape="\\")) for x in terms])
        rows = conn.execute(sa.select(t.articles.c.id, t.articles.c.title, t.articles.c.text)
                            .where(cond).order_by(t.articles.c.id).limit(limit))
        hits += [SearchHit("article", r.id, r.title, _mark(r.text, terms)) for r in rows]
    if kind in (None, "evidence"):
        p, a = t.positions, t.articles
        cond = sa.and_(*[p.c.evidence_text.ilike(f"%{_escape_like(x)}%", escape="\\") for x in terms])
        rows = conn.execute(sa.select(p.c.uid, p.c.article_id, a.c.title, p.c.evidence_text)
                            .join(a, a.c.id == p.c.article_id).where(cond).order_by(p.c.id).limit(limit))
        hits += [SearchHit("evidence", r.article_id, r.title, _mark(r.evidence_text, terms, 10_000), r.uid)
                 for r in rows]
    return hits
