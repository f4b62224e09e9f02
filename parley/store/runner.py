"""Run an extractor over a store's pending articles, as one recorded run.

Each article's positions are saved in their own transaction as soon as they
are extracted, together with the run's counts, so stopping a run (Ctrl-C,
crash, ``kill -9``) keeps every article already done, the run's row says how
many, and the next run picks up exactly the rest. The extractor is wrapped in
:class:`~parley.extract.bounded.BoundedExtractor`: long articles go in chunks,
each article has a time budget, and an article that fails (E306-E308) is
reported and stays pending while the others go on.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Protocol

from ..errors import ExtractError, ParleyError
from ..extract.base import Extractor
from ..extract.bounded import bounded
from ..model import Article
from .base import DEFAULT_TAXONOMY, Store, taxonomy_name
from .sql import RunStatus, SqlStore

log = logging.getLogger(__name__)

#: a run brings the kept ledger up to date after this many articles, and at its end
LEDGER_EVERY = 500


@dataclass
class RunReport:
    """What one :func:`extract_into` run did."""

    run_id: int | None          # None when nothing was pending (no run recorded)
    extractor: str
    version: str
    articles: int = 0
    positions: int = 0
    failures: list[ParleyError] = field(default_factory=list)   # articles (partitions, on a cluster) not extracted
    status: RunStatus = "finished"
    usage: dict[str, int] | None = None     # what the run cost (extractors with ``usage``: llm)
    taxonomy: str = DEFAULT_TAXONOMY

    def summary(self) -> str:
        """One line for people."""
        tax = "" if self.taxonomy == DEFAULT_TAXONOMY else f", taxonomy {self.taxonomy}"
        if self.run_id is None:
            return f"nothing pending for {self.extractor} {self.version}{tax}"
        line = (f"run {self.run_id}: {self.extractor} {self.version}{tax} extracted {self.positions} positions "
                f"from {self.articles} articles")
        if self.failures:
            shown = ", ".join(str(e.fields.get("item")) for e in self.failures[:3])
            more = f" and {len(self.failures) - 3} more" if len(self.failures) > 3 else ""
            line += f"; {len(self.failures)} articles failed and stay pending ({shown}{more})"
        if self.usage:
            line += "; " + usage_line(self.usage)
        return line


def usage_line(u: dict[str, int]) -> str:
    """What a run of the llm extractor cost and dropped, in one phrase."""
    line = (f"{u.get('requests', 0)} requests, {u.get('cache_hits', 0)} answers from the cache, "
            f"{u.get('prompt_tokens', 0)} prompt + {u.get('completion_tokens', 0)} completion tokens")
    dropped = [(u.get(k, 0), label) for k, label in (("dropped_unquoted", "quote not in the article"),
                                                     ("dropped_off_taxonomy", "issue outside the taxonomy"),
                                                     ("dropped_malformed", "malformed"))]
    if any(n for n, _ in dropped):
        line += "; positions dropped: " + ", ".join(f"{n} {label}" for n, label in dropped if n)
    return line


class _Counters(Protocol):
    def as_dict(self) -> dict[str, int]: ...


class _UsageMeter:
    """The run's share of an extractor's cumulative ``usage`` counters (None without them)."""

    def __init__(self, extractor: object) -> None:
        usage = getattr(extractor, "usage", None)
        self._usage: _Counters | None = usage if callable(getattr(usage, "as_dict", None)) else None
        self._base = self._now() if self._usage is not None else None

    def _now(self) -> dict[str, int]:
        return dict(self._usage.as_dict()) if self._usage is not None else {}

    def so_far(self) -> dict[str, int] | None:
        if self._base is None:
            return None
        now = self._now()
        return {k: now[k] - self._base.get(k, 0) for k in now}


def extractor_taxonomy(extractor: Extractor) -> str:
    """The name of the taxonomy ``extractor`` labels issues by (``default`` for the built-in one).

    Read from the ``source`` (a file, or "built-in") of the extractor's ``taxonomy`` (rules) or
    ``labels`` (llm); the built-in taxonomy file given by its path is the built-in one too."""
    from pathlib import Path

    from ..lexicon import TAXONOMY

    for attr in ("taxonomy", "labels"):
        source = getattr(getattr(extractor, attr, None), "source", None)
        if isinstance(source, str) and source:
            break
    else:
        return DEFAULT_TAXONOMY
    if source == "built-in":
        return DEFAULT_TAXONOMY
    try:
        if Path(source).resolve() == TAXONOMY:
            return DEFAULT_TAXONOMY
    except (OSError, ValueError):
        pass
    return taxonomy_name(source)


def extract_into(store: Store, extractor: Extractor, *, progress: bool = False,
                 limit: int | None = None, on_error: Callable[[ExtractError], None] | None = None,
                 force: bool = False, on_progress: Callable[[RunReport, int], None] | None = None) -> RunReport:
    """Extract every pending article (``store.pending_articles``) and save its positions;
    ``force``: every article, extracted already or not (its positions replaced, never doubled).

    Records a row in ``runs`` unless nothing is pending: ``running`` while it
    goes, then ``finished``, ``interrupted`` (Ctrl-C, SIGTERM) or ``failed``
    (an error stopped it), with the counts reached; a run killed outright is
    marked ``interrupted`` by the next one. Articles that fail are reported to
    ``on_error`` and in ``report.failures``. ``progress`` shows a tqdm bar on
    stderr; ``limit`` caps the number of articles. An extractor with ``usage`` counters (llm)
    has its requests, tokens and dropped positions recorded with the run. ``on_progress(report,
    total)`` is called when the run starts and after each article (the API's job status).
    """
    runner = bounded(extractor)
    name, version, taxonomy = runner.name, runner.version, extractor_taxonomy(extractor)
    total = store.count_pending(name, version, taxonomy, force=force)
    if limit is not None:
        total = min(total, limit)
    if total == 0:
        store.recover_runs()
        return RunReport(None, name, version, taxonomy=taxonomy)
    report = RunReport(store.start_run(name, version, taxonomy), name, version, taxonomy=taxonomy)
    meter = _UsageMeter(extractor)
    if on_progress is not None:
        on_progress(report, total)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, desc="extract", unit="article", file=sys.stderr, dynamic_ncols=True)
    pending: Iterator[Article] = store.pending_articles(name, version, taxonomy,
                                                        redo_run=report.run_id if force else None)
    if limit is not None:
        pending = islice(pending, limit)
    status: RunStatus = "failed"
    try:
        for out in runner.outcomes(pending):
            if out.error is not None:
                report.failures.append(out.error)
                if on_error is not None:
                    if bar is not None:
                        with bar.external_write_mode(file=sys.stderr):
                            on_error(out.error)
                    else:
                        on_error(out.error)
            else:
                report.positions += store.save_positions(out.article.id, name, version, out.positions,
                                                         run_id=report.run_id, taxonomy=taxonomy,
                                                         run_usage=meter.so_far())
                report.articles += 1
                if report.articles % LEDGER_EVERY == 0:      # a long run keeps the ledger current as it goes
                    _keep_ledger(store, taxonomy)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(positions=report.positions, failed=len(report.failures), refresh=False)
            if on_progress is not None:
                on_progress(report, total)
        status = "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        report.status = status
        report.usage = meter.so_far()
        if bar is not None:
            bar.close()
        try:
            assert report.run_id is not None          # started above
            store.finish_run(report.run_id, report.articles, report.positions, status=status,
                             failed=len(report.failures), usage=report.usage)
        except Exception:  # never mask the error that stopped the run
            log.exception("could not record the end of run %s", report.run_id)
        if report.articles and str(report.status) != "interrupted":   # str(): mypy misreads the finally
            _keep_ledger(store, taxonomy)
    log.info("%s", report.summary())
    return report


def _keep_ledger(store: Store, taxonomy: str) -> None:
    """Bring the kept ledger (actors, timelines, shifts) up to date with the positions just stored.
    A failure is logged, never raised: readers catch up on their own (``parley.analyze.kept.ensure``).
    The kept ledger is a table set of :class:`SqlStore`; another Store keeps none."""
    from ..analyze import kept

    if not isinstance(store, SqlStore):
        return

    try:
        for rep in kept.refresh(store, taxonomy):
            log.info("%s", rep.summary())
    except Exception:
        log.exception("could not update the kept ledger of taxonomy %s; it is updated when next read", taxonomy)


__all__ = ["RunReport", "extract_into", "extractor_taxonomy", "usage_line"]
