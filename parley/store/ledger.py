"""The kept ledger's tables (migration 9): resolved actors, their names, timeline points, shifts,
side votes and one state row per taxonomy.

This module only reads and writes rows; what goes in them is decided by
:mod:`parley.analyze.kept` (actor resolution, sides, shifts), which calls
:meth:`LedgerTables.apply` with a :class:`LedgerChange`. A change is written in
one transaction that first checks the taxonomy's ``version`` is still the one
the change was computed from (another process may have updated the ledger
meanwhile: the caller then computes again), so concurrent writers never double
a point or lose one.

Points refer to ``positions.id`` without a foreign key: re-extracting an
article deletes its position rows, and the next update finds the points left
without a position (:meth:`LedgerTables.orphans`), drops them and recomputes
what they took part in.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa

from ..errors import StoreError
from ..model import Evidence, Position, utcnow
from . import tables as t

if TYPE_CHECKING:
    from .sql import SqlStore

log = logging.getLogger(__name__)

__all__ = ["ActorRow", "ApiQueries", "LedgerChange", "LedgerState", "LedgerTables", "PointRow", "ShiftRow", "LedgerMode",
           "ORDER_NEWEST", "ORDER_OLDEST"]

LedgerMode = Literal["rebuild", "update", "curate"]
ORDER_NEWEST, ORDER_OLDEST = "newest", "oldest"
_CHUNK = 500         # ids per IN (...) list


def _now() -> datetime:
    return utcnow().replace(tzinfo=None)


def _chunks(items: Sequence[Any], n: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


@dataclass(frozen=True)
class LedgerState:
    """One taxonomy's ledger: ``version`` is bumped by every change (readers cache on it)."""

    taxonomy: str
    version: int
    links_hash: str
    points: int
    built_at: datetime | None
    updated_at: datetime | None
    last_mode: str


@dataclass(frozen=True)
class ActorRow:
    """A resolved actor as kept (``side_evidence`` and ``merges`` decoded from JSON)."""

    id: int
    taxonomy: str
    name: str
    kind: str
    side: str | None
    side_note: str
    side_evidence: tuple[dict[str, Any], ...]
    merges: tuple[dict[str, Any], ...]
    confidence: float
    mentions: int
    articles: int
    hidden: bool


@dataclass(frozen=True)
class PointRow:
    """A timeline point: one stored position (its ``actor`` as extracted), the canonical actor it is
    attributed to, and its article's date (``day``, from ``date_source``: published or dateline)."""

    position_id: int
    actor_id: int
    actor: str                   # canonical name
    position: Position           # as stored (raw actor name), ``id`` = content-derived uid
    day: date | None
    date_source: str | None
    title: str | None = None
    source: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ShiftRow:
    id: int
    actor_id: int
    actor: str
    issue: str
    before: str
    after: str
    before_uid: str | None
    after_uid: str
    date_before: date | None
    date_after: date | None
    announced: bool


@dataclass
class LedgerChange:
    """What one update writes. Actors are named (names are unique per taxonomy); ids are kept for
    names that exist and given to new ones inside the transaction.

    ``full``: everything of the taxonomy is replaced (a rebuild), ids of surviving names kept.
    ``actors``: rows to insert or update, keyed by name (``mentions``/``articles`` are recounted from
    the points afterwards, for every actor the change touches).
    ``merge_into``: actor name -> the name it is merged into (points, names, votes move; its shifts
    are dropped, so give the target's groups in ``shift_groups``).
    ``names``: surface form -> actor name. ``points``: new points (``actor`` = a name).
    ``votes``: actor name -> side evidence to add (``replace_votes``: instead of the kept ones).
    ``shift_groups``: (actor name, issue) whose kept shifts are replaced by those in ``shifts``.
    ``drop_points``: position ids whose points go (orphans). ``move_points``: position id -> the actor
    name its point is attributed to from now on (a curated merge or split). ``delete_actors``: names
    whose rows go (their points must have moved).
    """

    taxonomy: str
    expect_version: int | None
    links_hash: str
    mode: LedgerMode
    full: bool = False
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    merge_into: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    points: list[dict[str, Any]] = field(default_factory=list)
    votes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    replace_votes: set[str] = field(default_factory=set)
    shift_groups: set[tuple[str, str]] = field(default_factory=set)
    shifts: list[dict[str, Any]] = field(default_factory=list)
    drop_points: list[int] = field(default_factory=list)
    move_points: dict[int, str] = field(default_factory=dict)
    delete_actors: set[str] = field(default_factory=set)


class StaleLedger(Exception):
    """The ledger changed since the change was computed (another process updated it): compute again."""


_POS = t.positions
#: the positions columns but ``article_date``, which queries here compute from the article itself
_POS_COLS = [c for c in _POS.c if c.name != "article_date"]
_ART = t.articles


def _article_date() -> Any:
    return sa.func.coalesce(_ART.c.published, _ART.c.dateline)


def _position(r: Any) -> Position:
    return Position(
        actor=r.actor, issue=r.issue, stance=r.stance,
        evidence=Evidence(start=r.ev_start, end=r.ev_end, text=r.evidence_text, article_id=r.article_id, cue=r.cue),
        proposition=r.proposition or "", aliases=tuple(json.loads(r.aliases or "[]")),
        conditions=tuple(json.loads(r.conditions or "[]")), red_line=bool(r.red_line),
        previous_stance=r.previous_stance, confidence=float(r.confidence if r.confidence is not None else 1.0),
        speaker=r.speaker, extractor=r.extractor, extractor_version=r.extractor_version,
        article_id=r.article_id, published=r.article_date, id=r.uid)


def _actor(r: Any) -> ActorRow:
    return ActorRow(int(r.id), r.taxonomy, r.name, r.kind, r.side, r.side_note or "",
                    tuple(json.loads(r.side_evidence or "[]")), tuple(json.loads(r.merges or "[]")),
                    float(r.confidence), int(r.mentions), int(r.articles), bool(r.hidden))


