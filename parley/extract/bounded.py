"""Bounded extraction: any :class:`~parley.extract.base.Extractor`, made linear in text length
and bounded in time per article, with one article's failure never stopping a batch.

:class:`BoundedExtractor` wraps an extractor (it only uses ``name``, ``version``,
``extract`` and ``extract_many``):

* **Chunks.** A text longer than ``chunk_chars`` (setting ``extract_chunk_chars``)
  is cut into consecutive chunks of at most that many characters, at the last
  paragraph break inside the limit, else the last line break, else the last
  sentence end, else the last space (a hard cut only for a run of
  ``chunk_chars`` characters without any). The wrapped extractor sees one chunk
  at a time, as an article with the same id and title; the evidence offsets it
  returns are moved back by the chunk's start, checked against the full text
  (``article.text[start:end] == evidence.text``, else E308), and positions with
  the same (actor, issue, stance) from several chunks are merged (conditions
  and aliases united, red line if any, the most confident statement as the
  evidence). Articles that fit in one chunk go through the wrapped extractor
  untouched and batched, so for them the output is exactly the wrapped
  extractor's. Extractors whose cost grows faster than the text (the rules
  extractor resolves each mention against the whole text) thereby cost a
  bounded amount per chunk: linear in the article's length
  (``benchmarks/extract_per_kb.py``).

* **Time budget.** An article may take ``time_budget`` seconds (setting
  ``extract_time_budget``; 0 = none). The clock is checked between chunks (the
  first chunk always runs): an article still unfinished when its budget is
  spent is abandoned with E306, reported for that article, and the batch goes on.

  Why between chunks, and not a killable worker process or a signal: the work
  is only ever stopped at a point where the wrapped extractor is not running,
  so nothing it holds (a spaCy pipeline, its vocabulary and caches) can be left
  half-updated, and there is no second copy of a model of several hundred MB to
  load in a worker (again after every kill) or to feed through a pipe. A signal
  cannot stop C code (spaCy's parser, the ``re`` engine) anyway, and an
  exception raised at an arbitrary bytecode inside the pipeline is exactly the
  corruption to avoid. The price: one chunk is never interrupted, so an article
  can overrun its budget by at most one chunk's time, and that bound rests on
  the chunk size, not on the clock; an extractor that loops for ever on a
  short text would not be stopped. With the default chunk of 12,000
  characters one chunk takes well under a second with the rules extractor.

* **Failures.** An exception from the wrapped extractor for a batch is narrowed
  down by extracting the batch's remaining articles one by one: the article
  that fails gets E307 (its cause in the message), the others their positions.
  ``KeyboardInterrupt`` and ``SystemExit`` are never caught.

:meth:`BoundedExtractor.outcomes` yields one :class:`Outcome` per article
(positions or an error); :meth:`BoundedExtractor.extract_many` keeps the
``Extractor`` protocol (failed articles are left out and passed to ``on_error``).
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from ..errors import ExtractError
from ..model import Article, Position
from .base import Extractor

log = logging.getLogger(__name__)

BATCH = 32                     # short articles handed to the wrapped extractor's extract_many at once
#: errors that say the extractor cannot run at all (model, taxonomy, lexicon, name): they stop the batch
SETUP_ERRORS = frozenset({"E301", "E302", "E303", "E304"})
MIN_CHUNK_SHARE = 0.25         # a boundary earlier than this share of the limit makes too small a chunk

_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE = re.compile(r"\n\s*")
_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Outcome:
    """What extraction made of one article: its positions, or the error that stopped it."""

    article: Article
    positions: list[Position]
    error: ExtractError | None = None
    seconds: float = 0.0
    chunks: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None


def _last_boundary(window: str, pattern: re.Pattern[str], floor: int) -> int | None:
    """End of the last match of ``pattern`` in ``window`` that ends after ``floor`` (None: none)."""
    end = None
    for m in pattern.finditer(window):
        if m.end() > floor and m.end() <= len(window):
            end = m.end()
    return end


def split_chunks(text: str, max_chars: int) -> list[tuple[int, int]]:
    """``(start, end)`` spans that cover ``text`` in order, each at most ``max_chars`` long, cut at
    the last paragraph break, else line break, else sentence end, else space within the limit."""
    if max_chars <= 0:
        raise ValueError("max_chars must be positive")
    spans: list[tuple[int, int]] = []
    pos, n = 0, len(text)
    floor = int(max_chars * MIN_CHUNK_SHARE)
    while n - pos > max_chars:
        window = text[pos:pos + max_chars]
        cut = None
        for pattern in (_PARAGRAPH, _LINE, _SENTENCE, _SPACE):
            cut = _last_boundary(window, pattern, floor)
            if cut is not None:
                break
        step = cut if cut is not None else max_chars
        spans.append((pos, pos + step))
        pos += step
    spans.append((pos, n))
    return spans


def _shift(p: Position, offset: int, article: Article, name: str) -> Position:
    """``p`` with its evidence moved by ``offset`` into ``article.text`` (E308 when it does not index it)."""
    ev = p.evidence
    start, end = ev.start + offset, ev.end + offset
    if not (0 <= start <= end <= len(article.text)) or article.text[start:end] != ev.text:
        raise ExtractError("E308", item=article.id, name=name, start=start, end=end)
    return p.with_(evidence=replace(ev, start=start, end=end, article_id=ev.article_id or article.id),
                   article_id=p.article_id or article.id)


def _check(p: Position, article: Article, name: str) -> Position:
    return _shift(p, 0, article, name)


def merge_positions(groups: Iterable[list[Position]]) -> list[Position]:
    """One position per (actor, issue, stance), in order of first appearance: conditions and aliases
    united, red line when any says so, the first previous stance, the most confident evidence."""
    merged: dict[tuple[str, str, str], Position] = {}
    for group in groups:
        for p in group:
            key = (p.actor, p.issue, p.stance)
            q = merged.get(key)
            if q is None:
                merged[key] = p
                continue
            best = p if p.confidence > q.confidence + 1e-9 else q
            merged[key] = best.with_(
                conditions=q.conditions + tuple(c for c in p.conditions if c not in q.conditions),
                aliases=tuple(sorted(set(q.aliases) | set(p.aliases))),
                red_line=q.red_line or p.red_line,
                previous_stance=q.previous_stance or p.previous_stance,
                confidence=max(q.confidence, p.confidence))
    return list(merged.values())


class BoundedExtractor:
    """An extractor wrapped so that long texts go in chunks and each article has a time budget.

    ``chunk_chars`` and ``time_budget`` default to the settings ``extract_chunk_chars`` and
    ``extract_time_budget``; ``on_error(article, error)`` hears of every failed article
    (:meth:`extract_many` leaves them out). ``clock`` is ``time.monotonic`` (replaceable in tests).
    """

    def __init__(self, inner: Extractor, *, chunk_chars: int | None = None, time_budget: float | None = None,
                 on_error: Callable[[Article, ExtractError], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        from ..config import settings

        cfg = settings()
        self.inner = inner
        self.chunk_chars = int(chunk_chars if chunk_chars is not None else cfg.extract_chunk_chars)
        if self.chunk_chars <= 0:
            raise ValueError("chunk_chars must be positive")
        self.time_budget = float(time_budget if time_budget is not None else cfg.extract_time_budget)
        self.on_error = on_error
        self.clock = clock

    # -- the Extractor protocol ----------------------------------------------------------
    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def version(self) -> str:
        return self.inner.version

    def extract(self, article: Article) -> list[Position]:
        """Positions of one article; raises the article's ExtractError (E306/E307/E308) when it fails."""
        [out] = list(self.outcomes([article]))
        if out.error is not None:
            raise out.error
        return out.positions

    def extract_many(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Position]]]:
        """(article, positions) for every article that could be extracted; the others go to ``on_error``
        (logged at WARNING without one)."""
        for out in self.outcomes(articles):
            if out.error is None:
                yield out.article, out.positions
            elif self.on_error is not None:
                self.on_error(out.article, out.error)
            else:
                log.warning("%s", out.error)

    # -- outcomes ------------------------------------------------------------------------
    def outcomes(self, articles: Iterable[Article]) -> Iterator[Outcome]:
        """One :class:`Outcome` per article, in input order; memory stays flat in the number of articles.

        Failed articles come as outcomes with ``error`` set (``on_error`` is not called here)."""
        batch: list[Article] = []
        for article in articles:
            if len(article.text or "") <= self.chunk_chars:
                batch.append(article)
                if len(batch) >= BATCH:
                    yield from self._report(self._short(batch))
                    batch = []
                continue
            if batch:
                yield from self._report(self._short(batch))
                batch = []
            yield from self._report([self._long(article)])
        if batch:
            yield from self._report(self._short(batch))

    def _report(self, outs: Iterable[Outcome]) -> Iterator[Outcome]:
        for out in outs:
            if out.error is not None:
                log.info("%s", out.error)
            yield out

    def _short(self, batch: list[Article]) -> Iterator[Outcome]:
        """Articles that fit in one chunk: one call of the wrapped ``extract_many``, its results
        passed on as they come; when it fails, the articles it did not return are retried one by one."""
        done = 0
        t0 = self.clock()
        try:
            for article, found in self.inner.extract_many(iter(batch)):
                expected = batch[done]
                if article is not expected and article.id != expected.id:
                    raise RuntimeError(f"{self.name} returned article {article.id} out of order")
                done += 1
                try:
                    out = Outcome(expected, [_check(p, expected, self.name) for p in found],
                                  seconds=self.clock() - t0)
                except ExtractError as err:
                    out = Outcome(expected, [], err, self.clock() - t0)
                yield out
                t0 = self.clock()
        except ExtractError as exc:
            if exc.code in SETUP_ERRORS:
                raise
            log.info("%s failed on a batch of %d (%s); extracting the rest one by one", self.name, len(batch), exc)
            for article in batch[done:]:
                yield self._one(article)
        except Exception as exc:  # narrow the failure down to its article(s)
            log.info("%s failed on a batch of %d (%s); extracting the rest one by one",
                     self.name, len(batch), exc)
            for article in batch[done:]:
                yield self._one(article)

    def _one(self, article: Article) -> Outcome:
        t0 = self.clock()
        try:
            found = self.inner.extract(article)
            return Outcome(article, [_check(p, article, self.name) for p in found], seconds=self.clock() - t0)
        except ExtractError as err:
            if err.code in SETUP_ERRORS:
                raise
            if err.code in ("E306", "E307", "E308"):
                return Outcome(article, [], err, self.clock() - t0)
            return Outcome(article, [], ExtractError("E307", item=article.id, detail=f"[{err.code}] {err.message}"),
                           self.clock() - t0)
        except Exception as exc:
            return Outcome(article, [], ExtractError("E307", item=article.id, detail=f"{type(exc).__name__}: {exc}"),
                           self.clock() - t0)

    def _long(self, article: Article) -> Outcome:
        """An article longer than one chunk: chunk by chunk, the budget checked before each chunk."""
        spans = split_chunks(article.text, self.chunk_chars)
        t0 = self.clock()
        groups: list[list[Position]] = []
        for k, (s, e) in enumerate(spans):
            elapsed = self.clock() - t0
            if k > 0 and self.time_budget > 0 and elapsed > self.time_budget:
                err = ExtractError("E306", item=article.id, budget=_fmt(self.time_budget),
                                   detail=f"{len(article.text)} characters; stopped after {k} of {len(spans)} "
                                          f"chunks and {elapsed:.1f}s")
                return Outcome(article, [], err, elapsed, len(spans))
            chunk = replace(article, text=article.text[s:e])
            try:
                found = self.inner.extract(chunk)
                groups.append([_shift(p, s, article, self.name) for p in found])
            except ExtractError as err:
                if err.code in SETUP_ERRORS:
                    raise
                failed = err if err.code == "E308" else ExtractError(
                    "E307", item=article.id, detail=f"chunk {k + 1} of {len(spans)}: [{err.code}] {err.message}")
                return Outcome(article, [], failed, self.clock() - t0, len(spans))
            except Exception as exc:
                crashed = ExtractError("E307", item=article.id,
                                       detail=f"chunk {k + 1} of {len(spans)}: {type(exc).__name__}: {exc}")
                return Outcome(article, [], crashed, self.clock() - t0, len(spans))
        return Outcome(article, merge_positions(groups), None, self.clock() - t0, len(spans))


