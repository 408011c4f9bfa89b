from __future__ import annotations

import time
import uuid

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from notestack.auth.models import User
from tests.conftest import TEST_SECRET
from tests.support.api import PASSWORD, new_credentials, signup

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
PROFILE = "/api/v1/auth/profile"
LOGOUT = "/api/v1/auth/logout"


async def test_register_returns_user_keeps_username_case_lowers_email(
    client: httpx.AsyncClient,
) -> None:
    credentials = new_credentials()
    credentials["username"] = credentials["username"].upper()
    response = await client.post(REGISTER, json=credentials)
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True and body["message"]
    user = body["user"]
    assert user["username"] == credentials["username"]
    assert user["email"] == credentials["email"].lower()
    assert set(user) >= {"id", "name", "username", "email", "role"}
    assert "password" not in response.text and "hash" not in response.text


async def test_password_is_stored_as_argon2id(client: httpx.AsyncClient, app: FastAPI) -> None:
    credentials = new_credentials()
    await client.post(REGISTER, json=credentials)
    async with app.state.db.read_session() as session:
        user = (
            await session.execute(select(User).where(User.email == credentials["email"].lower()))
        ).scalar_one()
    assert user.password_hash.startswith("$argon2id$")
    params = dict(p.split("=") for p in user.password_hash.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 1
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize("field", ["email", "username"])
async def test_duplicate_is_409_naming_the_field(client: httpx.AsyncClient, field: str) -> None:
    first = new_credentials()
    assert (await client.post(REGISTER, json=first)).status_code == 201
    second = new_credentials()
    second[field] = first[field].upper()
    response = await client.post(REGISTER, json=second)
    assert response.status_code == 409
    body = response.json()
    assert body["success"] is False
    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"username": "ab"}, "username"),
        ({"username": "a" * 31}, "username"),
        ({"username": "bell\u0007name"}, "username"),
        ({"username": "zero\u200bwidth"}, "username"),
        ({"username": "   "}, "username"),
        ({"username": 12345}, "username"),
    ],
)
async def test_invalid_registration_is_422_with_field(
    client: httpx.AsyncClient, change: dict[str, object], field: str
) -> None:
    response = await client.post(REGISTER, json={**new_credentials(), **change})
    assert response.status_code == 422
    body = response.json()
    assert body["success"] is False
    assert field in [e["field"] for e in body["errors"]]


async def test_missing_fields_are_named(client: httpx.AsyncClient) -> None:
    response = await client.post(REGISTER, json={})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"username", "email", "password"}


async def test_password_limits_are_inclusive(client: httpx.AsyncClient) -> None:
    for password in ("Zq8#vLm2", "Kx7!mQ2p-wR9@tB4z" * 7 + "Kx7!mQ2p-"):
        response = await client.post(REGISTER, json={**new_credentials(), "password": password})
        assert response.status_code == 201, response.text


async def test_login_returns_token_user_and_cookie(client: httpx.AsyncClient) -> None:
    credentials = new_credentials()
    await client.post(REGISTER, json=credentials)
    response = await client.post(
        LOGIN, json={"email": credentials["email"], "password": credentials["password"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["token"]
    assert set(body["user"]) >= {"id", "name", "username", "email", "role"}
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"AccessToken={body['token']}")
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    assert "max-age=604800" in lowered and "secure" not in lowered
    claims = jwt.decode(body["token"], TEST_SECRET, algorithms=["HS256"])
    assert set(claims) >= {"exp", "iat", "sub", "jti"}
    assert claims["exp"] - claims["iat"] == 604800


async def test_wrong_password_and_unknown_email_look_the_same(client: httpx.AsyncClient) -> None:
    credentials = new_credentials()
    await client.post(REGISTER, json=credentials)
    wrong = await client.post(
        LOGIN, json={"email": credentials["email"], "password": "nope-nope-nope"}
    )
    unknown = await client.post(
        LOGIN, json={"email": "nobody@example.com", "password": "whatever123"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_profile_by_cookie_and_by_bearer(client: httpx.AsyncClient) -> None:
    account = await signup(client)
    by_bearer = await client.get(PROFILE, headers=account.auth)
    assert by_bearer.status_code == 200
    assert by_bearer.json()["user"]["id"] == account.user_id
    client.cookies.set("AccessToken", account.token)
    by_cookie = await client.get(PROFILE)
    assert by_cookie.status_code == 200
    assert by_cookie.json()["user"]["username"] == account.username


async def test_profile_without_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get(PROFILE)
    assert response.status_code == 401
    assert response.json()["success"] is False


async def test_logout_clears_cookie_and_revokes_token(client: httpx.AsyncClient) -> None:
    account = await signup(client)
    response = await client.post(LOGOUT, headers=account.auth)
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("accesstoken=") and ("max-age=0" in cookie or "expires=" in cookie)
    assert (await client.get(PROFILE, headers=account.auth)).status_code == 401
    assert (await client.get("/api/v1/note", headers=account.auth)).status_code == 401
    # Another sign-in gets a new token that works.
    again = await client.post(LOGIN, json={"email": account.email, "password": account.password})
    fresh = {"Authorization": f"Bearer {again.json()['token']}"}
    assert (await client.get(PROFILE, headers=fresh)).status_code == 200


def _forge(claims: dict[str, object], key: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


async def test_tampered_expired_and_unsigned_tokens_are_401(client: httpx.AsyncClient) -> None:
    account = await signup(client)
    now = int(time.time())
    base = {"sub": account.user_id, "jti": uuid.uuid4().hex, "iat": now}
    header, payload, signature = account.token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    unsigned = jwt.encode({**base, "exp": now + 600}, key="", algorithm="none")
    candidates = {
        "tampered signature": f"{header}.{payload}.{flipped}",
        "expired": _forge({**base, "exp": now - 5}),
        "alg none": unsigned,
        "other key": _forge(
            {**base, "exp": now + 600}, key="another-secret-key-abcdefghijklmnopqrstuvwxyz"
        ),
        "other algorithm": _forge({**base, "exp": now + 600}, algorithm="HS512"),
        "missing jti": _forge({"sub": account.user_id, "iat": now, "exp": now + 600}),
        "garbage": "not.a.token",
    }
    for name, token in candidates.items():
        response = await client.get(PROFILE, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
    valid = _forge({**base, "exp": now + 600})
    assert (
        await client.get(PROFILE, headers={"Authorization": f"Bearer {valid}"})
    ).status_code == 200


@pytest.mark.parametrize(
    "raw_body",
    [
        b'{"username": "surro", "email": "s@example.com", "password": "pass\\ud800word"}',
        b'{"username": "nulls", "email": "n@example.com", "password": "pass\\u0000word"}',
        b'{"username": "named", "email": "m@example.com", "password": "password1", '
        b'"name": "\\u0000"}',
        b'{"username": "mail1", "email": "a\\ud800@example.com", "password": "password1"}',
    ],
)
async def test_unstorable_text_in_registration_is_422(
    client: httpx.AsyncClient, raw_body: bytes
) -> None:
    response = await client.post(
        REGISTER, content=raw_body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "raw_body",
    [
        b'{"email": "x\\u0000@example.com", "password": "whatever1"}',
        b'{"email": "x@example.com", "password": "what\\udfffever"}',
    ],
)
async def test_unstorable_text_in_login_is_422(client: httpx.AsyncClient, raw_body: bytes) -> None:
    response = await client.post(
        LOGIN, content=raw_body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
