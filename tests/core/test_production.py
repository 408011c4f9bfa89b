"""Production lock-down (issue 8): what a production instance shows and to whom."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from notestack.app import create_app, shutdown
from tests.conftest import Backend
from tests.support.api import new_credentials
from tests.support.conformance import conforming_client

METRICS_TOKEN = "metrics-token-for-tests-0123456789abcdef"


async def _production_app(backend: Backend, **overrides: object) -> FastAPI:
    settings = backend.settings.model_copy(
        update={"environment": "production", "cookie_secure": True, **overrides}
    )
    return create_app(settings)


@pytest.fixture
async def prod(backend: Backend) -> AsyncIterator[httpx.AsyncClient]:
    app = await _production_app(backend, metrics_token=METRICS_TOKEN)
    async with conforming_client(app, "https://testserver") as client:
        yield client
    await shutdown(app)


async def test_docs_are_off_unless_asked(prod: httpx.AsyncClient, backend: Backend) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert (await prod.get(path)).status_code == 404, path
    app = await _production_app(backend, expose_docs=True)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://t") as client:
            assert (await client.get("/openapi.json")).status_code == 200
    finally:
        await shutdown(app)


async def test_metrics_need_the_token(prod: httpx.AsyncClient, backend: Backend) -> None:
    assert (await prod.get("/metrics")).status_code == 404
    wrong = await prod.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 404
    right = await prod.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert right.status_code == 200 and "notestack_http_requests_total" in right.text
    tokenless = await _production_app(backend)
    try:
        transport = httpx.ASGITransport(app=tokenless)
        async with httpx.AsyncClient(transport=transport, base_url="https://t") as client:
            response = await client.get("/metrics", headers={"Authorization": "Bearer "})
            assert response.status_code == 404
    finally:
        await shutdown(tokenless)


async def test_readiness_and_headers_name_no_host_or_pid(
    prod: httpx.AsyncClient, backend: Backend
) -> None:
    ready = await prod.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert "pid" not in body and "instance" not in body and "x-instance" not in ready.headers
    named = await _production_app(backend, instance_name="edge-7")
    try:
        transport = httpx.ASGITransport(app=named)
        async with httpx.AsyncClient(transport=transport, base_url="https://t") as client:
            response = await client.get("/readyz")
        assert (
            response.json()["instance"] == "edge-7" and response.headers["x-instance"] == "edge-7"
        )
    finally:
        await shutdown(named)


async def test_the_session_cookie_is_secure_and_host_bound(prod: httpx.AsyncClient) -> None:
    credentials = new_credentials()
    assert (await prod.post("/api/v1/auth/register", json=credentials)).status_code == 201
    login = await prod.post(
        "/api/v1/auth/login",
        json={"email": credentials["email"], "password": credentials["password"]},
    )
    cookie = login.headers["set-cookie"]
    assert cookie.startswith("__Host-AccessToken=")
    lowered = cookie.lower()
    assert "secure" in lowered and "path=/" in lowered and "domain" not in lowered
    assert login.headers["strict-transport-security"].startswith("max-age=")
    profile = await prod.get("/api/v1/auth/profile")  # the client sends the cookie back
    assert profile.status_code == 200
