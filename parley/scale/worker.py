"""What runs on a Dask worker: the extractor loaded once per worker process, and one partition's work.

:class:`ExtractorPlugin` is a Dask ``WorkerPlugin``: registered once by the client, it is set up on
every worker (also on a worker that joins or is restarted later), loads the extractor there (a
learned model is loaded once per process, not per partition) and opens the shared store. A task
(:func:`extract_partition`) then reads its partition's articles from the store by id, extracts them
through the same bounded wrapper as a single-process run (:func:`parley.extract.bounded.bounded`)
and saves the positions with ONE batched, idempotent store write
(:meth:`parley.store.sql.SqlStore.save_many`): a partition retried after its worker was killed
replaces what it may already have saved, never doubles it.
"""
from __future__ import annotations

import hashlib
import importlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker

from ..errors import ExtractError, ParleyError, ScaleError, StoreError
from ..extract.base import Extractor
from ..extract.bounded import BoundedExtractor, SelfBounded, bounded
from ..model import Position

log = logging.getLogger(__name__)

#: an extractor factory: a callable, or "package.module:callable" importable on every worker
Factory = Callable[[], Extractor] | str


@dataclass(frozen=True)
class ExtractorSpec:
    """Which extractor the workers load: ``name``, ``taxonomy`` and ``model`` for
    :func:`parley.extract.get_extractor`, or a ``factory`` (a callable, or ``"module:callable"``) for an
    extractor of one's own."""

    name: str | None = None
    taxonomy: str | None = None
    factory: Factory | None = None
    model: str | None = None

    @classmethod
    def resolved(cls, name: str | None = None, taxonomy: str | None = None, factory: Factory | None = None,
                 model: str | None = None) -> ExtractorSpec:
        """The spec with what the client's settings say filled in (extractor name, taxonomy file, model
        directory), and files that exist here made absolute: a worker started elsewhere, in another
        directory or with other ``PARLEY_*`` variables, loads the extractor this client asked for."""
        if factory is not None:
            return cls(name, taxonomy, factory, model)
        from ..config import settings

        cfg = settings()

        def absolute(path: str | None) -> str | None:
            if not path:
                return None
            here = Path(path).expanduser()
            return str(here.resolve()) if here.exists() else path

        return cls(name or cfg.extractor, absolute(taxonomy if taxonomy is not None else cfg.taxonomy or None),
                   None, absolute(model or cfg.model or None))

    def load(self) -> Extractor:
        """The extractor, built in the calling process."""
        if self.factory is None:
            from ..extract import get_extractor

            return get_extractor(self.name, taxonomy=self.taxonomy, model=self.model)
        make = self.factory
        if isinstance(make, str):
            module, _, attr = make.partition(":")
            if not module or not attr:
                raise ScaleError("E804", detail=f"factory {make!r} is not 'module:callable'")
            try:
                make = getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as exc:
                raise ScaleError("E804", detail=f"factory {make!r}: {type(exc).__name__}: {exc}") from exc
        return make()

    def key(self) -> str:
        """A short digest naming this spec (the plugin's name on the workers)."""
        what = repr((self.name, self.taxonomy, self.model, self.factory if isinstance(self.factory, str)
                     else getattr(self.factory, "__qualname__", repr(self.factory))))
        return hashlib.sha256(what.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class ExtractorInfo:
    """What the client needs to know of the workers' extractor to record the run."""

    name: str
    version: str
    taxonomy: str


@dataclass
class PartitionResult:
    """What one partition did, sent back to the client."""

    index: int
    articles: int = 0                      # articles saved (their positions replaced)
    positions: int = 0                     # positions saved
    failures: list[ExtractError] = field(default_factory=list)   # articles not extracted (stay pending)
    seconds: float = 0.0
    worker: str = ""


#: per worker process: extractors loaded (by spec key) and stores opened (by URL), kept across
#: plugin registrations, so that a second run with the same extractor does not load it again
_EXTRACTORS: dict[str, tuple[Extractor, BoundedExtractor | SelfBounded, ExtractorInfo, float]] = {}
_STORES: dict[str, Any] = {}


def _usage(extractor: Any) -> dict[str, int] | None:
    usage = getattr(extractor, "usage", None)
    as_dict = getattr(usage, "as_dict", None)
    return dict(as_dict()) if callable(as_dict) else None


class ExtractorPlugin(WorkerPlugin):
    """Loads the extractor and opens the store once per worker process (``setup``), closes the
    store when the worker stops (``teardown``)."""

    def __init__(self, spec: ExtractorSpec, store_url: str, *, ignore_sigint: bool = False) -> None:
        self.spec = spec
        self.store_url = store_url
        self.ignore_sigint = ignore_sigint
        digest = hashlib.sha256(store_url.encode()).hexdigest()[:8]
        self.name = f"parley-extract-{spec.key()}-{digest}"
        self.extractor: Extractor | None = None
        self.runner: BoundedExtractor | SelfBounded | None = None
        self.info: ExtractorInfo | None = None
        self.store: Any = None          # SqlStore (imported lazily)
        self.load_seconds = 0.0

    def setup(self, worker: Any = None) -> None:
        from ..store import open_store
        from ..store.runner import extractor_taxonomy

        if self.ignore_sigint and threading.current_thread() is threading.main_thread():
            # a worker of our own LocalCluster: Ctrl-C reaches the whole process group, and the client
            # is the one that handles it (cancels, stops these processes, records the run)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.store = _STORES.get(self.store_url)
        if self.store is None:
            try:
                self.store = open_store(self.store_url, must_exist=True)
            except ParleyError as exc:
                raise ScaleError("E807", detail=f"worker {socket.gethostname()} (pid {os.getpid()}) cannot open "
                                                f"the database: [{exc.code}] {exc.message} Every worker must reach "
                                                f"the same database: a PostgreSQL URL, or a SQLite file on this "
                                                f"machine.") from None
            _STORES[self.store_url] = self.store
        key = self.spec.key()
        if key not in _EXTRACTORS:
            t0 = time.monotonic()
            try:
                extractor = self.spec.load()
            except ParleyError as exc:
                raise ScaleError("E804", detail=f"[{exc.code}] {exc.message}") from None
            except Exception as exc:
                raise ScaleError("E804", detail=f"{type(exc).__name__}: {exc}") from None
            runner = bounded(extractor)
            info = ExtractorInfo(runner.name, runner.version, extractor_taxonomy(extractor))
            _EXTRACTORS[key] = (extractor, runner, info, time.monotonic() - t0)
            log.info("worker %s: extractor %s %s loaded in %.1fs", os.getpid(), info.name, info.version,
                     _EXTRACTORS[key][3])
        self.extractor, self.runner, self.info, self.load_seconds = _EXTRACTORS[key]

    def teardown(self, worker: Any = None) -> None:
        store = _STORES.pop(self.store_url, None)
        if store is not None:
            store.close()
        self.store = None


def _plugin(name: str, dask_worker: Any = None) -> ExtractorPlugin:
    worker = dask_worker if dask_worker is not None else get_worker()
    plugin = worker.plugins.get(name)
    if not isinstance(plugin, ExtractorPlugin) or plugin.info is None:
        raise ScaleError("E804", detail=f"plugin {name} is not set up on worker {worker.address}")
    return plugin


def describe(name: str, dask_worker: Any = None) -> dict[str, Any]:
    """(run on every worker by ``client.run``) the worker's extractor, pid and load time."""
    plugin = _plugin(name, dask_worker)
    assert plugin.info is not None
    return {"name": plugin.info.name, "version": plugin.info.version, "taxonomy": plugin.info.taxonomy,
            "pid": os.getpid(), "host": socket.gethostname(), "load_seconds": plugin.load_seconds}


def extract_partition(name: str, run_id: int | None, ids: list[str], index: int) -> PartitionResult:
    """(a task) Extract the articles ``ids`` and save their positions under run ``run_id`` in one
    batched write. Articles that fail (E306-E308) are reported and stay pending; a store error fails
    the task (Dask retries it, and the retry replaces whatever was saved)."""
    plugin = _plugin(name)
    assert plugin.runner is not None and plugin.info is not None
    t0 = time.monotonic()
    info = plugin.info
    articles = plugin.store.get_articles(ids)
    before = _usage(plugin.extractor)
    good: list[tuple[str, list[Position]]] = []
    res = PartitionResult(index, worker=f"{socket.gethostname()}:{os.getpid()}")
    for out in plugin.runner.outcomes(articles):
        if out.error is not None:
            res.failures.append(out.error)
        else:
            good.append((out.article.id, out.positions))
    after = _usage(plugin.extractor)
    delta: Mapping[str, int] | None = None
    if before is not None and after is not None:
        delta = {k: after[k] - before.get(k, 0) for k in after}
    try:
        res.positions = plugin.store.save_many(good, info.name, info.version, run_id=run_id, taxonomy=info.taxonomy,
                                               usage_delta=delta)
        res.articles = len(good)
    except StoreError as exc:
        if exc.code not in ("E203", "E208"):
            raise
        # one article's rows are refused (gone meanwhile, bad offsets): save the others one by one
        for n, (article_id, found) in enumerate(good):
            try:
                res.positions += plugin.store.save_many([(article_id, found)], info.name, info.version,
                                                        run_id=run_id, taxonomy=info.taxonomy,
                                                        usage_delta=delta if n == 0 else None)
                res.articles += 1
            except StoreError as one:
                if one.code not in ("E203", "E208"):
                    raise
                res.failures.append(ExtractError("E307", item=article_id, detail=f"[{one.code}] {one.message}"))
    res.seconds = time.monotonic() - t0
    return res


__all__ = ["ExtractorInfo", "ExtractorPlugin", "ExtractorSpec", "Factory", "PartitionResult", "describe",
           "extract_partition"]
