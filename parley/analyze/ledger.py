"""The input every analysis works on: resolved positions plus the articles they cite.

:class:`Ledger` is built either from plain lists (pure; for tests and the API)
or from a :class:`~parley.store.base.Store` (:meth:`Ledger.from_store`). Every
analysis function takes a Ledger and returns plain dataclasses.

Dates: a position is dated by its article's published date, else by the date its
dateline gives (``date_source`` "dateline"); otherwise it is **undated**: shown as
such, never placed at the ingestion date, left out of "since"/"until" selections
and of time axes unless the caller asks for undated positions.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from ..errors import AnalysisError, Arg, UsageError
from ..model import Article, Evidence, Position
from ..store.base import ActorLink
from .actors import ActorMatch, ActorRecord, MatchMode, Resolution, resolve

if TYPE_CHECKING:
    from ..store.sql import SqlStore

__all__ = ["Ledger", "Citation", "Notes", "when", "parse_day", "in_range", "DateSource"]

DateSource = Literal["published", "dateline"]


@dataclass(frozen=True)
class Citation:
    """Where a claim comes from: the article (id, title, outlet, URL, date) and the sentence."""

    article_id: str
    title: str | None
    published: date | None
    dated: bool                 # False: the article has no date (neither published nor dateline)
    sentence: str
    start: int
    end: int
    source: str | None = None           # the outlet
    url: str | None = None
    date_source: str | None = None      # "published" | "dateline" | None (undated)

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "title": self.title, "source": self.source, "url": self.url,
                "date": self.published.isoformat() if self.published else None, "dated": self.dated,
                "date_source": self.date_source, "sentence": self.sentence, "start": self.start, "end": self.end}

    @property
    def date_label(self) -> str:
        if self.published is None:
            return "undated"
        return self.published.isoformat() + (" (dateline)" if self.date_source == "dateline" else "")

    def label(self) -> str:
        """"Title", outlet, date, URL, article id: every part that is known."""
        parts = [self.title or "(untitled)"]
        if self.source:
            parts.append(self.source)
        parts.append(self.date_label)
        if self.url:
            parts.append(self.url)
        parts.append(f"article {self.article_id}")
        return ", ".join(parts)

    def key(self) -> tuple[str, int, int, str]:
        return (self.article_id, self.start, self.end, self.sentence)


@dataclass
class Ledger:
    """Resolved positions (``actor`` = canonical name) and the articles they come from."""

    positions: list[Position]
    articles: dict[str, Article]
    resolution: Resolution
    raw_positions: list[Position] = field(default_factory=list)
    datelines: dict[str, date] = field(default_factory=dict)
    taxonomy: str | None = None
    #: reads an article's text on demand when ``articles`` hold its metadata only (the kept ledger
    #: loads texts only where a phrase must be looked up in its article)
    text_loader: Callable[[str], str | None] | None = None
    _texts: dict[str, str | None] = field(default_factory=dict, repr=False)
    _by_actor: dict[str, list[Position]] | None = field(default=None, repr=False)
    _order: dict[int, tuple[Position, tuple[Any, ...]]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, positions: Sequence[Position], articles: Iterable[Article] = (),
              links: Iterable[ActorLink] = (), datelines: dict[str, date] | None = None,
              taxonomy: str | None = None) -> Ledger:
        arts = {a.id: a for a in articles}
        texts = {aid: f"{a.title or ''}\n{a.text}" for aid, a in arts.items()}
        starts = {aid: len(a.title or "") + 1 for aid, a in arts.items()}
        res = resolve(positions, links, texts, starts)
        return cls(res.apply(positions), arts, res, list(positions), dict(datelines or {}), taxonomy)

    @classmethod
    def from_store(cls, store: SqlStore, extractor: str | None = None, taxonomy: str | None = None) -> Ledger:
        """Every stored position (of one extractor / taxonomy when given), its article and the curated
        actor links."""
        positions = store.positions(extractor=extractor, taxonomy=taxonomy)
        ids = {p.article_id for p in positions if p.article_id}
        arts = [store.get_article(i) for i in sorted(ids)]
        return cls.build(positions, arts, store.actor_links(), store.datelines(ids), taxonomy)

    @property
    def records(self) -> list[ActorRecord]:
        return self.resolution.records

    def text(self, article_id: str) -> str | None:
        """The text of an article of the ledger (loaded on demand when only its metadata is held)."""
        art = self.articles.get(article_id)
        if art is not None and art.text:
            return art.text
        if self.text_loader is None:
            return None
        if article_id not in self._texts:
            self._texts[article_id] = self.text_loader(article_id)
        return self._texts[article_id]

    def of(self, names: Iterable[str]) -> list[Position]:
        """The (resolved) positions of the canonical actors named, in ledger order."""
        if self._by_actor is None:
            by: dict[str, list[Position]] = {}
            for p in self.positions:
                by.setdefault(p.actor, []).append(p)
            self._by_actor = by
        want = set(names)
        if len(want) == 1:
            return list(self._by_actor.get(next(iter(want)), []))
        return [p for p in self.positions if p.actor in want]

    def lookup(self, query: str | ActorMatch, match: MatchMode = "exact") -> ActorMatch:
        """The one resolver (:meth:`Resolution.lookup`): exact, then a reported fuzzy match; E501/E506."""
        if isinstance(query, ActorMatch):
            return query
        return self.resolution.lookup(query, match)

    def members_of(self, m: ActorMatch) -> list[str]:
        """Canonical names a match stands for: each record plus, when it is a side, its members."""
        out: list[str] = []
        for r in m.records:
            for n in self.resolution.members(r.name):
                if n not in out:
                    out.append(n)
        return out

    def select(self, query: str | ActorMatch, match: MatchMode = "exact") -> list[str]:
        """Canonical names a user means by ``query``: the record, plus its members when it is a side."""
        return self.members_of(self.lookup(query, match))

    def when(self, p: Position) -> tuple[date | None, bool]:
        d, src = self.dating(p)
        return d, src is not None

    def dating(self, p: Position) -> tuple[date | None, DateSource | None]:
        """(date, where it comes from) of a position; (None, None) when undated."""
        return when(p, self.articles.get(p.article_id or ""), self.datelines)

    def cite(self, p: Position) -> Citation:
        return self.cite_span(p.article_id or p.evidence.article_id or "?", p.evidence.start, p.evidence.end,
                              p.evidence.text, p)

    def cite_span(self, article_id: str, start: int, end: int, text: str | None = None,
                  p: Position | None = None) -> Citation:
        """A citation of ``article.text[start:end]`` (the text given when the article is not loaded)."""
        art = self.articles.get(article_id)
        if p is None:
            p = Position(actor="", issue="", stance="support", evidence=Evidence(start, end, text or ""),
                         article_id=article_id)
        d, src = when(p, art, self.datelines)
        full = art.text if art is not None and art.text else (None if text is not None else self.text(article_id))
        sentence = full[start:end] if full is not None and 0 <= start <= end <= len(full) else (text or "")
        return Citation(article_id, art.title if art else None, d, src is not None, sentence, start, end,
                        art.source if art else None, art.url if art else None, src)

    def order_key(self, p: Position) -> tuple[Any, ...]:
        """Chronological order; undated positions after every dated one (by ingestion time)."""
        k = self._order.get(id(p))
        if k is not None and k[0] is p:
            return k[1]
        d, _ = self.when(p)
        art = self.articles.get(p.article_id or "")
        ing = art.ingested_at.isoformat() if art and art.ingested_at else ""
        key = (d is None, d or date.min, ing, p.article_id or "", p.evidence.start, p.id or "")
        self._order[id(p)] = (p, key)
        return key

    def party_label(self, name: str) -> str:
        """A party's name as shown: "(side unknown)" added when it is an actor no article places."""
        rec = self.resolution.record(name)
        if rec is not None and not rec.side and not any(r.side == name for r in self.records):
            return f"{name} (side unknown)"
        return name


