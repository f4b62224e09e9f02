"""A local OpenAI-compatible chat-completions server for the llm extractor's tests (the fixture that
starts it, ``llm_stub``, lives in conftest.py).

A real HTTP server (``http.server.ThreadingHTTPServer`` on 127.0.0.1, a free port, one thread per
request) that answers ``POST /v1/chat/completions`` with whatever the test's ``respond`` function
returns for the request: a JSON answer, an error status, a slow or a truncated response. It records
every request (body, article text, response form) and the most requests ever in flight at once.
"""
from __future__ import annotations

import http.server
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_TEXT = re.compile(r"<<<\n(.*)\n>>>", re.S)


@dataclass
class Reply:
    """What the stub sends back for one request."""

    content: str | None = '{"positions": []}'   # the message content (None: no content)
    status: int = 200
    body: bytes | None = None                   # a raw body instead of the chat-completion envelope
    delay: float = 0.0                          # seconds to wait before answering
    headers: dict[str, str] = field(default_factory=dict)
    truncate: bool = False                      # announce the whole body, send half, close
    usage: tuple[int, int] | None = (100, 20)   # (prompt, completion) tokens; None: no usage field
    finish_reason: str = "stop"


@dataclass
class Request:
    body: dict[str, Any]
    text: str                    # the article text (or part) between <<< and >>>
    form: str                    # json_schema | json_object | none
    headers: dict[str, str]


def answer(*positions: dict[str, Any]) -> str:
    """A model answer holding ``positions`` (missing fields filled with neutral values)."""
    out = []
    for p in positions:
        q = {"aliases": [], "proposition": "", "conditions": [], "red_line": False, "previous_stance": None}
        q.update(p)
        out.append(q)
    return json.dumps({"positions": out})


class StubLLM:
    """The server's state: ``respond(request, seen)`` decides each reply (``seen``: how many earlier
    requests carried the same text)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.respond: Callable[[Request, int], Reply] = lambda req, seen: Reply()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.server: http.server.ThreadingHTTPServer | None = None
        self.url = ""

    def count(self, needle: str = "") -> int:
        """Requests whose text contains ``needle`` (all of them for "")."""
        with self.lock:
            return sum(1 for r in self.requests if needle in r.text)

    def start(self) -> StubLLM:
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, json.dumps({"error": {"message": f"no route {self.path}"}}).encode())
                    return
                body = json.loads(raw)
                user = body["messages"][-1]["content"]
                m = _TEXT.search(user)
                rf = body.get("response_format") or {}
                req = Request(body, m.group(1) if m else user, rf.get("type", "none"), dict(self.headers))
                with stub.lock:
                    seen = sum(1 for r in stub.requests if r.text == req.text)
                    stub.requests.append(req)
                    stub.in_flight += 1
                    stub.max_in_flight = max(stub.max_in_flight, stub.in_flight)
                try:
                    reply = stub.respond(req, seen)
                    if reply.delay:
                        time.sleep(reply.delay)
                    payload = reply.body
                    if payload is None:
                        envelope: dict[str, Any] = {
                            "id": "stub", "object": "chat.completion", "model": body.get("model"),
                            "choices": [{"index": 0, "finish_reason": reply.finish_reason,
                                         "message": {"role": "assistant", "content": reply.content}}]}
                        if reply.usage is not None:
                            envelope["usage"] = {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1],
                                                 "total_tokens": sum(reply.usage)}
                        if reply.status != 200:
                            envelope = {"error": {"message": reply.content or "error", "type": "stub"}}
                        payload = json.dumps(envelope).encode()
                    self._send(reply.status, payload, reply.headers, reply.truncate)
                except (BrokenPipeError, ConnectionResetError):
                    pass      # the client gave up (a timeout test)
                finally:
                    with stub.lock:
                        stub.in_flight -= 1

            def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None,
                      truncate: bool = False) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if truncate:
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                self.wfile.write(payload)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def free_port() -> int:
    """A TCP port nobody listens on (for the unreachable-server test)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
