from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from notestack.notes.models import Note
from tests.support.api import Account, create_note, signup

NOTES = "/api/v1/note"


@pytest.fixture
async def account(client: httpx.AsyncClient) -> Account:
    return await signup(client)


async def _all_pages(
    client: httpx.AsyncClient, account: Account, **params: object
) -> list[dict[str, object]]:
    notes: list[dict[str, object]] = []
    cursor = None
    for _ in range(1000):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = (await client.get(NOTES, params=query, headers=account.auth)).json()
        notes.extend(body["notes"])
        cursor = body["nextCursor"]
        if cursor is None:
            return notes
    raise AssertionError("pagination did not end")


async def test_list_is_newest_first_and_only_mine(
    client: httpx.AsyncClient, account: Account
) -> None:
    other = await signup(client)
    await create_note(client, other, title="not mine")
    titles = [f"n{i}" for i in range(5)]
    for title in titles:
        await create_note(client, account, title=title)
    response = await client.get(NOTES, headers=account.auth)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["nextCursor"] is None
    assert [n["title"] for n in body["notes"]] == list(reversed(titles))


async def test_keyset_pages_cover_every_note_once(
    client: httpx.AsyncClient, account: Account
) -> None:
    created = [await create_note(client, account, title=f"p{i}") for i in range(11)]
    first = (await client.get(NOTES, params={"limit": 4}, headers=account.auth)).json()
    assert len(first["notes"]) == 4 and first["nextCursor"]
    pages = await _all_pages(client, account, limit=4)
    assert [n["_id"] for n in pages] == [n["_id"] for n in reversed(created)]


async def test_notes_created_in_the_same_instant_page_by_id(
    client: httpx.AsyncClient, account: Account, app: FastAPI
) -> None:
    moment = datetime.now(UTC).replace(microsecond=0)
    async with app.state.db.write_session() as session:
        for i in range(9):
            session.add(
                Note(
                    user_id=uuid.UUID(account.user_id),
                    title=f"same{i}",
                    created_at=moment,
                    updated_at=moment,
                )
            )
        await session.commit()
    pages = await _all_pages(client, account, limit=2)
    ids = [n["_id"] for n in pages]
    assert len(ids) == 9 and len(set(ids)) == 9
    assert ids == sorted(ids, reverse=True)


async def test_pagination_while_notes_are_added_returns_each_once(
    client: httpx.AsyncClient, account: Account
) -> None:
    existing = {(await create_note(client, account, title=f"old{i}"))["_id"] for i in range(15)}
    seen: list[str] = []
    cursor = None
    added = 0
    while True:
        params: dict[str, object] = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page_request = client.get(NOTES, params=params, headers=account.auth)
        adder = create_note(client, account, title=f"new{added}")
        page, _ = await asyncio.gather(page_request, adder)
        added += 1
        body = page.json()
        seen.extend(n["_id"] for n in body["notes"])
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "a note was returned twice"
    assert existing <= set(seen), "a note that existed before paging began was skipped"


async def test_default_cap_is_1000_with_a_cursor(
    client: httpx.AsyncClient, account: Account, app: FastAPI
) -> None:
    start = datetime.now(UTC)
    async with app.state.db.write_session() as session:
        session.add_all(
            Note(
                user_id=uuid.UUID(account.user_id),
                title=f"bulk{i}",
                created_at=start + timedelta(microseconds=i),
                updated_at=start,
            )
            for i in range(1003)
        )
        await session.commit()
    body = (await client.get(NOTES, headers=account.auth)).json()
    assert len(body["notes"]) == 1000 and body["nextCursor"]
    rest = (
        await client.get(NOTES, params={"cursor": body["nextCursor"]}, headers=account.auth)
    ).json()
    assert len(rest["notes"]) == 3 and rest["nextCursor"] is None
    assert rest["notes"][-1]["title"] == "bulk0"


async def test_filters_and_search(client: httpx.AsyncClient, account: Account) -> None:
    await create_note(client, account, title="Quarterly REPORT", priority="High")
    await create_note(
        client, account, title="groceries", description="eggs and a report card", status="Done"
    )
    await create_note(
        client, account, title="100% done_ish", priority="Medium", status="InProgress"
    )
    await create_note(client, account, title="unrelated")

    async def titles(**params: object) -> list[str]:
        response = await client.get(NOTES, params=params, headers=account.auth)
        assert response.status_code == 200, response.text
        return sorted(n["title"] for n in response.json()["notes"])

    assert await titles(q="report") == ["Quarterly REPORT", "groceries"]
    assert await titles(q="  Report ") == ["Quarterly REPORT", "groceries"]
    assert await titles(q="report", status="Done") == ["groceries"]
    assert await titles(priority="High") == ["Quarterly REPORT"]
    assert await titles(status="InProgress", priority="Medium") == ["100% done_ish"]
    assert await titles(q="100%") == ["100% done_ish"]
    assert await titles(q="ish") == ["100% done_ish"]  # "done_ish" is two words
    assert await titles(q="%") == []  # no word to look for
    assert await titles(q="_") == []
    assert await titles(q="nothing-matches") == []


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"limit": 10**12},
        {"status": "Archived"},
        {"priority": "low"},
        {"cursor": "!!!"},
        {"cursor": "eyJhIjoxfQ"},
        {"q": "x" * 201},
    ],
)
async def test_bad_list_parameters_are_4xx(
    client: httpx.AsyncClient, account: Account, params: dict[str, object]
) -> None:
    response = await client.get(NOTES, params=params, headers=account.auth)
    assert response.status_code in (400, 422), response.text
    assert response.json()["success"] is False and response.json()["message"]


async def test_list_etag_answers_304_until_something_changes(
    client: httpx.AsyncClient, account: Account
) -> None:
    note = await create_note(client, account, title="watch me")
    first = await client.get(NOTES, headers=account.auth)
    etag = first.headers["etag"]
    again = await client.get(NOTES, headers={**account.auth, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    await client.patch(f"{NOTES}/{note['_id']}/edit", json={"status": "Done"}, headers=account.auth)
    changed = await client.get(NOTES, headers={**account.auth, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["notes"][0]["status"] == "Done"
