"""ASGI middleware: request ids, access logs, security headers and the last-resort 500; header
and body size limits; trailing slashes; cross-origin write refusal."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

import structlog
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notestack.core import lifecycle, metrics
from notestack.core.errors import error_response
from notestack.core.security import request_credentials

access_log = structlog.get_logger("notestack.access")
error_log = structlog.get_logger("notestack.errors")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PATH_PREFIX = "/api/"
HSTS = b"max-age=63072000; includeSubDomains"


def route_label(scope: Scope) -> str:
    """The matched route's template ("/api/v1/note/{note_id}"): a bounded metric label."""
    route = scope.get("route")
    path_format = getattr(route, "path_format", None)
    return path_format if isinstance(path_format, str) else "unmatched"


class RequestContextMiddleware:
    """Outermost: gives each request an id (honouring a sane incoming X-Request-ID), adds the
    headers every response carries, turns an unhandled exception into the API's JSON 500 (with
    that request id, which the log line of the exception carries too), logs and measures."""

    def __init__(self, app: ASGIApp, instance: str | None, *, hsts: bool) -> None:
        self.app = app
        self.instance = instance.encode() if instance else None
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else os.urandom(16).hex()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        is_api = scope["path"].startswith(API_PATH_PREFIX)

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.append((b"x-request-id", request_id.encode()))
                if self.instance is not None:
                    headers.append((b"x-instance", self.instance))
                if b"x-content-type-options" not in present:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if b"referrer-policy" not in present:
                    headers.append((b"referrer-policy", b"no-referrer"))
                if is_api and b"cache-control" not in present:
                    # Private data: never kept by a browser or a shared cache, not even on disk.
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append((b"strict-transport-security", HSTS))
                if lifecycle.is_draining():
                    # Close keep-alive connections as requests finish, so a proxy does not
                    # send its next request on a connection the server is about to drop.
                    headers.append((b"connection", b"close"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            error_log.exception("unhandled_error", path=scope["path"], error=repr(exc))
            if response_started:
                raise
            await error_response(500, "Internal server error")(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            route = route_label(scope)
            metrics.observe_request(scope["method"], route, status, elapsed)
            access_log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
                client=(scope.get("client") or ("-",))[0],
            )


class HeaderSizeLimitMiddleware:
    """Answers 431 before any work when the request's headers are larger than the limit (a
    megabyte-long token must not reach the JWT decoder)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = sum(len(name) + len(value) + 4 for name, value in scope["headers"])
            if size > self.max_bytes:
                response = error_response(
                    431, f"Request headers too large (limit {self.max_bytes // 1024} KiB)"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class TrailingSlashMiddleware:
    """``/api/v1/note/`` is ``/api/v1/note`` (as in the original Express app), served in place.

    The framework's own answer, a redirect, builds its Location from the Host header, which
    an attacker chooses.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(API_PATH_PREFIX) and path.endswith("/"):
            scope = dict(scope)
            scope["path"] = path.rstrip("/")
            raw = scope.get("raw_path")
            if isinstance(raw, bytes):
                scope["raw_path"] = raw.rstrip(b"/")
        await self.app(scope, receive, send)


class BodySizeLimitMiddleware:
    """Answers 413 as soon as a body is known or seen to exceed the limit (``larger`` names
    paths with a limit of their own: an import takes a whole export file)."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.max_bytes)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared[:20]) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = error_response(413, f"Request body too large (limit {limit // 1024} KiB)")
        await response(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


class CrossOriginWriteGuard:
    """Refuses cookie-authenticated unsafe requests that a browser sent from another origin.

    Bearer-token requests are not exposed to CSRF and pass; so do requests with no browser
    provenance headers at all (curl, server-to-server).
    """

    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str], cookie_name: str) -> None:
        self.app = app
        self.allowed = frozenset(origin.rstrip("/") for origin in allowed_origins)
        self.cookie_name = cookie_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in _UNSAFE_METHODS:
            headers = Headers(scope=scope)
            credentials = request_credentials(headers, self.cookie_name)
            if (
                credentials is not None
                and credentials.source == "cookie"
                and not self._trusted(headers)
            ):
                response = error_response(
                    403, "Cross-origin request refused: this origin may not change data"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _trusted(self, headers: Headers) -> bool:
        site = headers.get("sec-fetch-site")
        origin = headers.get("origin")
        if origin and origin != "null":
            if origin.rstrip("/") in self.allowed:
                return True
            host = headers.get("x-forwarded-host") or headers.get("host", "")
            try:
                netloc = urlsplit(origin).netloc
            except ValueError:  # not a URL at all ("http://[")
                return False
            return netloc == host or site == "same-origin"
        if site is not None:
            return site in ("same-origin", "none")
        return origin is None
