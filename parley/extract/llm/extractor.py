"""The llm extractor: positions read by a model on any OpenAI-compatible endpoint, verified by Parley.

For each article (or each part of a long one) one chat request goes out with the prompt of
:mod:`.prompt`; the answer is parsed and every position checked (:mod:`.answer`: evidence anchored
to sentence offsets, labels from the taxonomy in use); positions are merged per (actor, issue,
stance) as in :func:`parley.extract.bounded.merge_positions`.

It bounds itself, unlike the other extractors (:class:`~parley.extract.bounded.BoundedExtractor`
passes it through untouched, see :func:`~parley.extract.bounded.bounded`), because what bounds a
remote model differs from what bounds a local parser:

* **parts with overlap**: a text longer than ``llm_chunk_chars`` is cut by
  :func:`~parley.extract.bounded.split_chunks` (paragraph breaks first), and each part after the
  first starts up to ``llm_overlap_chars`` earlier, at a paragraph break, so that a sentence that
  needs the paragraph before it is read with it; the positions found twice in an overlap merge;
* **time**: each request has ``llm_timeout`` seconds in all and ``llm_retries`` retries, so an
  article takes at most parts x (retries + 1) x timeout plus the pauses; the extract time budget
  (checked *between* parts by the wrapper) does not apply, as parts go out concurrently;
* **failures** are narrowed to their article without asking the model again: an article whose
  request failed or whose answer was not JSON twice gets its error (E324-E327) and the others go
  on; errors that no other article could escape (E320-E323: settings, server unreachable, key,
  URL or model refused) stop the batch;
* **concurrency**: ``llm_concurrency`` requests in flight (daemon worker threads, so Ctrl-C never
  waits for a request), outcomes yielded in input order, a bounded number of articles read ahead.

Token counts, requests, cache hits and dropped positions accumulate in :attr:`LLMExtractor.usage`
(the store records them with the run).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import queue
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, fields, replace
from typing import Any

from ...config import Settings
from ...config import settings as current_settings
from ...errors import ExtractError
from ...model import Article, Position
from ..bounded import Outcome, merge_positions, split_chunks
from .answer import AnswerReader, BadAnswer, Drops, parse_answer
from .cache import AnswerCache, cache_key
from .client import ChatClient
from .prompt import answer_schema, load_labels, messages, prompt_version

log = logging.getLogger(__name__)

#: version of this package's reading of answers (anchoring, checks); part of the extractor version
CODE_VERSION = "1"
#: errors after which no other article can succeed: they stop the batch
FATAL = frozenset({"E320", "E321", "E322", "E323", "E329", "E330", "E302"})
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")


@dataclass
class Usage:
    """What the model cost and what Parley refused of its answers (counters since creation)."""

    requests: int = 0             # HTTP requests sent (retries included)
    cache_hits: int = 0           # parts answered from the cache (no request)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    dropped_unquoted: int = 0     # positions whose evidence is not in the article
    dropped_off_taxonomy: int = 0  # positions whose issue is not a label of the taxonomy
    dropped_malformed: int = 0    # positions without an actor, with a bad stance...
    bad_answers: int = 0          # answers that were not the JSON asked for (each retried once)

    def as_dict(self) -> dict[str, int]:
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class Part:
    """One request's worth of an article: ``article.text[start:end]``, part ``index`` of ``count``."""

    article: Article
    start: int
    end: int
    index: int
    count: int


