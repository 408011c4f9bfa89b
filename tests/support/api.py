"""Small helpers that speak the v1 API the way its clients do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct horse battery"


@dataclass
class Account:
    username: str
    email: str
    password: str
    token: str
    user_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_credentials() -> dict[str, str]:
    tag = uuid.uuid4().hex[:10]
    return {"username": f"user_{tag}", "email": f"User.{tag}@Example.com", "password": PASSWORD}


async def signup(client: httpx.AsyncClient) -> Account:
    credentials = new_credentials()
    response = await client.post("/api/v1/auth/register", json=credentials)
    assert response.status_code == 201, response.text
    login = await client.post(
        "/api/v1/auth/login",
        json={"email": credentials["email"], "password": credentials["password"]},
    )
    assert login.status_code == 200, login.text
    body = login.json()
    client.cookies.clear()
    return Account(
        username=credentials["username"],
        email=credentials["email"].lower(),
        password=credentials["password"],
        token=body["token"],
        user_id=body["user"]["id"],
    )


async def create_note(client: httpx.AsyncClient, account: Account, **fields: Any) -> dict[str, Any]:
    payload = {"title": "A note", **fields}
    response = await client.post("/api/v1/note/create", json=payload, headers=account.auth)
    assert response.status_code == 201, response.text
    note: dict[str, Any] = response.json()["note"]
    return note
