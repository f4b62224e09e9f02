"""The answer cache: a model's raw answers, keyed by (text sent, model, prompt version, taxonomy),
so that running the same articles again costs no request and no token.

One SQLite file (setting ``llm_cache``; default ``$XDG_CACHE_HOME/parley/llm-cache.sqlite``, ``off``
for none), outside the ledger on purpose: ``extract --jsonl``, ``eval`` and ``label`` have no
database, and the cache is disposable (delete the file to forget every answer). Only answers that
parsed as the JSON asked for are stored; verification (anchoring, labels) runs again on every use,
so a change there applies to cached answers too. Safe for several threads (one lock) and processes
(WAL, busy timeout). A cache that cannot be opened or written is reported once (E328) and the run
goes on without it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ...errors import ExtractError

log = logging.getLogger(__name__)

OFF = ("off", "none", "no", "false", "0")


def default_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "parley" / "llm-cache.sqlite"


def cache_key(text_hash: str, model: str, prompt_version: str, taxonomy_hash: str) -> str:
    """The key of one request's answer."""
    payload = json.dumps([text_hash, model, prompt_version, taxonomy_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Cached:
    content: str
    prompt_tokens: int
    completion_tokens: int


class AnswerCache:
    """``get(key)`` / ``put(key, ...)``; ``path`` None means no cache (every get misses)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._broken = path is None

    @classmethod
    def from_setting(cls, value: str) -> AnswerCache:
        if value.strip().lower() in OFF:
            return cls(None)
        return cls(Path(value).expanduser() if value.strip() else default_path())

    def _open(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._conn is None:
            assert self.path is not None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, model TEXT NOT NULL, "
                    "prompt_version TEXT NOT NULL, taxonomy_hash TEXT NOT NULL, text_hash TEXT NOT NULL, "
                    "content TEXT NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, "
                    "created_at TEXT NOT NULL)")
                self._conn = conn
            except (sqlite3.Error, OSError) as exc:
                self._fail(exc)
                return None
        return self._conn

    def _fail(self, exc: BaseException) -> None:
        self._broken = True
        log.warning("%s", ExtractError("E328", item=str(self.path), detail=f"{type(exc).__name__}: {exc}"))

    def get(self, key: str) -> Cached | None:
        with self._lock:
            conn = self._open()
            if conn is None:
                return None
            try:
                row = conn.execute("SELECT content, prompt_tokens, completion_tokens FROM answers WHERE key = ?",
                                   (key,)).fetchone()
            except sqlite3.Error as exc:
                self._fail(exc)
                return None
        return Cached(str(row[0]), int(row[1]), int(row[2])) if row else None

    def put(self, key: str, content: str, prompt_tokens: int, completion_tokens: int, *, model: str,
            prompt_version: str, taxonomy_hash: str, text_hash: str) -> None:
        with self._lock:
            conn = self._open()
            if conn is None:
                return
            try:
                conn.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (key, model, prompt_version, taxonomy_hash, text_hash, content, prompt_tokens,
                              completion_tokens, datetime.now(UTC).isoformat(timespec="seconds")))
            except sqlite3.Error as exc:
                self._fail(exc)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


__all__ = ["AnswerCache", "Cached", "cache_key", "default_path"]
