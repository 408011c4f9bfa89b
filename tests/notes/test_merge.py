"""Field-level merge of concurrent edits (issue 10): a stale tab's change is applied on top of
the newer version when it touches only other fields, or sets the same values; a 412 only when
a field it sets was changed since to something else."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.api import Account, create_note

NOTES = "/api/v1/note"
BASE = {"title": "Base", "description": "base text", "status": "Pending", "priority": "Low"}


@pytest.mark.parametrize(
    ("theirs", "mine", "outcome", "conflicts"),
    [
        # different fields: both kept
        ({"description": "their text"}, {"title": "My title", "priority": "High"}, 200, []),
        ({"status": "Done"}, {"description": "my text"}, 200, []),
        # the same value on both sides: no conflict
        ({"title": "Same"}, {"title": "Same"}, 200, []),
        ({"title": "Same", "priority": "High"}, {"priority": "High", "status": "Done"}, 200, []),
        # a field both changed, to different values: a conflict naming it
        ({"title": "Theirs"}, {"title": "Mine"}, 412, ["title"]),
        ({"title": "Theirs", "status": "Done"}, {"title": "Mine", "status": "InProgress"}, 412,
         ["title", "status"]),
        # mine sets a field to what it already was, theirs changed another
        ({"description": "x"}, {"title": "Base", "priority": "Medium"}, 200, []),
    ],
)  # fmt: skip
async def test_merge_rules(
    client: httpx.AsyncClient,
    account: Account,
    theirs: dict[str, Any],
    mine: dict[str, Any],
    outcome: int,
    conflicts: list[str],
) -> None:
    note = await create_note(client, account, **BASE)
    url = f"{NOTES}/{note['_id']}/edit"
    their_edit = await client.patch(url, json=theirs, headers=account.auth)
    assert their_edit.status_code == 200
    # My tab still holds version 1 (the If-Match it sends).
    response = await client.patch(url, json=mine, headers={**account.auth, "If-Match": '"1"'})
    assert response.status_code == outcome, response.text
    body = response.json()
    if outcome == 200:
        merged = body["note"]
        expected = {**BASE, **theirs, **mine}
        assert {k: merged[k] for k in BASE} == expected
        assert merged["version"] == 3 or (theirs == mine and merged["version"] == 2)
    else:
        assert body["conflicts"] == conflicts
        assert body["note"]["version"] == 2 and body["note"]["title"] == theirs["title"]
        assert [e["field"] for e in body["errors"]] == conflicts
        again = await client.get(f"{NOTES}/{note['_id']}", headers=account.auth)
        assert again.json()["note"]["version"] == 2  # nothing of mine was written


async def test_a_version_older_than_the_history_is_a_conflict(
    client: httpx.AsyncClient, account: Account
) -> None:
    note = await create_note(client, account, **BASE)
    url = f"{NOTES}/{note['_id']}/edit"
    for i in range(3):
        await client.patch(url, json={"description": f"d{i}"}, headers=account.auth)
    future = await client.patch(
        url, json={"title": "x"}, headers={**account.auth, "If-Match": '"9"'}
    )
    assert future.status_code == 412
    listed = await client.patch(
        url, json={"title": "x"}, headers={**account.auth, "If-Match": '"1", "2"'}
    )
    assert listed.status_code == 412  # several versions named: no single base to merge from


async def test_stale_delete_is_refused_not_merged(
    client: httpx.AsyncClient, account: Account
) -> None:
    note = await create_note(client, account, **BASE)
    await client.patch(f"{NOTES}/{note['_id']}/edit", json={"title": "newer"}, headers=account.auth)
    stale = await client.delete(
        f"{NOTES}/{note['_id']}/delete", headers={**account.auth, "If-Match": '"1"'}
    )
    assert stale.status_code == 412 and stale.json()["note"]["title"] == "newer"
