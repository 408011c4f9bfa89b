"""A shortcut for the hottest request: a cached GET of the caller's notes.

On a warm cache, answering ``GET /api/v1/note`` costs one Redis round trip and a token check,
yet routing and dependency solving in the framework cost as much again. This ASGI middleware
answers cache hits before the framework sees the request; everything else (no or bad token, a
miss, a revoked or unknown token, odd parameters) goes on to the routers unchanged, which
remain the only code that validates input and fills the cache. The shortcut can therefore
only ever repeat bytes the full path stored for the same user and the same normalized query.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from notestack.core import metrics
from notestack.core.cache import Cache
from notestack.core.conditional import none_match
from notestack.core.middleware import ACCESS_COOKIE
from notestack.core.reads import prefetch_key, prefetched
from notestack.core.security import InvalidTokenError, TokenCodec
from notestack.notes.repository import ListFilter
from notestack.notes.service import list_cache_key

LIST_PATH = "/api/v1/note"
NOTE_PREFIX = LIST_PATH + "/"
LIST_PARAMETERS = frozenset({"limit", "cursor", "status", "priority", "q"})


def _list_suffix(query_string: bytes) -> str | None:
    items = QueryParams(query_string).multi_items()
    names = [name for name, _ in items]
    if len(names) != len(set(names)) or not set(names) <= LIST_PARAMETERS:
        return None
    params = dict(items)
    limit_text = params.get("limit")
    if limit_text is not None and not limit_text.isdigit():
        return None
    filters = ListFilter(
        status=params.get("status") or None,
        priority=params.get("priority") or None,
        search=(params.get("q") or "").strip() or None,
    )
    limit = int(limit_text) if limit_text is not None else None
    return "list:" + list_cache_key(filters, params.get("cursor") or None, limit)


def _note_suffix(path: str) -> str | None:
    raw = path[len(NOTE_PREFIX) :]
    try:
        return "note:" + uuid.UUID(raw).hex
    except ValueError:
        return None


def _token(headers: Headers) -> str | None:
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, credentials = authorization.partition(" ")
        return credentials.strip() if scheme.lower() == "bearer" and credentials else None
    cookie = headers.get("cookie")
    return cookie_parser(cookie).get(ACCESS_COOKIE) if cookie else None


class CachedNoteReads:
    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not await self._answer(scope, receive, send)
        ):
            await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> bool:
        cache: Cache | None = self.state.cache
        path: str = scope["path"]
        if cache is None or cache.needs_recovery:
            return False
        if path == LIST_PATH:
            kind, suffix = "list", _list_suffix(scope["query_string"])
        elif path.startswith(NOTE_PREFIX) and "/" not in path[len(NOTE_PREFIX) :]:
            kind, suffix = "note", _note_suffix(path)
        else:
            return False
        headers = Headers(scope=scope)
        token = _token(headers)
        if suffix is None or token is None:
            return False
        codec: TokenCodec = self.state.token_codec
        try:
            claims = codec.decode(token)
        except InvalidTokenError:
            return False
        lookup = await cache.read(claims.user_id, suffix, claims.jti)
        if lookup is None or lookup.token_revoked is not False or lookup.entry is None:
            if lookup is not None:
                prefetched.set((prefetch_key(claims.user_id, claims.jti, suffix), lookup))
            return False
        metrics.CACHE.labels(kind, "hit").inc()
        etag, _, body = lookup.entry.partition(b"\n")
        response_headers = [
            (b"etag", etag),
            (b"cache-control", b"private, no-cache"),
            (b"x-cache", b"hit"),
        ]
        scope["route"] = self
        if kind == "note":
            scope["path_params"] = {"note_id": path[len(NOTE_PREFIX) :]}
        if none_match(headers.get("if-none-match"), etag.decode()):
            await send({"type": "http.response.start", "status": 304, "headers": response_headers})
            await send({"type": "http.response.body", "body": b""})
            return True
        response_headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})
        return True
