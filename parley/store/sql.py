"""The store over SQLAlchemy 2 Core: one code path for SQLite and PostgreSQL.

Every public method runs in its own short transaction, so an interrupted
batch keeps everything stored before the interruption and never doubles
anything: articles are keyed by their content hash, and
:meth:`SqlStore.save_positions` replaces an article's positions from one
extractor atomically together with its ``extractions`` row.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from ..errors import ParleyError, StoreError
from ..model import Article, Evidence, Position, utcnow
from . import dialect
from . import tables as t
from .base import DEFAULT_TAXONOMY, ActorLink, AddResult, SearchHit
from .ids import position_uid
from .migrations import LATEST, current_version, migrate

if TYPE_CHECKING:
    from .ledger import ApiQueries, LedgerTables

log = logging.getLogger(__name__)

_PAGE = 200  # rows fetched per round trip when streaming
_IN_CHUNK = 500        # ids per IN (...) list (SQLite's default limit is 32,766 variables)
_INSERT_CHUNK = 1000   # rows per executemany of a bulk write

C = TypeVar("C")


def _chunks(items: list[C], size: int) -> Iterator[list[C]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
_HOST = socket.gethostname()
#: a run of another host that has saved nothing for this long is taken to be gone
STALE_AFTER = timedelta(hours=1)

from .base import RunStatus  # noqa: E402  (re-exported: it used to live here)


def _pid_alive(pid: int | None) -> bool:
    """True when ``pid`` is a live (not zombie) process on this host; None (older runs) is gone."""
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True          # alive, owned by someone else
    except OSError:
        return False
    try:   # Linux: a killed child nobody has reaped yet is a zombie, not a running extraction
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _usage_values(usage: Mapping[str, int] | None) -> dict[str, int]:
    """The run-usage columns of ``usage`` (other keys ignored; None: nothing to write)."""
    if not usage:
        return {}
    return {c: int(usage[c]) for c in t.RUN_USAGE_COLUMNS if c in usage}


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _aware(value: datetime | None) -> datetime | None:
    """Datetimes are stored in UTC; SQLite hands them back naive."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def resolve_url(url_or_path: str | None) -> sa.URL:
    """Turn a path, ``sqlite:///...`` or ``postgresql+psycopg://...`` into a SQLAlchemy URL (E206 otherwise)."""
    from ..config import settings

    raw = url_or_path if url_or_path not in (None, "") else settings().db
    assert raw is not None
    if raw == ":memory:":
        return make_url("sqlite://")
    if "://" not in raw:
        return make_url("sqlite:///" + str(Path(raw).expanduser().resolve()))
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        raise StoreError("E206", url=raw) from exc
    backend = url.get_backend_name()
    if backend == "postgres":
        url = url.set(drivername="postgresql+psycopg")
    elif backend == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise StoreError("E206", url=raw)
    return url


def open_store(url_or_path: str | None = None, *, must_exist: bool = False) -> SqlStore:
    """Open (creating and migrating when needed) the database at ``url_or_path``.

    ``None`` means ``settings().db`` (``PARLEY_DB``); a bare path is a SQLite
    file; ``sqlite:///PATH``, ``sqlite://`` (in memory) and
    ``postgresql+psycopg://user:pw@host/db`` URLs are accepted.
    ``must_exist`` (for commands that only read) refuses to create a new SQLite
    file: a mistyped ``--db`` is E209, not a silently empty ledger.
    Raises ``StoreError``: E206 bad URL, E201 cannot open, E202/E205 migration, E209, E210
    locked by another process (after retrying for ``settings().sqlite_busy_timeout`` seconds).
    """
    url = resolve_url(url_or_path)
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        parent = Path(url.database).parent
        if not parent.is_dir():
            raise StoreError("E201", url=shown, detail=f"directory {parent} does not exist")
        if must_exist and not Path(url.database).exists():
            raise StoreError("E209", url=url.database)
    kwargs: dict[str, Any] = {}
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    try:
        engine = sa.create_engine(url, **kwargs)
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise StoreError("E206", url=shown) from exc
    dialect.configure_engine(engine)
    try:
        _retry_locked(lambda: engine.connect().close(), "opening the database", shown)
        _retry_locked(lambda: migrate(engine, url=shown), "creating or upgrading the schema", shown)
    except ParleyError:
        engine.dispose()
        raise
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        engine.dispose()
        if dialect.is_lock_error(exc):
            raise StoreError("E210", url=shown, seconds=dialect.busy_timeout(), op="opening the database") from exc
        raise StoreError("E201", url=shown, detail=_detail(exc)) from exc
    return SqlStore(engine, shown)


T = TypeVar("T")


def _retry_locked(call: Callable[[], T], op: str, url: str) -> T:
    """``call()``, retried with back-off while SQLite reports another process's lock, for up to the
    busy timeout; then ``StoreError`` E210 (locked), never a path or permission hint."""
    deadline = time.monotonic() + dialect.busy_timeout()
    pause = 0.02
    while True:
        try:
            return call()
        except (SQLAlchemyError, sqlite3.Error, StoreError) as exc:
            if not dialect.is_lock_error(exc) and not (isinstance(exc, StoreError) and exc.code == "E210"):
                raise
            if time.monotonic() + pause > deadline:
                if isinstance(exc, StoreError):
                    raise
                raise StoreError("E210", url=url, seconds=dialect.busy_timeout(), op=op) from exc
            log.debug("%s: locked during %s; retrying in %.2fs", url, op, pause)
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def resolve_url_exists(url_or_path: str | None) -> bool:
    """True when ``url_or_path`` names a database that can be opened without creating it (any
    non-SQLite URL; a SQLite file that exists)."""
    url = resolve_url(url_or_path)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return url.get_backend_name() != "sqlite"
    return Path(url.database).exists()


