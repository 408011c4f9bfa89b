"""core/reads.py: where a read's bytes come from (Redis, a replica, the primary), what is kept,
and that every read checks the caller's token for revocation."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url

from notestack.app import create_app, shutdown
from notestack.core.database import ReadSession
from notestack.core.errors import Unauthorized
from notestack.core.reads import ReadPath
from tests.conftest import Backend
from tests.support.api import create_note, signup
from tests.support.conformance import conforming_client
from tests.support.redis import RedisServer, redis_server

NOTES = "/api/v1/note"


@pytest.fixture
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
async def small_cache_app(backend: Backend, redis_srv: RedisServer) -> AsyncIterator[FastAPI]:
    settings = backend.settings.model_copy(
        update={"redis_url": redis_srv.url, "cache_max_entry_bytes": 4096}
    )
    app = create_app(settings)
    yield app
    await shutdown(app)


def _client(app: FastAPI) -> httpx.AsyncClient:
    return conforming_client(app)


async def test_hit_miss_and_bypass(small_cache_app: FastAPI, redis_srv: RedisServer) -> None:
    reads: ReadPath = small_cache_app.state.reads
    user, calls = uuid.uuid4(), []

    async def produce(_session: ReadSession) -> tuple[bytes, str]:
        calls.append(1)
        return b'{"n":1}', '"tag"'

    first = await reads.read(user, "jti-1", "list", "k", produce)
    second = await reads.read(user, "jti-1", "list", "k", produce)
    assert (first.cache, second.cache) == ("miss", "hit") and len(calls) == 1
    assert (second.body, second.etag) == (b'{"n":1}', '"tag"')
    redis_srv.stop()
    third = await reads.read(user, "jti-1", "list", "k", produce)
    assert third.cache == "bypass" and len(calls) == 2


async def test_an_entry_over_the_size_bound_is_not_kept(small_cache_app: FastAPI) -> None:
    async with _client(small_cache_app) as http:
        account = await signup(http)
        await create_note(http, account, title="big", description="x" * 8000)
        answers = [(await http.get(NOTES, headers=account.auth)) for _ in range(3)]
        assert [r.headers["x-cache"] for r in answers] == ["miss"] * 3
        assert len({r.content for r in answers}) == 1
        await create_note(http, account, title="small")
        first = await http.get(NOTES, params={"limit": "1"}, headers=account.auth)
        second = await http.get(NOTES, params={"limit": "1"}, headers=account.auth)
        assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")


async def test_every_read_checks_revocation_even_when_redis_forgot(
    small_cache_app: FastAPI, redis_srv: RedisServer
) -> None:
    reads: ReadPath = small_cache_app.state.reads
    async with _client(small_cache_app) as http:
        account = await signup(http)
        note = await create_note(http, account)
        await http.get(f"{NOTES}/{note['_id']}", headers=account.auth)
        assert (await http.post("/api/v1/auth/logout", headers=account.auth)).is_success
    redis_srv.client().flushall()  # the revoked id and the "list is loaded" marker are gone
    jti = small_cache_app.state.token_codec.decode(account.token).jti

    async def produce(_session: ReadSession) -> tuple[bytes, str]:
        raise AssertionError("a revoked token must not reach the data")

    with pytest.raises(Unauthorized):
        await reads.read(uuid.UUID(account.user_id), jti, "note", "x", produce)


async def test_a_read_on_a_connection_that_died_is_made_again_on_a_new_one(
    backend: Backend,
) -> None:
    """Reads skip the ping at checkout (a round trip each); a pooled connection that the
    server dropped in the meantime costs the read a second try, never an error."""
    if backend.name != "postgres":
        pytest.skip("SQLite has no server to drop a connection")
    app = create_app(backend.settings)
    reads: ReadPath = app.state.reads
    pids: list[int] = []

    async def produce(session: ReadSession) -> tuple[bytes, str]:
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        pids.append(pid)
        return str(pid).encode(), '"pid"'

    try:
        first = await reads.read(uuid.uuid4(), "jti-dead", "list", "k", produce)
        url = make_url(backend.settings.database_url).set(drivername="postgresql")
        admin = await asyncpg.connect(url.render_as_string(hide_password=False))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pids[0])
        finally:
            await admin.close()
        second = await reads.read(uuid.uuid4(), "jti-dead", "list", "k", produce)
    finally:
        await shutdown(app)
    assert first.cache == second.cache == "bypass"
    assert second.body != first.body and len(pids) == 2  # the dead one never answered
