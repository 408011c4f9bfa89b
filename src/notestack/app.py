"""The application factory: wires settings, databases, middleware and routers."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware

from notestack import __version__
from notestack.auth import router as auth_router
from notestack.auth.revocation import RevocationList
from notestack.core import health
from notestack.core.cache import Cache
from notestack.core.database import Database
from notestack.core.errors import install_error_handlers
from notestack.core.logging import configure_logging
from notestack.core.middleware import (
    BodySizeLimitMiddleware,
    CrossOriginWriteGuard,
    RequestContextMiddleware,
)
from notestack.core.reads import ReadPath
from notestack.core.replicas import ReplicaSet
from notestack.core.security import TokenCodec
from notestack.core.settings import Settings, get_settings
from notestack.notes import router as notes_router
from notestack.notes.cached_reads import CachedNoteReads
from notestack.web.frontend import mount_frontend

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    instance = settings.instance_name or f"{socket.gethostname()}:{os.getpid()}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if replicas is not None:
            await replicas.start()
        try:
            yield
        finally:
            await shutdown(app)

    app = FastAPI(
        title="NoteStack",
        version=__version__,
        summary="Notes and tasks: the v1 API",
        lifespan=lifespan,
    )
    db = Database(settings)
    cache = (
        Cache(settings.redis_url, settings.cache_ttl_seconds, settings.read_your_writes_seconds)
        if settings.redis_url
        else None
    )
    replicas = (
        ReplicaSet(db.write_engine, db.replica_engines, settings) if db.replica_engines else None
    )
    app.state.settings = settings
    app.state.instance = instance
    app.state.db = db
    app.state.cache = cache
    app.state.replicas = replicas
    revocations = RevocationList(db, cache, settings.token_lifetime_seconds)
    app.state.revocations = revocations
    app.state.reads = ReadPath(db, cache, replicas, revocations)
    app.state.token_codec = TokenCodec(
        settings.resolved_secret_key(), settings.token_lifetime_seconds
    )

    api = APIRouter(prefix=API_PREFIX)
    api.include_router(auth_router.public_router)
    api.include_router(auth_router.protected_router)
    api.include_router(notes_router.read_router)
    api.include_router(notes_router.write_router)
    app.include_router(api)
    app.include_router(health.router)
    install_error_handlers(app)

    # Outermost last: the request context wraps everything, so even a 413 has a request id.
    if cache is not None:
        app.add_middleware(CachedNoteReads, state=app.state)
    app.add_middleware(CrossOriginWriteGuard, allowed_origins=settings.cors_origins)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "If-None-Match",
                "X-Request-ID",
            ],
            expose_headers=["ETag", "X-Request-ID"],
            max_age=600,
        )
    app.add_middleware(RequestContextMiddleware, instance=instance)
    mount_frontend(app, settings)
    return app


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document, built without touching any database or data directory."""
    settings = Settings(
        database_url="sqlite+aiosqlite:///:memory:",
        secret_key=secrets.token_urlsafe(48),
        environment="test",
    )
    document: dict[str, Any] = create_app(settings).openapi()
    return document


async def shutdown(app: FastAPI) -> None:
    """Release what ``create_app`` opened (also used by tests that never run the lifespan)."""
    if app.state.replicas is not None:
        await app.state.replicas.stop()
    if app.state.cache is not None:
        await app.state.cache.close()
    await app.state.db.dispose()
