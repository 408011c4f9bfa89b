"""The read shortcut and the routers answer every request alike (issues 13 and 14).

Three apps serve the same database: the routers alone (the shortcut taken out: the
reference), the app as it runs without Redis (the shortcut answers every read it accepts from
PostgreSQL), and the app with Redis (hits from the cache). Every query string below is asked
of the reference, then of the app without Redis, then twice of the cached one (cold, then
warm, after all the others have filled their entries): status, body and ETag must be the same
each time.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from notestack.app import create_app, shutdown
from notestack.auth.dependencies import get_claims
from notestack.notes.read_shortcut import NoteReadShortcut
from tests.conftest import Backend
from tests.support.api import Account, create_note, signup
from tests.support.conformance import conforming_client
from tests.support.redis import RedisServer, redis_server

NOTES = "/api/v1/note"

QUERY_STRINGS = [
    "",
    "limit=3",
    "limit=03",
    "limit=%D9%A3",  # Arabic-Indic three
    "limit=%C2%B2",  # superscript two
    "limit=3_0",
    "limit=%203",
    "limit=+3",
    "limit=3.0",
    "limit=1e2",
    "limit=",
    "limit=0",
    "limit=101",
    "limit=" + "9" * 5000,
    "limit=3&limit=4",
    "limit=4&limit=3",
    "limit=5&limit=500",
    "status=",
    "status=&q=zz",
    "q=zz",
    "q=%20zz%20",
    "q=",
    "q=%00",
    "q=%ED%A0%80",
    "q=" + "x" * 201,
    "status=Done",
    "status=done",
    "priority=High",
    "priority=High&status=Pending",
    "unknown=1",
    "q=zz&unknown=1",
    "%ZZ=1",
    "cursor=",
    "cursor=garbage",
    "cursor=WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgNV0",
    "cursor=" + "A" * 600,
]


@pytest.fixture
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


def _routers_only(app: FastAPI) -> FastAPI:
    """The app without the shortcut (before its middleware stack is built, on first use)."""
    assert app.middleware_stack is None
    app.user_middleware = [m for m in app.user_middleware if m.cls is not NoteReadShortcut]
    return app


@pytest.fixture
async def apps(
    backend: Backend, redis_srv: RedisServer
) -> AsyncIterator[tuple[FastAPI, FastAPI, FastAPI]]:
    routers = _routers_only(create_app(backend.settings))
    direct = create_app(backend.settings)
    cached = create_app(backend.settings.model_copy(update={"redis_url": redis_srv.url}))
    yield routers, direct, cached
    for app in (cached, direct, routers):
        await shutdown(app)


def _client(app: FastAPI) -> httpx.AsyncClient:
    return conforming_client(app)


@contextlib.asynccontextmanager
async def _clients(
    apps: tuple[FastAPI, FastAPI, FastAPI],
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, httpx.AsyncClient]]:
    """Clients of the routers alone, the app without Redis and the app with it."""
    routers_app, direct_app, cached_app = apps
    async with contextlib.AsyncExitStack() as stack:
        yield (
            await stack.enter_async_context(_client(routers_app)),
            await stack.enter_async_context(_client(direct_app)),
            await stack.enter_async_context(_client(cached_app)),
        )


def _answer(response: httpx.Response) -> tuple[int, bytes, str | None]:
    return response.status_code, response.content, response.headers.get("etag")


async def _seed(client: httpx.AsyncClient) -> Account:
    account = await signup(client)
    for i, (status, priority) in enumerate(
        [("Done", "High"), ("Pending", "High"), ("Pending", "Low"), ("InProgress", "Medium")]
    ):
        await create_note(client, account, title=f"zz note {i}", status=status, priority=priority)
    return account


async def test_every_query_string_gets_the_same_answer_cold_warm_and_without_cache(
    apps: tuple[FastAPI, FastAPI, FastAPI],
) -> None:
    async with _clients(apps) as (plain, direct, cached):
        account = await _seed(plain)
        first_page = (await plain.get(f"{NOTES}?limit=2", headers=account.auth)).json()
        strings = [*QUERY_STRINGS, f"limit=2&cursor={quote(first_page['nextCursor'])}"]
        for headers in (account.auth, {}):
            expected = {
                s: _answer(await plain.get(f"{NOTES}?{s}", headers=headers)) for s in strings
            }
            uncached = {
                s: _answer(await direct.get(f"{NOTES}?{s}", headers=headers)) for s in strings
            }
            cold = {s: _answer(await cached.get(f"{NOTES}?{s}", headers=headers)) for s in strings}
            warm_responses = {s: await cached.get(f"{NOTES}?{s}", headers=headers) for s in strings}
            warm = {s: _answer(r) for s, r in warm_responses.items()}
            for s in strings:
                label = f"{s[:60]!r} {'with' if headers else 'without'} a token"
                assert expected[s][0] < 500, label
                assert uncached[s] == expected[s], label
                assert cold[s] == expected[s], label
                assert warm[s] == expected[s], label
            if headers:
                hits = [s for s, r in warm_responses.items() if r.headers.get("x-cache") == "hit"]
                assert "limit=3" in hits and "q=zz" in hits  # the shortcut did answer these


async def test_single_note_paths_agree_too(apps: tuple[FastAPI, FastAPI, FastAPI]) -> None:
    async with _clients(apps) as (plain, direct, cached):
        account = await _seed(plain)
        note = (await plain.get(NOTES, headers=account.auth)).json()["notes"][0]
        paths = [
            f"{NOTES}/{note['_id']}",
            f"{NOTES}/{note['_id'].upper()}",
            f"{NOTES}/{note['_id'].replace('-', '')}",
            f"{NOTES}/{{{note['_id']}}}",
            f"{NOTES}/not-a-uuid",
            f"{NOTES}/%C2%B2",
            f"{NOTES}/00000000-0000-0000-0000-000000000000",
        ]
        for path in paths:
            expected = _answer(await plain.get(path, headers=account.auth))
            assert _answer(await direct.get(path, headers=account.auth)) == expected, path
            for _ in range(2):
                assert _answer(await cached.get(path, headers=account.auth)) == expected, path


async def test_a_hit_carries_the_routers_headers_and_304(
    apps: tuple[FastAPI, FastAPI, FastAPI],
) -> None:
    *_others, cached_app = apps
    async with _client(cached_app) as cached:
        account = await _seed(cached)
        miss = await cached.get(NOTES, headers=account.auth)
        hit = await cached.get(NOTES, headers=account.auth)
        assert (miss.headers["x-cache"], hit.headers["x-cache"]) == ("miss", "hit")
        for name in ("etag", "cache-control", "content-type", "x-content-type-options"):
            assert hit.headers[name] == miss.headers[name], name
        assert hit.headers["cache-control"] == "no-store"
        not_modified = await cached.get(
            NOTES, headers={**account.auth, "If-None-Match": hit.headers["etag"]}
        )
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["x-cache"] == "hit"


async def test_without_redis_the_shortcut_answers_reads_itself(
    apps: tuple[FastAPI, FastAPI, FastAPI],
) -> None:
    """The routers' token dependency is never reached for a read the shortcut accepts (it
    would refuse every request here); a malformed one still goes to the routers."""
    _routers, direct_app, _cached = apps

    async def no_routers() -> None:
        raise AssertionError("the routers were asked")

    async with _client(direct_app) as direct:
        account = await _seed(direct)
        note = (await direct.get(NOTES, headers=account.auth)).json()["notes"][0]
        direct_app.dependency_overrides[get_claims] = no_routers
        try:
            listed = await direct.get(f"{NOTES}?limit=2", headers=account.auth)
            one = await direct.get(f"{NOTES}/{note['_id']}", headers=account.auth)
            assert (listed.status_code, one.status_code) == (200, 200)
            assert listed.headers["x-cache"] == one.headers["x-cache"] == "bypass"
            asked = await direct.get(f"{NOTES}?limit=0", headers=account.auth)
            assert asked.status_code == 500  # the routers were asked (and refused, here)
        finally:
            direct_app.dependency_overrides.clear()


async def test_a_signed_out_token_is_refused_by_every_path(
    apps: tuple[FastAPI, FastAPI, FastAPI],
) -> None:
    async with _clients(apps) as (plain, direct, cached):
        account = await _seed(plain)
        note = (await plain.get(NOTES, headers=account.auth)).json()["notes"][0]
        paths = [NOTES, f"{NOTES}/{note['_id']}"]
        for path in paths:  # fill the cache
            assert (await cached.get(path, headers=account.auth)).status_code == 200
        # Signed out where Redis hears of it (every instance of a deployment shares Redis).
        assert (await cached.post("/api/v1/auth/logout", headers=account.auth)).is_success
        for path in paths:
            expected = _answer(await plain.get(path, headers=account.auth))
            assert expected[0] == 401, path
            assert _answer(await direct.get(path, headers=account.auth)) == expected, path
            assert _answer(await cached.get(path, headers=account.auth)) == expected, path