def point_columns() -> list[Any]:
    """The columns :func:`point_from_row` reads (positions, article date and canonical actor)."""
    lp, la = t.ledger_points, t.ledger_actors
    return [*_POS_COLS, _article_date().label("article_date"), lp.c.actor_id, lp.c.day, lp.c.date_source,
            la.c.name.label("canonical"), _ART.c.title, _ART.c.source, _ART.c.url]


def point_select() -> Any:
    lp, la = t.ledger_points, t.ledger_actors
    return (sa.select(*point_columns())
            .select_from(lp.join(_POS, _POS.c.id == lp.c.position_id).join(_ART, _ART.c.id == _POS.c.article_id)
                         .join(la, la.c.id == lp.c.actor_id)))


def point_from_row(r: Any) -> PointRow:
    return PointRow(int(r.id), int(r.actor_id), r.canonical, _position(r), r.day, r.date_source,
                    r.title, r.source, r.url)


def _point_filters(q: Any, *, issue: str | None, stance: str | None, red_line: bool | None,
                   conditional: bool | None, article_id: str | None, since: date | None, until: date | None,
                   include_undated: bool) -> Any:
    """The filters ``points`` and ``point_page`` share, on ``ledger_points`` (undated points only
    with ``include_undated``; with no date bound, all of them or only the dated ones)."""
    lp = t.ledger_points
    if issue:
        q = q.where(lp.c.issue == issue)
    if stance:
        q = q.where(lp.c.stance == stance)
    if red_line is not None:
        q = q.where(lp.c.red_line.is_(red_line))
    if conditional is not None:
        q = q.where(lp.c.conditional.is_(conditional))
    if article_id:
        q = q.where(lp.c.article_id == article_id)
    conds = []
    if since is not None:
        conds.append(lp.c.day >= since)
    if until is not None:
        conds.append(lp.c.day <= until)
    if conds:
        cond = sa.and_(*conds)
        q = q.where(sa.or_(cond, lp.c.day.is_(None)) if include_undated else cond)
    elif not include_undated:
        q = q.where(lp.c.day.is_not(None))
    return q


