"""The distributed extraction run: the one orchestration entry point of :mod:`parley.scale`.

:func:`extract_on_cluster` does what :func:`parley.store.runner.extract_into` does in one process,
over a Dask cluster:

1. the workers load the extractor once each (:class:`~parley.scale.worker.ExtractorPlugin`), and
   say which extractor, version and taxonomy they run (they must all agree: E806);
2. the run is recorded (``runs``: ``running``, this process's pid and host), as in one process;
3. the pending article ids are streamed from the store by id in pages and cut into partitions of
   ``partition_size`` consecutive ids; at most a few partitions per worker thread are in flight,
   so memory stays flat whatever the store holds;
4. each partition is extracted on a worker and saved there in one batched, idempotent write
   (:func:`~parley.scale.worker.extract_partition`); a worker killed mid-partition (``kill -9``) has
   its partition rescheduled on another worker by Dask, and the retry replaces what the killed one
   may have saved: nothing is lost or doubled;
5. the run's counts are recomputed from the stored rows at the end (several processes saved them).

Ctrl-C (or SIGTERM through the CLI) cancels the partitions in flight, stops the local cluster (an
unfinished partition's transaction rolls back) and records the run ``interrupted`` with the counts its
stored rows prove; the next run extracts exactly the rest. A partition that fails for good (a store
error after its retries, or ``KilledWorker`` when it killed three workers) is reported (E805) and
its articles stay pending; the others go on.
"""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from ..errors import Arg, ParleyError, ScaleError, UsageError
from ..store.base import RunStatus, Store
from ..store.runner import RunReport
from .cluster import Cluster, start_cluster
from .worker import ExtractorPlugin, ExtractorSpec, Factory, PartitionResult, describe, extract_partition

log = logging.getLogger(__name__)

#: articles per partition (one task, one batched write)
PARTITION_SIZE = 50
#: partitions in flight per worker thread (enough to keep every worker busy between results)
IN_FLIGHT_PER_THREAD = 2
#: times a partition whose task raised is retried by Dask (a killed worker's task is rescheduled anyway)
TASK_RETRIES = 2


@dataclass
class ClusterRunReport(RunReport):
    """A :class:`~parley.store.runner.RunReport` with what the cluster did."""

    workers: int = 0
    partitions: int = 0                   # partitions done (saved)
    partitions_total: int = 0
    failed_partitions: list[ScaleError] = field(default_factory=list)
    address: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        line = super().summary()
        if self.run_id is None:
            return line
        line += (f"; {self.partitions} of {self.partitions_total} partitions on {self.workers} workers "
                 f"in {self.seconds:.1f}s")
        if self.failed_partitions:
            line += f"; {len(self.failed_partitions)} partitions failed and their articles stay pending"
        return line


def shareable_url(store: Store) -> str:
    """The URL workers open the same database with (password included); E803 for in-memory SQLite."""
    url = store.shared_url()
    if url is None:
        raise ScaleError("E803", url=store.url, detail="an in-memory database lives in one process only")
    return url


def _partitions(ids: Iterator[str], size: int) -> Iterator[list[str]]:
    while True:
        part = list(islice(ids, size))
        if not part:
            return
        yield part


def extract_on_cluster(store: Store, *, extractor: str | None = None, taxonomy: str | None = None,
                       model: str | None = None, factory: Factory | None = None, workers: int | None = None, scheduler: str | None = None,
                       cluster: Cluster | None = None, partition_size: int = PARTITION_SIZE, force: bool = False,
                       limit: int | None = None, progress: bool = False,
                       on_error: Callable[[ParleyError], None] | None = None,
                       on_partition: Callable[[PartitionResult], None] | None = None) -> ClusterRunReport:
    """Extract every pending article of ``store`` on a Dask cluster; ``force``: every article (each
    one's positions replaced, never doubled). The positions are those a single process would store.

    The cluster is ``cluster`` (kept open), else one started for the run: ``workers`` local worker
    processes or the existing cluster at ``scheduler`` (:func:`~parley.scale.cluster.start_cluster`).
    The workers load ``extractor`` (a name for :func:`parley.extract.get_extractor`, with
    ``taxonomy`` and ``model``; what is not given comes from this process's settings, not the
    workers') or ``factory`` (a callable or ``"module:callable"`` importable on the workers).
    Every worker opens the store's database itself: a SQLite file (workers on this machine) or a
    PostgreSQL server they all reach (E803 otherwise; E807 from a worker that cannot).
    ``on_error`` hears of each failed article (E306-E308) and partition (E805); ``on_partition``
    of each partition saved; ``progress`` shows a bar over partitions on stderr.
    """
    if partition_size < 1:
        raise UsageError("E905", arg=Arg("partition_size"), value=partition_size)
    url = shareable_url(store)
    spec = ExtractorSpec.resolved(extractor, taxonomy, factory, model)
    t0 = time.monotonic()
    own = cluster is None
    cl = cluster if cluster is not None else start_cluster(workers, scheduler)
    try:
        return _run(store, cl, url, spec, partition_size, force, limit, progress, on_error, on_partition, t0,
                    own)
    finally:
        if own:
            cl.close()


