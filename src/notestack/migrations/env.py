"""Alembic environment: async engines for PostgreSQL and SQLite alike."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from notestack.auth import models as _auth_models  # noqa: F401  (registers tables)
from notestack.core import idempotency as _idempotency  # noqa: F401
from notestack.core.database import register_sqlite_functions
from notestack.core.models import Base
from notestack.notes import models as _notes_models  # noqa: F401

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_async_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(
            engine.sync_engine, "connect", lambda conn, _record: register_sqlite_functions(conn)
        )
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


url = str(
    context.config.attributes.get("database_url")
    or context.config.get_main_option("sqlalchemy.url")
)
if context.is_offline_mode():
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async(url))
