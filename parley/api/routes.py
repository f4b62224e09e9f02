"""The JSON API under ``/api/v1`` (OpenAPI at ``/openapi.json``). Thin: each endpoint validates its
parameters and calls :mod:`.service`; writes check the Bearer token first."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ..errors import ApiError
from . import schemas as S
from . import service
from .context import Context

Limit = Annotated[int, Query(ge=1, le=500, description="items per page")]
Cursor = Annotated[str | None, Query(max_length=400, description="next_cursor of the page before")]
Taxonomy = Annotated[str | None, Query(max_length=200, description="positions of this taxonomy [the configured "
                                                                   "one, or the only one stored]")]
Since = Annotated[date | None, Query(description="articles dated on or after this day (YYYY-MM-DD)")]
Until = Annotated[date | None, Query(description="articles dated on or before this day (YYYY-MM-DD)")]
Undated = Annotated[bool, Query(description="with since/until: undated articles too")]
OrderQ = Annotated[Literal["newest", "oldest"], Query(description="date order (undated last either way)")]
Name = Annotated[str | None, Query(min_length=1, max_length=300)]
Match = Annotated[Literal["exact", "substring"], Query(description="how ?actor= is matched")]
ActorId = Annotated[int, PathParam(ge=1, le=2 ** 53)]
ActorIdQ = Annotated[int | None, Query(ge=1, le=2 ** 53, description="an actor id (its side's members too)")]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": S.ErrorResponse, "description": "a bad parameter (E701), or a request the ledger cannot answer"},
    404: {"model": S.ErrorResponse, "description": "no such article, position, actor or issue"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": S.ErrorResponse, "description": "no `Authorization: Bearer` token (E703)"},
    403: {"model": S.ErrorResponse, "description": "read-only server (E702) or a wrong token (E704)"},
    409: {"model": S.ErrorResponse, "description": "an extraction job is already running (E711)"},
    413: {"model": S.ErrorResponse, "description": "the body is over the size limit (E706)"},
    415: {"model": S.ErrorResponse, "description": "unsupported content type (E709)"},
}

router = APIRouter(prefix="/api/v1", responses=ERRORS)


def ctx(request: Request) -> Context:
    return request.app.state.ctx  # type: ignore[no-any-return]


Ctx = Annotated[Context, Depends(ctx)]


def writer(request: Request) -> Context:
    """Dependency of every write: the Bearer token must be the server's."""
    c: Context = request.app.state.ctx
    c.security.check_bearer(request)
    return c


Writer = Annotated[Context, Depends(writer)]


# ----------------------------------------------------------------------------- articles

@router.get("/articles", response_model=S.ArticlePage, summary="List articles, or search them (?q=)")
def list_articles(c: Ctx, q: Annotated[str | None, Query(min_length=1, max_length=500,
                                                          description="full-text search: all words, \"a phrase\", "
                                                                      "prefix*")] = None,
                  since: Since = None, until: Until = None,
                  source: Annotated[str | None, Query(max_length=300)] = None, order: OrderQ = "newest",
                  cursor: Cursor = None, limit: Limit = 50) -> S.ArticlePage:
    return service.articles_page(c, q=q, since=since, until=until, source=source, order=order, cursor=cursor,
                                 limit=limit)


@router.get("/articles/{article_id}", response_model=S.ArticleOut,
            summary="One article (id or unique prefix) with its text and positions (evidence offsets index the text)")
def get_article(c: Ctx, article_id: Annotated[str, PathParam(min_length=1, max_length=64)],
                taxonomy: Taxonomy = None) -> S.ArticleOut:
    return service.article_detail(c, article_id, taxonomy)


def _max_body(request: Request) -> int:
    return int(request.app.state.max_body)


@router.post("/articles", response_model=S.IngestOut, status_code=201, responses=WRITE_ERRORS,
             summary="Add an article: JSON {text|url, title, published, source, extract}, a form, or a file upload",
             openapi_extra={"requestBody": {"content": {
                 "application/json": {"schema": S.ArticleIn.model_json_schema()},
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "file": {"type": "string", "format": "binary"}, "text": {"type": "string"},
                     "url": {"type": "string"}, "title": {"type": "string"}, "extract": {"type": "boolean"}}}}},
                 "required": True}})
