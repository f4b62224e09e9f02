"""Everything that differs between SQLite and PostgreSQL, in one place.

* connection set-up: SQLite gets WAL, foreign keys, a busy timeout and real
  transactions (pysqlite's implicit transaction handling is switched off so a
  migration's DDL rolls back with the rest of its step). Switching a new file
  to WAL needs an exclusive lock and SQLite does not wait for it (no busy
  handler), so two processes opening a new database at once used to fail with
  "database is locked": the switch is retried until the busy timeout;
* :func:`is_lock_error`: the one test for "another process holds the lock";
* full-text search: SQLite FTS5 tables kept in sync by triggers; PostgreSQL
  falls back to ``ILIKE`` over the same columns (a tsvector index can replace
  it here later without touching any caller).

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
    return _search_ilike(conn, query, limit, kind)


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
