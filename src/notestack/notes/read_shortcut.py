"""A shortcut for the hottest requests: GETs of the caller's notes (the list, one note).

Routing and dependency solving in the framework cost about as much as a cache hit's Redis
round trip, and a quarter of a read from PostgreSQL. This ASGI middleware answers the reads
it can before the framework sees them, with the router's own rules and code: the same token
reading (core.security), the same query parser and cache key (notes/queries.py), the same id
parsing, the same request budget (core/budget.py), and the routers' own answer functions
(``answer_list``, ``answer_note``: the read path, core/reads.py), whose errors it renders as
the routers' handlers do (core/errors.py, core/availability.py). With Redis, a hit is
answered from the same round trip that counts the request against the budget and checks the
token's revocation; a miss goes on to the read path with that look-up.

Anything the parsers refuse, or a request without a token that verifies, goes on to the
routers unchanged, which remain the only code that answers malformed requests: the shortcut
only ever answers a request the routers would have accepted, exactly as they would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from notestack.core import metrics
from notestack.core.api import API_PREFIX
from notestack.core.availability import DATABASE_ERRORS, database_error_response
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
from notestack.core.security import InvalidTokenError, TokenClaims, TokenCodec, request_credentials
from notestack.notes.cursor import CursorCodec
from notestack.notes.queries import list_cache_key, parse_query_string
from notestack.notes.router import (
    answer_list,
    answer_note,
    get_note,
    list_cursor,
    list_notes,
    read_router,
)
from notestack.notes.service import parse_note_ref

LIST_PATH = f"{API_PREFIX}/note"
NOTE_PREFIX = LIST_PATH + "/"

# The router's answer to a parsed request, for the caller whose token verified.
Answer = Callable[[TokenClaims, str | None], Awaitable[Response]]


def _route(router: APIRouter, endpoint: Callable[..., Any]) -> BaseRoute:
    return next(r for r in router.routes if getattr(r, "endpoint", None) is endpoint)


class NoteReadShortcut:
    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state
        # The routes the shortcut stands in for: metrics and logs label a request as they would.
        self.list_route = _route(read_router, list_notes)
        self.note_route = _route(read_router, get_note)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not await self._answer(scope, receive, send)
        ):
            await self.app(scope, receive, send)

    def _entry(self, scope: Scope) -> tuple[str, str, BaseRoute, dict[str, str], Answer] | None:
        """(kind, cache suffix, route, path params, answer) of a request the router would
        accept."""
        path: str = scope["path"]
        state = self.state
        try:
            if path == LIST_PATH:
                query = parse_query_string(scope["query_string"])
                codec: CursorCodec = state.cursor_codec
                after = list_cursor(codec, query)

                def listed(claims: TokenClaims, if_none_match: str | None) -> Awaitable[Response]:
                    return answer_list(
                        state.reads, codec, state.note_limits, claims, query, after, if_none_match
                    )

                return "list", list_cache_key(query), self.list_route, {}, listed
            raw_id = path[len(NOTE_PREFIX) :]
            if path.startswith(NOTE_PREFIX) and "/" not in raw_id:
                ref = parse_note_ref(raw_id)

                def one(claims: TokenClaims, if_none_match: str | None) -> Awaitable[Response]:
                    return answer_note(state.reads, claims, ref, if_none_match)

                return "note", ref.cache_suffix, self.note_route, {"note_id": raw_id}, one
        except (RequestValidationError, AppError):
            pass
        return None

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> bool:
        entry = self._entry(scope)
        if entry is None:
            return False
        kind, suffix, route, path_params, answer = entry
        headers = Headers(scope=scope)
        credentials = request_credentials(headers, self.state.settings.cookie_name)
        if credentials is None:
            return False
        codec: TokenCodec = self.state.token_codec
        try:
            claims = codec.decode(credentials.token)
        except InvalidTokenError:
            return False
        scope["route"] = route
        scope["path_params"] = path_params
        response = await self._respond(scope, kind, suffix, claims, answer, headers)
        await response(scope, receive, send)
        return True

    async def _respond(
        self,
        scope: Scope,
        kind: str,
        suffix: str,
        claims: TokenClaims,
        answer: Answer,
        headers: Headers,
    ) -> Response:
        cache: Cache | None = self.state.cache
        budget: UserBudget = self.state.budget
        if_none_match = headers.get("if-none-match")
        try:
            if cache is not None and not cache.needs_recovery:
                entry = entry_name(kind, suffix)
                lookup = await cache.read(
                    claims.user_id, entry, claims.jti, budget.counter(claims.user_id)
                )
                if lookup is not None and lookup.spent is not None:
                    refusal = budget.record(scope, claims.user_id, lookup.spent)
                    if refusal is not None:  # the routers would say the same (get_claims)
                        return app_error_response(refusal)
                if (
                    lookup is not None
                    and lookup.token_revoked is False
                    and lookup.entry is not None
                ):
                    metrics.cache_result(kind, "hit").inc()
                    return read_response(ReadResult.from_entry(lookup.entry), if_none_match)
                if lookup is not None:  # the read path takes it from here, without asking again
                    prefetched.set((prefetch_key(claims.user_id, claims.jti, entry), lookup))
            await budget.charge(scope, claims.user_id)  # once: a look-up that counted it stays
            return await answer(claims, if_none_match)
        except AppError as exc:
            return app_error_response(exc)
        except DATABASE_ERRORS as exc:
            return database_error_response(exc, scope["path"])
