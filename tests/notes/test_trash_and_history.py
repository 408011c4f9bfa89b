"""Nothing a person writes is lost (issue 10): the trash, the history, reverting."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from notestack.app import create_app, shutdown
from tests.conftest import Backend
from tests.support.api import Account, create_note, signup
from tests.support.conformance import conforming_client
from tests.support.redis import RedisServer, redis_server

NOTES = "/api/v1/note"


def _url(note: dict[str, Any], action: str = "") -> str:
    return f"{NOTES}/{note['_id']}" + (f"/{action}" if action else "")


@pytest.fixture
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture(params=["no cache", "redis"])
async def http(
    request: pytest.FixtureRequest, backend: Backend
) -> AsyncIterator[httpx.AsyncClient]:
    """Every test twice: without a cache, and through Redis (the read shortcut too)."""
    settings = backend.settings.model_copy(update={"history_keep": 5})
    if request.param == "redis":
        settings = settings.model_copy(
            update={"redis_url": request.getfixturevalue("redis_srv").url}
        )
    app: FastAPI = create_app(settings)
    async with conforming_client(app) as client:
        yield client
    await shutdown(app)


async def _seen_everywhere(http: httpx.AsyncClient, account: Account, note_id: str) -> list[str]:
    """Where a note shows: list (also searched and filtered), single read, counts."""
    places = []
    for params in ({}, {"q": "findme"}, {"status": "Pending"}, {"sort": "title"}):
        for _ in range(2):  # the second read of each may come from the cache
            listed = await http.get(NOTES, params=params, headers=account.auth)
            if note_id in {n["_id"] for n in listed.json()["notes"]}:
                places.append(f"list {params}")
    for _ in range(2):
        if (await http.get(f"{NOTES}/{note_id}", headers=account.auth)).status_code == 200:
            places.append("single read")
    counts = (await http.get(f"{NOTES}/counts", headers=account.auth)).json()["counts"]
    if counts["total"]:
        places.append("counts")
    return places


async def test_a_deleted_note_is_in_the_trash_and_nowhere_else(http: httpx.AsyncClient) -> None:
    account = await signup(http)
    note = await create_note(http, account, title="findme please")
    assert len(await _seen_everywhere(http, account, note["_id"])) == 11
    deleted = await http.delete(_url(note, "delete"), headers=account.auth)
    assert deleted.status_code == 200
    assert await _seen_everywhere(http, account, note["_id"]) == []
    trash = (await http.get(f"{NOTES}/trash", headers=account.auth)).json()
    assert [n["_id"] for n in trash["notes"]] == [note["_id"]]
    item = trash["notes"][0]
    assert item["deletedAt"] < item["purgeAt"] and item["title"] == "findme please"
    for action, method in (("edit", "PATCH"), ("delete", "DELETE"), ("history", "GET")):
        body = {"title": "x"} if method == "PATCH" else None
        response = await http.request(method, _url(note, action), json=body, headers=account.auth)
        assert response.status_code == 404, action

    restored = await http.post(_url(note, "restore"), headers=account.auth)
    assert restored.status_code == 200
    back = restored.json()["note"]
    assert back["title"] == "findme please" and back["version"] == note["version"] + 2
    assert len(await _seen_everywhere(http, account, note["_id"])) == 11
    assert (await http.get(f"{NOTES}/trash", headers=account.auth)).json()["notes"] == []
    assert (await http.post(_url(note, "restore"), headers=account.auth)).status_code == 404


async def test_purge_and_empty_trash_delete_for_good(http: httpx.AsyncClient) -> None:
    account = await signup(http)
    notes = [await create_note(http, account, title=f"gone {i}") for i in range(3)]
    live = await create_note(http, account, title="stays")
    for note in notes:
        await http.delete(_url(note, "delete"), headers=account.auth)
    assert (await http.delete(_url(live, "purge"), headers=account.auth)).status_code == 404
    assert (await http.delete(_url(notes[0], "purge"), headers=account.auth)).status_code == 200
    assert (await http.post(_url(notes[0], "restore"), headers=account.auth)).status_code == 404
    emptied = await http.delete(f"{NOTES}/trash", headers=account.auth)
    assert emptied.status_code == 200 and emptied.json()["purged"] == 2
    assert (await http.get(f"{NOTES}/trash", headers=account.auth)).json()["notes"] == []
    listed = (await http.get(NOTES, headers=account.auth)).json()["notes"]
    assert [n["_id"] for n in listed] == [live["_id"]]


async def test_another_users_trash_is_not_mine(http: httpx.AsyncClient) -> None:
    owner, other = await signup(http), await signup(http)
    note = await create_note(http, owner)
    await http.delete(_url(note, "delete"), headers=owner.auth)
    assert (await http.get(f"{NOTES}/trash", headers=other.auth)).json()["notes"] == []
    for method, action in (("POST", "restore"), ("DELETE", "purge")):
        response = await http.request(method, _url(note, action), headers=other.auth)
        assert response.status_code == 404
    assert (await http.delete(f"{NOTES}/trash", headers=other.auth)).json()["purged"] == 0


async def test_history_lists_every_earlier_content_and_revert_restores_one(
    http: httpx.AsyncClient,
) -> None:
    account = await signup(http)
    note = await create_note(http, account, title="v1", description="first")
    for title in ("v2", "v3"):
        await http.patch(_url(note, "edit"), json={"title": title}, headers=account.auth)
    await http.patch(_url(note, "edit"), json={"status": "Done"}, headers=account.auth)
    history = (await http.get(_url(note, "history"), headers=account.auth)).json()
    assert history["note"]["version"] == 4
    assert [(r["version"], r["title"], r["status"]) for r in history["revisions"]] == [
        (3, "v3", "Pending"),
        (2, "v2", "Pending"),
        (1, "v1", "Pending"),
    ]
    stale = await http.post(
        _url(note, "revert"), json={"version": 1}, headers={**account.auth, "If-Match": '"2"'}
    )
    assert stale.status_code == 412 and stale.json()["note"]["version"] == 4
    reverted = await http.post(
        _url(note, "revert"), json={"version": 1}, headers={**account.auth, "If-Match": '"4"'}
    )
    assert reverted.status_code == 200
    now = reverted.json()["note"]
    assert (now["title"], now["description"], now["status"], now["version"]) == (
        "v1",
        "first",
        "Pending",
        5,
    )
    missing = await http.post(_url(note, "revert"), json={"version": 99}, headers=account.auth)
    assert missing.status_code == 404


async def test_history_is_bounded_and_moves_are_not_listed(http: httpx.AsyncClient) -> None:
    account = await signup(http)
    note = await create_note(http, account, title="t0")
    for i in range(1, 9):
        await http.patch(_url(note, "edit"), json={"title": f"t{i}"}, headers=account.auth)
    await http.patch(_url(note, "edit"), json={"position": "Zz"}, headers=account.auth)
    history = (await http.get(_url(note, "history"), headers=account.auth)).json()
    versions = [r["version"] for r in history["revisions"]]
    # history_keep is 5 here; the move (version 9 -> 10) changed no content: 9 not listed.
    assert versions == [8, 7, 6, 5], versions  # 9 to 5 kept; 9 is the content now
    assert history["note"]["version"] == 10
