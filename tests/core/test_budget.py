"""Fair share per account: the request budget counts every authenticated request exactly once
(the read shortcut and the routers alike), across instances sharing Redis, and
refuses one account's excess with 429 while others are served."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from notestack.app import create_app, shutdown
from tests.conftest import Backend
from tests.support.api import Account, create_note, signup
from tests.support.conformance import conforming_client
from tests.support.redis import RedisServer, redis_server

NOTES = "/api/v1/note"
BUDGET = 8
WINDOW = 3600  # long, so a test never straddles two windows (see _not_near_a_window_end)


def _throttled() -> float:
    labels = {"action": "throttled", "reason": "user_budget"}
    return REGISTRY.get_sample_value("notestack_overload_total", labels) or 0.0


async def _not_near_a_window_end() -> None:
    left = WINDOW - time.time() % WINDOW
    if left < 30:
        await asyncio.sleep(left + 0.5)


@pytest.fixture
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


async def _apps(backend: Backend, redis_url: str, count: int) -> list[FastAPI]:
    settings = backend.settings.model_copy(
        update={"redis_url": redis_url, "user_request_budget": f"{BUDGET}/hour"}
    )
    return [create_app(settings) for _ in range(count)]


@pytest.fixture
async def two_instances(backend: Backend, redis_srv: RedisServer) -> AsyncIterator[list[FastAPI]]:
    apps = await _apps(backend, redis_srv.url, 2)
    yield apps
    for app in apps:
        await shutdown(app)


@pytest.fixture
async def no_redis(backend: Backend) -> AsyncIterator[FastAPI]:
    (app,) = await _apps(backend, "", 1)
    yield app
    await shutdown(app)


async def _spend_until_refused(
    clients: list[httpx.AsyncClient], account: Account, note_id: str
) -> tuple[int, httpx.Response]:
    """Cached and uncached reads and writes, round robin over instances: how many were
    served before the first 429."""
    requests = [
        ("GET", NOTES, None),  # a miss, then hits answered by the shortcut
        ("GET", f"{NOTES}/{note_id}", None),
        ("GET", f"{NOTES}/counts", None),
        ("PATCH", f"{NOTES}/{note_id}/edit", {"status": "Done"}),
    ]
    for served in range(BUDGET * 3):
        method, path, body = requests[served % len(requests)]
        client = clients[served % len(clients)]
        response = await client.request(method, path, json=body, headers=account.auth)
        if response.status_code == 429:
            return served, response
        assert response.status_code in (200, 201), response.text
    raise AssertionError("never refused")


async def test_budget_is_shared_by_instances_and_counts_each_request_once(
    two_instances: list[FastAPI],
) -> None:
    await _not_near_a_window_end()
    async with (
        conforming_client(two_instances[0]) as first,
        conforming_client(two_instances[1]) as second,
    ):
        hammering, other = await signup(first), await signup(first)
        note = await create_note(first, hammering)  # counted: one of the budget
        before = _throttled()
        served, refused = await _spend_until_refused([first, second], hammering, note["_id"])
        assert served == BUDGET - 1
        assert 1 <= int(refused.headers["retry-after"]) <= WINDOW
        assert refused.json()["message"].startswith("Too many requests from this account")
        # The shortcut refuses too (a cached list would otherwise be answered from Redis).
        again = await second.get(NOTES, headers=hammering.auth)
        assert again.status_code == 429
        assert _throttled() >= before + 2
        for client in (first, second):  # someone else is served as usual
            response = await client.get(NOTES, headers=other.auth)
            assert response.status_code == 200


async def test_without_redis_each_process_counts_on_its_own(no_redis: FastAPI) -> None:
    await _not_near_a_window_end()
    async with conforming_client(no_redis) as http:
        account, other = await signup(http), await signup(http)
        note = await create_note(http, account)
        served, refused = await _spend_until_refused([http], account, note["_id"])
        assert served == BUDGET - 1
        assert refused.status_code == 429 and refused.headers["retry-after"]
        assert (await http.get(NOTES, headers=other.auth)).status_code == 200
