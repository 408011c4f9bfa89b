"""The application factory: wires settings, databases, middleware and routers."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from notestack import __version__
from notestack.auth import router as auth_router
from notestack.auth.guard import SignInGuard
from notestack.auth.revocation import RevocationList
from notestack.core import health
from notestack.core.admission import AdmissionControl, AdmissionLimits
from notestack.core.availability import install_availability_handlers
from notestack.core.budget import UserBudget
from notestack.core.cache import Cache
from notestack.core.database import Database
from notestack.core.effects import CommitEffects
from notestack.core.errors import install_error_handlers
from notestack.core.logging import configure_logging
from notestack.core.methods import MethodGuard
from notestack.core.middleware import (
    BodySizeLimitMiddleware,
    CrossOriginWriteGuard,
    HeaderSizeLimitMiddleware,
    RequestContextMiddleware,
    TrailingSlashMiddleware,
)
from notestack.core.openapi import complete_responses
from notestack.core.reads import ReadPath
from notestack.core.redis_client import RedisTarget
from notestack.core.replicas import ReplicaSet
from notestack.core.schema_state import SchemaGate, SchemaState
from notestack.core.security import PasswordHashing, TokenCodec
from notestack.core.settings import Settings, get_settings
from notestack.core.throttle import Throttle
from notestack.live import router as live_router
from notestack.live.hub import LiveHub
from notestack.live.router import EVENTS_PATH
from notestack.notes import router as notes_router
from notestack.notes.cursor import CursorCodec
from notestack.notes.read_shortcut import NoteReadShortcut
from notestack.notes.service import NoteLimits
from notestack.transfer import router as transfer_router
from notestack.transfer.router import IMPORT_PATH
from notestack.web.frontend import mount_frontend


def instance_label(settings: Settings) -> str | None:
    """What /readyz and X-Instance call this process: the configured name; in production
    nothing else (host names and pids stay private), elsewhere host:pid."""
    if settings.instance_name:
        return settings.instance_name
    if settings.environment == "production":
        return None
    return f"{socket.gethostname()}:{os.getpid()}"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await schema.check()
        if replicas is not None:
            await replicas.start()
        try:
            yield
        finally:
            await shutdown(app)

    docs = settings.docs_exposed
    app = FastAPI(
        title="NoteStack",
        version=__version__,
        summary="Notes and tasks: the v1 API",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    # Trailing slashes are served in place (TrailingSlashMiddleware), never redirected.
    app.router.redirect_slashes = False
    db = Database(settings)
    redis = RedisTarget.from_settings(settings)
    cache = (
        Cache(
            redis,
            settings.cache_ttl_seconds,
            settings.read_your_writes_seconds,
            settings.cache_max_entry_bytes,
            concurrency=settings.max_requests_in_flight,
        )
        if redis.configured
        else None
    )
    replicas = (
        ReplicaSet(db.write_engine, db.replica_engines, settings) if db.replica_engines else None
    )
    schema = SchemaState(db.primary_read_engine)
    secret_key = settings.resolved_secret_key()
    state = app.state
    state.settings = settings
    state.instance = instance_label(settings)
    state.db = db
    state.cache = cache
    state.replicas = replicas
    state.schema = schema
    state.effects = CommitEffects(cache, replicas)
    revocations = RevocationList(db, cache, settings.token_lifetime_seconds)
    state.revocations = revocations
    state.reads = ReadPath(db, cache, replicas, revocations)
    state.token_codec = TokenCodec(secret_key, settings.token_lifetime_seconds)
    state.cursor_codec = CursorCodec(secret_key)
    state.hashing = PasswordHashing(settings.password_hash_concurrency)
    state.throttle = Throttle(redis)
    state.budget = UserBudget.from_settings(settings, cache)
    state.sign_in_guard = SignInGuard.from_settings(settings, state.throttle)
    state.note_limits = NoteLimits.from_settings(settings)
    state.live_hub = LiveHub(db, redis, revocations.revoked_among)
    state.effects.publishers.append(state.live_hub.publish)

    for router in (
        auth_router.public_router,
        auth_router.protected_router,
        notes_router.read_router,
        notes_router.write_router,
        live_router.router,
        transfer_router.router,
        health.router,
    ):
        app.include_router(router)
    install_error_handlers(app)
    install_availability_handlers(app)

    # Outermost last: the request context wraps everything, so even a 413 has a request id.
    app.add_middleware(NoteReadShortcut, state=state)
    app.add_middleware(SchemaGate, schema=schema)
    app.add_middleware(
        CrossOriginWriteGuard,
        allowed_origins=settings.cors_origins,
        cookie_name=settings.cookie_name,
    )
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger={IMPORT_PATH: settings.max_import_bytes},
    )
    # Inside CORS (which answers preflight OPTIONS first), outside everything that routes.
    app.add_middleware(MethodGuard, document=lambda: app.openapi())
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
    app.add_middleware(TrailingSlashMiddleware)
    app.add_middleware(HeaderSizeLimitMiddleware, max_bytes=settings.max_header_bytes)
    # Just inside the request context: a refused request still has an id, a log line and a
    # metric, and costs nothing else. Event streams hold a connection for long and have
    # bounds of their own.
    app.add_middleware(
        AdmissionControl,
        limits=AdmissionLimits.from_settings(settings),
        exempt_prefixes=(EVENTS_PATH,),
    )
    app.add_middleware(
        RequestContextMiddleware,
        instance=state.instance,
        hsts=settings.cookie_secure or settings.environment == "production",
    )
    mount_frontend(app, settings)
    generate_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete_responses(generate_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
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
    await app.state.live_hub.close()
    if app.state.replicas is not None:
        await app.state.replicas.stop()
    if app.state.cache is not None:
        await app.state.cache.close()
    await app.state.db.dispose()
