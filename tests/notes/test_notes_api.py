from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.support.api import Account, create_note, signup

NOTES = "/api/v1/note"
CREATE = "/api/v1/note/create"


def edit_url(note_id: str) -> str:
    return f"{NOTES}/{note_id}/edit"


def delete_url(note_id: str) -> str:
    return f"{NOTES}/{note_id}/delete"


async def test_create_returns_full_note_with_defaults_and_etag(
    client: httpx.AsyncClient, account: Account
) -> None:
    response = await client.post(CREATE, json={"title": "  Buy milk  "}, headers=account.auth)
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    note = body["note"]
    assert set(note) == {
        "_id",
        "userId",
        "title",
        "description",
        "status",
        "priority",
        "version",
        "position",
        "createdAt",
        "updatedAt",
    }
    assert note["title"] == "Buy milk"
    assert (note["description"], note["status"], note["priority"], note["version"]) == (
        "",
        "Pending",
        "Low",
        1,
    )
    assert note["userId"] == account.user_id
    assert note["createdAt"].endswith("Z") and "T" in note["createdAt"]
    assert response.headers["etag"] == '"1"'


async def test_server_managed_fields_are_ignored(
    client: httpx.AsyncClient, account: Account
) -> None:
    forged = {
        "title": "Mine",
        "_id": "0" * 24,
        "userId": str(uuid.uuid4()),
        "version": 99,
        "createdAt": "2000-01-01T00:00:00Z",
    }
    note = (await client.post(CREATE, json=forged, headers=account.auth)).json()["note"]
    assert note["_id"] != forged["_id"] and note["userId"] == account.user_id
    assert note["version"] == 1 and not note["createdAt"].startswith("2000")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 5}, "title"),
        ({"title": "ok", "description": "d" * 100_001}, "description"),
        ({"title": "ok", "status": "pending"}, "status"),
        ({"title": "ok", "priority": "Urgent"}, "priority"),
        ({"title": "ok", "colour": "red"}, "colour"),
        ({"title": None}, "title"),
    ],
)
async def test_invalid_note_is_422_naming_the_field(
    client: httpx.AsyncClient, account: Account, payload: dict[str, Any], field: str
) -> None:
    response = await client.post(CREATE, json=payload, headers=account.auth)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["success"] is False and body["message"]
    assert field in [e["field"] for e in body["errors"]]


async def test_limits_are_inclusive(client: httpx.AsyncClient, account: Account) -> None:
    note = await create_note(client, account, title="t" * 200, description="d" * 100_000)
    assert len(note["title"]) == 200 and len(note["description"]) == 100_000


async def test_broken_json_and_wrong_body_types(
    client: httpx.AsyncClient, account: Account
) -> None:
    headers = {**account.auth, "Content-Type": "application/json"}
    broken = await client.post(CREATE, content=b'{"title": "x"', headers=headers)
    assert broken.status_code == 400
    assert broken.json()["success"] is False and "JSON" in broken.json()["message"]
    as_list = await client.post(CREATE, json=["title"], headers=account.auth)
    assert as_list.status_code == 422


