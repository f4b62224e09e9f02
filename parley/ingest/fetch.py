"""HTTP(S) fetching with httpx: timeout, streamed size cap, our user agent.

Every failure is a :class:`~parley.errors.FetchError`: E121 timeout, E122
other transport errors, E123 an HTTP error status, E124 over
``settings.fetch_max_bytes``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from ..config import Settings
from ..errors import FetchError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fetched:
    """One fetched response body and what is needed to decide how to read it."""

    url: str                 # final URL after redirects
    content: bytes
    content_type: str        # media type, lower-cased, without parameters ("" when absent)
    charset: str | None


def make_client(settings: Settings) -> httpx.Client:
    """An ``httpx.Client`` with Parley's timeout, user agent and redirects followed."""
    return httpx.Client(timeout=httpx.Timeout(settings.fetch_timeout),
                        headers={"User-Agent": settings.user_agent},
                        follow_redirects=True)


def fetch(url: str, client: httpx.Client, settings: Settings) -> Fetched:
    """GET ``url``, reading at most ``settings.fetch_max_bytes`` bytes. Raises FetchError."""
    limit = settings.fetch_max_bytes
    log.debug("fetching %s", url)
    try:
        with client.stream("GET", url) as resp:
            if resp.status_code >= 400:
                raise FetchError("E123", item=url, status=resp.status_code)
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError("E124", item=url, limit=limit)
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError("E124", item=url, limit=limit)
                chunks.append(chunk)
            ctype, _, params = resp.headers.get("content-type", "").partition(";")
            charset = None
            for param in params.split(";"):
                key, _, value = param.strip().partition("=")
                if key.lower() == "charset" and value:
                    charset = value.strip('"\' ').lower()
            return Fetched(url=str(resp.url), content=b"".join(chunks),
                           content_type=ctype.strip().lower(), charset=charset)
    except httpx.TimeoutException:
        raise FetchError("E121", item=url, timeout=client.timeout.read or settings.fetch_timeout) from None
    except httpx.InvalidURL as exc:
        raise FetchError("E122", item=url, detail=f"invalid URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError("E122", item=url, detail=f"{type(exc).__name__}: {exc}") from None


__all__ = ["Fetched", "fetch", "make_client"]
