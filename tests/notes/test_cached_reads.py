"""The cached-read shortcut and the routers answer every request alike (issue 14).

One app reads through Redis (the shortcut answers hits before the routers), one has no cache
at all; both serve the same database. Every query string below is asked of the plain app, then
twice of the cached one (cold, then warm, after all the others have filled their entries):
status, body and ETag must be the same each time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from notestack.app import create_app, shutdown
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


@pytest.fixture
async def apps(backend: Backend, redis_srv: RedisServer) -> AsyncIterator[tuple[FastAPI, FastAPI]]:
    plain = create_app(backend.settings)
    cached = create_app(backend.settings.model_copy(update={"redis_url": redis_srv.url}))
    yield plain, cached
    await shutdown(cached)
    await shutdown(plain)


def _client(app: FastAPI) -> httpx.AsyncClient:
    return conforming_client(app)


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
    apps: tuple[FastAPI, FastAPI],
) -> None:
    plain_app, cached_app = apps
    async with _client(plain_app) as plain, _client(cached_app) as cached:
        account = await _seed(plain)
        first_page = (await plain.get(f"{NOTES}?limit=2", headers=account.auth)).json()
        strings = [*QUERY_STRINGS, f"limit=2&cursor={quote(first_page['nextCursor'])}"]
        for headers in (account.auth, {}):
            expected = {
                s: _answer(await plain.get(f"{NOTES}?{s}", headers=headers)) for s in strings
            }
            cold = {s: _answer(await cached.get(f"{NOTES}?{s}", headers=headers)) for s in strings}
            warm_responses = {s: await cached.get(f"{NOTES}?{s}", headers=headers) for s in strings}
            warm = {s: _answer(r) for s, r in warm_responses.items()}
            for s in strings:
                label = f"{s[:60]!r} {'with' if headers else 'without'} a token"
                assert expected[s][0] < 500, label
                assert cold[s] == expected[s], label
                assert warm[s] == expected[s], label
            if headers:
                hits = [s for s, r in warm_responses.items() if r.headers.get("x-cache") == "hit"]
                assert "limit=3" in hits and "q=zz" in hits  # the shortcut did answer these


async def test_single_note_paths_agree_too(apps: tuple[FastAPI, FastAPI]) -> None:
    plain_app, cached_app = apps
    async with _client(plain_app) as plain, _client(cached_app) as cached:
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
            for _ in range(2):
                assert _answer(await cached.get(path, headers=account.auth)) == expected, path


async def test_a_hit_carries_the_routers_headers_and_304(apps: tuple[FastAPI, FastAPI]) -> None:
    _plain_app, cached_app = apps
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