def when(p: Position, article: Article | None, datelines: dict[str, date] | None = None
         ) -> tuple[date | None, DateSource | None]:
    """The date of a position and its source: the article's published date, else its dateline's date.

    Undated articles give (None, None): they are never placed at the ingestion date."""
    if article is not None:
        if article.published:
            return article.published, "published"
        if datelines and article.id in datelines:
            return datelines[article.id], "dateline"
        if p.published:                  # the store fills a position's date from the dateline
            return p.published, "dateline"
        return None, None
    if p.published:
        return p.published, "published"
    return None, None


def parse_day(value: str | date | None, argument: str = "since") -> date | None:
    """``YYYY-MM-DD`` -> date (UsageError E900 naming ``argument`` otherwise)."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError("E900", arg=Arg(argument), value=value) from None


def in_range(d: date | None, since: date | None, until: date | None, include_undated: bool = False) -> bool:
    """True when ``d`` lies in [since, until]; an undated item only with ``include_undated`` (always
    when no bound is given)."""
    if d is None:
        return include_undated or (since is None and until is None)
    return (since is None or d >= since) and (until is None or d <= until)


def check_range(since: date | None, until: date | None) -> None:
    if since and until and until < since:
        raise AnalysisError("E509", since=since.isoformat(), until=until.isoformat())


class Notes:
    """Numbered footnotes: the same citation always gets the same number."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._index: dict[tuple[str, int, int, str], int] = {}

    def ref(self, c: Citation) -> int:
        k = c.key()
        if k not in self._index:
            self.items.append(c)
            self._index[k] = len(self.items)
        return self._index[k]

    def to_list(self) -> list[dict[str, Any]]:
        return [{"n": i, **c.to_dict()} for i, c in enumerate(self.items, 1)]
