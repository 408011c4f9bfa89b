"""Idempotency-Key (issue 11, Stripe's semantics): a retried write answers the first answer,
once; the same key with another request is refused; concurrent duplicates make one note."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.support.api import Account, create_note

NOTES = "/api/v1/note"
CREATE = f"{NOTES}/create"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"retry-{uuid.uuid4().hex}"}


async def test_a_retried_create_answers_the_first_answer(
    client: httpx.AsyncClient, account: Account
) -> None:
    key = _key()
    first = await client.post(CREATE, json={"title": "once"}, headers={**account.auth, **key})
    again = await client.post(CREATE, json={"title": "once"}, headers={**account.auth, **key})
    assert first.status_code == again.status_code == 201
    assert first.content == again.content and first.headers["etag"] == again.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    listed = (await client.get(NOTES, headers=account.auth)).json()["notes"]
    assert [n["title"] for n in listed] == ["once"]


async def test_the_same_key_with_another_request_is_refused(
    client: httpx.AsyncClient, account: Account
) -> None:
    key = _key()
    assert (
        await client.post(CREATE, json={"title": "a"}, headers={**account.auth, **key})
    ).is_success
    other = await client.post(CREATE, json={"title": "b"}, headers={**account.auth, **key})
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_edit_delete_restore_purge_are_idempotent_too(
    client: httpx.AsyncClient, account: Account
) -> None:
    note = await create_note(client, account, title="v1")
    url = f"{NOTES}/{note['_id']}"
    steps = [
        ("PATCH", f"{url}/edit", {"title": "v2"}),
        ("DELETE", f"{url}/delete", None),
        ("POST", f"{url}/restore", None),
        ("DELETE", f"{url}/delete", None),
        ("DELETE", f"{url}/purge", None),
    ]
    for method, path, body in steps:
        key = _key()
        headers = {**account.auth, **key}
        first = await client.request(method, path, json=body, headers=headers)
        second = await client.request(method, path, json=body, headers=headers)
        assert first.status_code == second.status_code == 200, (path, second.text)
        assert first.content == second.content
    assert (await client.get(url, headers=account.auth)).status_code == 404


async def test_keys_are_per_user(client: httpx.AsyncClient, account: Account) -> None:
    from tests.support.api import signup

    other = await signup(client)
    key = _key()
    mine = await client.post(CREATE, json={"title": "mine"}, headers={**account.auth, **key})
    theirs = await client.post(CREATE, json={"title": "mine"}, headers={**other.auth, **key})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["note"]["_id"] != theirs.json()["note"]["_id"]


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "ünicode"])
async def test_malformed_keys_are_422(
    client: httpx.AsyncClient, account: Account, key: str
) -> None:
    response = await client.post(
        CREATE, json={"title": "x"}, headers={**account.auth, "Idempotency-Key": key.encode()}
    )
    assert response.status_code == 422


async def test_concurrent_duplicates_make_exactly_one_note(
    client: httpx.AsyncClient, account: Account
) -> None:
    key = _key()
    results = await asyncio.gather(
        *(
            client.post(CREATE, json={"title": "raced"}, headers={**account.auth, **key})
            for _ in range(8)
        )
    )
    statuses = sorted(r.status_code for r in results)
    assert set(statuses) <= {201, 409}, statuses
    created = {r.json()["note"]["_id"] for r in results if r.status_code == 201}
    assert len(created) == 1
    listed = (await client.get(NOTES, headers=account.auth)).json()["notes"]
    assert [n["title"] for n in listed] == ["raced"]
