"""The run, for every front end: ingest -> extract -> store.

The CLI (``parley ingest``, ``extract``, ``run``), the API (``POST /api/v1/articles``, extraction
jobs) and the Dask runner all go through these three functions, over the
:class:`~parley.store.base.Store` interface:

* :func:`ingest` stores the articles of sources (paths, folders, URLs, ``-``) or of ready items,
  once each (:func:`parley.ingest.pipeline.ingest_into`);
* :func:`extract` extracts every pending article and saves its positions: in this process
  (:func:`parley.store.runner.extract_into`), or on a Dask cluster when ``workers`` or
  ``scheduler`` is given (:func:`parley.scale.extract_on_cluster`; ingestion always runs here);
* :func:`run` does both.

Front ends only print what the reports say.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import Arg, InputError, ParleyError, UsageError
from .extract.base import Extractor
from .ingest.notices import Notice
from .ingest.pipeline import IngestReport, ingest_into
from .model import Article
from .store.base import Store
from .store.runner import RunReport, extract_into

if TYPE_CHECKING:
    from .scale.runner import ClusterRunReport


@dataclass
class PipelineReport:
    """What :func:`run` did: the ingestion's report and the extraction's."""

    ingest: IngestReport
    extract: RunReport | ClusterRunReport

    @property
    def failed(self) -> bool:
        """Some input item or some article failed (the good ones are stored and extracted)."""
        return bool(self.ingest.errors or self.extract.failures)


def ingest(store: Store, sources: Iterable[str] = (), *, items: Iterable[Article | InputError] | None = None,
           progress: bool = False, on_error: Callable[[InputError], None] | None = None,
           on_notice: Callable[[Notice], None] | None = None, keep_ids: bool = True) -> IngestReport:
    """Store the articles of ``sources`` (or of ``items`` already read), once each; near-duplicates
    are marked, bad items reported to ``on_error`` and counted, never stored."""
    return ingest_into(store, list(sources), items=items, progress=progress, on_error=on_error,
                       on_notice=on_notice, keep_ids=keep_ids)


def extract(store: Store, extractor: Extractor | str | None = None, *, taxonomy: str | None = None,
            model: str | None = None, workers: int | None = None, scheduler: str | None = None,
            partition_size: int | None = None, force: bool = False, limit: int | None = None,
            progress: bool = False, on_error: Callable[[ParleyError], None] | None = None,
            on_progress: Callable[[RunReport, int], None] | None = None) -> RunReport | ClusterRunReport:
    """Extract every pending article of ``store`` (every article with ``force``) and save its
    positions, recording a run.

    ``extractor`` is an :class:`~parley.extract.base.Extractor` or the name of one (the
    ``extractor`` setting when None; ``taxonomy`` and ``model`` go to
    :func:`parley.extract.get_extractor`). With ``workers`` (N local processes) or ``scheduler``
    (an existing cluster) the run is spread over a Dask cluster, which loads the extractor by name
    (UsageError E906 for an extractor object; E907 for both options; E908 for ``partition_size``
    without either).
    ``on_progress(report, total)`` follows a local run article by article (the API's jobs).
    """
    distributed = workers is not None or scheduler is not None
    if workers is not None and scheduler is not None:
        raise UsageError("E907", arg=Arg("workers"), other=Arg("scheduler"))
    if partition_size is not None and not distributed:
        raise UsageError("E908", arg=Arg("partition_size"), other=Arg("workers"))
    if distributed:
        if extractor is not None and not isinstance(extractor, str):
            raise UsageError("E906", arg=Arg("extractor"), value=type(extractor).__name__)
        from .scale import PARTITION_SIZE, extract_on_cluster

        report = extract_on_cluster(store, extractor=extractor, taxonomy=taxonomy, model=model, workers=workers,
                                    scheduler=scheduler, partition_size=partition_size or PARTITION_SIZE,
                                    force=force, limit=limit, progress=progress, on_error=on_error)
        if report.failed_partitions and not report.failures:
            report.failures.extend(report.failed_partitions)   # a failed partition is a failure of the run
        return report
    if extractor is None or isinstance(extractor, str):
        from .extract import get_extractor

        extractor = get_extractor(extractor, taxonomy=taxonomy, model=model)
    return extract_into(store, extractor, progress=progress, limit=limit, on_error=on_error, force=force,
                        on_progress=on_progress)


def run(store: Store, sources: Iterable[str] = (), *, items: Iterable[Article | InputError] | None = None,
        extractor: Extractor | str | None = None, taxonomy: str | None = None, model: str | None = None,
        workers: int | None = None, scheduler: str | None = None, partition_size: int | None = None,
        progress: bool = False, on_error: Callable[[ParleyError], None] | None = None,
        on_notice: Callable[[Notice], None] | None = None, keep_ids: bool = True,
        on_ingested: Callable[[IngestReport], Any] | None = None) -> PipelineReport:
    """:func:`ingest` then :func:`extract` (of everything pending, not only what was just read):
    running it twice on the same input stores nothing new. ``on_ingested`` hears of the
    ingestion's report before extraction starts (the CLI prints its summary there)."""
    report = ingest(store, sources, items=items, progress=progress, on_error=on_error, on_notice=on_notice,
                    keep_ids=keep_ids)
    if on_ingested is not None:
        on_ingested(report)
    done = extract(store, extractor, taxonomy=taxonomy, model=model, workers=workers, scheduler=scheduler,
                   partition_size=partition_size, progress=progress, on_error=on_error)
    return PipelineReport(report, done)


__all__ = ["PipelineReport", "ingest", "extract", "run"]
