"""Whether the database has every migration this code needs.

A server started on a database that is behind must not answer a sign-up with a 500 from a
missing table: readiness reports "migrations pending" and API requests get a 503 that says what
to run. While pending, the state is checked again at most once a second, so a `notestack
migrate` run beside the server lifts the gate without a restart.
"""

from __future__ import annotations

import time
from functools import lru_cache

import structlog
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from notestack.core.errors import error_response
from notestack.migrations.runner import MIGRATIONS_DIR

log = structlog.get_logger("notestack.schema")

RECHECK_SECONDS = 1.0
MIGRATE_HINT = "The database schema is not up to date: run `notestack migrate`"


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


class SchemaState:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.pending: bool | None = None  # None: not known yet (the database did not answer)
        self._checked_at = 0.0

    async def check(self) -> bool | None:
        """True when migrations are pending (cached once known to be current)."""
        if self.pending is False:
            return False
        now = time.monotonic()
        if self.pending is not None and now - self._checked_at < RECHECK_SECONDS:
            return self.pending
        self._checked_at = now
        try:
            async with self._engine.connect() as connection:
                rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
                current = frozenset(str(row[0]) for row in rows)
        except DBAPIError as exc:
            if _is_missing_table(exc):
                current = frozenset()
            else:
                log.warning("schema_state_unknown", error=repr(exc))
                return self.pending
        except OSError as exc:
            log.warning("schema_state_unknown", error=repr(exc))
            return self.pending
        self.pending = current != head_revisions()
        if self.pending:
            log.error("migrations_pending", current=sorted(current), head=sorted(head_revisions()))
        return self.pending


def _is_missing_table(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    return "alembic_version" in message and (
        "no such table" in message or "does not exist" in message
    )


class SchemaGate:
    """API requests get a 503 saying what to run while the database lacks migrations."""

    def __init__(self, app: ASGIApp, schema: SchemaState) -> None:
        self.app = app
        self.schema = schema

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"].startswith("/api/")
            and await self.schema.check()
        ):
            response = error_response(503, MIGRATE_HINT, headers={"Retry-After": "5"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