def _detail(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return f"{type(orig or exc).__name__}: {orig or exc}".splitlines()[0]


def _row_to_article(r: Any) -> Article:
    return Article(
        id=r.id, text=r.text, title=r.title, url=r.url, source=r.source, published=r.published,
        language=r.language or "en", ingested_at=_aware(r.ingested_at), origin=r.origin,
        external_id=r.external_id, duplicate_of=r.duplicate_of, flags=tuple(json.loads(r.flags or "[]")),
    )


_POS_COLS = [c for c in t.positions.c]


def _article_date() -> Any:
    """The date an article is placed at: its published date, else the date its own dateline gives."""
    return sa.func.coalesce(t.articles.c.published, t.articles.c.dateline)


def _date_filter(q: Any, since: date | None, until: date | None, include_undated: bool) -> Any:
    """``since``/``until`` on the article date; undated articles only with ``include_undated``."""
    d = _article_date()
    conds = []
    if since is not None:
        conds.append(d >= since)
    if until is not None:
        conds.append(d <= until)
    if not conds:
        return q
    cond = sa.and_(*conds)
    if include_undated:
        cond = sa.or_(cond, d.is_(None))
    return q.where(cond)


def _row_to_position(r: Any) -> Position:
    return Position(
        actor=r.actor, issue=r.issue, stance=r.stance,
        evidence=Evidence(start=r.ev_start, end=r.ev_end, text=r.evidence_text,
                          article_id=r.article_id, cue=r.cue),
        proposition=r.proposition or "",
        aliases=tuple(json.loads(r.aliases or "[]")),
        conditions=tuple(json.loads(r.conditions or "[]")),
        red_line=bool(r.red_line), previous_stance=r.previous_stance,
        confidence=float(r.confidence if r.confidence is not None else 1.0),
        speaker=r.speaker, extractor=r.extractor, extractor_version=r.extractor_version,
        article_id=r.article_id, published=r.article_date, id=r.uid,
    )


class SqlStore:
    """The Parley store (see :class:`parley.store.base.Store`), over one SQLAlchemy engine.

    Use :func:`open_store` to get one; it is a context manager that closes the engine.
    """

    def __init__(self, engine: sa.Engine, url: str) -> None:
        self._engine = engine
        self.url = url

    # ------------------------------------------------------------------ plumbing
    def _begin(self, write: bool) -> tuple[sa.Connection, sa.RootTransaction]:
        conn = self._engine.connect()
        try:
            if write:
                conn.execution_options(**{dialect.WRITE_OPTION: True})
            return conn, conn.begin()
        except BaseException:
            conn.close()
            raise

    @contextmanager
    def _tx(self, op: str, write: bool = False) -> Iterator[sa.Connection]:
        """One transaction; lower-level errors become ``StoreError`` E204 naming ``op``.

        Starting it is retried while another process holds the lock (a writer's
        ``BEGIN IMMEDIATE`` takes the write lock up front, so a lock can only be
        met here, before any of the body has run); a lock that outlasts the busy
        timeout, here or later, is E210."""
        conn, trans = _retry_locked(lambda: self._begin(write), op, self.url)
        try:
            with conn:
                with trans:
                    yield conn
        except ParleyError:
            raise
        except (SQLAlchemyError, sqlite3.Error) as exc:
            if dialect.is_lock_error(exc):
                raise StoreError("E210", url=self.url, seconds=dialect.busy_timeout(), op=op) from exc
            raise StoreError("E204", op=op, detail=_detail(exc)) from exc

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def shared_url(self) -> str | None:
        """The URL another process opens this database with (password included); None for an
        in-memory SQLite database, which lives in this process only."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return None
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        """Release the connections."""
        self._engine.dispose()

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for read-only ad-hoc queries, e.g. by analysis code)."""
        return self._engine

    @property
    def ledger(self) -> LedgerTables:
        """The kept ledger's tables (resolved actors, timeline points, shifts): :mod:`parley.store.ledger`."""
        from .ledger import LedgerTables

        return LedgerTables(self)

    @property
    def api(self) -> ApiQueries:
        """The paged and aggregated reads the API and the dashboard make (:mod:`parley.store.ledger`)."""
        from .ledger import ApiQueries

        return ApiQueries(self)

    def schema_version(self) -> int:
        """The database's schema version (equals ``migrations.LATEST`` once opened)."""
        with self._tx("schema_version") as conn:
            return current_version(conn)

    # ------------------------------------------------------------------ articles
    def add_article(self, article: Article, signature: bytes | None = None) -> AddResult:
        """Store ``article`` unless its id is already there.

        Returns status ``"duplicate"`` (same id: nothing written),
        ``"near_duplicate"`` (stored, ``article.duplicate_of`` recorded) or
        ``"inserted"``. ``signature`` is the MinHash bytes from ``parley.ingest.dedup``.
        """
        with self._tx("add_article", write=True) as conn:
            return self._add(conn, article, signature)

    def add_articles(self, items: Iterable[tuple[Article, bytes | None]]) -> list[AddResult]:
        """:meth:`add_article` for a batch, in ONE transaction (several times faster on SQLite).

        All or nothing: an error stores none of the batch (ingesting it again is safe).
        Articles may refer (``duplicate_of``) to earlier articles of the same batch.
        """
        with self._tx("add_articles", write=True) as conn:
            return [self._add(conn, article, signature) for article, signature in items]

    def _add(self, conn: sa.Connection, article: Article, signature: bytes | None) -> AddResult:
        a = t.articles
        if conn.execute(sa.select(a.c.id).where(a.c.id == article.id)).first() is not None:
            return AddResult(article.id, "duplicate")
        from ..ingest.dates import dateline_date

        insert = a.insert().values(
            id=article.id, title=article.title, text=article.text, url=article.url,
            source=article.source, published=article.published, language=article.language,
            dateline=None if article.published else dateline_date(article.text),
            ingested_at=_naive_utc(article.ingested_at) or _naive_utc(utcnow()), origin=article.origin,
            external_id=article.external_id, duplicate_of=article.duplicate_of, minhash=signature,
            flags=json.dumps(list(article.flags)),
        )
        try:
            if dialect.is_sqlite(conn):
                # the write lock is held since BEGIN IMMEDIATE: nobody can insert this id meanwhile,
                # and a failed statement leaves the SQLite transaction usable
                conn.execute(insert)
            else:
                with conn.begin_nested():
                    conn.execute(insert)
        except IntegrityError as exc:
            if article.duplicate_of and conn.execute(
                    sa.select(a.c.id).where(a.c.id == article.duplicate_of)).first() is None:
                raise StoreError("E204", op="add_article",
                                 detail=f"duplicate_of {article.duplicate_of!r} is not a stored article") from exc
            if conn.execute(sa.select(a.c.id).where(a.c.id == article.id)).first() is not None:
                return AddResult(article.id, "duplicate")      # inserted concurrently by another writer
            raise
        if article.duplicate_of:
            return AddResult(article.id, "near_duplicate", article.duplicate_of)
        return AddResult(article.id, "inserted")

    def signatures(self) -> Iterator[tuple[str, bytes]]:
        """(article_id, minhash) of every canonical (not near-duplicate) article that has one, streamed."""
        a = t.articles
        last = ""
        while True:
            with self._tx("signatures") as conn:
                rows = conn.execute(
                    sa.select(a.c.id, a.c.minhash)
                    .where(a.c.minhash.is_not(None), a.c.duplicate_of.is_(None), a.c.id > last)
                    .order_by(a.c.id).limit(_PAGE)).all()
            if not rows:
                return
            for r in rows:
                yield r.id, bytes(r.minhash)
            last = rows[-1].id

    # ------------------------------------------------------------------ the near-duplicate index (v12)
    def band_candidates(self, scheme: str, keys: list[int]) -> list[tuple[str, bytes]]:
        """(article id, MinHash) of the canonical articles with any of the LSH band ``keys`` under
        ``scheme``, earliest ingested first (one indexed query)."""
        b, a = t.minhash_bands, t.articles
        if not keys:
            return []
        # only the article key in the condition: band rows exist for canonical articles only, and any
        # other condition lets SQLite's planner scan every canonical article instead (quadratic ingest)
        q = (sa.select(a.c.id, a.c.minhash).where(a.c.id.in_(
                sa.select(b.c.article_id).where(b.c.scheme == scheme, b.c.band_key.in_(sorted(set(keys))))))
             .order_by(a.c.ingested_at, a.c.id))
        with self._tx("band_candidates") as conn:
            return [(r.id, bytes(r.minhash)) for r in conn.execute(q) if r.minhash is not None]

    def add_bands(self, scheme: str, rows: Iterable[tuple[int, str]]) -> None:
        """Store LSH band rows ``(band_key, article_id)`` under ``scheme`` in one transaction; rows
        already there (another process indexed the same article) are left as they are."""
        values = [{"scheme": scheme, "band_key": k, "article_id": i} for k, i in rows]
        if not values:
            return
        with self._tx("add_bands", write=True) as conn:
            if dialect.is_sqlite(conn):
                from sqlalchemy.dialects.sqlite import insert as upsert
            else:
                from sqlalchemy.dialects.postgresql import insert as upsert  # type: ignore[assignment]
            for chunk in _chunks(values, _INSERT_CHUNK):
                conn.execute(upsert(t.minhash_bands).on_conflict_do_nothing(), chunk)

    def bands_missing(self, scheme: str) -> Iterator[tuple[str, bytes]]:
        """(article id, MinHash) of canonical articles with a signature but no band rows under
        ``scheme``, earliest ingested first, streamed in pages."""
        a, b = t.articles, t.minhash_bands
        has = sa.exists(sa.select(b.c.article_id).where(b.c.article_id == a.c.id, b.c.scheme == scheme))
        with self._tx("bands_missing") as conn:
            stale = conn.execute(sa.select(sa.func.count()).select_from(b).where(b.c.scheme != scheme)).scalar()
        if stale:
            with self._tx("bands_missing", write=True) as conn:      # another scheme's bands: not used again
                conn.execute(b.delete().where(b.c.scheme != scheme))
        last = ""
        while True:
            with self._tx("bands_missing") as conn:
                rows = conn.execute(sa.select(a.c.id, a.c.minhash)
                                    .where(a.c.minhash.is_not(None), a.c.duplicate_of.is_(None), ~has, a.c.id > last)
                                    .order_by(a.c.id).limit(_PAGE)).all()
            if not rows:
                return
            yield from ((r.id, bytes(r.minhash)) for r in rows)
            last = rows[-1].id

    def has_article(self, article_id: str) -> bool:
        """True when an article with exactly this id is stored."""
        with self._tx("has_article") as conn:
            return conn.execute(sa.select(t.articles.c.id).where(t.articles.c.id == article_id)).first() is not None

    def get_article(self, article_id: str) -> Article:
        """The article with this exact id (E203 when absent)."""
        with self._tx("get_article") as conn:
            r = conn.execute(sa.select(t.articles).where(t.articles.c.id == article_id)).first()
        if r is None:
            raise StoreError("E203", item=article_id)
        return _row_to_article(r)

    def find_article(self, prefix: str) -> Article:
        """The article whose id is ``prefix`` or starts with it (E203 none, E207 several)."""
        prefix = prefix.strip()
        a = t.articles
        with self._tx("find_article") as conn:
            r = conn.execute(sa.select(a).where(a.c.id == prefix)).first()
            if r is None and prefix:
                rows = conn.execute(sa.select(a).where(a.c.id.like(_escape_like(prefix) + "%", escape="\\"))
                                    .order_by(a.c.id).limit(3)).all()
                if len(rows) > 1:
                    shown = ", ".join(x.id for x in rows[:2]) + (", …" if len(rows) > 2 else "")
                    raise StoreError("E207", item=prefix, detail=shown)
                r = rows[0] if rows else None
        if r is None:
            raise StoreError("E203", item=prefix)
        return _row_to_article(r)

    def articles(self, since: date | None = None, limit: int | None = None, until: date | None = None,
                 include_undated: bool = False) -> Iterator[Article]:
        """Stored articles ordered by date (published, else dateline; undated last) then id, streamed in
        pages. ``since``/``until`` keep articles dated in that range (undated ones too with
        ``include_undated``)."""
        a = t.articles
        done = 0
        offset = 0
        while limit is None or done < limit:
            n = _PAGE if limit is None else min(_PAGE, limit - done)
            q = sa.select(a).order_by(sa.nulls_last(_article_date().asc()), a.c.id).limit(n).offset(offset)
            q = _date_filter(q, since, until, include_undated)
            with self._tx("articles") as conn:
                rows = conn.execute(q).all()
            for r in rows:
                yield _row_to_article(r)
            done += len(rows)
            offset += len(rows)
            if len(rows) < n:
                return

    def datelines(self, article_ids: Iterable[str] | None = None) -> dict[str, date]:
        """Article id -> the date its dateline gives, for undated articles that open with one."""
        a = t.articles
        q = sa.select(a.c.id, a.c.dateline).where(a.c.dateline.is_not(None))
        with self._tx("datelines") as conn:
            rows = conn.execute(q).all()
        wanted = None if article_ids is None else set(article_ids)
        return {r.id: r.dateline for r in rows if wanted is None or r.id in wanted}

    def count_articles(self) -> int:
        """Number of stored articles (near-duplicates included)."""
        with self._tx("count_articles") as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t.articles)).scalar() or 0)

    def _pending_where(self, extractor: str, version: str, taxonomy: str, *, force: bool = False,
                       redo_run: int | None = None) -> Any:
        a, e = t.articles, t.extractions
        eligible = [
            a.c.duplicate_of.is_(None),
            sa.or_(a.c.language.is_(None), sa.func.lower(a.c.language) == "en",
                   sa.func.lower(a.c.language).like("en-%")),
        ]
        if force and redo_run is None:
            return sa.and_(*eligible)
        done = sa.select(e.c.article_id).where(
            e.c.article_id == a.c.id, e.c.extractor == extractor, e.c.version == version,
            e.c.taxonomy == taxonomy)
        if redo_run is not None:     # --force: only what this run has saved already counts as done
            done = done.where(e.c.run_id == redo_run)
        return sa.and_(*eligible, ~sa.exists(done))

    def count_pending(self, extractor: str, version: str, taxonomy: str = DEFAULT_TAXONOMY,
                      force: bool = False) -> int:
        """How many articles :meth:`pending_articles` would yield now (``force``: extracted or not)."""
        with self._tx("count_pending") as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t.articles)
                                    .where(self._pending_where(extractor, version, taxonomy, force=force)))
                       .scalar() or 0)

    def pending_articles(self, extractor: str, version: str, taxonomy: str = DEFAULT_TAXONOMY,
                         redo_run: int | None = None) -> Iterator[Article]:
        """English, non-near-duplicate articles not yet extracted by ``extractor`` at ``version`` under
        ``taxonomy`` (each taxonomy's positions are extracted and kept separately); with ``redo_run``
        (``extract --force``), every such article not yet saved by that run.

        Streamed by id in pages of short read transactions (no long-lived cursor,
        texts of one page in memory at a time), so the caller may save positions
        while iterating; articles saved meanwhile are simply not yielded again.
        """
        a = t.articles
        last = ""
        where = self._pending_where(extractor, version, taxonomy, redo_run=redo_run)
        while True:
            with self._tx("pending_articles") as conn:
                rows = conn.execute(sa.select(a).where(where, a.c.id > last)
                                    .order_by(a.c.id).limit(_PAGE)).all()
            if not rows:
                return
            for r in rows:
                yield _row_to_article(r)
            last = rows[-1].id

    def pending_ids(self, extractor: str, version: str, taxonomy: str = DEFAULT_TAXONOMY,
                    redo_run: int | None = None, after: str = "", page: int = 2000) -> Iterator[str]:
        """The ids :meth:`pending_articles` would yield (texts not read), by id in pages of ``page``,
        starting after ``after``: what the distributed runner partitions."""
        a = t.articles
        last = after
        where = self._pending_where(extractor, version, taxonomy, redo_run=redo_run)
        while True:
            with self._tx("pending_ids") as conn:
                ids = list(conn.execute(sa.select(a.c.id).where(where, a.c.id > last)
                                        .order_by(a.c.id).limit(page)).scalars())
            if not ids:
                return
            yield from ids
            last = ids[-1]

    def get_articles(self, article_ids: Iterable[str]) -> list[Article]:
        """The stored articles among ``article_ids``, in id order (one query per 500 ids; missing
        ids are left out): how a worker reads its partition."""
        a = t.articles
        ids = sorted(set(article_ids))
        out: list[Article] = []
        with self._tx("get_articles") as conn:
            for chunk in _chunks(ids, _IN_CHUNK):
                out += [_row_to_article(r) for r in conn.execute(sa.select(a).where(a.c.id.in_(chunk))
                                                                 .order_by(a.c.id))]
        return out

    # ------------------------------------------------------------------ runs
    def start_run(self, extractor: str, version: str, taxonomy: str = DEFAULT_TAXONOMY) -> int:
        """Record the start of an extraction run (status ``running``, this process's pid and host, the
        taxonomy it labels issues by); returns its id. Runs left ``running`` by a process that is gone
        are first marked ``interrupted`` with their true counts (:meth:`recover_runs`)."""
        self.recover_runs()
        now = _naive_utc(utcnow())
        with self._tx("start_run", write=True) as conn:
            res = conn.execute(t.runs.insert().values(
                extractor=extractor, version=version, taxonomy=taxonomy, started_at=now, heartbeat_at=now,
                articles=0, positions=0, status="running", pid=os.getpid(), host=_HOST, failed=0))
            return int(res.inserted_primary_key[0])

    def finish_run(self, run_id: int, articles: int, positions: int,
                   status: RunStatus = "finished", failed: int = 0, usage: Mapping[str, int] | None = None) -> None:
        """Record the end of run ``run_id``: ``status`` (finished, interrupted, failed), how many
        articles and positions it stored and how many articles failed; ``usage``: what it cost
        (:data:`~parley.store.migrations.t.RUN_USAGE_COLUMNS`, totals of the run)."""
        now = _naive_utc(utcnow())
        with self._tx("finish_run", write=True) as conn:
            conn.execute(t.runs.update().where(t.runs.c.id == run_id).values(
                finished_at=now, heartbeat_at=now, articles=articles, positions=positions,
                status=status, failed=failed, **_usage_values(usage)))

    def recover_runs(self) -> list[int]:
        """Mark ``interrupted`` every run still ``running`` whose process is gone, with the counts its
        stored rows prove (extractions and positions carrying its id); returns their ids.

        A run of this host is gone when its pid is no longer a live process; a run of another host
        (a shared PostgreSQL) when it has not saved anything for ``STALE_AFTER``."""
        r = t.runs
        with self._tx("recover_runs") as conn:
            rows = conn.execute(sa.select(r.c.id, r.c.pid, r.c.host, r.c.heartbeat_at, r.c.started_at)
                                .where(r.c.status == "running")).all()
        stale_before = _naive_utc(utcnow() - STALE_AFTER)
        gone = [row for row in rows
                if (row.host == _HOST and not _pid_alive(row.pid))
                or (row.host != _HOST and (row.heartbeat_at or row.started_at) < stale_before)]
        if not gone:
            return []
        e, p = t.extractions, t.positions
        with self._tx("recover_runs", write=True) as conn:
            for row in gone:
                n_art = conn.execute(sa.select(sa.func.count()).select_from(e).where(e.c.run_id == row.id)).scalar()
                n_pos = conn.execute(sa.select(sa.func.count()).select_from(p).where(p.c.run_id == row.id)).scalar()
                conn.execute(r.update().where(r.c.id == row.id, r.c.status == "running").values(
                    status="interrupted", finished_at=row.heartbeat_at or row.started_at,
                    articles=int(n_art or 0), positions=int(n_pos or 0)))
                log.warning("run %s was interrupted (process %s on %s is gone): %s articles, %s positions kept",
                            row.id, row.pid, row.host, n_art, n_pos)
        return [row.id for row in gone]

    def runs(self) -> list[dict[str, Any]]:
        """All runs, newest first, as dicts of the ``runs`` columns."""
        with self._tx("runs") as conn:
            rows = conn.execute(sa.select(t.runs).order_by(t.runs.c.id.desc())).mappings().all()
        return [{**r, "started_at": _aware(r["started_at"]), "finished_at": _aware(r["finished_at"]),
                 "heartbeat_at": _aware(r["heartbeat_at"])} for r in rows]

    # ------------------------------------------------------------------ positions
    def save_positions(self, article_id: str, extractor: str, version: str,
                       positions: Iterable[Position], run_id: int | None = None,
                       taxonomy: str = DEFAULT_TAXONOMY, run_usage: Mapping[str, int] | None = None) -> int:
        """Replace ``article_id``'s positions from ``extractor`` (any version) under ``taxonomy`` with
        ``positions``; positions of other taxonomies and extractors stay.

        One transaction: delete the old rows, insert the new ones, upsert the
        ``extractions`` row (so the article stops being pending even with zero
        positions). Evidence offsets are checked against the article text (E208);
        empty optional strings (cue, speaker, previous_stance) are stored as NULL.
        Each position gets its content-derived id (:func:`~parley.store.ids.position_uid`), so
        re-extracting an unchanged position keeps its id. ``run_usage`` (the run's usage totals so
        far) is written to the run's row in the same transaction, so that a run killed outright keeps
        what it had cost. Returns the number of positions stored.
        """
        return self.save_many([(article_id, positions)], extractor, version, run_id=run_id, taxonomy=taxonomy,
                              run_usage=run_usage)

    def save_many(self, items: Iterable[tuple[str, Iterable[Position]]], extractor: str, version: str,
                  run_id: int | None = None, taxonomy: str = DEFAULT_TAXONOMY,
                  run_usage: Mapping[str, int] | None = None, usage_delta: Mapping[str, int] | None = None,
                  attempts: int = 5) -> int:
        """:meth:`save_positions` for a batch of ``(article_id, positions)``, in ONE transaction
        (the bulk write path of the distributed runner): all articles' old rows deleted and the new
        ones inserted with one ``executemany`` each, then the ``extractions`` rows and the run's counts.

        Idempotent: saving the same batch again (a retried partition) replaces its rows, never
        doubles them, and the run's counts grow only by what is new to the run (rows this run had
        saved for these articles are subtracted first). Safe with several writers at once: on
        PostgreSQL the batch's articles are locked in id order first (``FOR NO KEY UPDATE``), so two
        writers of overlapping batches queue instead of deadlocking, and a deadlock or serialization
        failure still met is retried (``attempts`` times, then E240); SQLite writers queue on the
        write lock. ``usage_delta`` is ADDED to the run's usage columns (what this batch cost: workers
        of one run count separately); ``run_usage`` sets them (one process's running totals).
        Returns the number of positions stored. E203 when an article is missing, E208 bad offsets.
        """
        batch: dict[str, list[Position]] = {}
        for article_id, found in items:
            batch[article_id] = list(found)        # an article given twice: the last one counts
        if not batch:
            return 0
        pause = 0.05
        for attempt in range(1, attempts + 1):
            try:
                with self._tx("save_positions", write=True) as conn:
                    return self._save_batch(conn, batch, extractor, version, run_id, taxonomy, run_usage,
                                            usage_delta)
            except StoreError as exc:
                cause = exc.__cause__
                if cause is None or not dialect.is_conflict_error(cause):
                    raise
                if attempt == attempts:
                    raise StoreError("E240", op="save_positions", attempts=attempts, detail=_detail(cause)) from cause
                log.info("save_positions: %s; retrying (%d of %d)", _detail(cause), attempt, attempts)
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
        raise AssertionError("unreachable")     # pragma: no cover

    def _save_batch(self, conn: sa.Connection, batch: dict[str, list[Position]], extractor: str, version: str,
                    run_id: int | None, taxonomy: str, run_usage: Mapping[str, int] | None,
                    usage_delta: Mapping[str, int] | None) -> int:
        a, p, e = t.articles, t.positions, t.extractions
        ids = sorted(batch)
        found: dict[str, Any] = {}
        for chunk in _chunks(ids, _IN_CHUNK):
            q = sa.select(a.c.id, a.c.text, _article_date().label("d")).where(a.c.id.in_(chunk)).order_by(a.c.id)
            if not dialect.is_sqlite(conn):     # writers of overlapping batches queue here, in id order
                q = q.with_for_update(of=a, key_share=True)     # FOR NO KEY UPDATE: FK checks still pass
            for r in conn.execute(q):
                found[r.id] = r
        missing = [i for i in ids if i not in found]
        if missing:
            raise StoreError("E203", item=missing[0])
        rows = []
        for article_id in ids:
            text, day = found[article_id].text, found[article_id].d
            seen: dict[str, int] = {}
            for i, pos in enumerate(batch[article_id]):
                ev = pos.evidence
                if not (0 <= ev.start <= ev.end <= len(text)) or text[ev.start:ev.end] != ev.text:
                    raise StoreError("E208", item=i, start=ev.start, end=ev.end, article_id=article_id)
                content = (article_id, extractor, taxonomy, pos.actor, pos.issue, pos.stance, ev.start, ev.end)
                base = position_uid(*content)
                n = seen.get(base, 0)
                seen[base] = n + 1
                rows.append(dict(
                    uid=base if n == 0 else position_uid(*content, n), taxonomy=taxonomy,
                    article_id=article_id, run_id=run_id, extractor=extractor, extractor_version=version,
                    actor=pos.actor, aliases=json.dumps(list(pos.aliases), ensure_ascii=False),
                    issue=pos.issue, proposition=pos.proposition or "", stance=pos.stance,
                    conditions=json.dumps(list(pos.conditions), ensure_ascii=False),
                    red_line=bool(pos.red_line), previous_stance=pos.previous_stance or None,
                    ev_start=ev.start, ev_end=ev.end, evidence_text=ev.text, cue=ev.cue or None,
                    confidence=float(pos.confidence), speaker=pos.speaker or None, article_date=day,
                ))
        old_articles = old_positions = 0
        for chunk in _chunks(ids, _IN_CHUNK):
            mine = sa.and_(p.c.article_id.in_(chunk), p.c.extractor == extractor, p.c.taxonomy == taxonomy)
            done = sa.and_(e.c.article_id.in_(chunk), e.c.extractor == extractor, e.c.taxonomy == taxonomy)
            if run_id is not None:     # what this run saved already (a retried partition) is not counted twice
                old_positions += int(conn.execute(sa.select(sa.func.count()).select_from(p)
                                                  .where(mine, p.c.run_id == run_id)).scalar() or 0)
                old_articles += int(conn.execute(sa.select(sa.func.count()).select_from(e)
                                                 .where(done, e.c.run_id == run_id)).scalar() or 0)
            conn.execute(p.delete().where(mine))
            conn.execute(e.delete().where(done))
        for chunk in _chunks(rows, _INSERT_CHUNK):
            conn.execute(p.insert(), chunk)
        now = _naive_utc(utcnow())
        conn.execute(e.insert(), [dict(article_id=i, extractor=extractor, taxonomy=taxonomy, version=version,
                                       run_id=run_id, extracted_at=now, positions=len(batch[i])) for i in ids])
        if run_id is not None:   # the run's counts stay true even if its process is killed next
            r = t.runs
            values: dict[str, Any] = dict(articles=r.c.articles + (len(ids) - old_articles),
                                          positions=r.c.positions + (len(rows) - old_positions), heartbeat_at=now)
            values.update(_usage_values(run_usage))
            for c, v in _usage_values(usage_delta).items():
                values[c] = r.c[c] + v
            conn.execute(r.update().where(r.c.id == run_id).values(**values))
        return len(rows)

    def add_positions_bulk(self, rows: Iterable[Mapping[str, Any]], batch: int = 10_000) -> int:
        """Insert ready-made ``positions`` rows (dicts of its columns, ``uid`` and ``article_date``
        included) in transactions of ``batch`` rows, without replacing anything: the loader for
        benchmarks and imports of a ledger built elsewhere (``save_many`` is the path for extraction).
        On PostgreSQL the rows go through ``COPY``; on SQLite through ``executemany``. Returns the count."""
        cols = [c.name for c in t.positions.columns if c.name != "id"]
        total = 0
        buf: list[Mapping[str, Any]] = []

        def flush() -> None:
            nonlocal total
            if not buf:
                return
            with self._tx("add_positions_bulk", write=True) as conn:
                if dialect.is_sqlite(conn):
                    conn.execute(t.positions.insert(), [{c: row.get(c) for c in cols} for row in buf])
                else:
                    dialect.pg_copy(conn, "positions", cols, ([row.get(c) for c in cols] for row in buf))
            total += len(buf)
            buf.clear()

        for row in rows:
            buf.append(row)
            if len(buf) >= batch:
                flush()
        flush()
        return total

    def run_counts(self, run_id: int) -> tuple[int, int]:
        """(articles, positions) the stored rows prove for run ``run_id`` (extractions and positions
        carrying its id): the counts of a run whose parts were saved by several processes."""
        e, p = t.extractions, t.positions
        with self._tx("run_counts") as conn:
            n_art = conn.execute(sa.select(sa.func.count()).select_from(e).where(e.c.run_id == run_id)).scalar()
            n_pos = conn.execute(sa.select(sa.func.count()).select_from(p).where(p.c.run_id == run_id)).scalar()
        return int(n_art or 0), int(n_pos or 0)

    def positions(self, actor: str | None = None, issue: str | None = None, stance: str | None = None,
                  since: date | None = None, article_id: str | None = None,
                  extractor: str | None = None, limit: int | None = None, *, until: date | None = None,
                  taxonomy: str | None = None, include_undated: bool = False,
                  ids: Iterable[str] | None = None, red_line: bool | None = None,
                  conditional: bool | None = None, actor_names: Iterable[str] | None = None) -> list[Position]:
        """Stored positions, with ``article_id``, ``published`` (the article's date: published, else its
        dateline) and ``id`` (the content-derived id) filled, ordered by that date (undated last) then
        row order.

        ``actor`` is a case-insensitive substring of the actor or any alias (the CLI resolves actors
        through :mod:`parley.analyze.actors` instead); ``since``/``until`` keep articles dated in that
        range, undated ones too with ``include_undated``; ``taxonomy`` keeps one taxonomy's positions;
        ``ids`` keeps those positions; ``red_line`` True/False keeps positions that are / are not red
        lines; ``conditional`` True/False those with / without conditions; ``actor_names`` keeps the
        positions whose actor is exactly one of these names (an actor resolved to its surface names:
        served by an index, where the ``actor`` substring filter scans on SQLite). Every filter and
        the order run on ``positions`` alone (the article's date is kept in ``positions.article_date``)
        and have indexes (migration 11).
        """
        p = t.positions
        q = sa.select(*_POS_COLS)
        if actor_names is not None:
            q = q.where(p.c.actor.in_(sorted(set(actor_names))))
        if actor:
            pat = f"%{_escape_like(actor)}%"
            match = sa.or_(p.c.actor.ilike(pat, escape="\\"), p.c.aliases.ilike(pat, escape="\\"))
            if self._engine.dialect.name == "postgresql":
                # the trigram indexes find the few matching rows; materialised first, so that the planner
                # never walks the date index filtering a million rows for a rare name instead
                found = sa.select(p.c.id).where(match).cte("actor_match").prefix_with("MATERIALIZED")
                q = q.where(p.c.id.in_(sa.select(found.c.id)))
            else:
                q = q.where(match)
        if issue:
            q = q.where(p.c.issue == issue)
        if stance:
            q = q.where(p.c.stance == stance)
        if since is not None or until is not None:
            conds = []
            if since is not None:
                conds.append(p.c.article_date >= since)
            if until is not None:
                conds.append(p.c.article_date <= until)
            cond = sa.and_(*conds)
            q = q.where(sa.or_(cond, p.c.article_date.is_(None)) if include_undated else cond)
        if article_id:
            q = q.where(p.c.article_id == article_id)
        if extractor:
            q = q.where(p.c.extractor == extractor)
        if taxonomy:
            q = q.where(p.c.taxonomy == taxonomy)
        if red_line is not None:
            q = q.where(p.c.red_line if red_line else sa.not_(p.c.red_line))
        if conditional is not None:
            q = q.where(p.c.conditions != "[]" if conditional else p.c.conditions == "[]")
        if ids is not None:
            q = q.where(p.c.uid.in_(list(ids)))
        q = q.order_by(sa.nulls_last(p.c.article_date.asc()), p.c.id)
        if not actor:
            if limit is not None:
                q = q.limit(limit)
            with self._tx("positions") as conn:
                return [_row_to_position(r) for r in conn.execute(q)]
        # the alias match ran over JSON text: confirm it on the decoded values, reading the rows in
        # order only until ``limit`` are confirmed
        needle = actor.lower()
        out: list[Position] = []
        with self._tx("positions") as conn:
            for r in conn.execute(q.execution_options(yield_per=500)):
                x = _row_to_position(r)
                if needle in x.actor.lower() or any(needle in al.lower() for al in x.aliases):
                    out.append(x)
                    if limit is not None and len(out) >= limit:
                        break
        return out

    def find_position(self, prefix: str) -> Position:
        """The position whose id is ``prefix`` or starts with it (E220 none, E221 several)."""
        prefix = prefix.strip().lower()
        p = t.positions
        with self._tx("find_position") as conn:
            uids = [r.uid for r in conn.execute(
                sa.select(p.c.uid).where(p.c.uid.like(_escape_like(prefix) + "%", escape="\\"))
                .order_by(p.c.uid).limit(3))] if prefix else []
        if prefix in uids:
            uids = [prefix]
        if not uids:
            raise StoreError("E220", item=prefix)
        if len(uids) > 1:
            raise StoreError("E221", item=prefix, detail=", ".join(uids[:2]) + (", …" if len(uids) > 2 else ""))
        return self.positions(ids=uids)[0]

    def choose_taxonomy(self, requested: str | None = None) -> str | None:
        """The taxonomy a reading command works on: ``requested`` (a name or a taxonomy file) when given
        (E222 when nothing is stored under it); else the configured one (the ``taxonomy`` setting,
        ``default`` for the built-in one) when stored, or the only one stored; E223 when several are
        stored and none was chosen. None for an empty ledger."""
        from .base import pick_taxonomy

        return pick_taxonomy(self.taxonomies(), requested)

    def taxonomies(self) -> dict[str, int]:
        """Taxonomy name -> number of positions stored under it (most first)."""
        p = t.positions
        count = sa.func.count()
        with self._tx("taxonomies") as conn:
            rows = conn.execute(sa.select(p.c.taxonomy, count).group_by(p.c.taxonomy)
                                .order_by(count.desc(), p.c.taxonomy)).all()
        return {r[0]: int(r[1]) for r in rows}

    def count_positions(self) -> int:
        """Number of stored positions."""
        with self._tx("count_positions") as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t.positions)).scalar() or 0)

    # ------------------------------------------------------------------ search
    def search(self, query: str, limit: int = 20, kind: str | None = None) -> list[SearchHit]:
        """Full-text search: up to ``limit`` article hits then up to ``limit`` evidence hits.

        Words are all required; ``"a phrase"`` matches as a phrase; ``word*`` is a prefix.
        ``kind`` = "article" or "evidence" restricts the search.
        """
        with self._tx("search") as conn:
            return dialect.search(conn, query, limit, kind)

    # ------------------------------------------------------------------ actor curation
    def actor_links(self) -> list[ActorLink]:
        """Every curated alias -> canonical decision, ordered by canonical then alias."""
        al = t.actor_links
        with self._tx("actor_links") as conn:
            rows = conn.execute(sa.select(al).order_by(al.c.canonical, al.c.alias)).all()
        return [ActorLink(r.alias, r.canonical, r.kind, r.source, float(r.confidence)) for r in rows]

    def set_actor_link(self, link: ActorLink) -> None:
        """Insert or replace the decision for (alias, canonical)."""
        al = t.actor_links
        with self._tx("set_actor_link", write=True) as conn:
            res = conn.execute(al.update().where(al.c.alias == link.alias, al.c.canonical == link.canonical)
                               .values(kind=link.kind, source=link.source, confidence=link.confidence))
            if res.rowcount == 0:
                conn.execute(al.insert().values(alias=link.alias, canonical=link.canonical, kind=link.kind,
                                                source=link.source, confidence=link.confidence,
                                                created_at=_naive_utc(utcnow())))

    def delete_actor_link(self, alias: str, canonical: str | None = None) -> int:
        """Delete the decisions for ``alias`` (only the one with ``canonical`` when given); returns how many."""
        al = t.actor_links
        q = al.delete().where(al.c.alias == alias)
        if canonical is not None:
            q = q.where(al.c.canonical == canonical)
        with self._tx("delete_actor_link", write=True) as conn:
            return int(conn.execute(q).rowcount or 0)

    # ------------------------------------------------------------------ stats
    def stats(self) -> dict[str, Any]:
        """Counts for a status line: articles, near-duplicates, extracted articles, positions by
        stance, issue and taxonomy, distinct actor names as extracted (``parley actors`` groups them
        into actors), runs (and by status), flagged articles, schema version and the (password-free) URL."""
        a, p, e, r = t.articles, t.positions, t.extractions, t.runs
        count = sa.func.count()
        with self._tx("stats") as conn:
            by_stance = dict(conn.execute(sa.select(p.c.stance, count).group_by(p.c.stance)).all())
            by_issue = dict(conn.execute(sa.select(p.c.issue, count).group_by(p.c.issue)
                                         .order_by(count.desc(), p.c.issue)).all())
            return {
                "url": self.url,
                "schema_version": current_version(conn),
                "articles": conn.execute(sa.select(count).select_from(a)).scalar() or 0,
                "near_duplicates": conn.execute(sa.select(count).select_from(a)
                                                .where(a.c.duplicate_of.is_not(None))).scalar() or 0,
                "extracted_articles": conn.execute(
                    sa.select(sa.func.count(sa.distinct(e.c.article_id)))).scalar() or 0,
                "positions": sum(by_stance.values()),
                "positions_by_stance": by_stance,
                "positions_by_issue": by_issue,
                "actor_names": conn.execute(sa.select(sa.func.count(sa.distinct(p.c.actor)))).scalar() or 0,
                "positions_by_taxonomy": dict(conn.execute(sa.select(p.c.taxonomy, count)
                                                           .group_by(p.c.taxonomy)).all()),
                "runs": conn.execute(sa.select(count).select_from(r)).scalar() or 0,
                "runs_by_status": dict(conn.execute(sa.select(r.c.status, count).group_by(r.c.status)
                                                    .order_by(r.c.status)).all()),
                "flagged_articles": conn.execute(sa.select(count).select_from(a)
                                                 .where(a.c.flags != "[]")).scalar() or 0,
                **self._usage_stats(conn),
            }

    def _usage_stats(self, conn: sa.Connection) -> dict[str, Any]:
        """What the runs cost (the llm extractor's requests and tokens) and what they dropped."""
        r = t.runs
        row = conn.execute(sa.select(*[sa.func.coalesce(sa.func.sum(r.c[c]), 0).label(c)
                                       for c in t.RUN_USAGE_COLUMNS])).one()
        return {
            "requests": {"sent": int(row.requests), "answered_from_cache": int(row.cache_hits)},
            "tokens": {"prompt": int(row.prompt_tokens), "completion": int(row.completion_tokens)},
            "dropped_positions": {"unquoted": int(row.dropped_unquoted),
                                  "off_taxonomy": int(row.dropped_off_taxonomy),
                                  "malformed": int(row.dropped_malformed)},
        }


__all__ = ["SqlStore", "open_store", "resolve_url", "resolve_url_exists", "LATEST", "RunStatus", "STALE_AFTER"]
