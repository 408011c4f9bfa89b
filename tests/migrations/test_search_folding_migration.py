"""Migration 0005 on a database that already holds notes: after it, "oresund" finds a note
titled "Øresund" made before it (SQLite's index filled again, folded), later edits keep the
index folded, the title sort key is computed again, and the migration goes back down."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from notestack.auth.models import User
from notestack.core.database import register_sqlite_functions
from notestack.core.settings import Settings
from notestack.migrations.runner import alembic_config
from notestack.notes.models import Note
from tests.support.postgres import fresh_database

SECRET = "migration-test-secret-key-0123456789abcdefghijkl"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'notestack.db'}"
        return
    with fresh_database(*request.getfixturevalue("postgres_address")) as url:
        yield url


def _engine(url: str) -> AsyncEngine:
    engine = create_async_engine(url)
    if engine.dialect.name == "sqlite":
        sa.event.listen(
            engine.sync_engine, "connect", lambda conn, _record: register_sqlite_functions(conn)
        )
    return engine


async def _search(connection: AsyncConnection, word: str) -> list[str]:
    if connection.dialect.name == "sqlite":
        query = (
            "SELECT notes.title FROM notes JOIN notes_fts ON notes_fts.rowid = notes.rowid "
            "WHERE notes_fts MATCH :match"
        )
        rows = await connection.execute(sa.text(query), {"match": f'"{word}"*'})
    else:
        query = (
            "SELECT title FROM notes WHERE search_vector @@ to_tsquery('simple'::regconfig, :match)"
        )
        rows = await connection.execute(sa.text(query), {"match": f"'{word}':*"})
    return sorted(row[0] for row in rows)


async def test_0005_folds_what_was_there_and_what_comes(database_url: str) -> None:
    config = alembic_config(Settings(database_url=database_url, secret_key=SECRET))
    await asyncio.to_thread(command.upgrade, config, "0004")
    engine = _engine(database_url)
    user_id, note_id = uuid.uuid4(), uuid.uuid4()
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(User.__table__).values(
                    id=user_id,
                    username="fold",
                    username_key="fold",
                    email="fold@example.com",
                    name="Fold",
                    password_hash="x",
                )
            )
            await connection.execute(
                sa.insert(Note.__table__).values(
                    id=note_id, user_id=user_id, title="Øresund bridge", title_key="øresund bridge"
                )
            )
        if engine.dialect.name == "sqlite":
            async with engine.connect() as connection:
                assert await _search(connection, "oresund") == []  # the bug this migration fixes

        await asyncio.to_thread(command.upgrade, config, "head")
        async with engine.begin() as connection:
            assert await _search(connection, "oresund") == ["Øresund bridge"]
            key = (await connection.execute(sa.text("SELECT title_key FROM notes"))).scalar_one()
            assert key == "oresund bridge"
            await connection.execute(
                sa.update(Note.__table__)
                .where(Note.__table__.c.id == note_id)
                .values(title="Łódź trip", description="Straße")
            )
        async with engine.connect() as connection:
            assert await _search(connection, "lodz") == ["Łódź trip"]
            assert await _search(connection, "strasse") == ["Łódź trip"]
            assert await _search(connection, "oresund") == []

        await asyncio.to_thread(command.downgrade, config, "0004")
        async with engine.begin() as connection:
            if engine.dialect.name == "sqlite":  # back to the tokenizer's own folding
                assert await _search(connection, "łódź") == ["Łódź trip"]
            await connection.execute(sa.delete(Note.__table__))  # the delete trigger still holds
            assert await _search(connection, "łódź") == []
    finally:
        await engine.dispose()
