"""The dashboard: server-rendered pages (Jinja2, autoescaped) over the same service functions as the
API, styled by one stylesheet served by the app itself, with no JavaScript.

Pages: ``/`` overview, ``/actors`` and ``/actors/{id}``, ``/issues`` and ``/issues/{issue}``,
``/compare``, ``/articles`` and ``/articles/{id}`` (the text with each position's evidence
highlighted, linking both ways), ``/search``, ``/ingest`` (a form with a CSRF token; writes need a
session: ``/login`` with the API token), ``/jobs/{id}`` (an extraction job, refreshing itself).
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from starlette.staticfiles import StaticFiles

from ..api import schemas as S
from ..api import service
from ..api.context import Context
from ..api.security import ANON_COOKIE, SESSION_COOKIE
from ..errors import ApiError, ParleyError
from .charts import ChartPoint, months_svg, timeline_svg

__all__ = ["router", "static_app", "error_page", "highlight_html"]

HERE = Path(__file__).resolve().parent
router = APIRouter(include_in_schema=False)

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def _safe_url(url: str | None) -> str | None:
    """A URL that may be a link: http(s) only ("javascript:" and everything else stays text)."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def _q(value: Any) -> str:
    return quote(str(value), safe="")


_HIT = re.compile(r"\[\[(.*?)\]\]", re.S)


def _snippet(text: str) -> Markup:
    """A search snippet: escaped, its matches (``[[...]]``) in <mark>."""
    return Markup(_HIT.sub(lambda m: f"<mark>{m.group(1)}</mark>", str(escape(text))))


_env.filters["safe_url"] = _safe_url
_env.filters["snippet"] = _snippet
_env.filters["q"] = _q
_env.filters["refs"] = lambda text: service.refs_text(text)
_env.globals["STANCES"] = ("support", "oppose", "conditional", "mixed")


def static_app() -> StaticFiles:
    return StaticFiles(directory=str(HERE / "static"))


def _ctx(request: Request) -> Context:
    return request.app.state.ctx  # type: ignore[no-any-return]


def render(request: Request, name: str, status: int = 200, headers: dict[str, str] | None = None,
           **values: Any) -> HTMLResponse:
    """A page; its forms get a CSRF token bound to this browser (a cookie set when it has none)."""
    c = _ctx(request)
    anon = None
    if not c.security.signed_in(request) and not request.cookies.get(ANON_COOKIE):
        anon = c.security.new_anon()
    page = _env.get_template(name).render(
        request=request, path=request.url.path, writable=c.security.writable,
        signed_in=c.security.signed_in(request), csrf=c.security.csrf_token(request, anon), **values)
    resp = HTMLResponse(page, status_code=status, headers=headers)
    resp.headers["Cache-Control"] = "no-store"
    if anon:
        resp.set_cookie(ANON_COOKIE, anon, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        max_age=86400)
    return resp


def error_page(request: Request, code: str, message: str, status: int,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    try:
        return render(request, "error.html.j2", status, headers, code=code, message=message, status=status)
    except Exception:       # the error page itself never fails
        body = f"<!doctype html><title>Error {status}</title><p>[{escape(code)}] {escape(message)}</p>"
        return HTMLResponse(body, status_code=status, headers=headers)


def highlight_html(text: str, positions: list[S.PositionOut]) -> Markup:
    """The article text, escaped, each position's evidence in a ``<mark id="ev-ID">`` that links to the
    position in the list (``#pos-ID``); overlapping evidence shares one mark (with an anchor for each)."""
    spans = sorted((p.evidence.start, p.evidence.end, i, p) for i, p in enumerate(positions)
                   if 0 <= p.evidence.start < p.evidence.end <= len(text))
    merged: list[list[Any]] = []
    for s, e, _, p in spans:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2].append(p)
        else:
            merged.append([s, e, [p]])
    number = {id(p): i for i, p in enumerate(positions, 1)}
    out: list[str] = []
    pos = 0
    for s, e, ps in merged:
        out.append(str(escape(text[pos:s])))
        first = ps[0]
        anchors = "".join(f'<span class="anchor" id="ev-{escape(p.id)}"></span>' for p in ps[1:])
        stance = first.stance if len({p.stance for p in ps}) == 1 else "mixed"
        nums = ",".join(f'<a href="#pos-{escape(p.id)}">{number[id(p)]}</a>' for p in ps)
        out.append(f'<mark id="ev-{escape(first.id)}" class="ev {stance}{" red" if any(p.red_line for p in ps) else ""}">'
                   f'{anchors}{escape(text[s:e])}<sup class="evn">{nums}</sup></mark>')
        pos = e
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# ----------------------------------------------------------------------------- pages

