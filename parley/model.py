"""Domain model: frozen dataclasses shared by every layer.

The shapes follow ``shared/docs/positions.md``. Evidence is a view on the
article text (offsets), never a copy that could drift: ``Evidence.text`` must
always equal ``article.text[start:end]``.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Literal, get_args

from .errors import Arg, UsageError

#: a position's stance (positions.md)
Stance = Literal["support", "oppose", "conditional", "mixed"]
STANCES: tuple[Stance, ...] = get_args(Stance)


def as_stance(value: str) -> Stance:
    """``value`` as a :data:`Stance` (a model's or a labelled set's string); E904 when it is none."""
    if value not in STANCES:
        raise UsageError("E904", arg=Arg("stance"), value=value, known=", ".join(STANCES))
    return value

_WS = re.compile(r"\s+")
_CONNECTIVE = re.compile(
    r"(?i)^(?:only\s+)?(?:if|unless|provided|providing|as long as|so long as|on condition|under the condition|"
    r"in exchange for|in return for|subject to|once|until|till|before|after|when|whenever|with|without)\b")


def normalise_text(text: str) -> str:
    """Normal form used for the article id: NFKC, straight quotes, collapsed whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return _WS.sub(" ", text).strip()


def article_id_for(text: str) -> str:
    """Stable article id: first 16 hex digits of sha256 of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:16]


def condition_phrase(conditions: tuple[str, ...] | list[str]) -> str:
    """Conditions as one readable phrase, "if A; unless B": "if" is prefixed only to a
    condition that does not open with its own connective ("unless", "provided that"...)."""
    parts = []
    for cond in conditions:
        c = cond.strip()
        parts.append(c if _CONNECTIVE.match(c) else f"if {c}")
    return "; ".join(parts)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Article:
    """One ingested news article. ``id`` is the hash of its normalised text."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: date | None = None
    language: str = "en"
    ingested_at: datetime = field(default_factory=utcnow)
    origin: str | None = None          # file path / URL / "stdin" it came from
    external_id: str | None = None     # an id the record carried (JSON ``id``)
    duplicate_of: str | None = None    # set when a near-duplicate of an earlier article
    flags: tuple[str, ...] = ()        # how the text was obtained when not the usual way ("visible_text")

    @classmethod
    def create(cls, text: str, **kw: Any) -> Article:
        return cls(id=article_id_for(text), text=text, **kw)

    @property
    def is_english(self) -> bool:
        return (self.language or "en") == "en"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        d["ingested_at"] = self.ingested_at.isoformat() if self.ingested_at else None
        d["flags"] = list(self.flags)
        return d


@dataclass(frozen=True)
class Evidence:
    """Character offsets into an article's text, plus that text and the cue that fired."""

    start: int
    end: int
    text: str
    article_id: str | None = None
    cue: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text}
        if self.article_id:
            d["article_id"] = self.article_id
        if self.cue:
            d["cue"] = self.cue
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], article_id: str | None = None) -> Evidence:
        return cls(start=int(d["start"]), end=int(d["end"]), text=d["text"],
                   article_id=d.get("article_id", article_id), cue=d.get("cue"))


@dataclass(frozen=True)
class Actor:
    """Someone who holds positions: a person, organisation, state or named group."""

    name: str
    aliases: tuple[str, ...] = ()
    kind: str | None = None          # person | org | state | group
    affiliation: str | None = None   # the side a person belongs to ("Ukraine")
    confidence: float = 1.0


@dataclass(frozen=True)
class Position:
    """One (actor, issue, stance) an article attributes to an actor (positions.md)."""

    actor: str
    issue: str
    stance: Stance
    evidence: Evidence
    proposition: str = ""
    aliases: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    red_line: bool = False
    previous_stance: Stance | None = None
    confidence: float = 1.0
    speaker: str | None = None        # who uttered it, when relayed (spokesman)
    extractor: str | None = None
    extractor_version: str | None = None
    article_id: str | None = None
    published: date | None = None     # the article's date, filled by the store
    id: str | None = None             # content-derived id, filled by the store (parley.store.ids)

    def __post_init__(self) -> None:
        if self.stance not in STANCES:
            raise UsageError("E904", arg=Arg("stance"), value=self.stance, known=", ".join(STANCES))

    def condition_phrase(self) -> str:
        """The conditions as one readable phrase: "if A; unless B" ("" when unconditional).

        "if" is prefixed only to a condition that does not already open with its
        own connective ("unless", "provided that", "in exchange for", ...)."""
        return condition_phrase(self.conditions)

    def with_(self, **kw: Any) -> Position:
        return replace(self, **kw)

    def to_dict(self, extra: bool = True) -> dict[str, Any]:
        """The positions.md shape (plus optional extra fields)."""
        d: dict[str, Any] = {
            "actor": self.actor,
            "aliases": list(self.aliases),
            "issue": self.issue,
            "proposition": self.proposition,
            "stance": self.stance,
            "conditions": list(self.conditions),
            "red_line": self.red_line,
            "previous_stance": self.previous_stance,
            "evidence": {"start": self.evidence.start, "end": self.evidence.end, "text": self.evidence.text},
        }
        if extra:
            d["confidence"] = round(self.confidence, 3)
            if self.evidence.cue:
                d["cue"] = self.evidence.cue
            if self.speaker:
                d["speaker"] = self.speaker
            if self.extractor:
                d["extractor"] = self.extractor
                d["extractor_version"] = self.extractor_version
            if self.article_id or self.evidence.article_id:
                d["article_id"] = self.article_id or self.evidence.article_id
            if self.published:
                d["published"] = self.published.isoformat()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], article_id: str | None = None) -> Position:
        ev = d["evidence"]
        if isinstance(ev, str):  # labelled sets store the sentence alone
            ev = {"start": -1, "end": -1, "text": ev}
        pub = d.get("published")
        return cls(
            actor=d["actor"], issue=d["issue"], stance=d["stance"],
            evidence=Evidence.from_dict({**ev, "cue": d.get("cue")}, article_id),
            proposition=d.get("proposition") or "",
            aliases=tuple(d.get("aliases") or ()),
            conditions=tuple(d.get("conditions") or ()),
            red_line=bool(d.get("red_line", False)),
            previous_stance=d.get("previous_stance"),
            confidence=float(d.get("confidence", 1.0)),
            speaker=d.get("speaker"),
            extractor=d.get("extractor"), extractor_version=d.get("extractor_version"),
            article_id=d.get("article_id", article_id),
            published=date.fromisoformat(pub) if isinstance(pub, str) else pub,
            id=None if d.get("id") is None else str(d["id"]),
        )


@dataclass(frozen=True)
class Shift:
    """A change of stance by one actor on one issue, with the evidence before and after."""

    actor: str
    issue: str
    before: str                   # stance before
    after: str                    # stance after
    evidence_before: Evidence | None
    evidence_after: Evidence
    date_before: date | None = None
    date_after: date | None = None
    proposition: str = ""
    announced: bool = False       # True when the article itself states the change
    before_id: str | None = None  # content-derived ids of the positions before and after (when stored)
    after_id: str | None = None
