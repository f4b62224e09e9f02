"""A small client for any OpenAI-compatible ``POST {llm_url}/chat/completions``.

Request forms (``response_format``), tried in this order under ``llm_response_format = "auto"``:

1. ``json_schema``: ``{"type": "json_schema", "json_schema": {"name", "strict": true, "schema"}}``,
   the structured-output form of OpenAI, vLLM, llama.cpp's server and Ollama (0.5 and later);
2. ``json_object``: ``{"type": "json_object"}`` (JSON mode, for servers without schema support);
3. ``none``: no ``response_format``; the prompt alone asks for the JSON object.

A server that rejects a form with HTTP 400/422 and an error naming it (response_format, json_schema,
schema, grammar...) gets the next form, and the client keeps to it for the rest of the run.

Failures, and what they become:

* 429 and 5xx, timeouts (``llm_timeout`` bounds the *whole* request: connect, wait and body, through
  the same per-socket-operation deadline as ``parley ingest``'s fetches), connections closed
  mid-response (a truncated body), a 200 whose body is not the JSON envelope: retried
  ``llm_retries`` times with exponential backoff from ``llm_backoff`` seconds (``Retry-After``
  honoured up to 60 s), then E324 for that article; E321 when no attempt ever connected (the
  server is not there: the run stops);
* 401/403: E322, 404: E323 (bad key, URL or model: the run stops);
* another 4xx: E326 for that article.

The API key is sent as a bearer token and never logged or put in any message.
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from ...errors import ExtractError

log = logging.getLogger(__name__)

Form = Literal["json_schema", "json_object", "none"]
FORMS: tuple[Form, ...] = ("json_schema", "json_object", "none")
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 521, 522, 524, 529})
MAX_RESPONSE_BYTES = 8_000_000
MAX_BACKOFF = 30.0
MAX_RETRY_AFTER = 60.0
_FORM_WORDS = re.compile(r"response_format|json_schema|json_object|schema|grammar|structured|guided|format",
                         re.I)


@dataclass(frozen=True)
class Reply:
    """One completion: the message content and what it cost."""

    content: str | None
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str | None
    form: Form
    attempts: int


class _Transient(Exception):
    def __init__(self, detail: str, *, connected: bool, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.connected = connected
        self.retry_after = retry_after


def endpoint(url: str) -> str:
    """``{url}/chat/completions`` unless ``url`` already ends with it."""
    u = url.strip().rstrip("/")
    return u if u.endswith("/chat/completions") else u + "/chat/completions"


def _server_message(body: bytes) -> str:
    """The error message of an error response (OpenAI's ``{"error": {"message"}}`` and variants)."""
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return " ".join(text.split())[:300] or "no message"
    err = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(err, dict):
        err = err.get("message") or err.get("detail") or err
    return " ".join(str(err).split())[:300]


def _retry_after(headers: httpx.Headers) -> float | None:
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, min(float(raw), MAX_RETRY_AFTER))
    except ValueError:
        return None


