"""What the API endpoints and the dashboard pages show, computed once for both: each function takes
the server's :class:`~parley.api.context.Context` and returns the models of :mod:`.schemas`.

Everything is read from the kept ledger (:mod:`parley.analyze.kept`) and the store's indexed queries
(:class:`parley.store.ledger.ApiQueries`); actor names go through the one resolver.
"""
from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from ..analyze import kept
from ..analyze.sources import render_refs
from ..errors import AnalysisError, ApiError
from ..model import Position, Shift
from . import schemas as S

if TYPE_CHECKING:
    from ..analyze.actors import ActorMatch, ActorRecord
    from ..store.ledger import PointRow
    from .context import Context, View

log = logging.getLogger(__name__)

Order = Literal["newest", "oldest"]
DOWNLOAD_MAX = 200_000      # positions in one CSV/JSON Lines download
MATRIX_ACTORS, MATRIX_ISSUES = 12, 8


# ----------------------------------------------------------------------------- cursors

def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, date) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, kinds: str) -> list[Any] | None:
    """A cursor made by :func:`encode_cursor`; ``kinds`` spells its values: b bool, d date|None, i int,
    s str. E701 (400) when it is not one of ours."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        vals = json.loads(raw.decode("utf-8"))
        if not isinstance(vals, list) or len(vals) != len(kinds):
            raise ValueError("wrong length")
        out: list[Any] = []
        for k, v in zip(kinds, vals):
            if k == "b" and isinstance(v, bool):
                out.append(v)
            elif k == "d" and (v is None or isinstance(v, str)):
                out.append(None if v is None else date.fromisoformat(v))
            elif k == "i" and isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2 ** 62:
                out.append(v)
            elif k == "s" and isinstance(v, str) and len(v) <= 200:
                out.append(v)
            else:
                raise ValueError(f"bad {k}")
        return out
    except (ValueError, UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        raise ApiError("E701", 400, name="cursor", detail=f"not a cursor this server gave ({exc})") from None


def _tax(ctx: Context, taxonomy: str | None) -> str | None:
    return ctx.taxonomy(taxonomy)


# ----------------------------------------------------------------------------- conversions

def position_out(p: Position, actor: str, actor_id: int | None, date_source: str | None) -> S.PositionOut:
    ev = p.evidence
    ds = date_source if date_source in ("published", "dateline") else None
    return S.PositionOut(
        id=p.id or "", article_id=p.article_id or ev.article_id or "", date=p.published, date_source=ds,
        actor=actor, actor_id=actor_id, actor_as_written=p.actor, aliases=list(p.aliases), issue=p.issue,
        proposition=p.proposition, stance=p.stance, conditions=list(p.conditions), red_line=p.red_line,  # type: ignore[arg-type]
        previous_stance=p.previous_stance, confidence=round(float(p.confidence), 4), speaker=p.speaker,
        extractor=p.extractor, extractor_version=p.extractor_version,
        evidence=S.Evidence(start=ev.start, end=ev.end, text=ev.text, cue=ev.cue))


def point_out(pt: PointRow) -> S.PositionOut:
    return position_out(pt.position, pt.actor, pt.actor_id, pt.date_source)


def actor_summary(rec: ActorRecord, actor_id: int) -> S.ActorSummary:
    kind = rec.kind if rec.kind in ("person", "state", "org", "group") else "org"
    return S.ActorSummary(id=actor_id, name=rec.name, kind=kind, side=rec.side, mentions=rec.mentions,  # type: ignore[arg-type]
                          articles=rec.articles, confidence=round(rec.confidence, 3), aliases=list(rec.aliases))


def timeline_point(pt: PointRow) -> S.TimelinePointOut:
    p = pt.position
    return S.TimelinePointOut(
        position_id=p.id or "", actor=pt.actor, actor_id=pt.actor_id, issue=p.issue, stance=p.stance,  # type: ignore[arg-type]
        date=pt.day, dated=pt.day is not None, red_line=p.red_line, conditions=list(p.conditions),
        proposition=p.proposition,
        citation=S.Citation(article_id=p.article_id or "", title=pt.title, source=pt.source, url=pt.url,
                            date=pt.day, dated=pt.day is not None, date_source=pt.date_source,
                            sentence=p.evidence.text, start=p.evidence.start, end=p.evidence.end))


def shift_out(s: Shift, ids: dict[str, int]) -> S.ShiftOut:
    def ev(e: Any, uid: str | None) -> S.CitedEvidence | None:
        if e is None:
            return None
        return S.CitedEvidence(position_id=uid, article_id=e.article_id, start=e.start, end=e.end, text=e.text)

    after = ev(s.evidence_after, s.after_id)
    assert after is not None
    return S.ShiftOut(actor=s.actor, actor_id=ids.get(s.actor), issue=s.issue, before=s.before, after=s.after,
                      date_before=s.date_before, date_after=s.date_after, announced=s.announced,
                      proposition=s.proposition, evidence_before=ev(s.evidence_before, s.before_id),
                      evidence_after=after)


def _summary(r: Any, snippet: str | None = None) -> S.ArticleSummary:
    ds = "published" if r.published else ("dateline" if r.dateline else None)
    return S.ArticleSummary(id=r.id, title=r.title, source=r.source, url=r.url, date=r.day, date_source=ds,  # type: ignore[arg-type]
                            language=r.language, chars=int(r.chars or 0), positions=int(r.positions or 0),
                            duplicate_of=r.duplicate_of, flags=list(json.loads(r.flags or "[]")), snippet=snippet)


# ----------------------------------------------------------------------------- actors

def match_actor(view: View, name: str, match: str = "exact") -> ActorMatch:
    """The one resolver over the kept actors (E501 404, E506 400, E507 404)."""
    return view.lookup(name, match)


def actor_ids_for(ctx: Context, view: View, actor: str | None, actor_id: int | None,
                  match: str = "exact") -> tuple[list[int] | None, str | None]:
    """The kept actor ids a filter means (an actor and, for a side, its members) and the notice of a
    match that was not exact; (None, None) without a filter."""
    if actor_id is not None:
        if actor_id not in view.names:
            raise AnalysisError("E501", name=f"#{actor_id}")
        return view.member_ids(view.members_of_id(actor_id)), None
    if actor:
        m = match_actor(view, actor, match)
        names: list[str] = []
        for r in m.records:
            for n in view.resolution.members(r.name):
                if n not in names:
                    names.append(n)
        return view.member_ids(names), m.notice()
    return None, None


def actors_page(ctx: Context, *, taxonomy: str | None, q: str | None, kind: str | None, side: str | None,
                cursor: str | None, limit: int) -> S.ActorPage:
    tax = _tax(ctx, taxonomy)
    start = (decode_cursor(cursor, "i") or [0])[0]
    if tax is None:
        return S.ActorPage(items=[], next_cursor=None, total=0)
    view = ctx.view(tax)

    def compute() -> list[tuple[int, ActorRecord]]:
        from ..analyze.actors import _norm

        nq = _norm(q) if q else ""
        out = []
        for r in view.resolution.records:
            if kind and r.kind != kind:
                continue
            if side and (r.side or "").casefold() != side.casefold():
                continue
            if nq and nq not in _norm(r.name) and not any(nq in _norm(a) for a in r.aliases):
                continue
            out.append((view.ids[r.name], r))
        return out

    rows = ctx.memo(("actors", tax, view.version, q or "", kind or "", side or ""), compute)
    page = rows[start:start + limit]
    nxt = encode_cursor([start + limit]) if start + limit < len(rows) else None
    return S.ActorPage(items=[actor_summary(r, i) for i, r in page], next_cursor=nxt, total=len(rows))


def resolve_name(ctx: Context, *, taxonomy: str | None, name: str, match: str) -> S.ActorMatchOut:
    tax = _tax(ctx, taxonomy)
    if tax is None:
        raise AnalysisError("E501", name=name)
    view = ctx.view(tax)
    m = match_actor(view, name, match)
    return S.ActorMatchOut(query=name, how=m.how, matched=m.matched, score=m.score, notice=m.notice(),
                           actors=[actor_summary(r, view.ids[r.name]) for r in m.records if r.name in view.ids])


def _issue_counts(rows: Iterable[tuple[int, str, str, int, date | None]]) -> list[S.IssueCount]:
    by: dict[str, list[Any]] = {}
    for _, issue, stance, n, latest in rows:
        row = by.setdefault(issue, [0, None, {}])
        row[0] += n
        row[2][stance] = row[2].get(stance, 0) + n
        if latest is not None and (row[1] is None or latest > row[1]):
            row[1] = latest
    return [S.IssueCount(issue=i, positions=v[0], latest=v[1], stances=v[2])
            for i, v in sorted(by.items(), key=lambda kv: (-kv[1][0], kv[0]))]


def actor_detail(ctx: Context, *, taxonomy: str | None, actor_id: int, limit: int) -> S.ActorOut:
    tax = _tax(ctx, taxonomy)
    view = ctx.view(tax) if tax else None
    rec = view.record_by_id(actor_id) if view else None
    if view is None or rec is None or tax is None:
        raise AnalysisError("E501", name=f"#{actor_id}")
    return ctx.memo(("actor", tax, view.version, actor_id, limit), lambda: _actor_detail(ctx, tax, view, rec,
                                                                                         actor_id, limit))


def _actor_detail(ctx: Context, tax: str, view: View, rec: ActorRecord, actor_id: int, limit: int) -> S.ActorOut:
    members = view.member_ids(view.resolution.members(rec.name))
    others = [i for i in members if i != actor_id]
    counts = ctx.store.api.stance_counts(tax, members)
    recent = ctx.store.api.point_page(tax, actor_ids=members, newest=True, limit=limit)
    total = sum(n for *_, n, _ in counts)
    base = actor_summary(rec, actor_id)
    return S.ActorOut(
        **base.model_dump(), side_id=view.ids.get(rec.side) if rec.side and rec.side != rec.name else None,
        side_evidence=[S.SideEvidenceOut(**e.to_dict()) for e in rec.side_evidence], side_note=rec.side_note,
        merges=[S.MergeOut(**m.to_dict()) for m in rec.merges],
        members=[S.ActorRef(id=i, name=view.names[i]) for i in others],
        issues=_issue_counts(counts), timeline=[timeline_point(pt) for pt in _chronological(recent)],
        timeline_total=total)


def _chronological(points: list[PointRow]) -> list[PointRow]:
    """Oldest first, undated last."""
    return sorted(points, key=lambda pt: (pt.day is None, pt.day or date.min, pt.position_id))


def timeline_page(ctx: Context, *, taxonomy: str | None, actor_id: int, issue: str | None, since: date | None,
                  until: date | None, include_undated: bool, order: Order, cursor: str | None,
                  limit: int) -> S.TimelinePage:
    tax = _tax(ctx, taxonomy)
    view = ctx.view(tax) if tax else None
    rec = view.record_by_id(actor_id) if view else None
    if view is None or rec is None or tax is None:
        raise AnalysisError("E501", name=f"#{actor_id}")
    _check_range(since, until)
    cur = decode_cursor(cursor, "bdi")
    members = view.member_ids(view.resolution.members(rec.name))
    rows = ctx.store.api.point_page(tax, actor_ids=members, issue=issue, since=since, until=until,
                                    include_undated=include_undated, newest=order == "newest",
                                    cursor=tuple(cur) if cur else None, limit=limit)
    return S.TimelinePage(actor=rec.name, items=[timeline_point(pt) for pt in rows],
                          next_cursor=_next_point_cursor(rows, limit))


def _check_range(since: date | None, until: date | None) -> None:
    from ..analyze.ledger import check_range

    check_range(since, until)


def _next_point_cursor(rows: list[PointRow], limit: int) -> str | None:
    if len(rows) < limit or not rows:
        return None
    last = rows[-1]
    return encode_cursor([last.day is None, last.day, last.position_id])


# ----------------------------------------------------------------------------- positions

def positions_page(ctx: Context, *, taxonomy: str | None, actor: str | None, actor_id: int | None, match: str,
                   issue: str | None, stance: str | None, red_line: bool | None, conditional: bool | None,
                   since: date | None, until: date | None, include_undated: bool, article: str | None,
                   order: Order, cursor: str | None, limit: int) -> S.PositionPage:
    _check_range(since, until)
    cur = decode_cursor(cursor, "bdi")
    tax = _tax(ctx, taxonomy)
    if tax is None:
        return S.PositionPage(items=[], next_cursor=None)
    view = ctx.view(tax)
    ids, notice = actor_ids_for(ctx, view, actor, actor_id, match)
    article_id = ctx.store.find_article(article).id if article else None
    rows = ctx.store.api.point_page(tax, actor_ids=ids, issue=issue, stance=stance, red_line=red_line,
                                    conditional=conditional, since=since, until=until,
                                    include_undated=include_undated or not (since or until), article_id=article_id,
                                    newest=order == "newest", cursor=tuple(cur) if cur else None,
                                    limit=limit)
    return S.PositionPage(items=[point_out(pt) for pt in rows], next_cursor=_next_point_cursor(rows, limit),
                          actor_match=notice)


def positions_download(ctx: Context, fmt: Literal["csv", "jsonl"], **filters: Any) -> Iterator[str]:
    """Every position the filters select, as CSV or JSON Lines text chunks (paged underneath)."""
    import csv
    import io

    from ..store.export import FIELDS, position_record

    cols = [*FIELDS, "canonical_actor", "actor_id", "date_source"]
    filters = {**filters, "cursor": None, "limit": 1000}
    sent = 0
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(cols)
        yield buf.getvalue()
    while sent < DOWNLOAD_MAX:
        page = positions_page(ctx, **filters)
        buf = io.StringIO()
        w = csv.writer(buf)
        for p in page.items:
            if fmt == "jsonl":
                buf.write(p.model_dump_json() + "\n")
            else:
                pos = Position(actor=p.actor_as_written, issue=p.issue, stance=p.stance,
                               evidence=_ev(p), proposition=p.proposition, aliases=tuple(p.aliases),
                               conditions=tuple(p.conditions), red_line=p.red_line, previous_stance=p.previous_stance,
                               confidence=p.confidence, speaker=p.speaker, extractor=p.extractor,
                               extractor_version=p.extractor_version, article_id=p.article_id, published=p.date,
                               id=p.id)
                rec = position_record(pos)
                row = [json.dumps(rec[c], ensure_ascii=False) if isinstance(rec[c], list) else
                       ("" if rec[c] is None else rec[c]) for c in FIELDS]
                w.writerow([*row, p.actor, p.actor_id if p.actor_id is not None else "", p.date_source or ""])
        sent += len(page.items)
        yield buf.getvalue()
        if not page.next_cursor:
            return
        filters["cursor"] = page.next_cursor


def _ev(p: S.PositionOut) -> Any:
    from ..model import Evidence

    return Evidence(p.evidence.start, p.evidence.end, p.evidence.text, p.article_id, p.evidence.cue)


def position_detail(ctx: Context, position_id: str) -> S.PositionOut:
    """One position by its id or a unique prefix (E220 404, E221 400), with its kept actor."""
    p = ctx.store.find_position(position_id)
    pt = ctx.store.api.point_by_uid(p.id or "")
    if pt is not None:
        return point_out(pt)
    return position_out(p, p.actor, None, None)


# ----------------------------------------------------------------------------- articles

def articles_page(ctx: Context, *, q: str | None, since: date | None, until: date | None, source: str | None,
                  order: Order, cursor: str | None, limit: int) -> S.ArticlePage:
    _check_range(since, until)
    if q:
        hits = ctx.store.search(q, limit=limit, kind="article")
        rows = ctx.store.api.article_rows([h.article_id for h in hits])
        return S.ArticlePage(items=[_summary(rows[h.article_id], h.snippet) for h in hits if h.article_id in rows],
                             next_cursor=None)
    cur = decode_cursor(cursor, "bds")

    def page() -> list[Any]:
        return ctx.store.api.article_page(since=since, until=until, newest=order == "newest",
                                          cursor=tuple(cur) if cur else None, limit=limit, source=source)

    # articles are only ever added: a page is the same while their number is
    key = ("articles", ctx.store.api.counts()[0], since, until, source, order, cursor, limit)
    rows = ctx.memo(key, page)
    nxt = None
    if len(rows) == limit and rows:
        last = rows[-1]
        nxt = encode_cursor([last.day is None, last.day, last.id])
    return S.ArticlePage(items=[_summary(r) for r in rows], next_cursor=nxt)


def article_detail(ctx: Context, article_id: str, taxonomy: str | None = None) -> S.ArticleOut:
    from ..store.base import taxonomy_name

    a = ctx.store.find_article(article_id)
    rows = ctx.store.api.position_rows(a.id, taxonomy_name(taxonomy) if taxonomy else None)
    owners = ctx.store.api.actor_of_positions(rid for rid, _ in rows)
    line = ctx.store.datelines([a.id]).get(a.id) if not a.published else None
    day = a.published or line
    ds = "published" if a.published else ("dateline" if line else None)
    out = []
    for rid, p in rows:
        aid, name = owners.get(rid, (None, p.actor))
        out.append(position_out(p, name, aid, ds))
    return S.ArticleOut(id=a.id, title=a.title, source=a.source, url=a.url, date=day, date_source=ds,  # type: ignore[arg-type]
                        language=a.language, chars=len(a.text), duplicate_of=a.duplicate_of, flags=list(a.flags),
                        origin=a.origin, ingested_at=a.ingested_at, text=a.text, positions=out)


def search(ctx: Context, q: str, kind: str | None, limit: int) -> S.SearchOut:
    hits = ctx.store.search(q, limit=limit, kind=kind)
    return S.SearchOut(query=q, hits=[S.SearchHitOut(kind=h.kind, article_id=h.article_id, title=h.title,  # type: ignore[arg-type]
                                                     snippet=h.snippet, position_id=h.position_id) for h in hits])


# ----------------------------------------------------------------------------- shifts, compare, report

def shifts_page(ctx: Context, *, taxonomy: str | None, actor: str | None, actor_id: int | None, match: str,
                issue: str | None, since: date | None, until: date | None, include_undated: bool, order: Order,
                cursor: str | None, limit: int) -> S.ShiftPage:
    _check_range(since, until)
    start = (decode_cursor(cursor, "i") or [0])[0]
    tax = _tax(ctx, taxonomy)
    if tax is None:
        return S.ShiftPage(items=[], next_cursor=None)
    view = ctx.view(tax)
    ids, _ = actor_ids_for(ctx, view, actor, actor_id, match)
    names = None if ids is None else [view.names[i] for i in ids]
    shifts = kept.kept_shifts(ctx.store, tax, names, issue, since, until, include_undated, limit=start + limit + 1,
                              newest_first=order == "newest", catch_up=False)
    page = shifts[start:start + limit]
    nxt = encode_cursor([start + limit]) if len(shifts) > start + limit else None
    return S.ShiftPage(items=[shift_out(s, view.ids) for s in page], next_cursor=nxt)


def compare(ctx: Context, *, taxonomy: str | None, a: str, b: str, issue: str | None) -> S.CompareOut:
    from ..analyze.compare import compare as compare_fn

    tax = _tax(ctx, taxonomy)
    if tax is None:
        raise AnalysisError("E501", name=a)
    view = ctx.view(tax)

    def compute() -> S.CompareOut:
        ma, mb = match_actor(view, a), match_actor(view, b)
        lk = view.lookup_ledger()
        ledger = kept.compare_ledger(ctx.store, tax, [lk.members_of(ma), lk.members_of(mb)], catch_up=False)
        d = compare_fn(ledger, ma, mb, issue).to_dict()
        return S.CompareOut(**d, a_id=view.ids.get(ma.record.name) if len(ma.records) == 1 else None,
                            b_id=view.ids.get(mb.record.name) if len(mb.records) == 1 else None)

    return ctx.memo(("compare", tax, view.version, a, b, issue or ""), compute)


def report(ctx: Context, *, taxonomy: str | None, fmt: Literal["md", "html"], actor: str | None,
           issue: str | None, since: date | None, until: date | None, include_undated: bool,
           max_items: int) -> str:
    from ..analyze.report import build_report, write_report

    _check_range(since, until)
    tax = _tax(ctx, taxonomy)
    if tax is None:
        raise AnalysisError("E510", detail="no positions in this ledger yet: nothing to brief on")
    view = ctx.view(tax)

    def compute() -> str:
        ledger = kept.ledger(ctx.store, tax, catch_up=False)
        m = match_actor(view, actor) if actor else None
        shifts, more = kept.report_shifts(ctx.store, tax, issue, since, until, include_undated,
                                          None if m else max_items, catch_up=False)
        rep = build_report(ledger, actor=m, issue=issue, since=since, charts=fmt == "html", until=until,
                           include_undated=include_undated, shifts=shifts, max_items=max_items, shifts_more=more)
        return write_report(rep, fmt)

    key = ("report", tax, view.version, fmt, actor or "", issue or "", since, until, include_undated, max_items)
    return ctx.memo(key, compute)


# ----------------------------------------------------------------------------- issues, overview, stats

def issues(ctx: Context, taxonomy: str | None) -> S.IssueList:
    tax = _tax(ctx, taxonomy)
    if tax is None:
        return S.IssueList(items=[])
    view = ctx.view(tax)
    rows = ctx.memo(("issues", tax, view.version), lambda: ctx.store.api.issue_counts(tax))
    return S.IssueList(items=[S.IssueCount(issue=i, positions=n, latest=d, stances=st) for i, n, d, st in rows])


def _latest_stance(stances: dict[str, tuple[int, date | None]]) -> str:
    return max(stances.items(), key=lambda kv: (kv[1][1] or date.min, kv[1][0], kv[0]))[0]


def issue_detail(ctx: Context, taxonomy: str | None, issue: str) -> S.IssueOut:
    tax = _tax(ctx, taxonomy)
    if tax is None:
        raise ApiError("E715", 404, issue=issue)
    view = ctx.view(tax)

    def compute() -> S.IssueOut:
        counts = ctx.store.api.stance_counts(tax, None, [issue])
        if not counts:
            raise ApiError("E715", 404, issue=issue)
        reds = ctx.store.api.red_line_counts(tax, issue)
        per: dict[int, dict[str, tuple[int, date | None]]] = {}
        totals: dict[str, int] = {}
        for aid, _, stance, n, latest in counts:
            per.setdefault(aid, {})[stance] = (n, latest)
            totals[stance] = totals.get(stance, 0) + n
        actors = []
        for aid, st in per.items():
            name = view.names.get(aid)
            if name is None:
                continue
            rec = view.resolution.record(name)
            latest = max((d for _, d in st.values() if d is not None), default=None)
            actors.append(S.IssueActor(id=aid, name=name, side=rec.side if rec else None,
                                       positions=sum(n for n, _ in st.values()),
                                       latest_stance=_latest_stance(st), latest_date=latest,  # type: ignore[arg-type]
                                       red_lines=reds.get(aid, 0)))
        actors.sort(key=lambda x: (-x.positions, x.name))
        months: dict[str, dict[str, int]] = {}
        for day, stance in ctx.store.api.issue_days(tax, issue):
            k = day.strftime("%Y-%m") if day else "undated"
            months.setdefault(k, {})[stance] = months.setdefault(k, {}).get(stance, 0) + 1
        by_month = [{"month": k, **v} for k, v in sorted(months.items(), key=lambda kv: (kv[0] == "undated", kv[0]))]
        return S.IssueOut(issue=issue, positions=sum(totals.values()), stances=totals, actors=actors,
                          by_month=by_month)

    return ctx.memo(("issue", tax, view.version, issue), compute)


def overview(ctx: Context, taxonomy: str | None) -> S.OverviewOut:
    tax = _tax(ctx, taxonomy)
    n_art, n_pos = ctx.store.api.counts()
    if tax is None:
        return S.OverviewOut(taxonomy=None, articles=n_art, positions=n_pos, actors=0, new_red_lines=[],
                             latest_shifts=[], most_active=[], matrix_actors=[], matrix_issues=[], matrix=[])
    view = ctx.view(tax)

    def compute() -> S.OverviewOut:
        reds = ctx.store.api.point_page(tax, red_line=True, include_undated=False, newest=True, limit=10)
        shifts = kept.kept_shifts(ctx.store, tax, limit=10, newest_first=True, catch_up=False)
        top = [r for r in view.resolution.records if r.mentions > 0][:15]
        people = [r for r in view.resolution.records if r.mentions > 0][:MATRIX_ACTORS]
        issue_rows = ctx.store.api.issue_counts(tax)[:MATRIX_ISSUES]
        m_issues = [i for i, *_ in issue_rows]
        m_ids = [view.ids[r.name] for r in people]
        cells: dict[tuple[int, str], dict[str, tuple[int, date | None]]] = {}
        for aid, issue, stance, n, latest in ctx.store.api.stance_counts(tax, m_ids, m_issues):
            cells.setdefault((aid, issue), {})[stance] = (n, latest)
        matrix = [S.MatrixCell(actor_id=aid, issue=issue, positions=sum(n for n, _ in st.values()),
                               latest_stance=_latest_stance(st),  # type: ignore[arg-type]
                               stances={k: n for k, (n, _) in st.items()}) for (aid, issue), st in sorted(cells.items())]
        return S.OverviewOut(
            taxonomy=tax, articles=n_art, positions=n_pos, actors=len(view.resolution.records),
            new_red_lines=[point_out(pt) for pt in reds], latest_shifts=[shift_out(s, view.ids) for s in shifts],
            most_active=[actor_summary(r, view.ids[r.name]) for r in top],
            matrix_actors=[S.ActorRef(id=i, name=view.names[i]) for i in m_ids], matrix_issues=m_issues,
            matrix=matrix)

    return ctx.memo(("overview", tax, view.version, n_art, n_pos), compute)


STATS_MAX_AGE = 5.0      # seconds


def stats(ctx: Context) -> S.StatsOut:
    """``parley stats`` as JSON, with the kept ledger's state: computed again when the ledger changes,
    otherwise at most 5 seconds old (a dozen counting queries, refreshed in the background)."""
    versions = tuple((t, ctx.view(t).version) for t in ctx.taxonomies())
    return ctx.recent("stats", versions, STATS_MAX_AGE, lambda: _stats(ctx))


def _stats(ctx: Context) -> S.StatsOut:
    st = ctx.store.stats()
    taxes = list(ctx.taxonomies())
    actors: dict[str, int] = {}
    for t in taxes:
        actors[t] = len(ctx.view(t).resolution.records)
    states = [{"taxonomy": s.taxonomy, "version": s.version, "points": s.points, "last_mode": s.last_mode,
               "built_at": s.built_at.isoformat() if s.built_at else None,
               "updated_at": s.updated_at.isoformat() if s.updated_at else None}
              for s in ctx.store.ledger.states()]
    count: int | dict[str, int] = next(iter(actors.values())) if len(actors) == 1 else (actors or 0)
    return S.StatsOut(**{**st, "actors": count, "ledger": states})


def refs_text(text: str) -> str:
    """Generated text with its footnote marks as "[n]"."""
    return render_refs(text)


def chart_points(ctx: Context, taxonomy: str | None, actor_id: int, issue: str | None,
                 limit: int = 1500) -> tuple[list[Any], int]:
    """The latest ``limit`` points of an actor and its members for its chart, as light rows (issue, day,
    stance, red line, article id, position id, sentence, title), oldest first; and how many it has."""
    tax = _tax(ctx, taxonomy)
    view = ctx.view(tax) if tax else None
    rec = view.record_by_id(actor_id) if view else None
    if view is None or rec is None or tax is None:
        raise AnalysisError("E501", name=f"#{actor_id}")
    members = view.member_ids(view.resolution.members(rec.name))
    return ctx.memo(("chart", tax, view.version, actor_id, issue, limit),
                    lambda: ctx.store.api.chart_rows(tax, members, issue, limit))
