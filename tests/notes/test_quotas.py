"""Per-user quotas and bounded responses (issue 8): a clear 422 naming the limit, usage that
follows every write, no way past a bound by writing concurrently, lists cut to a byte bound
with a cursor to the rest."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from notestack.app import create_app, shutdown
from tests.conftest import Backend
from tests.support.api import Account, signup
from tests.support.conformance import conforming_client

NOTES = "/api/v1/note"
CREATE = f"{NOTES}/create"


@pytest.fixture
async def small_quota_app(backend: Backend) -> AsyncIterator[FastAPI]:
    settings = backend.settings.model_copy(
        update={"max_notes_per_user": 5, "max_note_bytes_per_user": 4096}
    )
    app = create_app(settings)
    yield app
    await shutdown(app)


@pytest.fixture
async def http(small_quota_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with conforming_client(small_quota_app) as client:
        yield client


async def _create(http: httpx.AsyncClient, account: Account, **fields: str) -> httpx.Response:
    return await http.post(CREATE, json={"title": "t", **fields}, headers=account.auth)


async def test_the_note_count_quota_names_itself_and_frees_when_purged(
    http: httpx.AsyncClient,
) -> None:
    account = await signup(http)
    created = [await _create(http, account, title=f"n{i}") for i in range(5)]
    assert all(r.status_code == 201 for r in created)
    refused = await _create(http, account, title="one too many")
    assert refused.status_code == 422
    body = refused.json()
    assert body["errors"][0]["field"] == "quota" and "(5, the trash included)" in body["message"]
    note_id = created[0].json()["note"]["_id"]
    assert (await http.delete(f"{NOTES}/{note_id}/delete", headers=account.auth)).is_success
    # In the trash it still takes its room (it can come back); purged, it frees it.
    assert (await _create(http, account, title="still full")).status_code == 422
    assert (await http.delete(f"{NOTES}/{note_id}/purge", headers=account.auth)).is_success
    assert (await _create(http, account, title="room again")).status_code == 201


async def test_the_byte_quota_counts_edits_too(http: httpx.AsyncClient) -> None:
    account = await signup(http)
    note = (await _create(http, account, description="a" * 3000)).json()["note"]
    too_big = await _create(http, account, description="b" * 2000)
    assert too_big.status_code == 422 and "4,096 bytes" in too_big.json()["message"]
    grow = await http.patch(
        f"{NOTES}/{note['_id']}/edit", json={"description": "c" * 5000}, headers=account.auth
    )
    assert grow.status_code == 422  # 5,000 + title > 4,096
    shrink = await http.patch(
        f"{NOTES}/{note['_id']}/edit", json={"description": "é" * 10}, headers=account.auth
    )
    assert shrink.status_code == 200
    assert (await _create(http, account, description="d" * 3000)).status_code == 201


async def test_concurrent_creates_cannot_pass_the_quota(http: httpx.AsyncClient) -> None:
    account = await signup(http)
    results = await asyncio.gather(*(_create(http, account, title=f"c{i}") for i in range(12)))
    assert sorted(r.status_code for r in results) == [201] * 5 + [422] * 7
    listed = (await http.get(NOTES, headers=account.auth)).json()["notes"]
    assert len(listed) == 5


async def test_a_list_response_is_bounded_in_bytes_and_pages_on(backend: Backend) -> None:
    app = create_app(backend.settings.model_copy(update={"max_list_bytes": 64 * 1024}))
    try:
        async with conforming_client(app) as http:
            account = await signup(http)
            ids = set()
            for i in range(8):
                response = await _create(http, account, title=f"big {i}", description="x" * 20000)
                ids.add(response.json()["note"]["_id"])
            seen: list[str] = []
            cursor = None
            for _ in range(10):
                params = {"cursor": cursor} if cursor else {}
                page = await http.get(NOTES, params=params, headers=account.auth)
                assert page.status_code == 200 and len(page.content) <= 64 * 1024
                seen += [n["_id"] for n in page.json()["notes"]]
                cursor = page.json()["nextCursor"]
                if cursor is None:
                    break
            assert sorted(seen) == sorted(ids) and len(seen) == len(ids)
    finally:
        await shutdown(app)


async def test_quotas_past_32_bits_are_kept(backend: Backend) -> None:
    """Usage is 64-bit: a quota of 10 GB (as the fuzzing server has) bounds writes like any
    other, never overflows into a 500."""
    settings = backend.settings.model_copy(
        update={"max_notes_per_user": 3_000_000_000, "max_note_bytes_per_user": 10**10}
    )
    app = create_app(settings)
    try:
        async with conforming_client(app) as client:
            account = await signup(client)
            assert (await _create(client, account, title="big quota")).status_code == 201
    finally:
        await shutdown(app)
