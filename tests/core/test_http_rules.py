"""Cross-cutting HTTP behaviour: CSRF and CORS rules, request ids, health, docs, errors."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from notestack.app import create_app
from tests.conftest import Backend, make_settings
from tests.support.api import signup

CREATE = "/api/v1/note/create"


async def test_cookie_writes_from_another_origin_are_refused(client: httpx.AsyncClient) -> None:
    account = await signup(client)
    client.cookies.set("AccessToken", account.token)
    body = {"title": "csrf"}
    evil = await client.post(CREATE, json=body, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and evil.json()["success"] is False
    cross_site = await client.post(CREATE, json=body, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    null_origin = await client.post(CREATE, json=body, headers={"Origin": "null"})
    assert null_origin.status_code == 403
    same = await client.post(
        CREATE, json=body, headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    )
    assert same.status_code == 201
    listed = await client.post(CREATE, json=body, headers={"Origin": "https://app.example.com"})
    assert listed.status_code == 201
    no_browser = await client.post(CREATE, json=body)
    assert no_browser.status_code == 201
    client.cookies.clear()
    bearer = await client.post(
        CREATE, json=body, headers={**account.auth, "Origin": "https://evil.example"}
    )
    assert bearer.status_code == 201


async def test_cors_never_reflects_an_unlisted_origin(client: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = await client.options(
        CREATE, headers={"Origin": "https://app.example.com", **preflight}
    )
    assert allowed.headers.get("access-control-allow-origin") == "https://app.example.com"
    assert allowed.headers.get("access-control-allow-credentials") == "true"
    refused = await client.options(CREATE, headers={"Origin": "https://evil.example", **preflight})
    assert refused.headers.get("access-control-allow-origin") in (None, "")
    simple = await client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_request_id_is_honoured_or_generated(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "trace-abc.123"})
    assert given.headers["x-request-id"] == "trace-abc.123"
    generated = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces\x01"})
    assert generated.headers["x-request-id"] != "bad id with spaces\x01"
    assert len(generated.headers["x-request-id"]) == 32


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    ready = await client.get("/readyz")
    body = ready.json()
    assert ready.status_code == 200
    assert body["status"] == "ok" and body["checks"]["database"] == "ok"
    assert {"instance", "pid"} <= set(body)


async def test_readyz_fails_when_the_database_is_unreachable(
    tmp_path: object, backend: Backend
) -> None:
    from pathlib import Path

    settings = make_settings("postgresql+asyncpg://postgres@127.0.0.1:1/none", Path(str(tmp_path)))
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/readyz")
    await app.state.db.dispose()
    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["checks"]["database"].startswith("fail")


async def test_unknown_api_paths_and_methods_are_json(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing/here")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/json")
    assert missing.json() == {"success": False, "message": "Not found", "errors": []}
    wrong_method = await client.put("/api/v1/note/create", json={})
    assert wrong_method.status_code == 405 and wrong_method.json()["success"] is False


async def test_openapi_and_docs(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/note",
        "/api/v1/note/{note_id}/edit",
    ]:
        assert path in spec["paths"]
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    await client.get("/api/v1/note/some-note-id")
    text = (await client.get("/metrics")).text
    assert "notestack_http_requests_total" in text
    assert 'route="/healthz"' in text
    assert 'route="/api/v1/note/{note_id}"' in text
    assert "some-note-id" not in text


@pytest.mark.parametrize("secure", [True, False])
async def test_cookie_secure_setting(backend: Backend, secure: bool, tmp_path: object) -> None:
    settings = backend.settings.model_copy(
        update={"cookie_secure": secure, "cookie_samesite": "strict"}
    )
    app: FastAPI = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        account = await signup(http)
        login = await http.post(
            "/api/v1/auth/login", json={"email": account.email, "password": account.password}
        )
    await app.state.db.dispose()
    cookie = login.headers["set-cookie"].lower()
    assert ("; secure" in cookie) is secure
    assert "samesite=strict" in cookie
