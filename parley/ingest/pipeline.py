"""Ingest sources into a :class:`~parley.store.base.Store`, with exact and near-duplicate detection.

Exact duplicates (same normalised text, hence same id) are stored once: the
store answers "duplicate" and writes nothing. A near-duplicate (estimated
Jaccard of word 5-gram MinHashes >= ``settings.near_duplicate_threshold``
with an earlier canonical article) is stored with ``duplicate_of`` set to the
earliest such article, so it stays searchable but is not extracted twice.
Ingesting the same sources twice changes nothing.
"""
from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, TextIO

from ..config import Settings, settings as current_settings
from ..errors import InputError
from ..store.base import Store
from .dedup import NearDuplicateIndex, minhash_signature
from .sources import iter_articles

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What one :func:`ingest_into` run did."""

    inserted: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    errors: list[InputError] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)   # inserted or matched, in input order

    @property
    def seen(self) -> int:
        """Articles read (not counting errors)."""
        return self.inserted + self.duplicates + self.near_duplicates

    def summary(self) -> str:
        """One line for people: counts of each outcome."""
        return (f"{self.inserted} inserted, {self.duplicates} duplicates, "
                f"{self.near_duplicates} near-duplicates, {len(self.errors)} errors")


def load_index(store: Store, settings: Settings) -> NearDuplicateIndex:
    """A near-duplicate index over the store's canonical articles' signatures."""
    index = NearDuplicateIndex(settings.near_duplicate_threshold, settings.minhash_perm)
    for article_id, signature in store.signatures():
        if signature:
            index.add(article_id, signature)
    log.debug("near-duplicate index holds %d articles", len(index))
    return index


def ingest_into(store: Store, sources: Iterable[str], *, settings: Settings | None = None,
                progress: bool = False, on_error: Callable[[InputError], None] | None = None,
                stdin: TextIO | None = None) -> IngestReport:
    """Read ``sources`` (paths, folders, URLs, "-") and add their articles to ``store``.

    Bad items never stop the batch: each becomes an entry of ``report.errors``
    and is passed to ``on_error`` when given. ``progress`` shows a tqdm bar on
    stderr.
    """
    cfg = settings or current_settings()
    report = IngestReport()
    index = load_index(store, cfg)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc="ingest", unit="item", file=sys.stderr, dynamic_ncols=True)
    try:
        for item in iter_articles(sources, settings=cfg, stdin=stdin):
            if bar is not None:
                bar.update(1)
            if isinstance(item, InputError):
                log.info("%s", item)
                report.errors.append(item)
                if on_error is not None:
                    if bar is not None:
                        with bar.external_write_mode(file=sys.stderr):   # keep the bar off the message
                            on_error(item)
                    else:
                        on_error(item)
                continue
            signature = minhash_signature(item.text, cfg.minhash_perm)
            article = item
            if item.id not in index:
                first = index.query(signature)
                if first is not None and first != item.id:
                    article = replace(item, duplicate_of=first)
            result = store.add_article(article, signature=signature)
            report.article_ids.append(result.article_id)
            if result.status == "duplicate":
                report.duplicates += 1
            elif result.status == "near_duplicate":
                report.near_duplicates += 1
            else:
                report.inserted += 1
                if article.duplicate_of is None:
                    index.add(result.article_id, signature)
            if bar is not None:
                bar.set_postfix(new=report.inserted, dup=report.duplicates + report.near_duplicates,
                                err=len(report.errors), refresh=False)
    finally:
        if bar is not None:
            bar.close()
    log.info("ingest: %s", report.summary())
    return report


__all__ = ["IngestReport", "ingest_into", "load_index"]
