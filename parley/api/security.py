"""Who may write, and proof that a form was ours.

* **Read-only unless ``PARLEY_API_TOKEN`` is set.** Without a token every write is refused (E702, 403).
* **API writes** need ``Authorization: Bearer <token>`` (E703 without it: 401; E704 wrong: 403),
  compared in constant time. Cookies never authorise an API call, so the API needs no CSRF token.
* **Dashboard writes** (the ingest form) need a session: ``/login`` takes the token once and sets an
  HttpOnly, SameSite=Strict cookie signed with a key derived from the token (changing the token ends
  every session), and every form carries a CSRF token: an HMAC of the time and of the session (or of
  a random cookie before signing in), valid for :data:`CSRF_TTL` seconds (E705 otherwise).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import TYPE_CHECKING

from ..errors import ApiError

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = ["Security", "SESSION_COOKIE", "ANON_COOKIE", "CSRF_TTL"]

SESSION_COOKIE = "parley_session"
ANON_COOKIE = "parley_csrf"
CSRF_TTL = 4 * 3600


class Security:
    def __init__(self, token: str | None) -> None:
        self.token = token or None
        seed = b"parley-web\x00" + self.token.encode("utf-8") if self.token else secrets.token_bytes(32)
        self._key = hashlib.sha256(seed).digest()

    @property
    def writable(self) -> bool:
        return self.token is not None

    def _sign(self, *parts: str) -> str:
        return hmac.new(self._key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    # ----------------------------------------------------------------- API
    def check_bearer(self, request: Request) -> None:
        """Raise unless the request carries the server's token as a Bearer credential."""
        if self.token is None:
            raise ApiError("E702", 403)
        scheme, _, cred = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not cred.strip():
            raise ApiError("E703", 401)
        if not hmac.compare_digest(cred.strip().encode("utf-8"), self.token.encode("utf-8")):
            raise ApiError("E704", 403)

    def token_ok(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    # ----------------------------------------------------------------- dashboard sessions
    def new_session(self) -> str:
        sid = secrets.token_urlsafe(18)
        return f"{sid}.{self._sign('session', sid)}"

    def session(self, request: Request) -> str | None:
        """The signed-in session id, or None."""
        if self.token is None:
            return None
        raw = request.cookies.get(SESSION_COOKIE, "")
        sid, _, sig = raw.partition(".")
        if sid and sig and hmac.compare_digest(sig, self._sign("session", sid)):
            return sid
        return None

    def signed_in(self, request: Request) -> bool:
        return self.session(request) is not None

    @staticmethod
    def new_anon() -> str:
        return secrets.token_urlsafe(18)

    def _binding(self, request: Request, anon: str | None = None) -> str:
        sid = self.session(request)
        if sid:
            return "s:" + sid
        return "a:" + (anon or request.cookies.get(ANON_COOKIE, ""))

    def csrf_token(self, request: Request, anon: str | None = None) -> str:
        ts = str(int(time.time()))
        return f"{ts}.{self._sign('csrf', self._binding(request, anon), ts)}"

    def check_csrf(self, request: Request, token: str | None) -> None:
        """Raise E705 unless ``token`` was issued to this browser (session or cookie) lately."""
        ts, _, sig = (token or "").partition(".")
        if not ts.isdigit() or not sig:
            raise ApiError("E705", 403, detail="missing")
        if abs(time.time() - int(ts)) > CSRF_TTL:
            raise ApiError("E705", 403, detail="expired")
        binding = self._binding(request)
        if binding.endswith(":") or not hmac.compare_digest(sig, self._sign("csrf", binding, ts)):
            raise ApiError("E705", 403, detail="not issued to this browser")
