"""core/middleware.py: request ids, headers every response carries, the last-resort 500, header
size, trailing slashes and the cross-origin write guard."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from notestack.app import create_app, shutdown
from tests.conftest import Backend
from tests.support.api import signup

CREATE = "/api/v1/note/create"


@pytest.fixture
async def boom_app(backend: Backend) -> AsyncIterator[FastAPI]:
    """The app, plus one route that fails the way a bug would."""
    app = create_app(backend.settings)

    @app.get("/api/v1/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    yield app
    await shutdown(app)


async def test_an_unhandled_error_is_a_json_500_with_the_request_id(boom_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=boom_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/v1/boom", headers={"X-Request-ID": "trace-500"})
    assert response.status_code == 500
    assert response.json() == {"success": False, "message": "Internal server error", "errors": []}
    assert response.headers["x-request-id"] == "trace-500"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    account = await signup(client)
    for response in (
        await client.get("/api/v1/note", headers=account.auth),
        await client.get("/api/v1/auth/profile", headers=account.auth),
        await client.post(
            "/api/v1/auth/login", json={"email": account.email, "password": account.password}
        ),
        await client.get("/api/v1/nowhere"),
        await client.get("/healthz"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        if response.request.url.path.startswith("/api/"):
            assert response.headers["cache-control"] == "no-store", response.request.url
        assert "strict-transport-security" not in response.headers  # not Secure, not production


async def test_hsts_when_the_cookie_is_secure(backend: Backend) -> None:
    app = create_app(backend.settings.model_copy(update={"cookie_secure": True}))
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            response = await client.get("/healthz")
        assert response.headers["strict-transport-security"].startswith("max-age=")
    finally:
        await shutdown(app)


async def test_oversized_headers_are_refused_before_any_work(client: httpx.AsyncClient) -> None:
    huge = "Bearer " + "a" * (1024 * 1024)
    response = await client.get("/api/v1/note", headers={"Authorization": huge})
    assert response.status_code == 431
    assert response.json()["success"] is False and "header" in response.json()["message"].lower()


async def test_a_trailing_slash_is_served_in_place_never_redirected(
    client: httpx.AsyncClient,
) -> None:
    account = await signup(client)
    response = await client.get("/api/v1/note/", headers={**account.auth, "Host": "evil.example"})
    assert response.status_code == 200 and "location" not in response.headers
    assert "evil.example" not in response.text
    created = await client.post(
        "/api/v1/note/create/", json={"title": "slash"}, headers=account.auth
    )
    assert created.status_code == 201


async def test_cross_origin_guard_reads_the_token_as_the_routes_do(
    client: httpx.AsyncClient,
) -> None:
    account = await signup(client)
    client.cookies.set("AccessToken", account.token)
    evil = {"Origin": "https://evil.example"}
    try:
        # A cookie-authenticated write from another origin: refused...
        assert (await client.post(CREATE, json={"title": "x"}, headers=evil)).status_code == 403
        # ...also when another Authorization scheme rides along (the cookie still authenticates)
        basic = {**evil, "Authorization": "Basic Zm9vOmJhcg=="}
        assert (await client.post(CREATE, json={"title": "x"}, headers=basic)).status_code == 403
        # A Bearer token is not sent by browsers on their own: no CSRF, allowed.
        bearer = {**evil, **account.auth}
        assert (await client.post(CREATE, json={"title": "x"}, headers=bearer)).status_code == 201
        # A malformed Origin is not trusted, and not a crash.
        broken = {"Origin": "http://[broken"}
        assert (await client.post(CREATE, json={"title": "x"}, headers=broken)).status_code == 403
    finally:
        client.cookies.clear()


async def test_request_ids_are_kept_or_made(client: httpx.AsyncClient) -> None:
    kept = await client.get("/healthz", headers={"X-Request-ID": "abc.DEF-123:x"})
    assert kept.headers["x-request-id"] == "abc.DEF-123:x"
    made = await client.get("/healthz", headers={"X-Request-ID": "no spaces allowed"})
    assert made.headers["x-request-id"] != "no spaces allowed"
    assert len(made.headers["x-request-id"]) == 32
