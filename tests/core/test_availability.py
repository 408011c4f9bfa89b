"""A database that does not answer (a leader change, a dead node): 503 with Retry-After and
the usual error body, never a 500, within the connect timeout; /readyz says so."""

from __future__ import annotations

import socket
import time
import uuid

import httpx
from fastapi import FastAPI

from notestack.app import create_app, shutdown
from notestack.core.settings import Settings

STRONG = "Zq8w-strong-secret-key-4f1c9e0b7a6d5c3b2a19"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def _app_without_database() -> FastAPI:
    settings = Settings(
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/notestack",
        secret_key=STRONG,
        environment="test",
        database_connect_timeout_seconds=1,
    )
    return create_app(settings)


async def test_writes_get_503_with_retry_after_when_no_database_answers() -> None:
    app = _app_without_database()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            started = time.monotonic()
            response = await client.post(
                "/api/v1/auth/register",
                json={"username": "ada", "email": "ada@example.com", "password": "correct horse"},
            )
            assert time.monotonic() - started < 5
            assert response.status_code == 503
            assert response.headers["retry-after"] == "2"
            body = response.json()
            assert body["success"] is False and body["errors"] == [] and body["message"]
            ready = await client.get("/readyz")
            assert ready.status_code == 503  # no leader and no replica: it can serve nothing
            assert ready.json()["checks"]["writes"] == "unavailable"
    finally:
        await shutdown(app)


async def test_reads_get_503_too_whichever_path_answers_them() -> None:
    """Lists and single notes are answered by the read shortcut (notes/read_shortcut.py), the
    note's history by the routers: the same 503 either way."""
    app = _app_without_database()
    token, _claims = app.state.token_codec.issue(uuid.uuid4())
    auth = {"Authorization": f"Bearer {token}"}
    note = f"/api/v1/note/{uuid.uuid4()}"
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = [
                await client.get(path, headers=auth)
                for path in ("/api/v1/note?limit=5", note, f"{note}/history")
            ]
    finally:
        await shutdown(app)
    for response in answers:
        assert response.status_code == 503, response.request.url
        assert response.headers["retry-after"] == "2"
        assert response.json()["success"] is False
    assert len({r.content for r in answers}) == 1