async def test_oversize_body_is_413(client: httpx.AsyncClient, account: Account) -> None:
    payload = b'{"title": "x", "description": "' + b"a" * (1024 * 1024) + b'"}'
    response = await client.post(
        CREATE, content=payload, headers={**account.auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["success"] is False


async def test_get_edit_delete_round_trip(client: httpx.AsyncClient, account: Account) -> None:
    note = await create_note(client, account, title="Draft", priority="Medium")
    fetched = await client.get(f"{NOTES}/{note['_id']}", headers=account.auth)
    assert fetched.status_code == 200 and fetched.json()["note"] == note
    assert fetched.headers["etag"] == '"1"'

    edited = await client.patch(
        edit_url(note["_id"]), json={"status": "Done"}, headers=account.auth
    )
    assert edited.status_code == 200
    after = edited.json()["note"]
    assert after["status"] == "Done" and after["title"] == "Draft" and after["priority"] == "Medium"
    assert after["version"] == 2 and edited.headers["etag"] == '"2"'
    assert after["updatedAt"] > note["updatedAt"] and after["createdAt"] == note["createdAt"]

    deleted = await client.delete(delete_url(note["_id"]), headers=account.auth)
    assert deleted.status_code == 200 and deleted.json()["success"] is True
    for response in (
        await client.get(f"{NOTES}/{note['_id']}", headers=account.auth),
        await client.patch(edit_url(note["_id"]), json={"title": "x"}, headers=account.auth),
        await client.delete(delete_url(note["_id"]), headers=account.auth),
    ):
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "body"),
        ({"title": None}, "body"),
        ({"status": "Archived"}, "status"),
        ({"owner": "me"}, "owner"),
    ],
)
async def test_invalid_edit_is_422(
    client: httpx.AsyncClient, account: Account, payload: dict[str, Any], field: str
) -> None:
    note = await create_note(client, account)
    response = await client.patch(edit_url(note["_id"]), json=payload, headers=account.auth)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_if_match_guards_edit_and_delete(client: httpx.AsyncClient, account: Account) -> None:
    note = await create_note(client, account)
    ok = await client.patch(
        edit_url(note["_id"]), json={"title": "v2"}, headers={**account.auth, "If-Match": '"1"'}
    )
    assert ok.status_code == 200 and ok.json()["note"]["version"] == 2

    stale = await client.patch(
        edit_url(note["_id"]), json={"title": "lost"}, headers={**account.auth, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    body = stale.json()
    assert (
        body["success"] is False and body["note"]["title"] == "v2" and body["note"]["version"] == 2
    )
    assert stale.headers["etag"] == '"2"'

    refused = await client.delete(
        delete_url(note["_id"]), headers={**account.auth, "If-Match": '"1"'}
    )
    assert refused.status_code == 412
    weak = await client.patch(
        edit_url(note["_id"]), json={"title": "v3"}, headers={**account.auth, "If-Match": 'W/"2"'}
    )
    assert weak.status_code == 200
    bad = await client.patch(
        edit_url(note["_id"]), json={"title": "x"}, headers={**account.auth, "If-Match": "banana"}
    )
    assert bad.status_code == 400
    gone = await client.delete(delete_url(note["_id"]), headers={**account.auth, "If-Match": '"3"'})
    assert gone.status_code == 200


async def test_concurrent_edits_with_if_match_let_exactly_one_win(
    client: httpx.AsyncClient, account: Account
) -> None:
    note = await create_note(client, account)
    headers = {**account.auth, "If-Match": '"1"'}
    responses = await asyncio.gather(
        *(
            client.patch(edit_url(note["_id"]), json={"title": f"t{i}"}, headers=headers)
            for i in range(6)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] + [412] * 5


async def test_cross_user_matrix_is_404_everywhere(client: httpx.AsyncClient) -> None:
    owner = await signup(client)
    intruder = await signup(client)
    note = await create_note(client, owner, title="private")
    missing = str(uuid.uuid4())
    for note_id in (note["_id"], missing, "not-a-uuid", "0" * 24, "%20"):
        attempts = [
            await client.get(f"{NOTES}/{note_id}", headers=intruder.auth),
            await client.patch(edit_url(note_id), json={"title": "pwned"}, headers=intruder.auth),
            await client.delete(delete_url(note_id), headers=intruder.auth),
            await client.patch(
                edit_url(note_id),
                json={"title": "pwned"},
                headers={**intruder.auth, "If-Match": '"1"'},
            ),
        ]
        for response in attempts:
            assert response.status_code == 404, (note_id, response.request.method, response.text)
            assert response.json()["success"] is False
    listed = (await client.get(NOTES, headers=intruder.auth)).json()["notes"]
    assert listed == []
    still = await client.get(f"{NOTES}/{note['_id']}", headers=owner.auth)
    assert still.json()["note"]["title"] == "private" and still.json()["note"]["version"] == 1


async def test_every_note_endpoint_needs_a_token(client: httpx.AsyncClient) -> None:
    some_id = str(uuid.uuid4())
    for method, url in [
        ("GET", NOTES),
        ("POST", CREATE),
        ("GET", f"{NOTES}/{some_id}"),
        ("PATCH", edit_url(some_id)),
        ("DELETE", delete_url(some_id)),
    ]:
        response = await client.request(method, url, json={"title": "x"})
        assert response.status_code == 401, (method, url)


@pytest.mark.parametrize(
    "raw_body",
    [
        b'{"title": "nul \\u0000 inside"}',
        b'{"title": "ok", "description": "nul \\u0000"}',
        b'{"title": "lone \\ud800 surrogate"}',
        b'{"title": "ok", "description": "\\udfff"}',
    ],
)
async def test_text_no_database_can_store_is_422(
    client: httpx.AsyncClient, account: Account, raw_body: bytes
) -> None:
    headers = {**account.auth, "Content-Type": "application/json"}
    created = await client.post(CREATE, content=raw_body, headers=headers)
    assert created.status_code == 422, created.text
    note = await create_note(client, account)
    edited = await client.patch(edit_url(note["_id"]), content=raw_body, headers=headers)
    assert edited.status_code == 422, edited.text


async def test_search_for_nul_is_422(client: httpx.AsyncClient, account: Account) -> None:
    response = await client.get(NOTES, params={"q": "a\x00b"}, headers=account.auth)
    assert response.status_code == 422


async def test_if_match_beyond_any_version_is_412_not_500(
    client: httpx.AsyncClient, account: Account
) -> None:
    note = await create_note(client, account)
    huge = {**account.auth, "If-Match": '"99999999999999999999999"'}
    edited = await client.patch(edit_url(note["_id"]), json={"title": "x"}, headers=huge)
    assert edited.status_code == 412
    missing = await client.patch(edit_url(str(uuid.uuid4())), json={"title": "x"}, headers=huge)
    assert missing.status_code == 404
    assert (await client.delete(delete_url(note["_id"]), headers=huge)).status_code == 412
