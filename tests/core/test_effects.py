"""core/effects.py: what a committed write implies happens after the commit, never after a
rollback, and a write that declares nothing is noticed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from notestack.app import create_app, shutdown
from notestack.core.database import ChangeEvent, WriteSession
from notestack.core.effects import CommitEffects
from notestack.notes.models import Note
from tests.conftest import Backend
from tests.support.api import Account, create_note, signup
from tests.support.conformance import conforming_client
from tests.support.redis import RedisServer, redis_server

NOTES = "/api/v1/note"


@pytest.fixture
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
async def cached_app(backend: Backend, redis_srv: RedisServer) -> AsyncIterator[FastAPI]:
    app = create_app(backend.settings.model_copy(update={"redis_url": redis_srv.url}))
    yield app
    await shutdown(app)


@pytest.fixture
async def http(cached_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with conforming_client(cached_app) as client:
        yield client


async def _warm(http: httpx.AsyncClient, account: Account) -> None:
    await http.get(NOTES, headers=account.auth)
    assert (await http.get(NOTES, headers=account.auth)).headers["x-cache"] == "hit"


async def _write(app: FastAPI, note_id: str, *, declare: bool, commit: bool) -> WriteSession:
    effects: CommitEffects = app.state.effects
    async with app.state.db.write_session() as session:
        row = await session.get(Note, uuid.UUID(note_id))
        assert row is not None
        await session.execute(
            update(Note).where(Note.id == row.id).values(title="changed", version=Note.version + 1)
        )
        if declare:
            event = ChangeEvent("note.updated", 2, {"note": {"_id": str(row.id), "version": 2}})
            session.record_change(row.user_id, event)
        if commit:
            await session.commit()
            await effects.apply(session)
        else:
            await session.rollback()
            session.discard_effects()
        return session


async def test_a_declared_write_orphans_the_owners_entries(
    http: httpx.AsyncClient, cached_app: FastAPI
) -> None:
    account = await signup(http)
    note = await create_note(http, account)
    await _warm(http, account)
    await _write(cached_app, note["_id"], declare=True, commit=True)
    after = await http.get(NOTES, headers=account.auth)
    assert after.headers["x-cache"] == "miss" and after.json()["notes"][0]["title"] == "changed"
    assert not cached_app.state.cache.needs_recovery


async def test_an_undeclared_write_makes_the_cache_trust_nothing(
    http: httpx.AsyncClient, cached_app: FastAPI
) -> None:
    account = await signup(http)
    note = await create_note(http, account)
    await _warm(http, account)
    await _write(cached_app, note["_id"], declare=False, commit=True)
    assert cached_app.state.cache.needs_recovery
    after = await http.get(NOTES, headers=account.auth)
    assert after.json()["notes"][0]["title"] == "changed"
    assert after.headers["x-cache"] in ("miss", "bypass")


async def test_a_rolled_back_write_implies_nothing(
    http: httpx.AsyncClient, cached_app: FastAPI
) -> None:
    account = await signup(http)
    note = await create_note(http, account)
    await _warm(http, account)
    published: list[tuple[uuid.UUID, list[ChangeEvent]]] = []

    async def publish(owner: uuid.UUID, events: list[ChangeEvent]) -> None:
        published.append((owner, list(events)))

    cached_app.state.effects.publishers.append(publish)
    session = await _write(cached_app, note["_id"], declare=True, commit=False)
    assert session.take_effects() == ([], [], False)
    assert published == []
    assert (await http.get(NOTES, headers=account.auth)).headers["x-cache"] == "hit"
    await _write(cached_app, note["_id"], declare=True, commit=True)
    assert [(owner, [e.type for e in events]) for owner, events in published] == [
        (uuid.UUID(account.user_id), ["note.updated"])
    ]


async def test_every_write_route_declares_its_changes(
    http: httpx.AsyncClient, cached_app: FastAPI
) -> None:
    """Through the API, no write falls back to 'trust nothing'."""
    account = await signup(http)
    note = await create_note(http, account, title="one")
    url = f"{NOTES}/{note['_id']}"
    assert (await http.patch(f"{url}/edit", json={"title": "two"}, headers=account.auth)).is_success
    assert (await http.delete(f"{url}/delete", headers=account.auth)).is_success
    assert (await http.post("/api/v1/auth/logout", headers=account.auth)).is_success
    assert not cached_app.state.cache.needs_recovery