class LedgerTables:
    """Reads and writes of the kept-ledger tables of one store (``store.ledger``)."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def _tx(self, op: str, write: bool = False) -> Any:
        return self._store._tx(op, write=write)

    # ------------------------------------------------------------------ state
    def state(self, taxonomy: str) -> LedgerState | None:
        s = t.ledger_state
        with self._tx("ledger_state") as conn:
            r = conn.execute(sa.select(s).where(s.c.taxonomy == taxonomy)).first()
        if r is None:
            return None
        return LedgerState(r.taxonomy, int(r.version), r.links_hash, int(r.points), r.built_at, r.updated_at,
                           r.last_mode)

    def states(self) -> list[LedgerState]:
        s = t.ledger_state
        with self._tx("ledger_state") as conn:
            rows = conn.execute(sa.select(s).order_by(s.c.taxonomy)).all()
        return [LedgerState(r.taxonomy, int(r.version), r.links_hash, int(r.points), r.built_at, r.updated_at,
                            r.last_mode) for r in rows]

    def version(self, taxonomy: str) -> int:
        """The taxonomy's ledger version (0 before the first build): one small query, for caches."""
        s = t.ledger_state
        with self._tx("ledger_version") as conn:
            v = conn.execute(sa.select(s.c.version).where(s.c.taxonomy == taxonomy)).scalar()
        return int(v or 0)

    # ------------------------------------------------------------------ what an update needs
    def pending(self, taxonomy: str) -> list[tuple[int, Position]]:
        """Stored positions of ``taxonomy`` that have no point yet: (positions.id, position)."""
        lp = t.ledger_points
        q = (sa.select(*_POS_COLS, _article_date().label("article_date"))
             .select_from(_POS.join(_ART, _ART.c.id == _POS.c.article_id)
                          .outerjoin(lp, lp.c.position_id == _POS.c.id))
             .where(_POS.c.taxonomy == taxonomy, lp.c.position_id.is_(None)).order_by(_POS.c.id))
        with self._tx("ledger_pending") as conn:
            return [(int(r.id), _position(r)) for r in conn.execute(q)]

    def count_pending(self, taxonomy: str) -> int:
        lp = t.ledger_points
        q = (sa.select(sa.func.count()).select_from(_POS.outerjoin(lp, lp.c.position_id == _POS.c.id))
             .where(_POS.c.taxonomy == taxonomy, lp.c.position_id.is_(None)))
        with self._tx("ledger_pending") as conn:
            return int(conn.execute(q).scalar() or 0)

    def all_positions(self, taxonomy: str) -> list[tuple[int, Position]]:
        """Every stored position of ``taxonomy``, by row id (for a rebuild)."""
        q = (sa.select(*_POS_COLS, _article_date().label("article_date"))
             .select_from(_POS.join(_ART, _ART.c.id == _POS.c.article_id))
             .where(_POS.c.taxonomy == taxonomy).order_by(_POS.c.id))
        with self._tx("ledger_positions") as conn:
            return [(int(r.id), _position(r)) for r in conn.execute(q)]

    def in_step(self, taxonomy: str) -> bool:
        """True when the points are those of the stored positions, by two aggregate queries: the same
        count and the same highest position id (row ids only grow, so a re-extraction shows)."""
        lp = t.ledger_points
        with self._tx("ledger_in_step") as conn:
            a = conn.execute(sa.select(sa.func.count(), sa.func.max(_POS.c.id)).where(_POS.c.taxonomy == taxonomy)).one()
            b = conn.execute(sa.select(sa.func.count(), sa.func.max(lp.c.position_id))
                             .where(lp.c.taxonomy == taxonomy)).one()
        return (int(a[0] or 0), a[1]) == (int(b[0] or 0), b[1])

    def orphans(self, taxonomy: str) -> list[tuple[int, int, str]]:
        """Points whose position is gone (re-extracted): (position_id, actor_id, issue)."""
        lp = t.ledger_points
        q = (sa.select(lp.c.position_id, lp.c.actor_id, lp.c.issue)
             .select_from(lp.outerjoin(_POS, _POS.c.id == lp.c.position_id))
             .where(lp.c.taxonomy == taxonomy, _POS.c.id.is_(None)))
        with self._tx("ledger_orphans") as conn:
            return [(int(r.position_id), int(r.actor_id), r.issue) for r in conn.execute(q)]

    def article_texts(self, article_ids: Iterable[str]) -> dict[str, tuple[str | None, str]]:
        """Article id -> (title, text), for the articles given."""
        ids = sorted(set(article_ids))
        out: dict[str, tuple[str | None, str]] = {}
        with self._tx("ledger_texts") as conn:
            for part in _chunks(ids):
                for r in conn.execute(sa.select(_ART.c.id, _ART.c.title, _ART.c.text).where(_ART.c.id.in_(part))):
                    out[r.id] = (r.title, r.text)
        return out

    def article_text(self, article_id: str) -> str | None:
        with self._tx("article_text") as conn:
            v = conn.execute(sa.select(_ART.c.text).where(_ART.c.id == article_id)).scalar()
        return None if v is None else str(v)

    def article_meta(self, article_ids: Iterable[str]) -> list[Any]:
        """Rows (id, title, url, source, published, dateline, language, ingested_at, origin, external_id,
        duplicate_of, flags) of the articles given, without their text."""
        ids = sorted(set(article_ids))
        a = _ART
        cols = [a.c.id, a.c.title, a.c.url, a.c.source, a.c.published, a.c.dateline, a.c.language,
                a.c.ingested_at, a.c.origin, a.c.external_id, a.c.duplicate_of, a.c.flags]
        rows: list[Any] = []
        with self._tx("article_meta") as conn:
            for part in _chunks(ids):
                rows.extend(conn.execute(sa.select(*cols).where(a.c.id.in_(part))).all())
        return rows

    # ------------------------------------------------------------------ actors and names
    def actors(self, taxonomy: str, *, include_hidden: bool = True) -> list[ActorRow]:
        la = t.ledger_actors
        q = sa.select(la).where(la.c.taxonomy == taxonomy)
        if not include_hidden:
            q = q.where(la.c.hidden.is_(False))
        q = q.order_by(la.c.mentions.desc(), la.c.name)
        with self._tx("ledger_actors") as conn:
            return [_actor(r) for r in conn.execute(q)]

    def actors_by_id(self, ids: Iterable[int]) -> dict[int, ActorRow]:
        la = t.ledger_actors
        want = sorted(set(ids))
        out: dict[int, ActorRow] = {}
        with self._tx("ledger_actors") as conn:
            for part in _chunks(want):
                for r in conn.execute(sa.select(la).where(la.c.id.in_(part))):
                    out[int(r.id)] = _actor(r)
        return out

    def actor(self, taxonomy: str, actor_id: int) -> ActorRow | None:
        la = t.ledger_actors
        with self._tx("ledger_actor") as conn:
            r = conn.execute(sa.select(la).where(la.c.taxonomy == taxonomy, la.c.id == actor_id)).first()
        return None if r is None else _actor(r)

    def actor_ids(self, taxonomy: str, names: Iterable[str]) -> dict[str, int]:
        """Actor name -> id for the names given that are actors of ``taxonomy``."""
        la = t.ledger_actors
        want = sorted(set(names))
        out: dict[str, int] = {}
        with self._tx("ledger_actor_ids") as conn:
            for part in _chunks(want):
                for r in conn.execute(sa.select(la.c.id, la.c.name)
                                      .where(la.c.taxonomy == taxonomy, la.c.name.in_(part))):
                    out[r.name] = int(r.id)
        return out

    def names(self, taxonomy: str) -> dict[str, int]:
        """Every surface form of ``taxonomy`` -> its actor id."""
        n = t.ledger_names
        with self._tx("ledger_names") as conn:
            return {r.name: int(r.actor_id) for r in conn.execute(
                sa.select(n.c.name, n.c.actor_id).where(n.c.taxonomy == taxonomy))}

    def names_of(self, actor_ids: Iterable[int]) -> dict[int, list[str]]:
        n = t.ledger_names
        want = sorted(set(actor_ids))
        out: dict[int, list[str]] = {i: [] for i in want}
        with self._tx("ledger_names") as conn:
            for part in _chunks(want):
                for r in conn.execute(sa.select(n.c.name, n.c.actor_id).where(n.c.actor_id.in_(part))
                                      .order_by(n.c.name)):
                    out[int(r.actor_id)].append(r.name)
        return out

    def votes(self, actor_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        v = t.ledger_side_votes
        want = sorted(set(actor_ids))
        out: dict[int, list[dict[str, Any]]] = {i: [] for i in want}
        with self._tx("ledger_votes") as conn:
            for part in _chunks(want):
                for r in conn.execute(sa.select(v).where(v.c.actor_id.in_(part)).order_by(v.c.id)):
                    out[int(r.actor_id)].append({"side": r.side, "how": r.how, "article_id": r.article_id,
                                                 "start": r.start, "end": r.end, "text": r.text})
        return out

    def sides(self, taxonomy: str) -> set[str]:
        """Every side some actor of ``taxonomy`` is on."""
        la = t.ledger_actors
        with self._tx("ledger_sides") as conn:
            return {r[0] for r in conn.execute(sa.select(sa.distinct(la.c.side))
                                               .where(la.c.taxonomy == taxonomy, la.c.side.is_not(None)))}

    # ------------------------------------------------------------------ points and shifts
    def points(self, taxonomy: str, actor_ids: Iterable[int] | None = None, *, issue: str | None = None,
               since: date | None = None, until: date | None = None, include_undated: bool = True,
               position_ids: Iterable[int] | None = None, red_line: bool | None = None,
               conditional: bool | None = None, article_id: str | None = None, stance: str | None = None,
               order: str = ORDER_OLDEST, limit: int | None = None) -> list[PointRow]:
        """Timeline points (with their positions) by the filters, in date order (undated last)."""
        lp = t.ledger_points
        q = point_select().where(lp.c.taxonomy == taxonomy)
        if actor_ids is not None:
            ids = sorted(set(actor_ids))
            if not ids:
                return []
            q = q.where(lp.c.actor_id.in_(ids))
        if position_ids is not None:
            pids = sorted(set(position_ids))
            if not pids:
                return []
            q = q.where(lp.c.position_id.in_(pids))
        q = _point_filters(q, issue=issue, stance=stance, red_line=red_line, conditional=conditional,
                           article_id=article_id, since=since, until=until, include_undated=include_undated)
        if order == ORDER_NEWEST:
            q = q.order_by(sa.nulls_last(lp.c.day.desc()), lp.c.position_id.desc())
        else:
            q = q.order_by(sa.nulls_last(lp.c.day.asc()), lp.c.position_id)
        if limit is not None:
            q = q.limit(limit)
        with self._tx("ledger_points") as conn:
            return [point_from_row(r) for r in conn.execute(q)]

    def last_day_points(self, taxonomy: str, actor_ids: Sequence[int]) -> list[int]:
        """Position ids of the points of the actors given (taken together) on their last day on each
        issue, where undated points count as after every dated one: the positions a comparison reads."""
        ids = sorted(set(actor_ids))
        if not ids:
            return []
        lp = t.ledger_points
        # The actor's own points through ix_ledger_points_actor_day, the last day picked here: grouping
        # in SQL made SQLite walk the whole taxonomy's issue index (23 ms a side on the corpus ledger).
        rows: list[Any] = []
        with self._tx("ledger_last_day") as conn:
            for part in _chunks(ids):
                q = (sa.select(lp.c.issue, lp.c.day, lp.c.position_id)
                     .where(lp.c.taxonomy == taxonomy, lp.c.actor_id.in_(part)))
                rows.extend(conn.execute(q).tuples())
        last: dict[str, date | None] = {}
        for iss, day, _ in rows:
            if iss not in last:
                last[iss] = day
            elif last[iss] is not None and (day is None or day > last[iss]):   # undated: after every day
                last[iss] = day
        return sorted(int(pid) for iss, day, pid in rows if day == last[iss])

    def resolved_positions(self, taxonomy: str, actor_ids: Iterable[int] | None = None,
                           issue: str | None = None, position_ids: Iterable[int] | None = None) -> list[Position]:
        """The positions of the actors given (every one when None), their ``actor`` the canonical name,
        in date order (undated last): what an analysis ledger holds. Read as plain tuples (a whole
        corpus ledger is tens of thousands of rows)."""
        lp, la, p, _a = t.ledger_points, t.ledger_actors, _POS, _ART
        cols = [la.c.name, p.c.issue, p.c.stance, p.c.ev_start, p.c.ev_end, p.c.evidence_text, p.c.article_id,
                p.c.cue, p.c.proposition, p.c.aliases, p.c.conditions, p.c.red_line, p.c.previous_stance,
                p.c.confidence, p.c.speaker, p.c.extractor, p.c.extractor_version, lp.c.day, p.c.uid]
        cols.append(lp.c.position_id)
        q = (sa.select(*cols).select_from(lp.join(p, p.c.id == lp.c.position_id).join(la, la.c.id == lp.c.actor_id))
             .where(lp.c.taxonomy == taxonomy))
        if actor_ids is not None:
            ids = sorted(set(actor_ids))
            if not ids:
                return []
            q = q.where(lp.c.actor_id.in_(ids))
        if issue:
            q = q.where(lp.c.issue == issue)
        parts: list[Any] = [None]
        if position_ids is not None:
            pids = sorted(set(position_ids))
            if not pids:
                return []
            parts = list(_chunks(pids))
        q = q.order_by(sa.nulls_last(lp.c.day.asc()), lp.c.position_id)
        out: list[Position] = []
        loads = json.loads
        rows: list[Any] = []
        with self._tx("ledger_positions") as conn:
            for part in parts:
                rows.extend(conn.execute(q if part is None else q.where(lp.c.position_id.in_(part))).tuples())
        if len(parts) > 1:
            rows.sort(key=lambda r: (r[17] is None, r[17] or date.min, r[19]))
        if True:
            for (actor, iss, stance, s0, s1, text, aid, cue, prop, als, conds, red, prev, conf, speaker, ext, ver,
                 day, uid, _pid) in rows:
                out.append(Position(
                    actor=actor, issue=iss, stance=stance, evidence=Evidence(s0, s1, text, aid, cue),
                    proposition=prop or "", aliases=() if als in (None, "[]") else tuple(loads(als)),
                    conditions=() if conds in (None, "[]") else tuple(loads(conds)), red_line=bool(red),
                    previous_stance=prev, confidence=1.0 if conf is None else float(conf), speaker=speaker,
                    extractor=ext, extractor_version=ver, article_id=aid, published=day, id=uid))
        return out

    def group_points(self, taxonomy: str, groups: Iterable[tuple[int, str]]) -> list[PointRow]:
        """The points of each (actor id, issue) group given."""
        by_actor: dict[int, set[str]] = {}
        for a, i in groups:
            by_actor.setdefault(a, set()).add(i)
        out: list[PointRow] = []
        for part in _chunks(sorted(by_actor)):
            for p in self.points(taxonomy, part):
                if p.position.issue in by_actor[p.actor_id]:
                    out.append(p)
        return out

    def shifts(self, taxonomy: str, actor_ids: Iterable[int] | None = None, *, issue: str | None = None,
               since: date | None = None, until: date | None = None, include_undated: bool = False,
               order: str = ORDER_OLDEST, limit: int | None = None) -> list[ShiftRow]:
        s, la = t.ledger_shifts, t.ledger_actors
        q = (sa.select(s, la.c.name.label("actor")).select_from(s.join(la, la.c.id == s.c.actor_id))
             .where(s.c.taxonomy == taxonomy))
        if actor_ids is not None:
            ids = sorted(set(actor_ids))
            if not ids:
                return []
            q = q.where(s.c.actor_id.in_(ids))
        if issue:
            q = q.where(s.c.issue == issue)
        conds = []
        if since is not None:
            conds.append(s.c.date_after >= since)
        if until is not None:
            conds.append(s.c.date_after <= until)
        if conds:
            cond = sa.and_(*conds)
            q = q.where(sa.or_(cond, s.c.date_after.is_(None)) if include_undated else cond)
        if order == ORDER_NEWEST:
            q = q.order_by(sa.nulls_last(s.c.date_after.desc()), la.c.name, s.c.issue, s.c.id)
        else:
            q = q.order_by(sa.nulls_last(s.c.date_after.asc()), la.c.name, s.c.issue, s.c.id)
        if limit is not None:
            q = q.limit(limit)
        with self._tx("ledger_shifts") as conn:
            return [ShiftRow(int(r.id), int(r.actor_id), r.actor, r.issue, r.before, r.after, r.before_uid,
                             r.after_uid, r.date_before, r.date_after, bool(r.announced)) for r in conn.execute(q)]

    def count_shifts(self, taxonomy: str, *, issue: str | None = None, since: date | None = None,
                     until: date | None = None, include_undated: bool = False) -> int:
        s = t.ledger_shifts
        q = sa.select(sa.func.count()).select_from(s).where(s.c.taxonomy == taxonomy)
        if issue:
            q = q.where(s.c.issue == issue)
        conds = []
        if since is not None:
            conds.append(s.c.date_after >= since)
        if until is not None:
            conds.append(s.c.date_after <= until)
        if conds:
            cond = sa.and_(*conds)
            q = q.where(sa.or_(cond, s.c.date_after.is_(None)) if include_undated else cond)
        with self._tx("ledger_shifts") as conn:
            return int(conn.execute(q).scalar() or 0)

    def positions_by_ids(self, ids: Iterable[int]) -> dict[int, Position]:
        """Stored positions by row id (``positions.id``)."""
        want = sorted(set(ids))
        out: dict[int, Position] = {}
        with self._tx("positions_by_ids") as conn:
            for part in _chunks(want):
                q = (sa.select(*_POS_COLS, _article_date().label("article_date"))
                     .select_from(_POS.join(_ART, _ART.c.id == _POS.c.article_id)).where(_POS.c.id.in_(part)))
                for r in conn.execute(q):
                    out[int(r.id)] = _position(r)
        return out

    def positions_by_uid(self, uids: Iterable[str]) -> dict[str, Position]:
        want = sorted({u for u in uids if u})
        out: dict[str, Position] = {}
        with self._tx("positions_by_uid") as conn:
            for part in _chunks(want):
                q = (sa.select(*_POS_COLS, _article_date().label("article_date"))
                     .select_from(_POS.join(_ART, _ART.c.id == _POS.c.article_id)).where(_POS.c.uid.in_(part)))
                for r in conn.execute(q):
                    out[r.uid] = _position(r)
        return out

    # ------------------------------------------------------------------ writing
    def apply(self, change: LedgerChange) -> int:
        """Write ``change`` in one transaction; returns the new version. Raises :class:`StaleLedger`
        when the taxonomy's version is no longer ``change.expect_version``."""
        tax = change.taxonomy
        s, la, ln, lp, ls, lv = (t.ledger_state, t.ledger_actors, t.ledger_names, t.ledger_points,
                                 t.ledger_shifts, t.ledger_side_votes)
        now = _now()
        with self._tx("ledger_update", write=True) as conn:
            q = sa.select(s.c.version).where(s.c.taxonomy == tax)
            if conn.dialect.name == "postgresql":
                q = q.with_for_update()
            found = conn.execute(q).scalar()
            if (None if found is None else int(found)) != change.expect_version:
                raise StaleLedger(f"ledger {tax}: version {found}, expected {change.expect_version}")
            if found is None:
                conn.execute(s.insert().values(taxonomy=tax, version=0, links_hash="", points=0, last_mode=""))
            ids = {r.name: int(r.id) for r in conn.execute(sa.select(la.c.id, la.c.name).where(la.c.taxonomy == tax))}
            if change.full:
                keep = set(change.actors)
                gone = [i for n, i in ids.items() if n not in keep]
                conn.execute(lv.delete().where(lv.c.actor_id.in_(sa.select(la.c.id).where(la.c.taxonomy == tax))))
                conn.execute(ls.delete().where(ls.c.taxonomy == tax))
                conn.execute(lp.delete().where(lp.c.taxonomy == tax))
                conn.execute(ln.delete().where(ln.c.taxonomy == tax))
                for part in _chunks(gone):
                    conn.execute(la.delete().where(la.c.id.in_(part)))
                ids = {n: i for n, i in ids.items() if n in keep}
            elif change.drop_points:
                for part in _chunks(sorted(change.drop_points)):
                    conn.execute(lp.delete().where(lp.c.position_id.in_(part)))
            # actors: update those that exist, insert the others
            updates, inserts = [], []
            for name, row in change.actors.items():
                vals = {k: v for k, v in row.items() if k not in ("id", "name", "taxonomy")}
                vals["updated_at"] = now
                if name in ids:
                    updates.append({"_id": ids[name], **vals})
                else:
                    inserts.append({"taxonomy": tax, "name": name, "mentions": 0, "articles": 0, "hidden": False,
                                    "side_note": "", "side_evidence": "[]", "merges": "[]", "confidence": 1.0,
                                    "kind": "org", "side": None, **vals})
            for u in updates:
                i = u.pop("_id")
                conn.execute(la.update().where(la.c.id == i).values(**u))
            for row in inserts:
                ids[row["name"]] = int(conn.execute(la.insert().values(**row)).inserted_primary_key[0])
            touched = {ids[n] for n in change.actors}

            def aid(name: str) -> int:
                if name not in ids:
                    raise StoreError("E204", op="ledger_update", detail=f"no actor {name!r} in taxonomy {tax!r}")
                return ids[name]

            # merges: everything of the merged actor moves to its target
            for src, dst in change.merge_into.items():
                if src not in ids or src == dst:
                    continue
                a, b = ids[src], aid(dst)
                conn.execute(lp.update().where(lp.c.actor_id == a).values(actor_id=b))
                conn.execute(lv.update().where(lv.c.actor_id == a).values(actor_id=b))
                conn.execute(ln.update().where(ln.c.actor_id == a).values(actor_id=b))
                conn.execute(ls.delete().where(ls.c.actor_id == a))
                conn.execute(la.delete().where(la.c.id == a))
                del ids[src]
                touched.discard(a)
                touched.add(b)
            if change.names:
                existing = {r.name: int(r.actor_id) for r in conn.execute(
                    sa.select(ln.c.name, ln.c.actor_id).where(ln.c.taxonomy == tax))} if not change.full else {}
                new_rows, moved = [], []
                for raw, actor in change.names.items():
                    target = aid(actor)
                    if raw not in existing:
                        new_rows.append({"taxonomy": tax, "name": raw, "actor_id": target})
                    elif existing[raw] != target:
                        moved.append((raw, target))
                if new_rows:
                    conn.execute(ln.insert(), new_rows)
                for raw, target in moved:
                    conn.execute(ln.update().where(ln.c.taxonomy == tax, ln.c.name == raw).values(actor_id=target))
            if change.points:
                rows = [{**{k: v for k, v in p.items() if k != "actor"}, "taxonomy": tax, "actor_id": aid(p["actor"])}
                        for p in change.points]
                for part in _chunks(rows, 2000):
                    conn.execute(lp.insert(), list(part))
                touched |= {r["actor_id"] for r in rows}
            if change.move_points:
                old_owner = {}
                for part in _chunks(sorted(change.move_points)):
                    old_owner.update({int(r[0]): int(r[1]) for r in conn.execute(
                        sa.select(lp.c.position_id, lp.c.actor_id).where(lp.c.position_id.in_(part)))})
                for pid, actor in change.move_points.items():
                    target = aid(actor)
                    if old_owner.get(pid, target) != target:
                        conn.execute(lp.update().where(lp.c.position_id == pid).values(actor_id=target))
                        touched |= {old_owner[pid], target}
            for name in change.delete_actors:      # after their points and names moved
                if name in ids and name not in change.merge_into.values():
                    conn.execute(la.delete().where(la.c.id == ids.pop(name)))
            for name in change.replace_votes:
                if name in ids:
                    conn.execute(lv.delete().where(lv.c.actor_id == ids[name]))
            vote_rows = [{"actor_id": aid(name), **v} for name, vs in change.votes.items() for v in vs]
            if vote_rows:
                conn.execute(lv.insert(), vote_rows)
            for name, issue in change.shift_groups:
                if name in ids:
                    conn.execute(ls.delete().where(ls.c.actor_id == ids[name], ls.c.issue == issue))
            shift_rows = [{**{k: v for k, v in sh.items() if k != "actor"}, "taxonomy": tax,
                           "actor_id": aid(sh["actor"])} for sh in change.shifts]
            if shift_rows:
                conn.execute(ls.insert(), shift_rows)
            # counts of every actor touched, then which actors are shown
            self._recount(conn, tax, None if change.full else touched)
            self._hide(conn, tax)
            n_points = int(conn.execute(sa.select(sa.func.count()).select_from(lp)
                                        .where(lp.c.taxonomy == tax)).scalar() or 0)
            version = int(found or 0) + 1
            vals: dict[str, Any] = {"version": version, "links_hash": change.links_hash, "points": n_points,
                                    "updated_at": now, "last_mode": change.mode}
            if change.full:
                vals["built_at"] = now
            conn.execute(s.update().where(s.c.taxonomy == tax).values(**vals))
        return version

    def _recount(self, conn: sa.Connection, taxonomy: str, actor_ids: set[int] | None) -> None:
        """mentions (points) and articles (distinct articles) of the actors given (None: all)."""
        lp, la = t.ledger_points, t.ledger_actors
        q = (sa.select(lp.c.actor_id, sa.func.count(), sa.func.count(sa.distinct(lp.c.article_id)))
             .where(lp.c.taxonomy == taxonomy).group_by(lp.c.actor_id))
        if actor_ids is not None:
            if not actor_ids:
                return
            counts: dict[int, tuple[int, int]] = {}
            for part in _chunks(sorted(actor_ids)):
                for r in conn.execute(q.where(lp.c.actor_id.in_(part))):
                    counts[int(r[0])] = (int(r[1]), int(r[2]))
            want = actor_ids
        else:
            counts = {int(r[0]): (int(r[1]), int(r[2])) for r in conn.execute(q)}
            want = {int(r[0]) for r in conn.execute(sa.select(la.c.id).where(la.c.taxonomy == taxonomy))}
        old = {}
        for part in _chunks(sorted(want)):
            for r in conn.execute(sa.select(la.c.id, la.c.mentions, la.c.articles).where(la.c.id.in_(part))):
                old[int(r.id)] = (int(r.mentions), int(r.articles))
        for i in want:
            new = counts.get(i, (0, 0))
            if i in old and old[i] != new:
                conn.execute(la.update().where(la.c.id == i).values(mentions=new[0], articles=new[1]))

    def _hide(self, conn: sa.Connection, taxonomy: str) -> None:
        """An actor is shown when some position is attributed to it or some actor is on its side."""
        la = t.ledger_actors
        rows = conn.execute(sa.select(la.c.id, la.c.name, la.c.mentions, la.c.hidden, la.c.side)
                            .where(la.c.taxonomy == taxonomy)).all()
        sides = {r.side for r in rows if r.side and r.side != r.name}
        for r in rows:
            hidden = int(r.mentions) == 0 and r.name not in sides
            if bool(r.hidden) != hidden:
                conn.execute(la.update().where(la.c.id == r.id).values(hidden=hidden))

    def drop(self, taxonomy: str) -> None:
        """Forget the kept ledger of ``taxonomy`` (its positions are all gone)."""
        s, la, ln, lp, ls, lv = (t.ledger_state, t.ledger_actors, t.ledger_names, t.ledger_points,
                                 t.ledger_shifts, t.ledger_side_votes)
        with self._tx("ledger_drop", write=True) as conn:
            ids = sa.select(la.c.id).where(la.c.taxonomy == taxonomy)
            conn.execute(lv.delete().where(lv.c.actor_id.in_(ids)))
            conn.execute(ls.delete().where(ls.c.taxonomy == taxonomy))
            conn.execute(lp.delete().where(lp.c.taxonomy == taxonomy))
            conn.execute(ln.delete().where(ln.c.taxonomy == taxonomy))
            conn.execute(la.delete().where(la.c.taxonomy == taxonomy))
            conn.execute(s.delete().where(s.c.taxonomy == taxonomy))


# --------------------------------------------------------------------------- queries the API pages on

Cursor = tuple[bool, "date | None", Any]      # (undated, day, id) of the last row of the page before


def _after(day_col: Any, id_col: Any, cursor: Cursor | None, newest: bool) -> Any:
    """The keyset condition "comes after ``cursor``" for rows ordered by (undated last, day, id), the
    day and id descending when ``newest``."""
    if cursor is None:
        return None
    undated, day, last = cursor
    if undated or day is None:
        return sa.and_(day_col.is_(None), id_col < last if newest else id_col > last)
    if newest:
        dated = sa.or_(day_col < day, sa.and_(day_col == day, id_col < last))
    else:
        dated = sa.or_(day_col > day, sa.and_(day_col == day, id_col > last))
    return sa.or_(sa.and_(day_col.is_not(None), dated), day_col.is_(None))


def _ordered(q: Any, day_col: Any, id_col: Any, newest: bool) -> Any:
    if newest:
        return q.order_by(sa.nulls_last(day_col.desc()), id_col.desc())
    return q.order_by(sa.nulls_last(day_col.asc()), id_col.asc())


class ApiQueries:
    """The paged and aggregated reads of the API and the dashboard (``store.api``): keyset pages of
    articles and points, issue and matrix counts. All answer from indexes of the kept tables."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def _tx(self, op: str) -> Any:
        return self._store._tx(op)

    def article_page(self, *, since: date | None = None, until: date | None = None, newest: bool = True,
                     cursor: Cursor | None = None, limit: int = 50, source: str | None = None) -> list[Any]:
        """Articles (no text: its length in ``chars``) with their number of positions, by date."""
        a, p = _ART, _POS
        day = _article_date()
        n_pos = (sa.select(sa.func.count()).select_from(p).where(p.c.article_id == a.c.id)
                 .correlate(a).scalar_subquery())
        q = sa.select(a.c.id, a.c.title, a.c.url, a.c.source, a.c.published, a.c.dateline, a.c.language,
                      a.c.duplicate_of, a.c.flags, sa.func.length(a.c.text).label("chars"), day.label("day"),
                      n_pos.label("positions"))
        conds = []
        if since is not None:
            conds.append(day >= since)
        if until is not None:
            conds.append(day <= until)
        if conds:
            q = q.where(sa.and_(*conds))
        if source:
            q = q.where(a.c.source == source)
        after = _after(day, a.c.id, cursor, newest)
        if after is not None:
            q = q.where(after)
        q = _ordered(q, day, a.c.id, newest).limit(limit)
        with self._tx("article_page") as conn:
            return list(conn.execute(q))

    def article_rows(self, ids: Sequence[str]) -> dict[str, Any]:
        """The summary rows of the articles given (for search hits)."""
        a, p = _ART, _POS
        day = _article_date()
        n_pos = (sa.select(sa.func.count()).select_from(p).where(p.c.article_id == a.c.id)
                 .correlate(a).scalar_subquery())
        out: dict[str, Any] = {}
        with self._tx("article_rows") as conn:
            for part in _chunks(list(dict.fromkeys(ids))):
                q = sa.select(a.c.id, a.c.title, a.c.url, a.c.source, a.c.published, a.c.dateline, a.c.language,
                              a.c.duplicate_of, a.c.flags, sa.func.length(a.c.text).label("chars"), day.label("day"),
                              n_pos.label("positions")).where(a.c.id.in_(part))
                out.update({r.id: r for r in conn.execute(q)})
        return out

    def point_page(self, taxonomy: str, *, actor_ids: Sequence[int] | None = None, issue: str | None = None,
                   stance: str | None = None, red_line: bool | None = None, conditional: bool | None = None,
                   since: date | None = None, until: date | None = None, include_undated: bool = True,
                   article_id: str | None = None, newest: bool = True, cursor: Cursor | None = None,
                   limit: int = 50) -> list[PointRow]:
        """One page of points (with their positions) by the filters, in date order (undated last)."""
        lp = t.ledger_points
        q = point_select().where(lp.c.taxonomy == taxonomy)
        if actor_ids is not None:
            if not actor_ids:
                return []
            q = q.where(lp.c.actor_id.in_(sorted(set(actor_ids))))
        q = _point_filters(q, issue=issue, stance=stance, red_line=red_line, conditional=conditional,
                           article_id=article_id, since=since, until=until, include_undated=include_undated)
        after = _after(lp.c.day, lp.c.position_id, cursor, newest)
        if after is not None:
            q = q.where(after)
        q = _ordered(q, lp.c.day, lp.c.position_id, newest).limit(limit)
        with self._tx("point_page") as conn:
            return [point_from_row(r) for r in conn.execute(q)]

    def point_by_uid(self, uid: str) -> PointRow | None:
        """The kept point of the position with this content-derived id."""
        lp = t.ledger_points
        with self._tx("point_by_uid") as conn:
            r = conn.execute(point_select().where(lp.c.uid == uid).limit(1)).first()
        return None if r is None else point_from_row(r)

    def chart_rows(self, taxonomy: str, actor_ids: Sequence[int], issue: str | None,
                   limit: int) -> tuple[list[tuple[Any, ...]], int]:
        """(issue, day, stance, red_line, article id, position uid, sentence, title, actor) of the latest
        ``limit`` points of the actors given, oldest first (undated last); and how many there are."""
        lp, la = t.ledger_points, t.ledger_actors
        ids = sorted(set(actor_ids))
        if not ids:
            return [], 0
        base = lp.c.taxonomy == taxonomy
        conds = [base, lp.c.actor_id.in_(ids)] + ([lp.c.issue == issue] if issue else [])
        q = (sa.select(lp.c.issue, lp.c.day, lp.c.stance, lp.c.red_line, lp.c.article_id, lp.c.uid,
                       _POS.c.evidence_text, _ART.c.title, la.c.name)
             .select_from(lp.join(_POS, _POS.c.id == lp.c.position_id).join(_ART, _ART.c.id == lp.c.article_id)
                          .join(la, la.c.id == lp.c.actor_id))
             .where(*conds).order_by(sa.nulls_last(lp.c.day.desc()), lp.c.position_id.desc()).limit(limit))
        with self._tx("chart_rows") as conn:
            rows = [tuple(r) for r in conn.execute(q)]
            total = int(conn.execute(sa.select(sa.func.count()).select_from(lp).where(*conds)).scalar() or 0)
        rows.sort(key=lambda r: (r[1] is None, r[1] or date.min))
        return rows, total

    def actor_of_positions(self, position_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
        """positions.id -> (actor id, canonical name) of the kept points given."""
        lp, la = t.ledger_points, t.ledger_actors
        want = sorted(set(position_ids))
        out: dict[int, tuple[int, str]] = {}
        with self._tx("actor_of_positions") as conn:
            for part in _chunks(want):
                for r in conn.execute(sa.select(lp.c.position_id, lp.c.actor_id, la.c.name)
                                      .join(la, la.c.id == lp.c.actor_id).where(lp.c.position_id.in_(part))):
                    out[int(r.position_id)] = (int(r.actor_id), r.name)
        return out

    def position_rows(self, article_id: str, taxonomy: str | None = None) -> list[tuple[int, Position]]:
        """(positions.id, position) of one article, in text order."""
        p = _POS
        q = (sa.select(*_POS_COLS, _article_date().label("article_date"))
             .select_from(p.join(_ART, _ART.c.id == p.c.article_id)).where(p.c.article_id == article_id))
        if taxonomy:
            q = q.where(p.c.taxonomy == taxonomy)
        q = q.order_by(p.c.ev_start, p.c.id)
        with self._tx("position_rows") as conn:
            return [(int(r.id), _position(r)) for r in conn.execute(q)]

    def issue_counts(self, taxonomy: str) -> list[tuple[str, int, date | None, dict[str, int]]]:
        """(issue, positions, latest day, positions by stance), most positions first."""
        lp = t.ledger_points
        q = (sa.select(lp.c.issue, lp.c.stance, sa.func.count(), sa.func.max(lp.c.day))
             .where(lp.c.taxonomy == taxonomy).group_by(lp.c.issue, lp.c.stance))
        by: dict[str, list[Any]] = {}
        with self._tx("issue_counts") as conn:
            for issue, stance, n, latest in conn.execute(q):
                row = by.setdefault(issue, [0, None, {}])
                row[0] += int(n)
                if latest is not None and (row[1] is None or latest > row[1]):
                    row[1] = latest
                row[2][stance] = int(n)
        return sorted(((i, v[0], v[1], v[2]) for i, v in by.items()), key=lambda x: (-x[1], x[0]))

    def stance_counts(self, taxonomy: str, actor_ids: Sequence[int] | None = None,
                      issues: Sequence[str] | None = None) -> list[tuple[int, str, str, int, date | None]]:
        """(actor id, issue, stance, positions, latest day) for the actors and issues given."""
        lp = t.ledger_points
        q = (sa.select(lp.c.actor_id, lp.c.issue, lp.c.stance, sa.func.count(), sa.func.max(lp.c.day))
             .where(lp.c.taxonomy == taxonomy).group_by(lp.c.actor_id, lp.c.issue, lp.c.stance))
        if actor_ids is not None:
            if not actor_ids:
                return []
            q = q.where(lp.c.actor_id.in_(sorted(set(actor_ids))))
        if issues is not None:
            if not issues:
                return []
            q = q.where(lp.c.issue.in_(sorted(set(issues))))
        with self._tx("stance_counts") as conn:
            return [(int(a), i, s, int(n), d) for a, i, s, n, d in conn.execute(q)]

    def issue_days(self, taxonomy: str, issue: str) -> list[tuple[date | None, str]]:
        """(day, stance) of every point on one issue (for its chart by month)."""
        lp = t.ledger_points
        q = sa.select(lp.c.day, lp.c.stance).where(lp.c.taxonomy == taxonomy, lp.c.issue == issue)
        with self._tx("issue_days") as conn:
            return [(d, s) for d, s in conn.execute(q)]

    def red_line_counts(self, taxonomy: str, issue: str) -> dict[int, int]:
        lp = t.ledger_points
        q = (sa.select(lp.c.actor_id, sa.func.count())
             .where(lp.c.taxonomy == taxonomy, lp.c.issue == issue, lp.c.red_line.is_(True))
             .group_by(lp.c.actor_id))
        with self._tx("red_line_counts") as conn:
            return {int(a): int(n) for a, n in conn.execute(q)}

    def count_points(self, taxonomy: str, actor_ids: Sequence[int] | None = None) -> int:
        lp = t.ledger_points
        q = sa.select(sa.func.count()).select_from(lp).where(lp.c.taxonomy == taxonomy)
        if actor_ids is not None:
            if not actor_ids:
                return 0
            q = q.where(lp.c.actor_id.in_(sorted(set(actor_ids))))
        with self._tx("count_points") as conn:
            return int(conn.execute(q).scalar() or 0)

    def counts(self) -> tuple[int, int]:
        """(articles, positions) in the whole store."""
        with self._tx("counts") as conn:
            na = conn.execute(sa.select(sa.func.count()).select_from(_ART)).scalar()
            npos = conn.execute(sa.select(sa.func.count()).select_from(_POS)).scalar()
        return int(na or 0), int(npos or 0)
