"""Which methods a path answers, from the OpenAPI document: a 405 names exactly those in
``Allow``, and HEAD is served as GET without the body.

The router alone gets both wrong: its 405 lists the methods of the first route whose pattern
matched (``OPTIONS /api/v1/note/create`` said ``Allow: GET``, from ``/note/{note_id}``), and a
FastAPI route declared for GET does not answer HEAD. As in OpenAPI, a literal path wins over a
templated one that also matches it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notestack.core.errors import error_response

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class MethodTable:
    def __init__(self, paths: dict[str, dict[str, Any]]) -> None:
        entries = []
        for template, operations in paths.items():
            regex, _format, convertors = compile_path(template)
            methods = {m.upper() for m in operations if m in _METHODS}
            if "GET" in methods:
                methods.add("HEAD")
            entries.append((len(convertors), regex, frozenset(methods)))
        self._entries: list[tuple[int, re.Pattern[str], frozenset[str]]] = sorted(
            entries, key=lambda entry: entry[0]
        )

    def allowed(self, path: str) -> frozenset[str] | None:
        """The methods of the most literal documented template matching ``path`` (None if
        no documented operation has such a path)."""
        for _params, regex, methods in self._entries:
            if regex.match(path):
                return methods
        return None


class MethodGuard:
    def __init__(self, app: ASGIApp, document: Callable[[], dict[str, Any]]) -> None:
        self.app = app
        self._document = document
        self._table: MethodTable | None = None

    def _allowed(self, path: str) -> frozenset[str] | None:
        if self._table is None:
            self._table = MethodTable(self._document().get("paths", {}))
        return self._table.allowed(path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowed = self._allowed(scope["path"])
        method = scope["method"]
        if allowed is None or (method in allowed and method != "HEAD"):
            await self.app(scope, receive, send)
            return
        if method not in allowed:
            allow = ", ".join(sorted(allowed))
            response = error_response(405, "Method not allowed", headers={"Allow": allow})
            await response(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
