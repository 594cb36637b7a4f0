"""The workbench's guard: it runs on a city employee's laptop, so every request is checked.

- The Host header must name 127.0.0.1 or localhost (a DNS-rebinding page cannot pass).
- Every request carries the secret token: ``Authorization: Bearer <token>``, or the cookie
  that the first visit to ``/?token=<token>`` sets (HttpOnly, SameSite=Strict).
- A request that writes must not come from another site (Origin, Sec-Fetch-Site).
- Every response forbids external sources (Content-Security-Policy), framing by other pages
  and content sniffing.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

log = logging.getLogger(__name__)

ALLOWED_HOSTS = ("127.0.0.1", "localhost")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# The page: only its own scripts, styles, fonts, frames and requests; nothing external.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
            "img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'")
# A document preview: no script at all; the document's own inline styles; framed by the page.
PREVIEW_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
               "img-src 'self' data:; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'self'")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]],
                    Callable[[Message], Awaitable[None]]], Awaitable[None]]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def host_name(host: str) -> str:
    """``127.0.0.1:8765`` -> ``127.0.0.1``; ``[::1]:80`` -> ``::1``."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware applying the checks above before any route runs."""

    def __init__(self, app: ASGIApp, *, token: str, cookie: str) -> None:
        self.app, self.token, self.cookie = app, token, cookie

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            status, message = refusal
            await _plain(send, status, message)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if scope["path"] == "/" and "token" in query:  # the printed address: set the cookie
            await _redirect(send, "/", f"{self.cookie}={self.token}; HttpOnly; "
                                       "SameSite=Strict; Path=/")
            return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = _secured(list(message.get("headers", [])))
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # a plain line, never a traceback in the planner's terminal
            log.error("lead-replicate serve: %s %s failed: %s: %s", scope["method"],
                      scope["path"], type(exc).__name__, exc)
            if not started:
                await _plain(send, 500, "lead-replicate hit an unexpected problem "
                                        f"({type(exc).__name__}); please report it.")

    def refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        """(status, message) when the request must not be served, else None."""
        host = headers.get("host", "")
        if host_name(host) not in ALLOWED_HOSTS:
            return 403, ("Refused: this server answers only to 127.0.0.1 or localhost "
                         "(the address lead-replicate serve printed).")
        if not self.has_token(scope, headers):
            return 401, ("Open the address that lead-replicate serve printed: it contains "
                         "the access token (or send Authorization: Bearer <token>).")
        if scope["method"] not in SAFE_METHODS:
            origin = headers.get("origin")
            if origin is not None and origin != f"http://{host}":
                return 403, "Refused: a change may not come from another site."
            if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
                return 403, "Refused: a change may not come from another site."
        return None

    def has_token(self, scope: Scope, headers: dict[str, str]) -> bool:
        given = ""
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        elif scope["path"] == "/":
            given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(
                "token", [""])[0]
        if not given:
            given = _cookies(headers.get("cookie", "")).get(self.cookie, "")
        return bool(given) and secrets.compare_digest(given.encode(), self.token.encode())


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        name = key.decode("latin-1").lower()
        if name not in out:  # the first wins: a repeated Host cannot slip past the check
            out[name] = value.decode("latin-1")
    return out


def _cookies(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        out.setdefault(name, value)
    return out


def _secured(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    names = {k.lower() for k, _ in headers}
    extra = {
        b"content-security-policy": PAGE_CSP.encode(),
        b"x-content-type-options": b"nosniff",
        b"referrer-policy": b"no-referrer",
        b"x-frame-options": b"DENY",
        b"cache-control": b"no-store",
        b"cross-origin-opener-policy": b"same-origin",
        b"cross-origin-resource-policy": b"same-origin",
    }
    return headers + [(k, v) for k, v in extra.items() if k not in names]


async def _plain(send: Any, status: int, message: str) -> None:
    body = message.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": _secured([(b"content-type", b"text/plain; charset=utf-8"),
                                     (b"content-length", str(len(body)).encode())])})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Any, location: str, cookie: str) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": _secured([(b"location", location.encode()),
                                     (b"set-cookie", cookie.encode()),
                                     (b"content-length", b"0")])})
    await send({"type": "http.response.body", "body": b""})
