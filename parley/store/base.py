"""The Store interface every caller uses (CLI, analysis, API).

One implementation over SQLAlchemy 2 Core serves SQLite (default) and
PostgreSQL; dialect-specific pieces (full-text search) sit behind it.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol

from ..model import Article, Position

#: the taxonomy name of the built-in issue taxonomy (positions.md)
DEFAULT_TAXONOMY = "default"

#: a run's status: running while it goes, then finished, interrupted (Ctrl-C, SIGTERM, killed) or failed
RunStatus = Literal["running", "finished", "interrupted", "failed"]
#: what happened to an article offered to the store
AddStatus = Literal["inserted", "duplicate", "near_duplicate"]
#: a curated actor link: merge the alias into the canonical actor, never merge them (split), or put
#: the actor on a side ("side": stored as a merge onto ``@side:<side>``, parley.analyze.actors.store_link)
LinkKind = Literal["merge", "split", "side"]


def taxonomy_name(path_or_name: str | None) -> str:
    """The name positions of a taxonomy are stored under: ``default`` for the built-in one (``None`` or
    empty), else the file's stem ("labour.yaml" -> "labour"); a bare name is returned as it is."""
    if not path_or_name:
        return DEFAULT_TAXONOMY
    from pathlib import Path

    name = Path(path_or_name).name
    for ext in (".yaml", ".yml", ".json"):
        if name.lower().endswith(ext):
            return name[: -len(ext)]
    return name


def pick_taxonomy(stored: Mapping[str, int], requested: str | None = None) -> str | None:
    """The taxonomy a reader works on, among ``stored`` (name -> positions): ``requested`` (a name or a
    taxonomy file) when given (E222 when positions are stored but none under it); else the configured
    one when stored, or the only one stored; E223 when several are stored and none was chosen. None
    when nothing is stored and nothing was requested."""
    from ..config import settings
    from ..errors import StoreError

    known = ", ".join(f"{k} ({v} positions)" for k, v in stored.items()) or "no positions"
    if requested:
        name = taxonomy_name(requested)
        if stored and name not in stored:
            raise StoreError("E222", name=name, known=known)
        return name
    if not stored:
        return None
    configured = taxonomy_name(settings().taxonomy or None)
    if configured in stored:
        return configured
    if len(stored) == 1:
        return next(iter(stored))
    raise StoreError("E223", known=known)


@dataclass(frozen=True)
class AddResult:
    """What happened to one article offered to the store."""

    article_id: str
    status: AddStatus
    duplicate_of: str | None = None


@dataclass(frozen=True)
class SearchHit:
    kind: Literal["article", "evidence"]
    article_id: str
    title: str | None
    snippet: str
    position_id: str | None = None   # content-derived position id (evidence hits)


@dataclass(frozen=True)
class ActorLink:
    """A curated actor-resolution decision (issue 4): alias -> canonical actor."""

    alias: str
    canonical: str
    kind: LinkKind           # the database holds merge and split only (ck_actor_links_kind)
    source: str = "manual"   # "manual" | "file" | "auto"
    confidence: float = 1.0


