"""HTTP(S) fetching with httpx: one total deadline, a streamed size cap, our user agent.

``settings.fetch_timeout`` bounds a *whole* fetch: connecting, the response
headers and the body together, redirects included. httpx's own timeouts are
per operation (a server that sends one byte every few seconds never trips a
10 s read timeout), so every socket operation of a fetch is given at most the
time left until the fetch's deadline: the pool's network backend is wrapped in
:class:`_DeadlineBackend`, which shortens each connect/read/write timeout to
what is left and fails once nothing is. The body loop checks the deadline too,
so the bound holds even where the wrapper cannot be installed.

Every failure is a :class:`~parley.errors.FetchError`: E121 deadline or
timeout, E122 other transport errors, E123 an HTTP error status, E124 over
``settings.fetch_max_bytes`` (decoded bytes, counted while streaming).
"""
from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
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


# --------------------------------------------------------------------------- total deadline

_local = threading.local()    # .deadline: time.monotonic() value by which the current fetch must end


def _bounded(timeout: float | None) -> float | None:
    """``timeout`` shortened to the time left before this thread's fetch deadline (if any)."""
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the fetch's total deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation waits at most until the current fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Wraps the pool's backend so that connections it opens obey the fetch deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(host, port, _bounded(timeout), local_address,
                                                       socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _install_deadline(client: httpx.Client) -> bool:
    """Wrap the network backend of every connection pool of ``client`` (idempotent).

    Uses httpx/httpcore internals (``_transport``, ``_mounts``, ``_pool``,
    ``_network_backend``; pinned versions, and the dripping-server test fails if
    they move); returns False when they are not found, and the body loop's
    deadline check is then the only bound."""
    if hasattr(client, "_parley_deadline"):
        return bool(client._parley_deadline)
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    done = False
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is None:
            continue
        if not isinstance(backend, _DeadlineBackend):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
        done = True
    if not done:   # a custom transport (tests' MockTransport): only the body loop's check bounds it
        log.info("no connection pool to install the fetch deadline on; only the body is bounded")
    client._parley_deadline = done  # type: ignore[attr-defined]
    return done


@contextmanager
def total_deadline(seconds: float) -> Iterator[float]:
    """Within this block, every socket operation of this thread's requests on a client prepared by
    :func:`install_deadline` waits at most until ``seconds`` from now (nested blocks: the earlier
    deadline wins). Yields the deadline as a ``time.monotonic()`` value."""
    deadline = time.monotonic() + seconds
    outer = getattr(_local, "deadline", None)
    _local.deadline = deadline if outer is None else min(outer, deadline)
    try:
        yield _local.deadline
    finally:
        _local.deadline = outer


def install_deadline(client: httpx.Client) -> bool:
    """Make ``client``'s connections obey :func:`total_deadline` (False when they cannot)."""
    return _install_deadline(client)


def make_client(settings: Settings) -> httpx.Client:
    """An ``httpx.Client`` with Parley's timeouts, user agent and redirects followed."""
    client = httpx.Client(timeout=httpx.Timeout(settings.fetch_timeout),
                          headers={"User-Agent": settings.user_agent},
                          follow_redirects=True)
    _install_deadline(client)
    return client


def fetch(url: str, client: httpx.Client, settings: Settings) -> Fetched:
    """GET ``url`` within ``settings.fetch_timeout`` seconds in all, reading at most
    ``settings.fetch_max_bytes`` bytes. Raises FetchError."""
    limit = settings.fetch_max_bytes
    budget = settings.fetch_timeout
    log.debug("fetching %s", url)
    _install_deadline(client)
    deadline = time.monotonic() + budget
    outer = getattr(_local, "deadline", None)
    _local.deadline = deadline if outer is None else min(outer, deadline)
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
                if time.monotonic() > deadline:
                    raise FetchError("E121", item=url, timeout=budget)
            ctype, _, params = resp.headers.get("content-type", "").partition(";")
            charset = None
            for param in params.split(";"):
                key, _, value = param.strip().partition("=")
                if key.lower() == "charset" and value:
                    charset = value.strip('"\' ').lower()
            return Fetched(url=str(resp.url), content=b"".join(chunks),
                           content_type=ctype.strip().lower(), charset=charset)
    except httpx.TimeoutException:
        raise FetchError("E121", item=url, timeout=budget) from None
    except httpx.InvalidURL as exc:
        raise FetchError("E122", item=url, detail=f"invalid URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError("E122", item=url, detail=f"{type(exc).__name__}: {exc}") from None
    except (ValueError, UnicodeError) as exc:   # e.g. a malformed redirect Location httpx cannot parse
        raise FetchError("E122", item=url, detail=f"{type(exc).__name__}: {exc}") from None
    finally:
        _local.deadline = outer


__all__ = ["Fetched", "fetch", "make_client", "total_deadline", "install_deadline"]
