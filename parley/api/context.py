"""What every request of one server shares: the store, who may write, the jobs, and caches keyed
on the kept ledger's version (so nothing cached outlives a change of the ledger)."""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from .jobs import Jobs
from .security import Security

if TYPE_CHECKING:
    from ..analyze.actors import ActorMatch, ActorRecord, Resolution
    from ..analyze.ledger import Ledger
    from ..store.sql import SqlStore

log = logging.getLogger(__name__)

__all__ = ["Context", "View"]

T = TypeVar("T")
ENSURE_EVERY = 1.0      # seconds between two checks for positions stored behind the server's back
TAXONOMIES_TTL = 2.0
MEMO_SIZE = 2048


@dataclass
class View:
    """One taxonomy's kept ledger at one version: the resolution and actor ids."""

    taxonomy: str
    version: int
    resolution: Resolution
    ids: dict[str, int]
    names: dict[int, str]

    def record_by_id(self, actor_id: int) -> ActorRecord | None:
        name = self.names.get(actor_id)
        return None if name is None else self.resolution.record(name)

    def lookup_ledger(self) -> Ledger:
        from ..analyze.ledger import Ledger

        return Ledger([], {}, self.resolution, [], {}, self.taxonomy)

    def member_ids(self, names: list[str]) -> list[int]:
        return [self.ids[n] for n in names if n in self.ids]

    def members_of_id(self, actor_id: int) -> list[str]:
        name = self.names.get(actor_id)
        return [] if name is None else self.resolution.members(name)

    def lookup(self, query: str, match: str = "exact") -> ActorMatch:
        return self.lookup_ledger().lookup(query, match)  # type: ignore[arg-type]


class Context:
    def __init__(self, store: SqlStore, security: Security) -> None:
        self.store = store
        self.security = security
        self.jobs = Jobs(store)
        self._taxes: tuple[float, dict[str, int]] = (0.0, {})
        self._ensured: dict[str, float] = {}
        self._ensure_lock = threading.Lock()
        self._memo: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._memo_lock = threading.Lock()
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        self._fresh: dict[str, tuple[tuple[Any, ...], float, Any]] = {}
        self._refreshing: set[str] = set()

    # ----------------------------------------------------------------- taxonomies
    def taxonomies(self) -> dict[str, int]:
        at, taxes = self._taxes
        if time.monotonic() - at > TAXONOMIES_TTL:
            taxes = self.store.taxonomies()
            self._taxes = (time.monotonic(), taxes)
        return taxes

    def taxonomy(self, requested: str | None = None) -> str | None:
        """As :meth:`SqlStore.choose_taxonomy`, from a cached list of the stored taxonomies."""
        from ..store.base import pick_taxonomy

        stored = self.taxonomies()
        name = pick_taxonomy(stored, requested)
        return name if stored else None         # an empty ledger answers for no taxonomy

    # ----------------------------------------------------------------- the kept ledger
    def view(self, taxonomy: str) -> View:
        """The kept ledger of ``taxonomy``; positions stored by another process are taken in at most
        every :data:`ENSURE_EVERY` seconds (one request does it; the others read the last version)."""
        from ..analyze import kept

        now = time.monotonic()
        if now - self._ensured.get(taxonomy, -1e9) > ENSURE_EVERY and self._ensure_lock.acquire(blocking=False):
            try:
                kept.ensure(self.store, taxonomy)
                self._ensured[taxonomy] = time.monotonic()
            finally:
                self._ensure_lock.release()
        res, ids = kept.resolution(self.store, taxonomy, catch_up=False)
        version = self.store.ledger.version(taxonomy)
        return View(taxonomy, version, res, ids, {v: k for k, v in ids.items()})

    def changed(self) -> None:
        """Forget cached taxonomies and force the next view to catch up (after a write)."""
        self._taxes = (0.0, {})
        self._ensured.clear()
        with self._memo_lock:
            self._fresh.clear()

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()`` cached under ``key`` (which holds the ledger version), least recently used out.
        Requests asking for the same key at once wait for one computation (no stampede)."""
        with self._memo_lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]  # type: ignore[no-any-return]
            lock = self._computing.setdefault(key, threading.Lock())
        with lock:
            with self._memo_lock:
                if key in self._memo:
                    return self._memo[key]  # type: ignore[no-any-return]
            try:
                value = compute()
            finally:
                with self._memo_lock:
                    self._computing.pop(key, None)
            with self._memo_lock:
                self._memo[key] = value
                while len(self._memo) > MEMO_SIZE:
                    self._memo.popitem(last=False)
        return value

    def recent(self, name: str, key: tuple[Any, ...], max_age: float, compute: Callable[[], T]) -> T:
        """``compute()`` for ``key``, at most ``max_age`` seconds old: a value of the same key that is
        older is answered as it is while one background thread computes the next (no request waits
        for the refresh); a new key (the ledger changed) is computed before answering."""
        with self._memo_lock:
            hit = self._fresh.get(name)
            if hit is not None and hit[0] == key:
                if time.monotonic() - hit[1] > max_age and name not in self._refreshing:
                    self._refreshing.add(name)
                    threading.Thread(target=self._refresh, args=(name, key, compute), daemon=True,
                                     name=f"parley-refresh-{name}").start()
                return hit[2]  # type: ignore[no-any-return]
            lock = self._computing.setdefault(("recent", name, key), threading.Lock())
        with lock:                  # one computation for the requests that ask at once
            with self._memo_lock:
                hit = self._fresh.get(name)
                if hit is not None and hit[0] == key:
                    return hit[2]  # type: ignore[no-any-return]
            try:
                value = compute()
            finally:
                with self._memo_lock:
                    self._computing.pop(("recent", name, key), None)
            with self._memo_lock:
                self._fresh[name] = (key, time.monotonic(), value)
        return value

    def _refresh(self, name: str, key: tuple[Any, ...], compute: Callable[[], Any]) -> None:
        try:
            value = compute()
            with self._memo_lock:
                old = self._fresh.get(name)
                if old is not None and old[0] == key:       # not after a write cleared it
                    self._fresh[name] = (key, time.monotonic(), value)
        except Exception:       # the next request computes it itself; the log says why
            log.exception("refreshing %s failed", name)
            with self._memo_lock:
                self._fresh.pop(name, None)
        finally:
            with self._memo_lock:
                self._refreshing.discard(name)