Tax = Annotated[str | None, Query(max_length=200)]


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, taxonomy: Tax = None) -> HTMLResponse:
    ov = service.overview(_ctx(request), taxonomy)
    cells = {(m.actor_id, m.issue): m for m in ov.matrix}
    return render(request, "overview.html.j2", ov=ov, cells=cells)


@router.get("/actors", response_class=HTMLResponse)
def actors_page(request: Request, q: Annotated[str | None, Query(max_length=300)] = None,
                kind: Literal["person", "state", "org", "group"] | None = None,
                cursor: Annotated[str | None, Query(max_length=400)] = None, taxonomy: Tax = None) -> HTMLResponse:
    page = service.actors_page(_ctx(request), taxonomy=taxonomy, q=q or None, kind=kind, side=None, cursor=cursor,
                               limit=50)
    nxt = f"/actors?{urlencode({k: v for k, v in {'q': q, 'kind': kind, 'cursor': page.next_cursor}.items() if v})}" \
        if page.next_cursor else None
    return render(request, "actors.html.j2", page=page, q=q or "", kind=kind or "", next_url=nxt)


@router.get("/actors/{actor_id}", response_class=HTMLResponse)
def actor_page(request: Request, actor_id: Annotated[int, PathParam(ge=1, le=2 ** 53)],
               issue: Annotated[str | None, Query(max_length=200)] = None, taxonomy: Tax = None) -> HTMLResponse:
    c = _ctx(request)
    a = service.actor_detail(c, taxonomy=taxonomy, actor_id=actor_id, limit=0)
    rows, total = service.chart_points(c, taxonomy, actor_id, issue)
    chart = timeline_svg([ChartPoint(iss, day, stance, bool(red), f"/articles/{_q(aid)}#ev-{uid}",
                                     f"{who}: \u201c{_clip(text, 160)}\u201d ({title or 'untitled'})")
                          for iss, day, stance, red, aid, uid, text, title, who in rows],
                         f"Stances of {a.name} per issue over time")
    terms = service.positions_page(c, taxonomy=taxonomy, actor=None, actor_id=actor_id, match="exact", issue=issue,
                                   stance=None, red_line=None, conditional=None, since=None, until=None,
                                   include_undated=True, article=None, order="newest", cursor=None, limit=60)
    conditions = [p for p in terms.items if p.conditions or p.red_line][:40]
    return render(request, "actor.html.j2", a=a, chart=chart, conditions=conditions, issue=issue or "",
                  shown=len(rows), total=total, latest=terms.items[:20])


@router.get("/issues", response_class=HTMLResponse)
def issues_page(request: Request, taxonomy: Tax = None) -> HTMLResponse:
    return render(request, "issues.html.j2", issues=service.issues(_ctx(request), taxonomy).items)


@router.get("/issues/{issue}", response_class=HTMLResponse)
def issue_page(request: Request, issue: Annotated[str, PathParam(min_length=1, max_length=200)],
               taxonomy: Tax = None) -> HTMLResponse:
    c = _ctx(request)
    it = service.issue_detail(c, taxonomy, issue)
    reds = service.positions_page(c, taxonomy=taxonomy, actor=None, actor_id=None, match="exact", issue=issue,
                                  stance=None, red_line=True, conditional=None, since=None, until=None,
                                  include_undated=True, article=None, order="newest", cursor=None, limit=15)
    conds = service.positions_page(c, taxonomy=taxonomy, actor=None, actor_id=None, match="exact", issue=issue,
                                   stance=None, red_line=None, conditional=True, since=None, until=None,
                                   include_undated=True, article=None, order="newest", cursor=None, limit=15)
    shifts = service.shifts_page(c, taxonomy=taxonomy, actor=None, actor_id=None, match="exact", issue=issue,
                                 since=None, until=None, include_undated=True, order="newest", cursor=None, limit=15)
    chart = months_svg(it.by_month, f"Positions on {issue} per month, by stance")
    return render(request, "issue.html.j2", it=it, chart=chart, reds=reds.items, conds=conds.items,
                  shifts=shifts.items)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, a: Annotated[str | None, Query(max_length=300)] = None,
                 b: Annotated[str | None, Query(max_length=300)] = None,
                 issue: Annotated[str | None, Query(max_length=200)] = None, taxonomy: Tax = None) -> HTMLResponse:
    c = _ctx(request)
    top = service.actors_page(c, taxonomy=taxonomy, q=None, kind=None, side=None, cursor=None, limit=200).items
    comp, error = None, None
    if a and b:
        try:
            comp = service.compare(c, taxonomy=taxonomy, a=a, b=b, issue=issue or None)
        except ParleyError as exc:        # shown on the page, with the form to try again
            error = f"[{exc.code}] {exc.message}"
    status = 400 if error else 200
    return render(request, "compare.html.j2", status, a=a or "", b=b or "", issue=issue or "", comp=comp,
                  error=error, top=top)


