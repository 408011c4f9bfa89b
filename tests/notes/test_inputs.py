"""Inputs that were answered 500 (issue 8): each is now a clean 4xx with the API's JSON body."""

from __future__ import annotations

import base64
import time
import uuid

import httpx
import jwt

from tests.conftest import TEST_SECRET
from tests.support.api import Account, create_note

NOTES = "/api/v1/note"


def _forged_cursor(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode()


async def test_forged_cursors_are_400(client: httpx.AsyncClient, account: Account) -> None:
    for _ in range(3):
        await create_note(client, account)
    page = (await client.get(NOTES, params={"limit": "1"}, headers=account.auth)).json()
    valid = page["nextCursor"]
    payload, _, signature = valid.partition(".")
    for cursor in (
        "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgNV0",  # an id that is a number
        _forged_cursor(b'["0001-01-01T00:00:00+14:00", "' + uuid.uuid4().hex.encode() + b'"]'),
        f"{payload}.{signature[:-2]}AA",  # a valid cursor, its signature altered
        f"{_forged_cursor(b'[1,2]')}.{signature}",  # another payload under a real signature
        "%%%.%%%",
        ".",
    ):
        response = await client.get(NOTES, params={"cursor": cursor}, headers=account.auth)
        assert response.status_code == 400, cursor
        assert response.json()["errors"] == [{"field": "cursor", "message": "malformed"}]
    assert (await client.get(NOTES, params={"cursor": valid}, headers=account.auth)).is_success


async def test_odd_if_match_headers_are_400_or_412(
    client: httpx.AsyncClient, account: Account
) -> None:
    note = await create_note(client, account)
    url = f"{NOTES}/{note['_id']}/edit"
    # Header bytes as sent on the wire (latin-1 for the superscript two, UTF-8 for ٣).
    for value, status in (
        ('"\u00b2"'.encode("latin-1"), 400),
        ('"٣"'.encode(), 400),
        (b'"' + b"9" * 5000 + b'"', 412),
    ):
        response = await client.patch(
            url, json={"title": "x"}, headers={**account.auth, "If-Match": value}
        )
        assert response.status_code == status, value[:20]
        assert response.json()["success"] is False


async def test_a_signed_token_with_an_absurd_expiry_is_401(
    client: httpx.AsyncClient, account: Account
) -> None:
    now = int(time.time())
    for exp in (1e20, 10**30, -(10**20)):
        token = jwt.encode(
            {"sub": account.user_id, "jti": uuid.uuid4().hex, "iat": now, "exp": exp},
            TEST_SECRET,
            algorithm="HS256",
        )
        for url in (NOTES, "/api/v1/auth/profile"):
            response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, (exp, url)


async def test_a_blank_title_in_an_edit_keeps_the_title(
    client: httpx.AsyncClient, account: Account
) -> None:
    """The original web client's edit dialog sends every field, a blank title among them,
    when only the status changed."""
    note = await create_note(client, account, title="Keep me", description="old")
    response = await client.patch(
        f"{NOTES}/{note['_id']}/edit",
        json={"title": "", "description": "", "status": "Done", "priority": "High"},
        headers=account.auth,
    )
    assert response.status_code == 200, response.text
    edited = response.json()["note"]
    assert (edited["title"], edited["description"]) == ("Keep me", "")
    assert (edited["status"], edited["priority"], edited["version"]) == ("Done", "High", 2)
    unchanged = await client.patch(
        f"{NOTES}/{note['_id']}/edit", json={"title": "   "}, headers=account.auth
    )
    assert unchanged.status_code == 200 and unchanged.json()["note"]["version"] == 2
