"""`notestack maintain` (issue 10): the trash is emptied of what is older than the retention,
old events and idempotency records go, and two runs at once do the work once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from notestack.app import create_app, shutdown
from notestack.maintenance import maintain
from notestack.notes.models import Note, NoteEvent
from tests.conftest import Backend
from tests.support.api import create_note, signup
from tests.support.conformance import conforming_client
from tests.support.server import NOTESTACK

NOTES = "/api/v1/note"


async def _age(backend: Backend, note_id: str, days: int) -> None:
    app = create_app(backend.settings)
    try:
        async with app.state.db.write_session() as session:
            await session.execute(
                update(Note)
                .where(Note.id == uuid.UUID(note_id))
                .values(deleted_at=datetime.now(UTC) - timedelta(days=days))
            )
            session.changes_no_user_data()
            await session.commit()
    finally:
        await shutdown(app)


@pytest.mark.slow
async def test_maintain_purges_the_trash_after_its_retention(backend: Backend) -> None:
    app = create_app(backend.settings)
    try:
        async with conforming_client(app) as client:
            account = await signup(client)
            old = await create_note(client, account, title="old")
            recent = await create_note(client, account, title="recent")
            live = await create_note(client, account, title="live")
            for note in (old, recent):
                await client.delete(f"{NOTES}/{note['_id']}/delete", headers=account.auth)
    finally:
        await shutdown(app)
    await _age(backend, old["_id"], backend.settings.trash_retention_days + 1)
    env = {
        **os.environ,
        "NOTESTACK_DATABASE_URL": backend.settings.database_url,
        "NOTESTACK_SECRET_KEY": backend.settings.resolved_secret_key(),
        "NOTESTACK_ENVIRONMENT": "test",
        "NOTESTACK_LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [str(NOTESTACK), "maintain"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "1 notes purged" in result.stdout
    app = create_app(backend.settings)
    try:
        async with conforming_client(app) as client:
            trash = (await client.get(f"{NOTES}/trash", headers=account.auth)).json()["notes"]
            assert [n["title"] for n in trash] == ["recent"]
            listed = (await client.get(NOTES, headers=account.auth)).json()["notes"]
            assert [n["_id"] for n in listed] == [live["_id"]]
        async with app.state.db.read_session() as session:
            kinds = (
                await session.execute(
                    select(NoteEvent.type).where(NoteEvent.user_id == uuid.UUID(account.user_id))
                )
            ).scalars()
            assert "note.purged" in set(kinds)
    finally:
        await shutdown(app)


async def test_two_runs_at_once_take_turns(backend: Backend, tmp_path: Path) -> None:
    tallies = await asyncio.gather(maintain(backend.settings), maintain(backend.settings))
    skipped = [t.skipped_locked for t in tallies]
    if backend.name == "postgres":
        assert skipped.count(True) <= 1  # one at a time: the other found the lock taken
    else:
        assert skipped == [False, False]  # SQLite writers take turns by themselves


async def test_old_events_are_dropped(backend: Backend) -> None:
    settings = backend.settings.model_copy(update={"events_retention_hours": 1})
    app = create_app(settings)
    try:
        async with conforming_client(app) as client:
            account = await signup(client)
            await create_note(client, account)
        user_id = uuid.UUID(account.user_id)
        async with app.state.db.write_session() as session:
            await session.execute(
                update(NoteEvent)
                .where(NoteEvent.user_id == user_id)
                .values(created_at=datetime.now(UTC) - timedelta(hours=2))
            )
            session.changes_no_user_data()
            await session.commit()
        tally = await maintain(settings)
        assert tally.events_dropped >= 1
        async with app.state.db.read_session() as session:
            left = await session.scalar(
                select(func.count()).select_from(NoteEvent).where(NoteEvent.user_id == user_id)
            )
        assert left == 0
    finally:
        await shutdown(app)
