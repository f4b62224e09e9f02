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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TextIO

from ..config import Settings
from ..config import settings as current_settings
from ..errors import InputError
from ..model import Article
from ..store.base import Store
from .dedup import NearDuplicateIndex, StoredNearDuplicateIndex, minhash_signature
from .notices import Notice
from .sources import iter_articles

log = logging.getLogger(__name__)


SHOWN = 5     # names listed per kind in a summary line before "and N more"
#: errors, notices and not-extracted items kept (with their names) in a report; beyond, only counted,
#: so that a report of millions of records stays small
KEPT = 1000


def _names(items: list[str], total: int | None = None) -> str:
    total = len(items) if total is None else total
    head = ", ".join(items[:SHOWN])
    return head + (f" and {total - min(SHOWN, len(items))} more" if total > SHOWN else "")


@dataclass
class IngestReport:
    """What one :func:`ingest_into` run did.

    The policy for what is left out is the same everywhere: an item that could
    not be read is an *error*; a file or field that was read but not taken, and
    a fallback, is a *notice*; an article stored but not to be extracted
    (non-English, near-duplicate) is listed in ``not_extracted``. Each is
    counted and named in :meth:`summary`.
    """

    inserted: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    errors: list[InputError] = field(default_factory=list)   # the first KEPT errors (error_count: all)
    article_ids: list[str] = field(default_factory=list)   # inserted or matched, in input order (keep_ids)
    notices: list[Notice] = field(default_factory=list)     # the first KEPT notices
    not_extracted: list[tuple[str, str]] = field(default_factory=list)   # (item, reason): the first KEPT
    error_count: int = 0
    notice_counts: dict[str, int] = field(default_factory=dict)          # kind -> notices of that kind
    not_extracted_counts: dict[str, int] = field(default_factory=dict)   # reason -> new articles

    @property
    def seen(self) -> int:
        """Articles read (not counting errors)."""
        return self.inserted + self.duplicates + self.near_duplicates

    @property
    def failed(self) -> int:
        """Items that could not be read (all of them; ``errors`` keeps the first :data:`KEPT`)."""
        return max(self.error_count, len(self.errors))

    def add_error(self, err: InputError) -> None:
        self.error_count = self.failed + 1
        if len(self.errors) < KEPT:
            self.errors.append(err)

    def add_notice(self, n: Notice) -> None:
        self.notice_counts[n.kind] = self.notice_counts.get(n.kind, 0) + 1
        if len(self.notices) < KEPT:
            self.notices.append(n)

    def add_not_extracted(self, item: str, reason: str) -> None:
        self.not_extracted_counts[reason] = self.not_extracted_counts.get(reason, 0) + 1
        if len(self.not_extracted) < KEPT:
            self.not_extracted.append((item, reason))

    def of_kind(self, kind: str) -> list[Notice]:
        """The notices of one kind ("skipped", "dropped", "fallback") that were kept."""
        return [n for n in self.notices if n.kind == kind]

    def _count(self, kind: str) -> int:
        return max(self.notice_counts.get(kind, 0), len(self.of_kind(kind)))

    def details(self) -> list[str]:
        """One clause per kind of thing left out or changed, naming the items (empty when none)."""
        out = []
        skipped = self.of_kind("skipped")
        if skipped:
            out.append(f"{self._count('skipped')} files skipped (not articles: "
                       f"{_names([n.item for n in skipped], self._count('skipped'))})")
        dropped = self.of_kind("dropped")
        if dropped:
            out.append(f"{self._count('dropped')} fields dropped "
                       f"({_names([f'{n.item} {n.field}' for n in dropped], self._count('dropped'))})")
        fallback = self.of_kind("fallback")
        if fallback:
            out.append(f"{self._count('fallback')} flagged fallbacks "
                       f"({_names([f'{n.item} {n.field}' for n in fallback], self._count('fallback'))})")
        if self.not_extracted:
            reasons: dict[str, list[str]] = {}
            for item, reason in self.not_extracted:
                reasons.setdefault(reason, []).append(item)
            for reason, items in reasons.items():
                n = max(self.not_extracted_counts.get(reason, 0), len(items))
                out.append(f"{n} {reason}, stored but not extracted ({_names(items, n)})")
        return out

    def summary(self) -> str:
        """One line for people: counts of each outcome, then what was left out, by name."""
        line = (f"{self.inserted} inserted, {self.duplicates} duplicates, "
                f"{self.near_duplicates} near-duplicates, {self.failed} errors")
        more = self.details()
        return line + ("; " + "; ".join(more) if more else "")


def load_index(store: Store, settings: Settings) -> NearDuplicateIndex | StoredNearDuplicateIndex:
    """The near-duplicate index over the store's canonical articles' signatures: kept in the database
    (:class:`StoredNearDuplicateIndex`, memory flat at any size) for a store that has band tables,
    else built in memory from ``store.signatures()``."""
    if all(callable(getattr(store, m, None)) for m in ("band_candidates", "add_bands", "bands_missing")):
        return StoredNearDuplicateIndex(store, settings.near_duplicate_threshold,
                                        settings.minhash_perm)
    index = NearDuplicateIndex(settings.near_duplicate_threshold, settings.minhash_perm)
    for article_id, signature in store.signatures():
        if signature:
            index.add(article_id, signature)
    log.debug("near-duplicate index holds %d articles", len(index))
    return index


BATCH = 100   # articles written per transaction: one commit per batch, not per article


def ingest_into(store: Store, sources: Iterable[str], *, settings: Settings | None = None,
                progress: bool = False, on_error: Callable[[InputError], None] | None = None,
                stdin: TextIO | None = None, batch_size: int = BATCH,
                on_notice: Callable[[Notice], None] | None = None, keep_ids: bool = True,
                items: Iterable[Article | InputError] | None = None) -> IngestReport:
    """Read ``sources`` (paths, folders, URLs, "-") and add their articles to ``store``.

    Bad items never stop the batch: each becomes an entry of ``report.errors``
    and is passed to ``on_error`` when given; notices (skipped files, dropped
    fields, fallbacks) go to ``report.notices`` and ``on_notice``. ``progress`` shows a tqdm bar on
    stderr. Articles are written ``batch_size`` at a time, each batch in one
    transaction (all or nothing), so an interrupted run loses at most the
    unwritten batch and ingesting again is safe. ``items``: articles already read (the API reads an
    upload with :func:`parley.ingest.sources.read_bytes`) instead of reading ``sources``.

    Memory stays flat in the number of records (a 1M-line JSON Lines file): files are read record by
    record, the near-duplicate index lives in the database, and the report keeps the first
    :data:`KEPT` errors, notices and not-extracted items (counting all). ``keep_ids=False`` also
    leaves out ``report.article_ids`` (one id per article read).
    """
    cfg = settings or current_settings()
    report = IngestReport()
    index = load_index(store, cfg)
    pending: list[tuple[Article, bytes]] = []
    batch_ids: set[str] = set()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc="ingest", unit="item", file=sys.stderr, dynamic_ncols=True)

    def say(call: Callable[[], None]) -> None:
        if bar is not None:
            with bar.external_write_mode(file=sys.stderr):   # keep the bar off the message
                call()
        else:
            call()

    def notice(n: Notice) -> None:
        report.add_notice(n)
        log.info("%s", n)
        if on_notice is not None:
            say(lambda: on_notice(n))

    def flush() -> None:
        if not pending:
            return
        add_many = getattr(store, "add_articles", None)
        if add_many is not None:
            results = add_many(pending)
        else:
            results = [store.add_article(a, signature=sig) for a, sig in pending]
        flush_index = getattr(index, "flush", None)
        if flush_index is not None:
            flush_index()          # band rows refer to their articles: written after them
        for (article, _sig), result in zip(pending, results):
            if keep_ids:
                report.article_ids.append(result.article_id)
            if result.status == "duplicate":
                report.duplicates += 1
                continue
            where = article.origin or article.id
            if result.status == "near_duplicate":
                report.near_duplicates += 1
                report.add_not_extracted(f"{where} (of {result.duplicate_of})", "near-duplicates")
                continue
            report.inserted += 1
            if not article.is_english:
                report.add_not_extracted(f"{where} ({article.language})", "non-English")
        pending.clear()
        batch_ids.clear()

    try:
        read = items if items is not None else iter_articles(sources, settings=cfg, stdin=stdin, notice=notice)
        for item in read:
            if bar is not None:
                bar.update(1)
            if isinstance(item, InputError):
                log.info("%s", item)
                report.add_error(item)
                if on_error is not None:
                    err = item
                    say(lambda: on_error(err))  # noqa: B023  (called here, within this iteration)
                continue
            signature = minhash_signature(item.text, cfg.minhash_perm)
            article = item
            # Only a text never seen before may become a canonical copy in the index.
            new = item.id not in index and item.id not in batch_ids and not store.has_article(item.id)
            if new:
                first = index.query(signature)
                if first is not None:
                    article = replace(item, duplicate_of=first)
                else:
                    index.add(item.id, signature)
            pending.append((article, signature))
            batch_ids.add(item.id)
            if len(pending) >= batch_size:
                flush()
            if bar is not None:
                bar.set_postfix(read=report.seen + len(pending), err=report.failed, refresh=False)
        flush()
    finally:
        if bar is not None:
            bar.close()
    log.info("ingest: %s", report.summary())
    return report


__all__ = ["IngestReport", "ingest_into", "load_index"]