def _load_plugin(cl: Cluster, spec: ExtractorSpec, url: str) -> tuple[ExtractorPlugin, dict[str, Any]]:
    plugin = ExtractorPlugin(spec, url, ignore_sigint=cl.local is not None)
    try:
        cl.client.register_plugin(plugin, name=plugin.name)
    except ParleyError:
        raise
    except Exception as exc:     # a worker's setup raised something else
        raise ScaleError("E804", detail=f"{type(exc).__name__}: {exc}") from exc
    found = cl.client.run(describe, plugin.name)
    kinds = {(d["name"], d["version"], d["taxonomy"]) for d in found.values()}
    if len(kinds) != 1:
        shown = "; ".join(f"{addr}: {d['name']} {d['version']} ({d['taxonomy']})" for addr, d in found.items())
        raise ScaleError("E806", detail=shown)
    return plugin, next(iter(found.values()))


def _run(store: Store, cl: Cluster, url: str, spec: ExtractorSpec, size: int, force: bool, limit: int | None,
         progress: bool, on_error: Callable[[ParleyError], None] | None,
         on_partition: Callable[[PartitionResult], None] | None, t0: float, own: bool) -> ClusterRunReport:
    from distributed import as_completed

    plugin, info = _load_plugin(cl, spec, url)
    name, version, taxonomy = info["name"], info["version"], info["taxonomy"]
    total = store.count_pending(name, version, taxonomy, force=force)
    if limit is not None:
        total = min(total, limit)
    report = ClusterRunReport(None, name, version, taxonomy=taxonomy, workers=cl.workers, address=cl.address)
    if total == 0:
        store.recover_runs()
        return report
    run_id = store.start_run(name, version, taxonomy)
    report.run_id = run_id
    report.partitions_total = -(-total // size)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=report.partitions_total, desc=f"extract ({report.workers} workers)", unit="partition",
                   file=sys.stderr, dynamic_ncols=True)

    def say(err: ParleyError) -> None:
        if on_error is None:
            return
        if bar is not None:
            with bar.external_write_mode(file=sys.stderr):
                on_error(err)
        else:
            on_error(err)

    ids: Iterator[str] = store.pending_ids(name, version, taxonomy, redo_run=run_id if force else None)
    if limit is not None:
        ids = islice(ids, limit)
    parts = enumerate(_partitions(ids, size))
    in_flight: dict[Any, tuple[int, list[str]]] = {}
    queue = as_completed(loop=cl.client.loop)
    failed_articles = 0

    def submit_next() -> bool:
        nxt = next(parts, None)
        if nxt is None:
            return False
        index, part = nxt
        fut = cl.client.submit(extract_partition, plugin.name, run_id, part, index,
                               key=f"parley-partition-{run_id}-{index}", pure=False, retries=TASK_RETRIES)
        in_flight[fut] = (index, part)
        queue.add(fut)
        return True

    status: RunStatus = "failed"
    try:
        for _ in range(max(1, cl.threads) * IN_FLIGHT_PER_THREAD):
            if not submit_next():
                break
        for fut in queue:
            index, part = in_flight.pop(fut)
            try:
                res: PartitionResult = fut.result()
            except KeyboardInterrupt:
                raise
            except Exception as exc:
                err = ScaleError("E805", item=index, first=part[0], last=part[-1], n=len(part),
                                 detail=_what(exc))
                report.failed_partitions.append(err)
                failed_articles += len(part)
                say(err)
            else:
                report.partitions += 1
                report.articles += res.articles
                report.positions += res.positions
                for failure in res.failures:
                    report.failures.append(failure)
                    say(failure)
                if on_partition is not None:
                    on_partition(res)
            fut.release()
            if bar is not None:
                bar.update(1)
                bar.set_postfix(articles=report.articles, positions=report.positions,
                                failed=len(report.failures) + failed_articles, refresh=False)
            submit_next()
        status = "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        report.status = status
        if bar is not None:
            bar.close()
        _stop(cl, list(in_flight), own)
        try:   # several processes saved the run's rows: its counts are what the rows prove
            report.articles, report.positions = store.run_counts(run_id)
            store.finish_run(run_id, report.articles, report.positions, status=status,
                             failed=len(report.failures) + failed_articles)
        except Exception:  # never mask the error that stopped the run
            log.exception("could not record the end of run %s", report.run_id)
        report.seconds = time.monotonic() - t0
    log.info("%s", report.summary())
    return report


def _stop(cl: Cluster, pending: list[Any], own: bool) -> None:
    """Cancel what is still in flight; a cluster we started is stopped here, before the run's counts
    are read, so that no partition of this run can still commit afterwards."""
    if pending:
        try:
            cl.client.cancel(pending, force=True)
        except Exception:  # the scheduler may be gone already
            log.debug("could not cancel %d partitions", len(pending), exc_info=True)
    if own:
        try:
            cl.close()
        except Exception:
            log.debug("could not close the local cluster", exc_info=True)


def _what(exc: BaseException) -> str:
    if isinstance(exc, ParleyError):
        return f"[{exc.code}] {exc.message}"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


__all__ = ["ClusterRunReport", "IN_FLIGHT_PER_THREAD", "PARTITION_SIZE", "TASK_RETRIES", "extract_on_cluster",
           "shareable_url"]