async def post_article(request: Request, c: Writer) -> JSONResponse:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    upload: tuple[str, bytes] | None = None
    if ctype == "application/json":
        try:
            body = S.ArticleIn.model_validate(json.loads(await request.body() or b"null"))
        except (ValueError, TypeError) as exc:
            raise ApiError("E701", 400, name="body", detail=_first_error(exc)) from None
    elif ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.form(max_files=1, max_fields=20, max_part_size=_max_body(request))
        f = form.get("file")
        if f is not None and not isinstance(f, str):
            upload = (Path(f.filename or "upload").name[:200] or "upload", await f.read())
        fields = {k: v for k, v in form.items() if isinstance(v, str) and v != "" and k != "file"}
        fields["extract"] = str(fields.get("extract", "")).lower() in ("1", "true", "on", "yes")
        try:
            body = S.ArticleIn.model_validate(fields)
        except ValueError as exc:
            raise ApiError("E701", 400, name="form", detail=_first_error(exc)) from None
    else:
        raise ApiError("E709", 415, detail=repr(ctype or "none"))
    from anyio import to_thread

    out = await to_thread.run_sync(lambda: ingest(c, body, upload))
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            e = errors()[0]
            where = ".".join(str(x) for x in e.get("loc", ())) or "body"
            return f"{where}: {e.get('msg')}"
        except Exception:
            pass
    return str(exc).splitlines()[0][:300]


def ingest(c: Context, body: S.ArticleIn, upload: tuple[str, bytes] | None) -> S.IngestOut:
    """Store an article given as text, a URL or a file (the ingest pipeline's checks and duplicate
    detection); optionally start an extraction job."""
    from ..ingest.notices import Notice
    from ..ingest.sources import read_bytes
    from ..pipeline import ingest as ingest_into

    notices: list[Notice] = []
    if upload is not None:
        name, data = upload
        items = read_bytes(data, item=f"upload:{name}", fmt=_fmt_for(name, data), notice=notices.append)
        rep = ingest_into(c.store, [], items=items, on_notice=notices.append)
    elif body.text and body.text.strip():
        record = {"text": body.text, "title": body.title, "published": body.published.isoformat()
                  if body.published else None, "source": body.source, "url": body.url}
        data = json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False).encode("utf-8")
        items = read_bytes(data, item="api", fmt="json", notice=notices.append)
        rep = ingest_into(c.store, [], items=items, on_notice=notices.append)
    elif body.url:
        if not body.url.lower().startswith(("http://", "https://")):
            raise ApiError("E701", 400, name="url", detail="only http:// and https:// URLs are fetched")
        rep = ingest_into(c.store, [body.url], on_notice=notices.append)
    else:
        raise ApiError("E713", 400, detail="give text, a url or a file")
    if not rep.article_ids and rep.errors:
        raise rep.errors[0]
    c.changed()
    arts = []
    for aid in dict.fromkeys(rep.article_ids):
        a = c.store.get_article(aid)
        status = "near_duplicate" if a.duplicate_of else "inserted"
        arts.append(S.IngestedArticle(id=a.id, status=status, title=a.title, duplicate_of=a.duplicate_of))
    if rep.duplicates and not rep.inserted and not rep.near_duplicates:
        arts = [a.model_copy(update={"status": "duplicate"}) for a in arts]
    job = None
    if body.extract and (rep.inserted or rep.near_duplicates):
        job = S.JobOut(**c.jobs.start(None).to_dict())
    return S.IngestOut(articles=arts, inserted=rep.inserted, duplicates=rep.duplicates,
                       near_duplicates=rep.near_duplicates,
                       errors=[S.ErrorBody(code=e.code, message=e.message) for e in rep.errors],
                       notices=[str(n) for n in notices], job=job)


def _fmt_for(name: str, data: bytes) -> str | None:
    from ..ingest.sources import format_for_path

    try:
        return format_for_path(Path(name), data)
    except Exception:
        return None


# ----------------------------------------------------------------------------- positions