class Store(Protocol):
    """What every caller may rely on; :class:`parley.store.sql.SqlStore` implements it.

    Every method is its own transaction: an interrupted batch keeps what was
    stored before the interruption and never doubles anything. Lower-level
    database errors surface as ``StoreError`` (E2xx).
    """

    url: str

    def shared_url(self) -> str | None: ...
        # the URL another process (a Dask worker) opens this very database with, password included;
        # None when it lives in this process only (in-memory SQLite)

    # articles
    def add_article(self, article: Article, signature: bytes | None = None) -> AddResult: ...
        # exact duplicate (same id) -> status "duplicate", nothing written; article.duplicate_of set ->
        # stored, status "near_duplicate"; signature = MinHash bytes from parley.ingest.dedup
    def add_articles(self, items: Iterable[tuple[Article, bytes | None]]) -> list[AddResult]: ...
        # add_article for a batch in one transaction (all or nothing)
    def signatures(self) -> Iterator[tuple[str, bytes]]: ...        # (article_id, minhash) of canonical articles
    # the near-duplicate index kept in the database (minhash_bands, v12; parley.ingest.dedup)
    def band_candidates(self, scheme: str, keys: list[int]) -> list[tuple[str, bytes]]: ...
    def add_bands(self, scheme: str, rows: Iterable[tuple[int, str]]) -> None: ...
    def bands_missing(self, scheme: str) -> Iterator[tuple[str, bytes]]: ...
    def has_article(self, article_id: str) -> bool: ...
    def get_article(self, article_id: str) -> Article: ...          # raises StoreError E203
    def find_article(self, prefix: str) -> Article: ...              # unique id prefix (E203 none, E207 several)
    def articles(self, since: date | None = None, limit: int | None = None, until: date | None = None,
                 include_undated: bool = False) -> Iterator[Article]: ...
        # ordered by date (published, else dateline; undated last) then id, streamed
    def datelines(self, article_ids: Iterable[str] | None = None) -> dict[str, date]: ...
        # undated articles whose text opens with a dated dateline -> that date
    def count_articles(self) -> int: ...
    def pending_articles(self, extractor: str, version: str, taxonomy: str = DEFAULT_TAXONOMY,
                         redo_run: int | None = None) -> Iterator[Article]: ...
        # English, not near-duplicates, not yet extracted by this extractor+version under this taxonomy;
        # streamed by id in pages, so positions may be saved while iterating; redo_run (extract --force):
        # every such article not yet saved by that run
    def count_pending(self, extractor: str, version: str, taxonomy: str = DEFAULT_TAXONOMY,
                      force: bool = False) -> int: ...
    def pending_ids(self, extractor: str, version: str, taxonomy: str = DEFAULT_TAXONOMY,
                    redo_run: int | None = None, after: str = "", page: int = 2000) -> Iterator[str]: ...
        # the ids pending_articles would yield, by id in pages (what the distributed runner partitions)
    def get_articles(self, article_ids: Iterable[str]) -> list[Article]: ...   # stored ones, in id order
    # extraction runs
    def start_run(self, extractor: str, version: str,
                  taxonomy: str = DEFAULT_TAXONOMY) -> int: ...   # returns the run id
        # status "running" with this pid and host; first marks runs whose process is gone "interrupted"
    def finish_run(self, run_id: int, articles: int, positions: int,
                   status: RunStatus = "finished", failed: int = 0, usage: Mapping[str, int] | None = None) -> None: ...
        # status "finished" | "interrupted" (Ctrl-C, SIGTERM) | "failed" (an error stopped it); usage:
        # requests, cache_hits, prompt_tokens, completion_tokens, dropped_* of the run (llm extractor)
    def recover_runs(self) -> list[int]: ...
        # runs left "running" by a process that is gone -> "interrupted", counts from their stored rows
    def runs(self) -> list[dict[str, Any]]: ...                     # newest first
    # positions
    def save_positions(self, article_id: str, extractor: str, version: str,
                       positions: Iterable[Position], run_id: int | None = None,
                       taxonomy: str = DEFAULT_TAXONOMY, run_usage: Mapping[str, int] | None = None) -> int: ...
        # one transaction: replaces that article's positions from that extractor (any version) under that
        # taxonomy, records the extractions row and adds to the run's counts (run_usage: the run's usage
        # totals so far); evidence must index the article text (E208); each position gets its
        # content-derived id (store/ids.py); returns the number stored
    def save_many(self, items: Iterable[tuple[str, Iterable[Position]]], extractor: str, version: str,
                  run_id: int | None = None, taxonomy: str = DEFAULT_TAXONOMY,
                  run_usage: Mapping[str, int] | None = None, usage_delta: Mapping[str, int] | None = None,
                  attempts: int = 5) -> int: ...
        # save_positions for a batch of (article_id, positions) in ONE transaction; idempotent (a retried
        # batch replaces, and the run's counts grow only by what is new to the run); PostgreSQL: articles
        # locked in id order, deadlocks retried (E240); usage_delta is added to the run's usage columns
    def add_positions_bulk(self, rows: Iterable[Mapping[str, Any]], batch: int = 10_000) -> int: ...
        # ready-made positions rows appended (COPY on PostgreSQL): loaders and benchmarks
    def run_counts(self, run_id: int) -> tuple[int, int]: ...    # (articles, positions) the rows prove
    def positions(self, actor: str | None = None, issue: str | None = None, stance: str | None = None,
                  since: date | None = None, article_id: str | None = None,
                  extractor: str | None = None, limit: int | None = None, *, until: date | None = None,
                  taxonomy: str | None = None, include_undated: bool = False,
                  ids: Iterable[str] | None = None, red_line: bool | None = None,
                  conditional: bool | None = None, actor_names: Iterable[str] | None = None) -> list[Position]: ...
        # actor: case-insensitive substring of actor or an alias; since/until: the article's date
        # (published, else dateline) in range, undated ones only with include_undated; ordered by that
        # date (undated last); article_id, published, id (content-derived) and extractor filled in;
        # red_line / conditional True or False keep positions that are (not) red lines / have (no)
        # conditions; actor_names: actor exactly one of these (index); every filter has an index (v11)
    def find_position(self, prefix: str) -> Position: ...   # unique id prefix (E220 none, E221 several)
    def taxonomies(self) -> dict[str, int]: ...             # taxonomy name -> positions stored under it
    def count_positions(self) -> int: ...
    # search
    def search(self, query: str, limit: int = 20, kind: str | None = None) -> list[SearchHit]: ...
        # up to `limit` article hits then up to `limit` evidence hits; kind "article"|"evidence" restricts
    # actor curation (issue 4)
    def actor_links(self) -> list[ActorLink]: ...
    def set_actor_link(self, link: ActorLink) -> None: ...
    def delete_actor_link(self, alias: str, canonical: str | None = None) -> int: ...
    # housekeeping
    def stats(self) -> dict[str, Any]: ...
    def schema_version(self) -> int: ...
    def close(self) -> None: ...
