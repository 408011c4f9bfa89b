"""Accounts and notes for the scenarios, made through the API as a person would make them."""

from __future__ import annotations

import httpx

PASSWORD = "Bench-Passw0rd-2026!zq"
STATUSES = ("Pending", "InProgress", "Done")
PRIORITIES = ("Low", "Medium", "High")


def signed_up(http: httpx.Client, name: str, password: str = PASSWORD) -> str:
    """Sign ``name`` up (email ``<name>@bench.example``) and in; its bearer token. ``http``
    carries the base URL and any headers (a client address) the scenario needs."""
    email = f"{name}@bench.example"
    made = http.post(
        "/api/v1/auth/register", json={"username": name, "email": email, "password": password}
    )
    if made.status_code != 201:
        raise RuntimeError(f"register {name}: {made.status_code} {made.text}")
    login = http.post("/api/v1/auth/login", json={"email": email, "password": password})
    login.raise_for_status()
    return str(login.json()["token"])


def add_notes(http: httpx.Client, token: str, count: int, title: str) -> None:
    """``count`` notes in the shape of a real task list (statuses and priorities spread)."""
    auth = {"Authorization": f"Bearer {token}"}
    for i in range(count):
        note = http.post(
            "/api/v1/note/create",
            headers=auth,
            json={
                "title": f"{title} {i:02d}: plan the quarterly review",
                "description": "A typical task description, long enough to be realistic: "
                f"call the supplier, confirm the delivery date, update the sheet ({i}).",
                "status": STATUSES[i % 3],
                "priority": PRIORITIES[i % 3],
            },
        )
        if note.status_code != 201:
            raise RuntimeError(f"create note: {note.status_code} {note.text}")
