"""core/methods.py: a 405 names exactly the methods of the path; HEAD answers like GET."""

from __future__ import annotations

import httpx

from tests.support.api import Account, create_note


async def test_options_and_other_methods_get_the_paths_own_allow(
    client: httpx.AsyncClient, account: Account
) -> None:
    note = await create_note(client, account)
    expected = {
        "/api/v1/note/create": "POST",
        "/api/v1/note": "GET, HEAD",
        f"/api/v1/note/{note['_id']}": "GET, HEAD",
        f"/api/v1/note/{note['_id']}/edit": "PATCH",
        "/api/v1/auth/login": "POST",
    }
    for path, allow in expected.items():
        for method in ("OPTIONS", "PUT", "TRACE"):
            response = await client.request(method, path, headers=account.auth)
            assert response.status_code == 405, (method, path)
            assert response.headers["allow"] == allow, (method, path)
            assert response.json()["success"] is False


async def test_head_answers_like_get_without_a_body(
    client: httpx.AsyncClient, account: Account
) -> None:
    note = await create_note(client, account)
    for path in ("/api/v1/note", f"/api/v1/note/{note['_id']}", "/healthz", "/readyz"):
        got = await client.get(path, headers=account.auth)
        head = await client.head(path, headers=account.auth)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-length"] == str(len(got.content))
        assert head.headers.get("etag") == got.headers.get("etag")
    assert (await client.head("/api/v1/note")).status_code == 401