def _fmt(seconds: float) -> str:
    return f"{seconds:g}"


@runtime_checkable
class SelfBounded(Extractor, Protocol):
    """An extractor that chunks, bounds and isolates failures itself (the llm extractor: parts with
    overlap sent concurrently, per-request timeouts), yielding :class:`Outcome` objects."""

    def outcomes(self, articles: Iterable[Article]) -> Iterator[Outcome]: ...


def bounded(extractor: Extractor, *, chunk_chars: int | None = None, time_budget: float | None = None,
            on_error: Callable[[Article, ExtractError], None] | None = None) -> BoundedExtractor | SelfBounded:
    """``extractor`` wrapped in :class:`BoundedExtractor`, never twice: an already wrapped one is
    returned as it is, or re-wrapped around its inner extractor when settings are given. An extractor
    with its own ``outcomes`` (:class:`SelfBounded`) is returned as it is."""
    if not isinstance(extractor, BoundedExtractor) and callable(getattr(extractor, "outcomes", None)):
        return extractor  # type: ignore[return-value]
    if isinstance(extractor, BoundedExtractor):
        if chunk_chars is None and time_budget is None and on_error is None:
            return extractor
        return BoundedExtractor(extractor.inner, chunk_chars=chunk_chars or extractor.chunk_chars,
                                time_budget=extractor.time_budget if time_budget is None else time_budget,
                                on_error=on_error or extractor.on_error, clock=extractor.clock)
    return BoundedExtractor(extractor, chunk_chars=chunk_chars, time_budget=time_budget, on_error=on_error)


__all__ = ["BATCH", "SETUP_ERRORS", "BoundedExtractor", "Outcome", "SelfBounded", "bounded", "merge_positions", "split_chunks"]
