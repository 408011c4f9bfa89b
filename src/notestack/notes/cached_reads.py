"""A shortcut for the hottest requests: cached GETs of the caller's notes.

On a warm cache, answering ``GET /api/v1/note`` costs one Redis round trip and a token check,
yet routing and dependency solving in the framework cost as much again. This ASGI middleware
answers cache hits before the framework sees the request, with the router's own rules: the
same token reading (core.security), the same query parser and cache key (notes/queries.py),
the same id parsing, the same request budget (core/budget.py) and the same response
(core.reads.read_response). Anything those refuse,
a miss, a revoked or unknown token, goes on to the routers unchanged, which remain the only
code that answers errors and fills the cache. The shortcut can therefore only ever repeat
bytes the full path stored for the same user and the same validated query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import Headers
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from notestack.core import metrics
from notestack.core.api import API_PREFIX
from notestack.core.budget import UserBudget
from notestack.core.cache import Cache
from notestack.core.errors import AppError, app_error_response
from notestack.core.reads import (
    ReadResult,
    entry_name,
    prefetch_key,
    prefetched,
    read_response,
)
from notestack.core.security import InvalidTokenError, TokenCodec, request_credentials
from notestack.notes.cursor import CursorCodec
from notestack.notes.queries import list_cache_key, parse_query_string
from notestack.notes.router import get_note, list_notes, read_router
from notestack.notes.service import parse_note_ref

LIST_PATH = f"{API_PREFIX}/note"
NOTE_PREFIX = LIST_PATH + "/"


def _route(router: APIRouter, endpoint: Callable[..., Any]) -> BaseRoute:
    return next(r for r in router.routes if getattr(r, "endpoint", None) is endpoint)


class CachedNoteReads:
    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state
        # The routes a hit stands in for: metrics and logs label it as they would.
        self.list_route = _route(read_router, list_notes)
        self.note_route = _route(read_router, get_note)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not await self._answer(scope, receive, send)
        ):
            await self.app(scope, receive, send)

    def _entry(self, scope: Scope) -> tuple[str, str, BaseRoute, dict[str, str]] | None:
        """(kind, cache suffix, route, path params) of a request the router would accept."""
        path: str = scope["path"]
        try:
            if path == LIST_PATH:
                query = parse_query_string(scope["query_string"])
                if query.cursor:
                    codec: CursorCodec = self.state.cursor_codec
                    codec.decode(query.cursor, query.ordering().name)
                return "list", list_cache_key(query), self.list_route, {}
            raw_id = path[len(NOTE_PREFIX) :]
            if path.startswith(NOTE_PREFIX) and "/" not in raw_id:
                ref = parse_note_ref(raw_id)
                return "note", ref.cache_suffix, self.note_route, {"note_id": raw_id}
        except (RequestValidationError, AppError):
            pass
        return None

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> bool:
        cache: Cache | None = self.state.cache
        if cache is None or cache.needs_recovery:
            return False
        entry = self._entry(scope)
        if entry is None:
            return False
        kind, suffix, route, path_params = entry
        headers = Headers(scope=scope)
        credentials = request_credentials(headers, self.state.settings.cookie_name)
        if credentials is None:
            return False
        codec: TokenCodec = self.state.token_codec
        try:
            claims = codec.decode(credentials.token)
        except InvalidTokenError:
            return False
        cache_suffix = entry_name(kind, suffix)
        budget: UserBudget = self.state.budget
        lookup = await cache.read(
            claims.user_id, cache_suffix, claims.jti, budget.counter(claims.user_id)
        )
        if lookup is not None and lookup.spent is not None:
            refusal = budget.record(scope, claims.user_id, lookup.spent)
            if refusal is not None:  # the routers would say the same (get_claims)
                await app_error_response(refusal)(scope, receive, send)
                return True
        if lookup is None or lookup.token_revoked is not False or lookup.entry is None:
            if lookup is not None:
                prefetched.set((prefetch_key(claims.user_id, claims.jti, cache_suffix), lookup))
            return False
        metrics.CACHE.labels(kind, "hit").inc()
        scope["route"] = route
        scope["path_params"] = path_params
        response = read_response(ReadResult.from_entry(lookup.entry), headers.get("if-none-match"))
        await response(scope, receive, send)
        return True
