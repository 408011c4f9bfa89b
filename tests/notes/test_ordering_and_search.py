"""Sorting, counts, board positions and search (issue 12), the same on both backends."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.support.api import Account, create_note

NOTES = "/api/v1/note"
STATUS_RANK = {"Pending": 0, "InProgress": 1, "Done": 2}
PRIORITY_RANK = {"Low": 0, "Medium": 1, "High": 2}


async def _all_pages(
    client: httpx.AsyncClient, account: Account, **params: Any
) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        query = {**params, "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = await client.get(NOTES, params=query, headers=account.auth)
        assert page.status_code == 200, page.text
        notes += page.json()["notes"]
        cursor = page.json()["nextCursor"]
        if cursor is None:
            return notes
    raise AssertionError("paging did not end")


def _sort_key(sort: str, note: dict[str, Any]) -> tuple[Any, ...]:
    created = datetime.fromisoformat(note["createdAt"])
    return {
        "created": (created,),
        "updated": (datetime.fromisoformat(note["updatedAt"]),),
        "priority": (PRIORITY_RANK[note["priority"]], created),
        "status": (STATUS_RANK[note["status"]], created),
        "title": (note["title"].casefold().replace("é", "e"),),
        "position": (STATUS_RANK[note["status"]], note["position"]),
    }[sort]


@pytest.mark.parametrize("sort", ["created", "updated", "priority", "status", "title", "position"])
@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_every_sort_pages_through_each_note_exactly_once_in_order(
    client: httpx.AsyncClient, account: Account, sort: str, order: str
) -> None:
    rng = random.Random(7)
    titles = ["banana", "Apple", "éclair", "cherry", "apple pie", "Date", "fig", "grape"]
    made = []
    for title in titles:
        made.append(
            await create_note(
                client,
                account,
                title=title,
                status=rng.choice(list(STATUS_RANK)),
                priority=rng.choice(list(PRIORITY_RANK)),
            )
        )
    for note in made[::3]:  # some updated later than created
        await client.patch(
            f"{NOTES}/{note['_id']}/edit", json={"description": "later"}, headers=account.auth
        )
    listed = await _all_pages(client, account, sort=sort, order=order)
    assert sorted(n["_id"] for n in listed) == sorted(n["_id"] for n in made)
    keys = [(*_sort_key(sort, n), n["_id"]) for n in listed]
    expected = sorted(keys, reverse=order == "desc")
    assert [k[:-1] for k in keys] == [k[:-1] for k in expected], sort


async def test_a_cursor_belongs_to_its_ordering(
    client: httpx.AsyncClient, account: Account
) -> None:
    for i in range(3):
        await create_note(client, account, title=f"n{i}")
    page = (await client.get(NOTES, params={"limit": 1}, headers=account.auth)).json()
    other = await client.get(
        NOTES,
        params={"limit": 1, "cursor": page["nextCursor"], "sort": "title"},
        headers=account.auth,
    )
    assert other.status_code == 400


async def test_counts_by_status_and_priority_follow_the_filters(
    client: httpx.AsyncClient, account: Account
) -> None:
    for status, priority, title in [
        ("Pending", "High", "kitchen sink"),
        ("Pending", "Low", "kitchen door"),
        ("Done", "High", "garden"),
        ("InProgress", "Medium", "kitchen tap"),
    ]:
        await create_note(client, account, title=title, status=status, priority=priority)

    async def counts(**params: str) -> dict[str, Any]:
        response = await client.get(f"{NOTES}/counts", params=params, headers=account.auth)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["counts"]
        return result

    everything = await counts()
    assert everything == {
        "status": {"Pending": 2, "InProgress": 1, "Done": 1},
        "priority": {"Low": 1, "Medium": 1, "High": 2},
        "total": 4,
    }
    kitchen_high = await counts(q="kitchen", priority="High")
    assert kitchen_high["status"] == {"Pending": 1, "InProgress": 0, "Done": 0}
    assert kitchen_high["priority"] == {"Low": 1, "Medium": 1, "High": 1}
    assert kitchen_high["total"] == 1
    assert (await counts(status="Done"))["total"] == 1


async def test_board_positions(client: httpx.AsyncClient, account: Account) -> None:
    first = await create_note(client, account, title="first", status="Pending")
    second = await create_note(client, account, title="second", status="Pending")
    assert second["position"] < first["position"]  # new notes go to the top of their column

    async def column(status: str) -> list[str]:
        notes = await _all_pages(client, account, status=status, sort="position")
        return [n["title"] for n in notes]

    assert await column("Pending") == ["second", "first"]
    below = first["position"] + "V"  # after first (fractional-indexing keys sort as text)
    moved = await client.patch(
        f"{NOTES}/{second['_id']}/edit", json={"position": below}, headers=account.auth
    )
    assert moved.status_code == 200 and moved.json()["note"]["position"] == below
    assert await column("Pending") == ["first", "second"]
    other = await client.patch(
        f"{NOTES}/{first['_id']}/edit", json={"status": "Done"}, headers=account.auth
    )
    assert other.status_code == 200
    assert await column("Done") == ["first"] and await column("Pending") == ["second"]
    for bad in ("", "a", "zzzzz", "a0 ", "😀"):
        refused = await client.patch(
            f"{NOTES}/{first['_id']}/edit", json={"position": bad}, headers=account.auth
        )
        assert refused.status_code == 422, bad


# The shared search table: the same data and the same answers on SQLite and PostgreSQL.
SEARCH_NOTES = [
    ("Call the plumber about the kitchen", ""),
    ("Kitchen renovation", "ask the plumber for a quote"),
    ("Résumé for the new job", "update the CV"),
    ("resume the meeting", "about the plumbing"),
    ("Garden", "water the plants; the kitchen herbs too"),
    ("e-mail the bank", ""),
    ("Øresund bridge", "a walk down the Straße"),
    ("Łódź", ""),
]
SEARCHES = [
    ("kitchen plumber", {"Call the plumber about the kitchen", "Kitchen renovation"}),
    ("plumber kitchen", {"Call the plumber about the kitchen", "Kitchen renovation"}),
    ("resume", {"Résumé for the new job", "resume the meeting"}),
    ("RÉSUMÉ", {"Résumé for the new job", "resume the meeting"}),
    ("plumb", {"Call the plumber about the kitchen", "Kitchen renovation", "resume the meeting"}),
    ("kitchen", {"Call the plumber about the kitchen", "Kitchen renovation", "Garden"}),
    ("mail", {"e-mail the bank"}),
    ("e-mail", {"e-mail the bank"}),
    # Letters Unicode does not decompose fold too (ø → o, ł → l, ß → ss), on both backends.
    ("oresund", {"Øresund bridge"}),
    ("ØRESUND", {"Øresund bridge"}),
    ("strasse", {"Øresund bridge"}),
    ("straße", {"Øresund bridge"}),
    ("lodz", {"Łódź"}),
    ("itchen", set()),  # words match from their start
    ("kitchen zebra", set()),
    ("  ", None),  # blank: no search at all, every note
]


async def test_search_table(client: httpx.AsyncClient, account: Account) -> None:
    for title, description in SEARCH_NOTES:
        await create_note(client, account, title=title, description=description)
    for query, expected in SEARCHES:
        notes = await _all_pages(client, account, q=query)
        found = {n["title"] for n in notes}
        assert found == (expected if expected is not None else {t for t, _ in SEARCH_NOTES}), query


async def test_search_ranks_title_matches_first_and_highlights(
    client: httpx.AsyncClient, account: Account
) -> None:
    for title, description in SEARCH_NOTES:
        await create_note(client, account, title=title, description=description)
    page = (await client.get(NOTES, params={"q": "kitchen"}, headers=account.auth)).json()
    titles = [n["title"] for n in page["notes"]]
    assert titles[-1] == "Garden", titles  # a description-only match ranks last
    garden = page["notes"][-1]["highlights"]
    assert garden["title"] == [{"text": "Garden", "match": False}]
    assert {"text": "kitchen", "match": True} in garden["description"]
    accents = (await client.get(NOTES, params={"q": "resume"}, headers=account.auth)).json()
    marks = {s["text"] for n in accents["notes"] for s in n["highlights"]["title"] if s["match"]}
    assert marks == {"Résumé", "resume"}
    bridge = (await client.get(NOTES, params={"q": "oresund"}, headers=account.auth)).json()
    assert bridge["notes"][0]["highlights"]["title"][0] == {"text": "Øresund", "match": True}
    plain = (await client.get(NOTES, headers=account.auth)).json()
    assert all("highlights" not in n for n in plain["notes"])
