"""The ``parley serve`` application: the JSON API (:mod:`.routes`), the dashboard (:mod:`parley.web`),
one error shape, and the guards every request passes.

* errors: every refusal is ``{"ok": false, "error": {"code", "message"}, "status"}`` (API paths, and
  any client that does not ask for HTML); dashboard pages get the same code and message as a page;
* a bad parameter is 400 (E701) naming it, never 500; an unexpected failure is 500 (E712), logged;
* request bodies over the limit are refused (413, E706) before they are read whole;
* every response carries a Content-Security-Policy without ``unsafe-inline`` (scripts and styles
  from this server only; the HTML briefing's own style element is allowed by its hash), and
  ``nosniff``, ``no-referrer`` and frame-ancestors 'none'.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import AnalysisError, ApiError, ExtractError, FetchError, InputError, ParleyError, StoreError
from .context import Context
from .security import Security

log = logging.getLogger(__name__)

__all__ = ["create_app", "error_body", "status_of", "html_csp", "CSP"]

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)

_STATUS = {"E203": 404, "E220": 404, "E501": 404, "E507": 404, "E209": 503, "E210": 503, "E222": 400,
           "E223": 400, "E207": 400, "E221": 400, "E304": 400}


def status_of(exc: ParleyError) -> int:
    """The HTTP status a Parley error answers with."""
    if isinstance(exc, ApiError):
        return exc.status
    if exc.code in _STATUS:
        return _STATUS[exc.code]
    if isinstance(exc, FetchError):
        return 502
    if isinstance(exc, (InputError, AnalysisError)):
        return 400
    if isinstance(exc, ExtractError):
        return 500
    if isinstance(exc, StoreError):
        return 500
    return 500


def error_body(code: str, message: str, status: int) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}, "status": status}


def html_csp(html: str) -> str:
    """The policy for a self-contained HTML page: :data:`CSP`, plus its own <style> elements by hash."""
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode()
                      + "'" for m in _STYLE.finditer(html))
    return CSP.replace("style-src 'self'", f"style-src 'self' {hashes}".rstrip())


class _TooLarge(StarletteHTTPException):
    """Raised while a body is read past the limit (an HTTP 413, answered as E706)."""

    def __init__(self) -> None:
        super().__init__(413, "request body too large")


class _Guard:
    """ASGI middleware: body size limit, NUL bytes refused in paths and queries, security headers."""

    def __init__(self, app: Any, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                       send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def send_headers(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                         (b"x-frame-options", b"DENY"), (b"cross-origin-opener-policy", b"same-origin")]
                if b"content-security-policy" not in have:
                    extra.append((b"content-security-policy", CSP.encode()))
                message["headers"] = headers + [h for h in extra if h[0] not in have]
            await send(message)

        raw = scope.get("query_string", b"") or b""
        path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
        if b"\x00" in unquote_to_bytes(raw) or b"%00" in path.lower() or "\x00" in scope.get("path", ""):
            await self._refuse(scope, send_headers, 400, "E701", name="the request", detail="NUL bytes are refused")
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            try:
                if int(length) > self.max_body:
                    await self._refuse(scope, send_headers, 413, "E706", limit=self.max_body)
                    return
            except ValueError:
                await self._refuse(scope, send_headers, 400, "E701", name="Content-Length", detail="not a number")
                return
        seen = 0

        async def bounded() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, bounded, send_headers)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send_headers, 413, "E706", limit=self.max_body)
        except Exception as exc:
            # answered here, not re-raised: the server keeps the connection (and the client its answer)
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            if not started:
                await self._refuse(scope, send_headers, 500, "E712", path=scope.get("path", ""),
                                   detail=type(exc).__name__)

    async def _refuse(self, scope: dict[str, Any], send: Callable[[dict[str, Any]], Awaitable[None]], status: int,
                      code: str, **fields: Any) -> None:
        exc = ApiError(code, status, **fields)
        resp = JSONResponse(error_body(exc.code, exc.message, status), status_code=status)
        await resp(scope, _noop_receive, send)


async def _noop_receive() -> dict[str, Any]:
    return {"type": "http.disconnect"}


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path == "/openapi.json":
        return False
    return "text/html" in request.headers.get("accept", "")


def create_app(db: str | None = None, *, token: str | None = None, max_body: int | None = None,
               store: Any = None) -> FastAPI:
    """The application over the database ``db`` (or an open ``store``). ``token`` (default the
    ``api_token`` setting, ``PARLEY_API_TOKEN``) allows writes; ``max_body`` caps request bodies
    (default the ``max_bytes`` setting plus room for a form's fields)."""
    from ..config import settings

    cfg = settings()
    token = cfg.api_token if token is None else token
    limit = max_body if max_body is not None else cfg.max_bytes + 64 * 1024

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from ..store import open_store

        own = store is None
        st = open_store(db, must_exist=True) if own else store
        app.state.ctx = Context(st, Security(token or None))
        app.state.max_body = limit
        try:
            yield
        finally:
            app.state.ctx.jobs.wait(timeout=0)
            if own:
                st.close()

    app = FastAPI(title="Parley", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="A citable, time-stamped ledger of negotiating positions extracted from the news. "
                              "Reads are open; writes need `Authorization: Bearer <PARLEY_API_TOKEN>`. Every error "
                              "is `{\"ok\": false, \"error\": {\"code\", \"message\"}, \"status\"}`.")
    if store is not None:       # tests and embedding: usable without running the lifespan
        app.state.ctx = Context(store, Security(token or None))
        app.state.max_body = limit

    async def parley_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ParleyError)
        status = status_of(exc)
        if status >= 500:
            log.error("%s %s: [%s] %s", request.method, request.url.path, exc.code, exc.message)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else ({"Retry-After": "2"} if status == 503 else None)
        if _wants_html(request):
            from ..web.pages import error_page

            return error_page(request, exc.code, exc.message, status, headers)
        return JSONResponse(error_body(exc.code, exc.message, status), status_code=status, headers=headers)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errs = exc.errors()
        first = errs[0] if errs else {}
        loc = [str(x) for x in first.get("loc", ()) if x not in ("query", "path", "body", "header")]
        name = ".".join(loc) or "the request"
        msg = str(first.get("msg", "invalid"))
        return await parley_error(request, ApiError("E701", 400, name=name, detail=msg))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            err = ApiError("E707", 404, path=request.url.path)
        elif exc.status_code == 405:
            err = ApiError("E708", 405, method=request.method, path=request.url.path)
        elif exc.status_code == 413:
            err = ApiError("E706", 413, limit=limit)
        else:
            err = ApiError("E701", exc.status_code if 400 <= exc.status_code < 500 else 400, name="the request",
                           detail=str(exc.detail))
        return await parley_error(request, err)

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path)
        return await parley_error(request, ApiError("E712", 500, path=request.url.path,
                                                    detail=type(exc).__name__))

    app.add_exception_handler(ParleyError, parley_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)

    from ..web.pages import router as web_router
    from ..web.pages import static_app
    from .routes import router as api_router

    app.include_router(api_router)
    app.include_router(web_router)
    app.mount("/static", static_app(), name="static")
    app.add_middleware(_Guard, max_body=limit)
    _fix_openapi(app)
    return app


def _fix_openapi(app: FastAPI) -> None:
    """FastAPI documents validation errors as 422 with its own shape; Parley answers 400 with its one
    error shape: say so in /openapi.json."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        err_ref = {"$ref": "#/components/schemas/ErrorResponse"}
        for _path, ops in schema.get("paths", {}).items():
            for op in ops.values():
                responses = op.setdefault("responses", {})
                responses.pop("422", None)
                responses.setdefault("400", {"description": "a bad parameter (E701)",
                                             "content": {"application/json": {"schema": err_ref}}})
                responses.setdefault("500", {"description": "an unexpected failure (E712)",
                                             "content": {"application/json": {"schema": err_ref}}})
        comps = schema.get("components", {}).get("schemas", {})
        for k in ("HTTPValidationError", "ValidationError"):
            comps.pop(k, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
