"""core/database.py: pooled connections a server dropped never fail a write."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from notestack.app import create_app, shutdown
from tests.conftest import Backend


async def _terminate(database_url: str, pid: int) -> None:
    url = make_url(database_url).set(drivername="postgresql")
    admin = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


async def test_a_write_checks_out_a_live_connection(backend: Backend) -> None:
    """Writes may not be made twice, so the pool pings a connection before a write gets it
    (one round trip) and replaces one that the server dropped."""
    if backend.name != "postgres":
        pytest.skip("SQLite has no server to drop a connection")
    app = create_app(backend.settings)
    db = app.state.db
    try:
        async with db.write_session() as session:
            dropped = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        await _terminate(backend.settings.database_url, dropped)
        async with db.write_session() as session:
            pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await session.execute(text("CREATE TEMPORARY TABLE written (n int)"))
            await session.commit()
    finally:
        await shutdown(app)
    assert pid != dropped


async def test_connections_are_kept_once_opened(backend: Backend) -> None:
    """A burst of concurrent reads opens connections; the next burst uses the same ones. (An
    overflow closed at check-in was opened again under load: a new backend per twenty reads.)"""
    if backend.name != "postgres":
        pytest.skip("SQLite opens no server backends")
    app = create_app(backend.settings)
    db = app.state.db
    concurrent = 15  # beyond the 10 connections the pool kept before

    async def pid() -> int:
        async with db.read_session() as session:
            row = await session.execute(text("SELECT pg_backend_pid(), pg_sleep(0.2)"))
            return int(row.one()[0])

    try:
        first = set(await asyncio.gather(*(pid() for _ in range(concurrent))))
        second = set(await asyncio.gather(*(pid() for _ in range(concurrent))))
    finally:
        await shutdown(app)
    assert len(first) == concurrent
    assert second == first
