"""Run an extractor over a store's pending articles, as one recorded run.

Each article's positions are saved in their own transaction as soon as they
are extracted, so stopping a run (Ctrl-C, crash) keeps every article already
done and the next run picks up exactly the rest.
"""
from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from itertools import islice
from typing import Iterator

from ..extract.base import Extractor
from ..model import Article
from .sql import SqlStore

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    """What one :func:`extract_into` run did."""

    run_id: int | None          # None when nothing was pending (no run recorded)
    extractor: str
    version: str
    articles: int = 0
    positions: int = 0

    def summary(self) -> str:
        """One line for people."""
        if self.run_id is None:
            return f"nothing pending for {self.extractor} {self.version}"
        return (f"run {self.run_id}: {self.extractor} {self.version} extracted {self.positions} positions "
                f"from {self.articles} articles")


def extract_into(store: SqlStore, extractor: Extractor, *, progress: bool = False,
                 limit: int | None = None) -> RunReport:
    """Extract every pending article (``store.pending_articles``) and save its positions.

    Records a row in ``runs`` (finished even when interrupted, with the counts
    reached) unless nothing is pending. ``progress`` shows a tqdm bar on stderr; ``limit`` caps the
    number of articles.
    """
    name, version = extractor.name, extractor.version
    total = store.count_pending(name, version)
    if limit is not None:
        total = min(total, limit)
    if total == 0:
        return RunReport(None, name, version)
    report = RunReport(store.start_run(name, version), name, version)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, desc="extract", unit="article", file=sys.stderr, dynamic_ncols=True)
    pending: Iterator[Article] = store.pending_articles(name, version)
    if limit is not None:
        pending = islice(pending, limit)
    try:
        for article, found in extractor.extract_many(pending):
            report.positions += store.save_positions(article.id, name, version, found, run_id=report.run_id)
            report.articles += 1
            if bar is not None:
                bar.update(1)
                bar.set_postfix(positions=report.positions, refresh=False)
    finally:
        if bar is not None:
            bar.close()
        try:
            store.finish_run(report.run_id, report.articles, report.positions)
        except Exception:  # never mask the error that stopped the run
            log.exception("could not record the end of run %s", report.run_id)
    log.info("%s", report.summary())
    return report


__all__ = ["RunReport", "extract_into"]
