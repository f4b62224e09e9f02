"""The input every analysis works on: resolved positions plus the articles they cite.

:class:`Ledger` is built either from plain lists (pure; for tests and the API)
or from a :class:`~parley.store.base.Store` (:meth:`Ledger.from_store`). Every
analysis function takes a Ledger and returns plain dataclasses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Sequence

from ..errors import AnalysisError
from ..model import Article, Position
from ..store.base import ActorLink
from .actors import ActorRecord, Resolution, resolve

__all__ = ["Ledger", "Citation", "Notes", "when", "parse_since"]


@dataclass(frozen=True)
class Citation:
    """Where a claim comes from: the article (id, title, date) and the sentence."""

    article_id: str
    title: str | None
    published: date | None
    dated: bool                 # False: ``published`` is the ingestion date
    sentence: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"article_id": self.article_id, "title": self.title,
                "date": self.published.isoformat() if self.published else None, "dated": self.dated,
                "sentence": self.sentence, "start": self.start, "end": self.end}

    def label(self) -> str:
        d = self.published.isoformat() if self.published else "undated"
        if not self.dated:
            d += " (undated; ingested)"
        return f"{self.title or '(untitled)'}, {d}, article {self.article_id}"


@dataclass
class Ledger:
    """Resolved positions (``actor`` = canonical name) and the articles they come from."""

    positions: list[Position]
    articles: dict[str, Article]
    resolution: Resolution
    raw_positions: list[Position] = field(default_factory=list)

    @classmethod
    def build(cls, positions: Sequence[Position], articles: Iterable[Article] = (),
              links: Iterable[ActorLink] = ()) -> "Ledger":
        arts = {a.id: a for a in articles}
        texts = {aid: f"{a.title or ''}\n{a.text}" for aid, a in arts.items()}
        res = resolve(positions, links, texts)
        return cls(res.apply(positions), arts, res, list(positions))

    @classmethod
    def from_store(cls, store, extractor: str | None = None) -> "Ledger":
        """Every stored position (of one extractor when given), its article and the curated actor links."""
        positions = store.positions(extractor=extractor) if extractor else store.positions()
        ids = {p.article_id for p in positions if p.article_id}
        arts = [store.get_article(i) for i in sorted(ids)]
        return cls.build(positions, arts, store.actor_links())

    @property
    def records(self) -> list[ActorRecord]:
        return self.resolution.records

    def select(self, query: str) -> list[str]:
        """Canonical names a user means by ``query``: the record, plus its members when it is a side."""
        rec = self.resolution.find(query)
        return self.resolution.members(rec.name)

    def when(self, p: Position) -> tuple[date | None, bool]:
        return when(p, self.articles.get(p.article_id or ""))

    def cite(self, p: Position) -> Citation:
        d, dated = self.when(p)
        art = self.articles.get(p.article_id or "")
        return Citation(p.article_id or p.evidence.article_id or "?", art.title if art else None, d, dated,
                        p.evidence.text, p.evidence.start, p.evidence.end)

    def order_key(self, p: Position) -> tuple:
        d, _ = self.when(p)
        art = self.articles.get(p.article_id or "")
        ing = art.ingested_at.isoformat() if art and art.ingested_at else ""
        return (d or date.min, ing, p.article_id or "", p.evidence.start, p.id or 0)

    def side_of(self, actor: str) -> str:
        rec = self.resolution.record(actor)
        return (rec.side if rec and rec.side else actor)


def when(p: Position, article: Article | None) -> tuple[date | None, bool]:
    """The date of a position: its article's published date, else the ingestion date (dated=False)."""
    if p.published:
        return p.published, True
    if article is not None and article.published:
        return article.published, True
    if article is not None and article.ingested_at:
        ing = article.ingested_at
        return (ing.date() if isinstance(ing, datetime) else ing), False
    return None, False


def parse_since(value: str | date | None) -> date | None:
    """``YYYY-MM-DD`` -> date (E503 otherwise)."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise AnalysisError("E503", detail=f"--since {value!r}: expected a date as YYYY-MM-DD") from None


class Notes:
    """Numbered footnotes: the same citation always gets the same number."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._index: dict[tuple, int] = {}

    def ref(self, c: Citation) -> int:
        k = (c.article_id, c.start, c.end, c.sentence)
        if k not in self._index:
            self.items.append(c)
            self._index[k] = len(self.items)
        return self._index[k]

    def to_list(self) -> list[dict]:
        return [{"n": i, **c.to_dict()} for i, c in enumerate(self.items, 1)]