@router.get("/articles", response_class=HTMLResponse)
def articles_page(request: Request, cursor: Annotated[str | None, Query(max_length=400)] = None,
                  since: date | None = None, until: date | None = None) -> HTMLResponse:
    page = service.articles_page(_ctx(request), q=None, since=since, until=until, source=None, order="newest",
                                 cursor=cursor, limit=50)
    params = {k: v for k, v in {"since": since, "until": until, "cursor": page.next_cursor}.items() if v}
    nxt = f"/articles?{urlencode(params)}" if page.next_cursor else None
    return render(request, "articles.html.j2", page=page, next_url=nxt)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: Annotated[str, PathParam(min_length=1, max_length=64)],
                 taxonomy: Tax = None) -> HTMLResponse:
    art = service.article_detail(_ctx(request), article_id, taxonomy)
    return render(request, "article.html.j2", art=art, body=highlight_html(art.text, art.positions))


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Annotated[str | None, Query(max_length=500)] = None) -> HTMLResponse:
    res = service.search(_ctx(request), q, None, 25) if q and q.strip() else None
    return render(request, "search.html.j2", q=q or "", res=res)


# ----------------------------------------------------------------------------- writes

@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> HTMLResponse:
    return render(request, "ingest.html.j2", result=None, error=None)


@router.post("/ingest", response_class=HTMLResponse)
async def ingest_post(request: Request) -> Response:
    from anyio import to_thread

    from ..api.routes import ingest

    c = _ctx(request)
    if not c.security.writable:
        raise ApiError("E702", 403)
    form = await request.form(max_files=1, max_fields=20, max_part_size=int(request.app.state.max_body))
    token = form.get("csrf")
    c.security.check_csrf(request, token if isinstance(token, str) else None)
    if not c.security.signed_in(request):
        raise ApiError("E703", 401)
    f = form.get("file")
    upload = None
    if f is not None and not isinstance(f, str) and (f.filename or ""):
        data = await f.read()
        if data:
            upload = (Path(f.filename or "upload").name[:200] or "upload", data)
    fields = {k: v for k, v in form.items() if isinstance(v, str) and v.strip() and k not in ("file", "csrf")}
    fields["extract"] = str(fields.get("extract", "")).lower() in ("1", "true", "on", "yes")
    try:
        body = S.ArticleIn.model_validate(fields)
    except ValueError as exc:
        from ..api.routes import _first_error

        return render(request, "ingest.html.j2", 400, result=None, error=f"[E701] {_first_error(exc)}")
    try:
        out = await to_thread.run_sync(lambda: ingest(c, body, upload))
    except ParleyError as exc:
        return render(request, "ingest.html.j2", 400, result=None, error=f"[{exc.code}] {exc.message}")
    if out.job is not None:
        return RedirectResponse(f"/jobs/{out.job.id}", status_code=303)
    return render(request, "ingest.html.j2", result=out, error=None)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: Annotated[str, PathParam(min_length=1, max_length=64)]) -> HTMLResponse:
    job = S.JobOut(**_ctx(request).jobs.get(job_id).to_dict())
    return render(request, "job.html.j2", job=job)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html.j2", error=None)


@router.post("/login", response_class=HTMLResponse)
async def login_post(request: Request) -> Response:
    c = _ctx(request)
    if not c.security.writable:
        raise ApiError("E702", 403)
    form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
    token = form.get("csrf")
    c.security.check_csrf(request, token if isinstance(token, str) else None)
    given = form.get("token")
    if not isinstance(given, str) or not c.security.token_ok(given.strip()):
        return render(request, "login.html.j2", 403, error="[E704] " + ApiError("E704", 403).message)
    resp = RedirectResponse("/ingest", status_code=303)
    resp.set_cookie(SESSION_COOKIE, c.security.new_session(), httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", max_age=12 * 3600)
    return resp


@router.post("/logout")
async def logout_post(request: Request) -> Response:
    c = _ctx(request)
    form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
    token = form.get("csrf")
    c.security.check_csrf(request, token if isinstance(token, str) else None)
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp
