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
from ..model import Article
from ..store.base import Store
from .dedup import NearDuplicateIndex, minhash_signature
from .notices import Notice
from .sources import iter_articles

log = logging.getLogger(__name__)


SHOWN = 5     # names listed per kind in a summary line before "and N more"


def _names(items: list[str]) -> str:
    head = ", ".join(items[:SHOWN])
    return head + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


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
    errors: list[InputError] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)   # inserted or matched, in input order
    notices: list[Notice] = field(default_factory=list)
    not_extracted: list[tuple[str, str]] = field(default_factory=list)   # (item, reason) of new articles

    @property
    def seen(self) -> int:
        """Articles read (not counting errors)."""
        return self.inserted + self.duplicates + self.near_duplicates

    def of_kind(self, kind: str) -> list[Notice]:
        """The notices of one kind ("skipped", "dropped", "fallback")."""
        return [n for n in self.notices if n.kind == kind]

    def details(self) -> list[str]:
        """One clause per kind of thing left out or changed, naming the items (empty when none)."""
        out = []
        skipped = self.of_kind("skipped")
        if skipped:
            out.append(f"{len(skipped)} files skipped (not articles: {_names([n.item for n in skipped])})")
        dropped = self.of_kind("dropped")
        if dropped:
            out.append(f"{len(dropped)} fields dropped ({_names([f'{n.item} {n.field}' for n in dropped])})")
        fallback = self.of_kind("fallback")
        if fallback:
            out.append(f"{len(fallback)} flagged fallbacks ({_names([f'{n.item} {n.field}' for n in fallback])})")
        if self.not_extracted:
            reasons: dict[str, list[str]] = {}
            for item, reason in self.not_extracted:
                reasons.setdefault(reason, []).append(item)
            for reason, items in reasons.items():
                out.append(f"{len(items)} {reason}, stored but not extracted ({_names(items)})")
        return out

    def summary(self) -> str:
        """One line for people: counts of each outcome, then what was left out, by name."""
        line = (f"{self.inserted} inserted, {self.duplicates} duplicates, "
                f"{self.near_duplicates} near-duplicates, {len(self.errors)} errors")
        more = self.details()
        return line + ("; " + "; ".join(more) if more else "")


def load_index(store: Store, settings: Settings) -> NearDuplicateIndex:
    """A near-duplicate index over the store's canonical articles' signatures."""
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
                on_notice: Callable[[Notice], None] | None = None,
                items: Iterable[Article | InputError] | None = None) -> IngestReport:
    """Read ``sources`` (paths, folders, URLs, "-") and add their articles to ``store``.

    Bad items never stop the batch: each becomes an entry of ``report.errors``
    and is passed to ``on_error`` when given; notices (skipped files, dropped
    fields, fallbacks) go to ``report.notices`` and ``on_notice``. ``progress`` shows a tqdm bar on
    stderr. Articles are written ``batch_size`` at a time, each batch in one
    transaction (all or nothing), so an interrupted run loses at most the
    unwritten batch and ingesting again is safe. ``items``: articles already read (the API reads an
    upload with :func:`parley.ingest.sources.read_bytes`) instead of reading ``sources``.
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
        report.notices.append(n)
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
        for (article, _sig), result in zip(pending, results):
            report.article_ids.append(result.article_id)
            if result.status == "duplicate":
                report.duplicates += 1
                continue
            where = article.origin or article.id
            if result.status == "near_duplicate":
                report.near_duplicates += 1
                report.not_extracted.append((f"{where} (of {result.duplicate_of})", "near-duplicates"))
                continue
            report.inserted += 1
            if not article.is_english:
                report.not_extracted.append((f"{where} ({article.language})", "non-English"))
        pending.clear()
        batch_ids.clear()

    try:
        read = items if items is not None else iter_articles(sources, settings=cfg, stdin=stdin, notice=notice)
        for item in read:
            if bar is not None:
                bar.update(1)
            if isinstance(item, InputError):
                log.info("%s", item)
                report.errors.append(item)
                if on_error is not None:
                    err = item
                    say(lambda: on_error(err))
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
                bar.set_postfix(read=len(report.article_ids) + len(pending), err=len(report.errors), refresh=False)
        flush()
    finally:
        if bar is not None:
            bar.close()
    log.info("ingest: %s", report.summary())
    return report


__all__ = ["IngestReport", "ingest_into", "load_index"]
