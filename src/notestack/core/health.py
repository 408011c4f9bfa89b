"""Liveness and readiness: /readyz tells a load balancer whether to send traffic here.

Without a leader for writes (a failover in progress) an instance that can still serve reads
(a healthy replica) answers 200 ``degraded``, with ``checks.writes`` saying so: taking it out
of rotation would turn the reads it can serve into failures too. Only when it can serve
nothing is it 503 ``fail``."""

from __future__ import annotations

import asyncio
import hmac
import os
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text
from starlette.responses import Response

from notestack.core import lifecycle, metrics
from notestack.core.errors import NotFound
from notestack.core.responses import json_response
from notestack.core.security import request_credentials

router = APIRouter(include_in_schema=True, tags=["health"])
DB_CHECK_TIMEOUT_SECONDS = 2.0


@router.get("/healthz", summary="The process is alive")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get(
    "/readyz",
    summary="The process should receive traffic (503 when not)",
    responses={503: {"description": "Not ready: draining, database down, migrations pending"}},
)
async def readyz(request: Request) -> Response:
    state = request.app.state
    checks: dict[str, Any] = {"database": await _check_database(request)}
    pending = await state.schema.check()
    checks["migrations"] = "pending" if pending else "ok" if pending is False else "unknown"
    if state.cache is not None:
        checks["cache"] = "ok" if state.cache.available else "degraded"
    if state.replicas is not None:
        checks["replicas"] = state.replicas.describe()
    writable = checks["database"] == "ok"
    checks["writes"] = "ok" if writable else "unavailable"
    can_read = state.replicas is not None and state.replicas.any_healthy()
    if lifecycle.is_draining():
        status = "draining"
    elif not writable:
        status = "degraded" if can_read else "fail"
    elif pending:
        status = "migrations pending"
    else:
        status = "ok"
    body: dict[str, Any] = {"status": status, "checks": checks}
    if state.instance is not None:
        body["instance"] = state.instance
    if state.settings.environment != "production":
        body["pid"] = os.getpid()
    return json_response(body, status_code=200 if status in ("ok", "degraded") else 503)


async def _check_database(request: Request) -> str:
    async def select_one() -> None:
        async with request.app.state.db.write_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(select_one(), DB_CHECK_TIMEOUT_SECONDS)
        return "ok"
    except Exception as exc:
        return f"fail: {type(exc).__name__}"


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics_endpoint(request: Request) -> Response:
    """Open outside production; in production only with ``NOTESTACK_METRICS_TOKEN`` as a
    Bearer token (and not at all when no token is set)."""
    settings = request.app.state.settings
    if settings.metrics_token or settings.environment == "production":
        credentials = request_credentials(request.headers, "")
        given = credentials.token if credentials and credentials.source == "bearer" else ""
        if not settings.metrics_token or not hmac.compare_digest(
            given.encode(), settings.metrics_token.encode()
        ):
            raise NotFound()
    body, content_type = metrics.render(settings.prometheus_multiproc_dir)
    return Response(body, media_type=content_type)