@router.get("/positions", response_model=S.PositionPage, summary="Positions by filters (cursor pages), or a "
                                                                   "CSV / JSON Lines download (?format=)",
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
def list_positions(c: Ctx, actor: Annotated[str | None, Query(min_length=1, max_length=300,
                                                              description="actor name or alias (a side: its members "
                                                                          "too), the one resolver")] = None,
                   actor_id: ActorIdQ = None, match: Match = "exact",
                   issue: Annotated[str | None, Query(max_length=200)] = None,
                   stance: S.Stance | None = None, red_line: bool | None = None, conditional: bool | None = None,
                   since: Since = None, until: Until = None, include_undated: Undated = False,
                   article: Annotated[str | None, Query(min_length=1, max_length=64,
                                                        description="article id or unique prefix")] = None,
                   taxonomy: Taxonomy = None, order: OrderQ = "newest", cursor: Cursor = None, limit: Limit = 50,
                   format: Literal["json", "csv", "jsonl"] = "json") -> Any:
    filters = dict(taxonomy=taxonomy, actor=actor, actor_id=actor_id, match=match, issue=issue, stance=stance,
                   red_line=red_line, conditional=conditional, since=since, until=until,
                   include_undated=include_undated, article=article, order=order)
    if format == "json":
        return service.positions_page(c, **filters, cursor=cursor, limit=limit)
    service.positions_page(c, **filters, cursor=None, limit=1)        # bad filters: 400 before streaming
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(service.positions_download(c, format, **filters), media_type=media,
                             headers={"Content-Disposition": f'attachment; filename="positions.{format}"'})


@router.get("/positions/{position_id}", response_model=S.PositionOut, summary="One position by id or unique prefix")
def get_position(c: Ctx, position_id: Annotated[str, PathParam(min_length=1, max_length=64)]) -> S.PositionOut:
    return service.position_detail(c, position_id)


# ----------------------------------------------------------------------------- actors

@router.get("/actors", response_model=S.ActorPage, summary="Actors across articles, most positions first")
def list_actors(c: Ctx, q: Annotated[str | None, Query(min_length=1, max_length=300,
                                                       description="name or alias contains")] = None,
                kind: Literal["person", "state", "org", "group"] | None = None,
                side: Annotated[str | None, Query(max_length=300)] = None, taxonomy: Taxonomy = None,
                cursor: Cursor = None, limit: Limit = 50) -> S.ActorPage:
    return service.actors_page(c, taxonomy=taxonomy, q=q, kind=kind, side=side, cursor=cursor, limit=limit)


@router.get("/actors/resolve", response_model=S.ActorMatchOut,
            summary="What a typed name means: exact, then a reported close spelling (the one resolver)")
def resolve_actor(c: Ctx, name: Annotated[str, Query(min_length=1, max_length=300)], match: Match = "exact",
                  taxonomy: Taxonomy = None) -> S.ActorMatchOut:
    return service.resolve_name(c, taxonomy=taxonomy, name=name, match=match)


@router.get("/actors/{actor_id}", response_model=S.ActorOut,
            summary="One actor: aliases, side with its evidence, members, issues and its latest timeline points")
def get_actor(c: Ctx, actor_id: ActorId, taxonomy: Taxonomy = None,
              limit: Annotated[int, Query(ge=0, le=2000, description="timeline points")] = 200) -> S.ActorOut:
    return service.actor_detail(c, taxonomy=taxonomy, actor_id=actor_id, limit=limit)


@router.get("/actors/{actor_id}/timeline", response_model=S.TimelinePage,
            summary="An actor's (and its members') stances over time, each point cited")
def actor_timeline(c: Ctx, actor_id: ActorId, issue: Annotated[str | None, Query(max_length=200)] = None,
                   since: Since = None, until: Until = None, include_undated: Undated = False,
                   taxonomy: Taxonomy = None, order: Annotated[Literal["newest", "oldest"], Query()] = "oldest",
                   cursor: Cursor = None, limit: Limit = 200) -> S.TimelinePage:
    return service.timeline_page(c, taxonomy=taxonomy, actor_id=actor_id, issue=issue, since=since, until=until,
                                 include_undated=include_undated or not (since or until), order=order, cursor=cursor,
                                 limit=limit)


def _curated(c: Context, body: S.CurateIn, action: str) -> S.CurateOut:
    from ..analyze import curation

    fn = curation.merge if action == "merge" else curation.split
    res = fn(c.store, body.a, body.b, body.taxonomy)
    c.changed()
    actors: list[S.ActorSummary] = []
    tax = c.taxonomy(body.taxonomy)
    if tax:
        view = c.view(tax)
        for n in (res.a, res.b):
            rec = view.resolution.record(n)
            if rec is not None and n in view.ids:
                actors.append(service.actor_summary(rec, view.ids[n]))
    return S.CurateOut(**res.to_dict(), actors=actors)


@router.post("/actors/merge", response_model=S.CurateOut, responses=WRITE_ERRORS,
             summary="Merge actor b into actor a (curated: wins over automatic resolution)")
def merge_actors(c: Writer, body: S.CurateIn) -> S.CurateOut:
    return _curated(c, body, "merge")


@router.post("/actors/split", response_model=S.CurateOut, responses=WRITE_ERRORS,
             summary="Keep actors a and b apart (curated: undoes a wrong merge)")
def split_actors(c: Writer, body: S.CurateIn) -> S.CurateOut:
    return _curated(c, body, "split")


# ----------------------------------------------------------------------------- analysis

@router.get("/shifts", response_model=S.ShiftPage, summary="Changes of stance, cited before and after")
def list_shifts(c: Ctx, actor: Name = None, actor_id: ActorIdQ = None, match: Match = "exact",
                issue: Annotated[str | None, Query(max_length=200)] = None, since: Since = None, until: Until = None,
                include_undated: Undated = False, taxonomy: Taxonomy = None, order: OrderQ = "newest",
                cursor: Cursor = None, limit: Limit = 50) -> S.ShiftPage:
    return service.shifts_page(c, taxonomy=taxonomy, actor=actor, actor_id=actor_id, match=match, issue=issue,
                               since=since, until=until, include_undated=include_undated, order=order, cursor=cursor,
                               limit=limit)


@router.get("/compare", response_model=S.CompareOut,
            summary="Two parties side by side per issue: conditions, red-line clashes, common ground")
def compare(c: Ctx, a: Annotated[str, Query(min_length=1, max_length=300)],
            b: Annotated[str, Query(min_length=1, max_length=300)],
            issue: Annotated[str | None, Query(max_length=200)] = None, taxonomy: Taxonomy = None) -> S.CompareOut:
    return service.compare(c, taxonomy=taxonomy, a=a, b=b, issue=issue)


@router.get("/report", summary="A briefing with footnoted sources, as Markdown or one self-contained HTML page",
            response_class=Response,
            responses={200: {"description": "the briefing", "content": {
                "text/markdown": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}}}}})