class ChatClient:
    """Thread-safe: one instance serves every worker of a run."""

    def __init__(self, url: str, model: str, *, api_key: str = "", timeout: float = 180.0, retries: int = 4,
                 backoff: float = 1.0, response_format: str = "auto", temperature: float = 0.0,
                 max_tokens: int = 0, seed: int = -1, user_agent: str = "Parley",
                 sleep: Callable[[float], None] = time.sleep, on_request: Callable[[], None] | None = None) -> None:
        from ...ingest.fetch import install_deadline

        self.url = endpoint(url)
        self.model = model
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.seed = seed
        self.sleep = sleep
        self.on_request = on_request       # told of every HTTP request sent (retries included)
        if response_format == "auto":
            self._forms: tuple[Form, ...] = FORMS
        elif response_format in FORMS:
            self._forms = (response_format,)
        else:
            raise ExtractError("E329", name="response_format", value=response_format,
                               detail="expected auto, json_schema, json_object or none")
        self._form_index = 0
        self._lock = threading.Lock()
        headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), headers=headers, follow_redirects=True)
        install_deadline(self._client)

    @property
    def form(self) -> Form:
        """The request form in use now."""
        return self._forms[self._form_index]

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------------ one request
    def _body(self, messages: list[dict[str, str]], schema: dict[str, Any], form: Form) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": self.temperature,
                                "stream": False}
        if self.max_tokens > 0:
            body["max_tokens"] = self.max_tokens
        if self.seed >= 0:
            body["seed"] = self.seed
        if form == "json_schema":
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "parley_positions", "strict": True, "schema": schema}}
        elif form == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    def _post(self, body: dict[str, Any]) -> tuple[int, httpx.Headers, bytes]:
        """One POST within ``timeout`` seconds in all; raises _Transient for what a retry may cure."""
        from ...ingest.fetch import total_deadline

        connected = False
        if self.on_request is not None:
            self.on_request()
        try:
            with total_deadline(self.timeout) as deadline:
                with self._client.stream("POST", self.url, json=body) as resp:
                    connected = True
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > MAX_RESPONSE_BYTES:
                            raise _Transient(f"response over {MAX_RESPONSE_BYTES} bytes", connected=True)
                        chunks.append(chunk)
                        if time.monotonic() > deadline:
                            raise _Transient(f"no complete response within {self.timeout:g}s", connected=True)
                    return resp.status_code, resp.headers, b"".join(chunks)
        except httpx.ConnectTimeout:
            raise _Transient(f"connecting timed out after {self.timeout:g}s", connected=False) from None
        except httpx.TimeoutException:
            raise _Transient(f"no complete response within {self.timeout:g}s", connected=True) from None
        except httpx.ConnectError as exc:
            raise _Transient(f"cannot connect: {exc}", connected=False) from None
        except httpx.RemoteProtocolError as exc:
            raise _Transient(f"connection closed mid-response, body truncated ({exc})", connected=True) from None
        except httpx.TransportError as exc:
            raise _Transient(f"{type(exc).__name__}: {exc}", connected=connected) from None

    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any], item: str) -> Reply:
        """One chat completion for article ``item`` (named in errors), with retries and form fallback."""
        attempts = 0
        ever_connected = False
        while True:
            form = self.form
            attempts += 1
            try:
                status, headers, raw = self._post(self._body(messages, schema, form))
                ever_connected = True
                if status == 200:
                    return self._reply(raw, form, attempts)
                message = _server_message(raw)
                if status in RETRY_STATUS:
                    raise _Transient(f"HTTP {status}: {message}", connected=True, retry_after=_retry_after(headers))
                if status in (401, 403):
                    raise ExtractError("E322", url=self.url, status=status, detail=message)
                if status == 404:
                    raise ExtractError("E323", url=self.url, model=self.model, detail=message)
                if status in (400, 415, 422) and form != "none" and _FORM_WORDS.search(message):
                    if self._downgrade(form, status, message):
                        attempts -= 1          # a refused form is not a failed attempt
                        continue
                raise ExtractError("E326", item=item, status=status, detail=message)
            except _Transient as exc:
                ever_connected = ever_connected or exc.connected
                if attempts > self.retries:
                    if not ever_connected:
                        raise ExtractError("E321", url=self.url, detail=exc.detail, attempts=attempts) from None
                    raise ExtractError("E324", item=item, attempts=attempts, detail=exc.detail) from None
                pause = exc.retry_after if exc.retry_after is not None else \
                    min(self.backoff * 2 ** (attempts - 1), MAX_BACKOFF)
                log.info("%s: %s; retrying in %.2fs (attempt %d of %d)", item, exc.detail, pause, attempts + 1,
                         self.retries + 1)
                self.sleep(pause)

    def _downgrade(self, form: Form, status: int, message: str) -> bool:
        """Move on from ``form`` to the next request form (False when there is none)."""
        with self._lock:
            if self.form != form:        # another worker already moved on
                return True
            if self._form_index + 1 >= len(self._forms):
                return False
            self._form_index += 1
            log.warning("the LLM server refused response_format %s (HTTP %d: %s); using %s from now on",
                        form, status, message[:120], self.form)
            return True

    def _reply(self, raw: bytes, form: Form, attempts: int) -> Reply:
        try:
            data = json.loads(raw.decode("utf-8"))
            choice = data["choices"][0]
            message = choice.get("message") or {}
            content = message.get("content")
            if content is not None and not isinstance(content, str):
                content = json.dumps(content)
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise _Transient(f"HTTP 200 whose body is not a chat completion ({type(exc).__name__})",
                             connected=True) from None
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return Reply(content=content, prompt_tokens=_int(usage.get("prompt_tokens")),
                     completion_tokens=_int(usage.get("completion_tokens")),
                     finish_reason=choice.get("finish_reason"), form=form, attempts=attempts)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


__all__ = ["ChatClient", "Reply", "FORMS", "endpoint"]
