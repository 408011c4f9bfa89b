"""The database cannot take the request right now: a leader change, a lost connection, a
timeout. The client gets 503 with ``Retry-After`` and the usual error body, never a 500; the
pool has already dropped the dead connection, so the retry reaches the new leader."""

from __future__ import annotations

import asyncio

import structlog
from fastapi import FastAPI, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.responses import Response

from notestack.core import metrics
from notestack.core.admission import busy
from notestack.core.errors import ServiceUnavailable, app_error_response, error_response

log = structlog.get_logger("notestack.availability")

RETRY_AFTER_SECONDS = 2
UNAVAILABLE_MESSAGE = "The database is changing leaders; try again in a moment"
# SQLSTATEs that mean "not now" rather than "wrong": connection exceptions (class 08), a server
# shutting down or starting (57P01-57P03), too many connections, and a read-only transaction
# (a leader that was just demoted).
_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300", "25006"})
# asyncpg reports a lost connection or a timed-out command without a SQLSTATE.
_TRANSIENT = (ConnectionError, TimeoutError, asyncio.TimeoutError, PoolTimeout)
# What database_error_response answers.
DATABASE_ERRORS = (DBAPIError, *_TRANSIENT)


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is unreachable or not writable now (vs. a bug)."""
    if isinstance(exc, _TRANSIENT):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    state = str(getattr(orig, "sqlstate", "") or getattr(orig, "pgcode", "") or "")
    if state.startswith("08") or state in _UNAVAILABLE_STATES:
        return True
    causes = (orig, getattr(orig, "__cause__", None))
    return any(isinstance(cause, _TRANSIENT) for cause in causes)


def unavailable_response() -> Response:
    return app_error_response(
        ServiceUnavailable(UNAVAILABLE_MESSAGE, retry_after=RETRY_AFTER_SECONDS)
    )


async def _handler(request: Request, exc: Exception) -> Response:
    return database_error_response(exc, request.url.path)


def database_error_response(exc: Exception, path: str) -> Response:
    """How a ``DATABASE_ERRORS`` error is answered, by the routers' handler or by an ASGI
    middleware: 503 busy or unavailable, else (a bug) 500."""
    if isinstance(exc, PoolTimeout):
        # Every pooled connection stayed busy for NOTESTACK_DATABASE_POOL_TIMEOUT_SECONDS:
        # this worker is saturated, the database is not down.
        metrics.OVERLOAD.labels("shed", "db_pool").inc()
        return app_error_response(busy())
    if is_unavailable(exc):
        log.warning("database_unavailable", path=path, error=repr(exc))
        return unavailable_response()
    log.exception("unhandled_error", path=path, error=repr(exc))
    return error_response(500, "Internal server error")


def install_availability_handlers(app: FastAPI) -> None:
    for exc_class in DATABASE_ERRORS:
        app.add_exception_handler(exc_class, _handler)
