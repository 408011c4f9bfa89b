"""ASGI middleware: request ids and access logs, body size limit, cross-origin write refusal."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import structlog
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notestack.core import lifecycle, metrics
from notestack.core.errors import error_response

access_log = structlog.get_logger("notestack.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ACCESS_COOKIE = "AccessToken"


def _route_template(scope: Scope) -> str:
    """The matched route as a template ("/api/v1/note/{note_id}"): a bounded metric label."""
    if scope.get("route") is None:
        return "unmatched"
    path: str = scope["path"]
    for name, value in (scope.get("path_params") or {}).items():
        segment = f"/{value}"
        at = path.rfind(segment) if value != "" else -1
        if at >= 0:
            path = path[:at] + "/{" + name + "}" + path[at + len(segment) :]
    return path


class RequestContextMiddleware:
    """Gives each request an id (honouring a sane incoming X-Request-ID), logs and measures it."""

    def __init__(self, app: ASGIApp, instance: str) -> None:
        self.app = app
        self.instance = instance.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"x-instance", self.instance))
                if lifecycle.is_draining():
                    # Close keep-alive connections as requests finish, so a proxy does not
                    # send its next request on a connection the server is about to drop.
                    headers.append((b"connection", b"close"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
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


class BodySizeLimitMiddleware:
    """Answers 413 as soon as a body is known or seen to exceed the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
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
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit_kib = self.max_bytes // 1024
        response = error_response(413, f"Request body too large (limit {limit_kib} KiB)")
        await response(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


class CrossOriginWriteGuard:
    """Refuses cookie-authenticated unsafe requests that a browser sent from another origin.

    Bearer-token requests are not exposed to CSRF and pass; so do requests with no browser
    provenance headers at all (curl, server-to-server).
    """

    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(origin.rstrip("/") for origin in allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in _UNSAFE_METHODS:
            headers = Headers(scope=scope)
            if self._uses_cookie(headers) and not self._trusted(scope, headers):
                response = error_response(
                    403, "Cross-origin request refused: this origin may not change data"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _uses_cookie(headers: Headers) -> bool:
        if headers.get("authorization", "").lower().startswith("bearer "):
            return False
        cookie = headers.get("cookie")
        if not cookie:
            return False
        parsed: SimpleCookie = SimpleCookie()
        try:
            parsed.load(cookie)
        except Exception:
            return True
        return ACCESS_COOKIE in parsed

    def _trusted(self, scope: Scope, headers: Headers) -> bool:
        site = headers.get("sec-fetch-site")
        origin = headers.get("origin")
        if origin and origin != "null":
            if origin.rstrip("/") in self.allowed:
                return True
            host = headers.get("x-forwarded-host") or headers.get("host", "")
            return urlsplit(origin).netloc == host or site == "same-origin"
        if site is not None:
            return site in ("same-origin", "none")
        return origin is None
