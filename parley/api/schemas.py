"""The shapes the API answers with (Pydantic models: they are the OpenAPI schema at /openapi.json)."""
from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Stance = Literal["support", "oppose", "conditional", "mixed"]


class ErrorBody(BaseModel):
    code: str = Field(description="stable error code, E7xx for the API (E1xx-E6xx from the library)")
    message: str = Field(description="what failed, the likely cause and the fix")


class ErrorResponse(BaseModel):
    """Every error, everywhere: ``{"ok": false, "error": {"code", "message"}, "status"}``."""

    ok: Literal[False] = False
    error: ErrorBody
    status: int


class Evidence(BaseModel):
    start: int = Field(description="offset of the first character of the sentence in the article text")
    end: int = Field(description="offset after its last character: text == article.text[start:end]")
    text: str
    cue: str | None = None


class PositionOut(BaseModel):
    id: str = Field(description="content-derived id: survives re-extraction")
    article_id: str
    date: Date | None = Field(description="the article's date (published, else its dateline); null: undated")
    date_source: Literal["published", "dateline"] | None = None
    actor: str = Field(description="the actor as resolved across articles (canonical name)")
    actor_id: int | None = Field(None, description="id of that actor in /api/v1/actors")
    actor_as_written: str = Field(description="the actor as the extractor gave it in this article")
    aliases: list[str] = []
    issue: str
    proposition: str = ""
    stance: Stance
    conditions: list[str] = []
    red_line: bool = False
    previous_stance: str | None = None
    confidence: float = 1.0
    speaker: str | None = None
    extractor: str | None = None
    extractor_version: str | None = None
    evidence: Evidence


class PositionPage(BaseModel):
    items: list[PositionOut]
    next_cursor: str | None = Field(None, description="pass as ?cursor= for the next page; null: last page")
    actor_match: str | None = Field(None, description="how ?actor= was matched when not exactly")


class ArticleSummary(BaseModel):
    id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    date: Date | None = None
    date_source: Literal["published", "dateline"] | None = None
    language: str | None = None
    chars: int = 0
    positions: int = 0
    duplicate_of: str | None = None
    flags: list[str] = []
    snippet: str | None = Field(None, description="search matches in [[...]] (with ?q=)")


class ArticlePage(BaseModel):
    items: list[ArticleSummary]
    next_cursor: str | None = None


class ArticleOut(BaseModel):
    id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    date: Date | None = None
    date_source: Literal["published", "dateline"] | None = None
    language: str | None = None
    chars: int = 0
    duplicate_of: str | None = None
    flags: list[str] = []
    origin: str | None = None
    ingested_at: datetime | None = None
    text: str = Field(description="the stored text: every evidence offset indexes it")
    positions: list[PositionOut] = []


class SearchHitOut(BaseModel):
    kind: Literal["article", "evidence"]
    article_id: str
    title: str | None = None
    snippet: str
    position_id: str | None = None


class SearchOut(BaseModel):
    query: str
    hits: list[SearchHitOut]


class SideEvidenceOut(BaseModel):
    side: str
    how: str
    article_id: str | None = None
    start: int | None = None
    end: int | None = None
    text: str = ""


class MergeOut(BaseModel):
    a: str
    b: str
    confidence: float
    reason: str


class ActorRef(BaseModel):
    id: int
    name: str


class ActorSummary(BaseModel):
    id: int
    name: str
    kind: Literal["person", "state", "org", "group"]
    side: str | None = None
    mentions: int = 0
    articles: int = 0
    confidence: float = 1.0
    aliases: list[str] = []


class ActorPage(BaseModel):
    items: list[ActorSummary]
    next_cursor: str | None = None
    total: int = 0


class Citation(BaseModel):
    article_id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    date: Date | None = None
    dated: bool = False
    date_source: str | None = None
    sentence: str
    start: int
    end: int


class TimelinePointOut(BaseModel):
    position_id: str
    actor: str
    actor_id: int | None = None
    issue: str
    stance: Stance
    date: Date | None = None
    dated: bool = False
    red_line: bool = False
    conditions: list[str] = []
    proposition: str = ""
    citation: Citation


class IssueCount(BaseModel):
    issue: str
    positions: int
    latest: Date | None = None
    stances: dict[str, int] = {}


class ActorOut(ActorSummary):
    side_id: int | None = None
    side_evidence: list[SideEvidenceOut] = []
    side_note: str = ""
    merges: list[MergeOut] = []
    members: list[ActorRef] = []
    issues: list[IssueCount] = []
    timeline: list[TimelinePointOut] = Field(default_factory=list,
                                             description="the latest ?limit= points, oldest first")
    timeline_total: int = 0


class ActorMatchOut(BaseModel):
    query: str
    how: str = Field(description="name | alias | surname | fuzzy | substring")
    matched: str = ""
    score: float = 100.0
    notice: str | None = None
    actors: list[ActorSummary]


class TimelinePage(BaseModel):
    actor: str
    items: list[TimelinePointOut]
    next_cursor: str | None = None


class CitedEvidence(BaseModel):
    position_id: str | None = None
    article_id: str | None = None
    start: int
    end: int
    text: str


