"""The list query is one index range scan on PostgreSQL, whatever the table size."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from notestack.notes.cursor import Cursor
from notestack.notes.repository import ListFilter, list_statement

pytestmark = pytest.mark.postgres


async def _explain(connection: asyncpg.Connection, statement: Any) -> str:
    compiled = statement.compile(dialect=asyncpg_dialect.dialect())
    params = [compiled.params[name] for name in compiled.positiontup]
    rows = await connection.fetch("EXPLAIN " + compiled.string, *params)
    return "\n".join(row[0] for row in rows)


async def test_list_query_uses_the_composite_index(postgres_url: str) -> None:
    dsn = postgres_url.replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(dsn)
    try:
        users = [uuid.uuid4() for _ in range(200)]
        epoch = datetime(2026, 1, 1, tzinfo=UTC)
        await connection.copy_records_to_table(
            "users",
            records=[
                (
                    u,
                    f"plan_{u.hex[:20]}",
                    f"plan_{u.hex[:20]}",
                    f"{u.hex}@plan.example",
                    "n",
                    "user",
                    "h",
                    epoch,
                    epoch,
                )
                for u in users
            ],
            columns=[
                "id",
                "username",
                "username_key",
                "email",
                "name",
                "role",
                "password_hash",
                "created_at",
                "updated_at",
            ],
        )
        await connection.execute(
            """
            INSERT INTO notes (id, user_id, title, description, status, priority, version,
                               created_at, updated_at)
            SELECT gen_random_uuid(), u.id, 'note ' || g, 'body', 'Pending', 'Low', 1,
                   now() - (g || ' seconds')::interval, now()
            FROM unnest($1::uuid[]) AS u(id), generate_series(1, 150) AS g
            """,
            users,
        )
        await connection.execute("ANALYZE notes")
        target = users[7]
        first_page = list_statement(target, ListFilter(), None, 21)
        plan = await _explain(connection, first_page)
        print(plan)
        assert "ix_notes_user_created_id" in plan
        assert "Sort" not in plan and "Seq Scan" not in plan

        row = await connection.fetchrow(
            "SELECT created_at, id FROM notes WHERE user_id = $1 "
            "ORDER BY created_at DESC, id DESC OFFSET 100 LIMIT 1",
            target,
        )
        deep = list_statement(target, ListFilter(), Cursor(row["created_at"], row["id"]), 21)
        deep_plan = await _explain(connection, deep)
        print(deep_plan)
        assert "ix_notes_user_created_id" in deep_plan and "Sort" not in deep_plan
        assert (
            "Index Cond" in deep_plan
            and "created_at" in deep_plan.split("Index Cond")[1].split("\n")[0]
        )
    finally:
        await connection.close()