def report(request: Request, c: Ctx, format: Literal["md", "html"] = "md", actor: Name = None,
           issue: Annotated[str | None, Query(max_length=200)] = None, since: Since = None, until: Until = None,
           include_undated: Undated = False,
           max_items: Annotated[int, Query(ge=0, le=500, description="items per list (0: all)")] = 25,
           taxonomy: Taxonomy = None) -> Response:
    text = service.report(c, taxonomy=taxonomy, fmt=format, actor=actor, issue=issue, since=since, until=until,
                          include_undated=include_undated, max_items=max_items)
    if format == "md":
        return Response(text, media_type="text/markdown; charset=utf-8")
    from .app import html_csp

    return Response(text, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": html_csp(text)})


@router.get("/issues", response_model=S.IssueList, summary="Issues with their positions by stance")
def list_issues(c: Ctx, taxonomy: Taxonomy = None) -> S.IssueList:
    return service.issues(c, taxonomy)


@router.get("/issues/{issue}", response_model=S.IssueOut,
            summary="One issue: the actors on it with their latest stance, positions by month")
def get_issue(c: Ctx, issue: Annotated[str, PathParam(min_length=1, max_length=200)],
              taxonomy: Taxonomy = None) -> S.IssueOut:
    return service.issue_detail(c, taxonomy, issue)


@router.get("/overview", response_model=S.OverviewOut,
            summary="What the dashboard opens with: new red lines, latest shifts, most active actors, stance matrix")
def get_overview(c: Ctx, taxonomy: Taxonomy = None) -> S.OverviewOut:
    return service.overview(c, taxonomy)


@router.get("/search", response_model=S.SearchOut, summary="Full-text search over articles and evidence sentences")
def search(c: Ctx, q: Annotated[str, Query(min_length=1, max_length=500)],
           kind: Literal["article", "evidence"] | None = None,
           limit: Annotated[int, Query(ge=1, le=100)] = 20) -> S.SearchOut:
    return service.search(c, q, kind, limit)


@router.get("/stats", response_model=S.StatsOut, summary="Counts: articles, positions, actors, runs, the kept ledger")
def get_stats(c: Ctx) -> S.StatsOut:
    return service.stats(c)


# ----------------------------------------------------------------------------- extraction runs

@router.post("/runs", response_model=S.JobOut, status_code=202, responses=WRITE_ERRORS,
             summary="Start an extraction run over what is pending (a background job; poll /api/v1/jobs/{id})")
def start_run(c: Writer, body: S.RunIn | None = None) -> JSONResponse:
    from ..errors import ExtractError
    from ..extract import KNOWN

    body = body or S.RunIn()
    if body.extractor is not None and body.extractor not in KNOWN:
        raise ExtractError("E304", name=body.extractor, known=", ".join(KNOWN))
    job = c.jobs.start(body.extractor, body.limit, body.force)
    out = S.JobOut(**job.to_dict())
    return JSONResponse(out.model_dump(mode="json"), status_code=202,
                        headers={"Location": f"/api/v1/jobs/{job.id}"})


@router.get("/jobs/{job_id}", response_model=S.JobOut, summary="An extraction job's status and progress")
def get_job(c: Ctx, job_id: Annotated[str, PathParam(min_length=1, max_length=64)]) -> S.JobOut:
    return S.JobOut(**c.jobs.get(job_id).to_dict())


@router.get("/runs", response_model=S.RunList, summary="This server's jobs and every stored extraction run")
def list_runs(c: Ctx, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> S.RunList:
    runs = [S.RunOut(**{k: v for k, v in r.items()}) for r in c.store.runs()[:limit]]
    return S.RunList(jobs=[S.JobOut(**j.to_dict()) for j in c.jobs.all()], runs=runs)