def plan_parts(text: str, chunk_chars: int, overlap_chars: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the parts of ``text``: :func:`split_chunks` spans, each after the first
    moved back to the earliest paragraph start within ``overlap_chars`` before it (none when there
    is no paragraph break there)."""
    spans = split_chunks(text, chunk_chars)
    if overlap_chars <= 0 or len(spans) == 1:
        return spans
    out = [spans[0]]
    for s, e in spans[1:]:
        lo = max(0, s - overlap_chars)
        start = s
        for m in _PARAGRAPH.finditer(text, lo, s):
            if m.end() < s:
                start = m.end()
                break
        out.append((start, e))
    return out


class _Pool:
    """A few daemon threads running submitted calls; ``stop()`` drops what has not started."""

    def __init__(self, size: int) -> None:
        self._jobs: queue.Queue[tuple[Future[Any], Callable[[], Any]] | None] = queue.Queue()
        self._stopped = threading.Event()
        self._threads = [threading.Thread(target=self._work, name=f"parley-llm-{i}", daemon=True)
                         for i in range(max(1, size))]
        for t in self._threads:
            t.start()

    def submit(self, call: Callable[[], Any]) -> Future[Any]:
        fut: Future[Any] = Future()
        self._jobs.put((fut, call))
        return fut

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fut, call = job
            if self._stopped.is_set():
                fut.cancel()
                continue
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(call())
            except BaseException as exc:  # handed to whoever waits on the future
                fut.set_exception(exc)

    def stop(self) -> None:
        self._stopped.set()
        for _ in self._threads:
            self._jobs.put(None)


class LLMExtractor:
    """``get_extractor("llm")``. Settings come from :func:`parley.config.settings` unless given."""

    name = "llm"

    def __init__(self, taxonomy: str | None = None, *, config: Settings | None = None,
                 on_error: Callable[[Article, ExtractError], None] | None = None) -> None:
        cfg = config or current_settings()
        missing = [k for k in ("llm_url", "llm_model") if not getattr(cfg, k).strip()]
        if missing:
            raise ExtractError("E320", missing=" and ".join(missing))
        for key, low in (("concurrency", 1), ("chunk_chars", 200), ("max_chars", 1)):
            value = getattr(cfg, f"llm_{key}")
            if value < low:
                raise ExtractError("E329", name=key, value=value, detail=f"must be at least {low}")
        if cfg.llm_timeout <= 0:
            raise ExtractError("E329", name="timeout", value=cfg.llm_timeout, detail="must be more than 0")
        self.config = cfg
        self.model = cfg.llm_model.strip()
        self.labels = load_labels(taxonomy or None)
        self.prompt_version = prompt_version()
        self.taxonomy_hash = self.labels.fingerprint()
        self.version = f"{CODE_VERSION}+p{self.prompt_version}+t{self.taxonomy_hash[:8]}+{self.model}"
        self.schema = answer_schema(self.labels)
        self.usage = Usage()
        self.on_error = on_error
        self._lock = threading.Lock()
        self._client: ChatClient | None = None
        self._cache: AnswerCache | None = None
        self._fatal: ExtractError | None = None     # set by the first worker that meets a FATAL error

    # -- lazily built (construction stays cheap and offline) -------------------------------
    @property
    def client(self) -> ChatClient:
        if self._client is None:
            c = self.config
            self._client = ChatClient(c.llm_url, self.model, api_key=c.llm_api_key, timeout=c.llm_timeout,
                                      retries=c.llm_retries, backoff=c.llm_backoff,
                                      response_format=c.llm_response_format, temperature=c.llm_temperature,
                                      max_tokens=c.llm_max_tokens, seed=c.llm_seed, user_agent=c.user_agent,
                                      on_request=lambda: self._count(requests=1))
        return self._client

    @property
    def cache(self) -> AnswerCache:
        if self._cache is None:
            self._cache = AnswerCache.from_setting(self.config.llm_cache)
        return self._cache

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cache is not None:
            self._cache.close()

    def _count(self, **deltas: int) -> None:
        with self._lock:
            for key, value in deltas.items():
                setattr(self.usage, key, getattr(self.usage, key) + value)

    # -- the Extractor protocol ------------------------------------------------------------
    def extract(self, article: Article) -> list[Position]:
        """Positions of one article; raises its ExtractError when it fails."""
        [out] = list(self.outcomes([article]))
        if out.error is not None:
            raise out.error
        return out.positions

    def extract_many(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Position]]]:
        """(article, positions) for each article extracted; failed ones go to ``on_error`` (logged at
        WARNING without one) and are left out."""
        for out in self.outcomes(articles):
            if out.error is None:
                yield out.article, out.positions
            elif self.on_error is not None:
                self.on_error(out.article, out.error)
            else:
                log.warning("%s", out.error)

    def outcomes(self, articles: Iterable[Article]) -> Iterator[Outcome]:
        """One :class:`~parley.extract.bounded.Outcome` per article, in input order."""
        pool = _Pool(self.config.llm_concurrency)
        ahead = max(2, 2 * self.config.llm_concurrency)
        window: deque[tuple[Article, float, list[Future[list[Position]]] | ExtractError]] = deque()
        try:
            for article in articles:
                window.append(self._submit(pool, article))
                while len(window) >= ahead:
                    yield self._collect(*window.popleft())
            while window:
                yield self._collect(*window.popleft())
        finally:
            pool.stop()

    # -- one article -------------------------------------------------------------------------
    def _submit(self, pool: _Pool, article: Article
                ) -> tuple[Article, float, list[Future[list[Position]]] | ExtractError]:
        t0 = time.monotonic()
        text = article.text or ""
        if len(text) > self.config.llm_max_chars:
            return article, t0, ExtractError("E327", item=article.id, size=len(text),
                                             limit=self.config.llm_max_chars)
        spans = plan_parts(text, self.config.llm_chunk_chars, self.config.llm_overlap_chars) if text else [(0, 0)]
        parts = [Part(article, s, e, k + 1, len(spans)) for k, (s, e) in enumerate(spans)]
        return article, t0, [pool.submit(functools.partial(self._ask, p)) for p in parts]

    def _collect(self, article: Article, t0: float,
                 work: list[Future[list[Position]]] | ExtractError) -> Outcome:
        if isinstance(work, ExtractError):
            return Outcome(article, [], work, time.monotonic() - t0)
        groups: list[list[Position]] = []
        error: ExtractError | None = None
        for fut in work:
            try:
                groups.append(fut.result())
            except ExtractError as exc:
                if exc.code in FATAL:
                    raise
                error = error or exc
        if error is not None:
            return Outcome(article, [], error, time.monotonic() - t0, len(work))
        return Outcome(article, _same_aliases(merge_positions(groups)), None, time.monotonic() - t0, len(work))

    def _ask(self, part: Part) -> list[Position]:
        """The verified positions of one part: from the cache, else from the model (one retry when its
        answer is not the JSON asked for)."""
        article = part.article
        text = article.text[part.start:part.end]
        msgs = messages(self.labels, text, article.title, part.index, part.count)
        text_hash = hashlib.sha256(msgs[1]["content"].encode("utf-8")).hexdigest()
        key = cache_key(text_hash, self.model, self.prompt_version, self.taxonomy_hash)
        reader = AnswerReader(article, self.labels.names, name=self.name, version=self.version,
                              start=part.start, end=part.end)
        item = article.id if part.count == 1 else f"{article.id} (part {part.index} of {part.count})"
        cached = self.cache.get(key)
        items: list[Any] | None = None
        if cached is not None:
            try:
                items = parse_answer(cached.content)
                self._count(cache_hits=1)
            except BadAnswer:
                items = None
        if items is None:
            problem = ""
            for _ in range(2):
                if self._fatal is not None:        # another part met an error no request can escape
                    raise self._fatal
                try:
                    reply = self.client.complete(msgs, self.schema, item)
                except ExtractError as exc:
                    if exc.code in FATAL:
                        self._fatal = exc
                    raise
                self._count(prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens)
                try:
                    items = parse_answer(reply.content)
                except BadAnswer as exc:
                    self._count(bad_answers=1)
                    cut = " (cut off: the answer reached max_tokens)" if reply.finish_reason == "length" else ""
                    problem = f"{exc}{cut}"
                    log.info("%s: %s; asking once more", item, problem)
                    continue
                assert reply.content is not None
                self.cache.put(key, reply.content, reply.prompt_tokens, reply.completion_tokens, model=self.model,
                               prompt_version=self.prompt_version, taxonomy_hash=self.taxonomy_hash,
                               text_hash=text_hash)
                break
            if items is None:
                raise ExtractError("E325", item=item, detail=problem)
        drops = Drops()
        found = reader.positions(items, drops)
        if drops.total:
            self._count(dropped_unquoted=drops.unquoted, dropped_off_taxonomy=drops.off_taxonomy,
                        dropped_malformed=drops.malformed)
            log.info("%s: %d of %d positions dropped (%s)", item, drops.total, len(items), "; ".join(drops.details))
        return found


def _same_aliases(positions: list[Position]) -> list[Position]:
    """Every position of an actor carries the union of that actor's aliases (labelling rule)."""
    by_actor: dict[str, list[str]] = {}
    for p in positions:
        seen = by_actor.setdefault(p.actor, [])
        seen.extend(a for a in p.aliases if a not in seen)
    return [replace(p, aliases=tuple(by_actor[p.actor])) for p in positions]


__all__ = ["LLMExtractor", "Usage", "plan_parts", "CODE_VERSION"]