class ShiftOut(BaseModel):
    actor: str
    actor_id: int | None = None
    issue: str
    before: str
    after: str
    date_before: Date | None = None
    date_after: Date | None = None
    announced: bool = False
    proposition: str = ""
    evidence_before: CitedEvidence | None = None
    evidence_after: CitedEvidence


class ShiftPage(BaseModel):
    items: list[ShiftOut]
    next_cursor: str | None = None


class ComparedPosition(BaseModel):
    actor: str
    stance: str
    proposition: str = ""
    conditions: list[str] = []
    red_line: bool = False
    note: int
    shown: str


class ConditionOut(BaseModel):
    holder: str
    condition: str
    shown: str
    verdict: Literal["met", "contradicted", "ignored", "ambiguous"]
    reason: str
    note: int
    relevant: list[int] = []


class ClashOut(BaseModel):
    red: ComparedPosition
    other: ComparedPosition
    explanation: str


class IssueComparisonOut(BaseModel):
    issue: str
    a: list[ComparedPosition]
    b: list[ComparedPosition]
    conditions: list[ConditionOut] = []
    clashes: list[ClashOut] = []
    common_ground: str | None = None
    zopa: str = ""


class NoteOut(BaseModel):
    n: int
    article_id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    date: str | None = None
    dated: bool = False
    date_source: str | None = None
    sentence: str
    start: int
    end: int


class CompareOut(BaseModel):
    a: str
    b: str
    a_label: str
    b_label: str
    a_id: int | None = None
    b_id: int | None = None
    issues: list[IssueComparisonOut]
    notes: list[NoteOut]


class IssueActor(BaseModel):
    id: int
    name: str
    side: str | None = None
    positions: int
    latest_stance: Stance
    latest_date: Date | None = None
    red_lines: int = 0


class IssueOut(BaseModel):
    issue: str
    positions: int
    stances: dict[str, int]
    actors: list[IssueActor]
    by_month: list[dict[str, Any]] = Field(default_factory=list, description="{month, support, oppose, ...}")


class IssueList(BaseModel):
    items: list[IssueCount]


class RedLineOut(BaseModel):
    position: PositionOut
    title: str | None = None


class MatrixCell(BaseModel):
    actor_id: int
    issue: str
    positions: int
    latest_stance: Stance
    stances: dict[str, int]


class OverviewOut(BaseModel):
    taxonomy: str | None = None
    articles: int
    positions: int
    actors: int
    new_red_lines: list[PositionOut]
    latest_shifts: list[ShiftOut]
    most_active: list[ActorSummary]
    matrix_actors: list[ActorRef]
    matrix_issues: list[str]
    matrix: list[MatrixCell]


class StatsOut(BaseModel):
    model_config = {"extra": "allow"}

    url: str
    schema_version: int
    articles: int
    positions: int
    actors: int | dict[str, int]
    ledger: list[dict[str, Any]] = []


NO_NUL = r"^[^\x00]*$"


class CurateIn(BaseModel):
    a: str = Field(min_length=1, max_length=500, pattern=NO_NUL, description="actor name (kept)")
    b: str = Field(min_length=1, max_length=500, pattern=NO_NUL,
                   description="actor name or a form the extractor used")
    taxonomy: str | None = Field(None, max_length=200, pattern=NO_NUL)


class CurateOut(BaseModel):
    action: str
    a: str
    b: str
    message: str
    notices: list[str] = []
    actors: list[ActorSummary] = []


class ArticleIn(BaseModel):
    text: str | None = Field(None, description="the article text (first line = title when no title is given)")
    url: str | None = Field(None, max_length=2000, pattern=NO_NUL, description="fetch this page or feed instead")
    title: str | None = Field(None, max_length=2000)
    published: Date | None = None
    source: str | None = Field(None, max_length=500)
    extract: bool = Field(False, description="also start an extraction job for what is pending")


class IngestedArticle(BaseModel):
    id: str
    status: Literal["inserted", "duplicate", "near_duplicate"]
    title: str | None = None
    duplicate_of: str | None = None


class IngestOut(BaseModel):
    articles: list[IngestedArticle]
    inserted: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    errors: list[ErrorBody] = []
    notices: list[str] = []
    job: JobOut | None = None


class RunIn(BaseModel):
    extractor: str | None = Field(None, max_length=100, pattern=NO_NUL,
                                  description="extractor name [the 'extractor' setting]")
    limit: int | None = Field(None, ge=1, le=1_000_000)
    force: bool = False


class JobOut(BaseModel):
    id: str
    kind: str = "extract"
    status: Literal["queued", "running", "finished", "failed", "interrupted"]
    extractor: str | None = None
    done: int = 0
    total: int = 0
    positions: int = 0
    failed: int = 0
    run_id: int | None = None
    message: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None


class RunOut(BaseModel):
    model_config = {"extra": "allow"}

    id: int
    extractor: str
    version: str
    status: str
    articles: int
    positions: int
    started_at: datetime | None = None
    finished_at: datetime | None = None


class RunList(BaseModel):
    jobs: list[JobOut]
    runs: list[RunOut]


IngestOut.model_rebuild()
