"""Admission control on the real app: a worker serves at most so many requests at once, lets a
bounded number wait a bounded time, and answers the rest 503 with Retry-After at once, while
health, readiness and event streams stay answerable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from notestack.app import create_app, shutdown
from notestack.core.admission import Admission, AdmissionLimits
from tests.conftest import Backend
from tests.support.api import Account, signup
from tests.support.conformance import conforming_client

NOTES = "/api/v1/note"


def _shed(reason: str) -> float:
    return (
        REGISTRY.get_sample_value("notestack_overload_total", {"action": "shed", "reason": reason})
        or 0.0
    )


@pytest.fixture
async def make_app(backend: Backend) -> AsyncIterator[object]:
    apps: list[FastAPI] = []

    def make(in_flight: int, queue: int, wait: float) -> FastAPI:
        settings = backend.settings.model_copy(
            update={
                "max_requests_in_flight": in_flight,
                "admission_queue": queue,
                "admission_wait_seconds": wait,
            }
        )
        apps.append(create_app(settings))
        return apps[-1]

    yield make
    for app in apps:
        await shutdown(app)


class SlowUpload:
    """A request body that arrives slowly: the request holds its slot until it is released."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.finish = asyncio.Event()

    async def body(self) -> AsyncIterator[bytes]:
        self.started.set()
        yield b'{"title": "slow'
        await self.finish.wait()
        yield b' upload"}'


async def _hold_slot(
    app: FastAPI, account: Account, upload: SlowUpload
) -> asyncio.Task[httpx.Response]:
    async def post() -> httpx.Response:
        # A plain client: the conformance check reads request bodies, a stream has none yet.
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as raw:
            return await raw.post(
                f"{NOTES}/create",
                content=upload.body(),
                headers={**account.auth, "Content-Type": "application/json"},
            )

    task = asyncio.create_task(post())
    await asyncio.wait_for(upload.started.wait(), 5)
    return task


async def test_past_the_bound_requests_get_503_at_once_and_health_still_answers(
    make_app: object,
) -> None:
    app = make_app(1, 0, 1.0)  # type: ignore[operator]
    async with conforming_client(app) as http:
        account = await signup(http)
        upload = SlowUpload()
        holder = await _hold_slot(app, account, upload)
        before = _shed("queue_full")
        started = time.monotonic()
        refused = await http.get(NOTES, headers=account.auth)
        elapsed = time.monotonic() - started
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == "1"
        assert refused.json() == {
            "success": False,
            "message": "The server is busy; try again in a moment",
            "errors": [],
        }
        assert refused.headers["x-request-id"]
        assert elapsed < 0.5, elapsed  # refused at once, not after a wait
        assert _shed("queue_full") == before + 1
        for path in ("/healthz", "/readyz"):
            assert (await http.get(path)).status_code == 200, path
        upload.finish.set()
        assert (await holder).status_code == 201
        assert (await http.get(NOTES, headers=account.auth)).status_code == 200


async def test_a_queued_request_is_served_when_a_slot_frees(make_app: object) -> None:
    app = make_app(1, 1, 5.0)  # type: ignore[operator]
    async with conforming_client(app) as http:
        account = await signup(http)
        upload = SlowUpload()
        holder = await _hold_slot(app, account, upload)
        waiting = asyncio.create_task(http.get(NOTES, headers=account.auth))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # queued, not refused
        third = await http.get(NOTES, headers=account.auth)  # the queue (1) is full
        assert third.status_code == 503
        upload.finish.set()
        assert (await holder).status_code == 201
        served = await asyncio.wait_for(waiting, 5)
        assert served.status_code == 200
        assert [n["title"] for n in served.json()["notes"]] == ["slow upload"]


async def test_a_request_waits_no_longer_than_the_bound(make_app: object) -> None:
    app = make_app(1, 4, 0.3)  # type: ignore[operator]
    async with conforming_client(app) as http:
        account = await signup(http)
        upload = SlowUpload()
        holder = await _hold_slot(app, account, upload)
        before = _shed("queue_timeout")
        started = time.monotonic()
        refused = await http.get(NOTES, headers=account.auth)
        elapsed = time.monotonic() - started
        assert refused.status_code == 503
        assert 0.25 <= elapsed < 2.0, elapsed
        assert _shed("queue_timeout") == before + 1
        upload.finish.set()
        assert (await holder).status_code == 201


async def test_slots_pass_in_order_and_survive_waiters_that_leave() -> None:
    admission = Admission(AdmissionLimits(max_in_flight=1, max_queued=10, max_wait_seconds=5))
    assert await admission.acquire() is None
    order: list[int] = []

    async def waiter(index: int) -> None:
        assert await admission.acquire() is None
        order.append(index)
        await asyncio.sleep(0.01)
        admission.release()

    tasks = [asyncio.create_task(waiter(i)) for i in range(4)]
    await asyncio.sleep(0.05)
    assert admission.queued == 4
    tasks[1].cancel()  # a client that went away while waiting
    await asyncio.sleep(0.01)
    assert admission.queued == 3
    admission.release()
    await asyncio.gather(tasks[0], tasks[2], tasks[3])
    assert order == [0, 2, 3]
    assert admission.in_flight == 0 and admission.queued == 0
    # A waiter cancelled after it was handed the slot passes it on instead of leaking it.
    assert await admission.acquire() is None
    late = asyncio.create_task(admission.acquire())
    await asyncio.sleep(0.01)
    admission.release()  # hands the slot to `late` ...
    late.cancel()  # ... which leaves before it runs
    with pytest.raises(asyncio.CancelledError):
        await late
    assert admission.in_flight == 0
