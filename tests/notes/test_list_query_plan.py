"""Every list ordering is one index range scan on PostgreSQL, whatever the table size: a first
page and a page after a cursor read the ordering's index, never sort, never scan the table."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from notestack.core.settings import Settings
from notestack.migrations.runner import upgrade_to_head
from notestack.notes.cursor import Cursor
from notestack.notes.ordering import DEFAULT_ORDER, Order, Sort, sort_keys
from notestack.notes.repository import (
    ListFilter,
    Ordering,
    list_statement,
    top_position_statement,
)
from tests.conftest import TEST_SECRET
from tests.support.postgres import fresh_database

pytestmark = pytest.mark.postgres

INDEX_OF = {
    Sort.CREATED: "ix_notes_live_created",
    Sort.UPDATED: "ix_notes_live_updated",
    Sort.PRIORITY: "ix_notes_live_priority",
    Sort.STATUS: "ix_notes_live_status",
    Sort.TITLE: "ix_notes_live_title",
    Sort.POSITION: "ix_notes_live_position",
}


async def _explain(connection: asyncpg.Connection, statement: Any) -> str:
    compiled = statement.compile(dialect=asyncpg_dialect.dialect())
    params = [compiled.params[name] for name in compiled.positiontup]
    rows = await connection.fetch("EXPLAIN " + compiled.string, *params)
    return "\n".join(row[0] for row in rows)


@pytest.fixture
def plan_db(postgres_address: tuple[str, int]) -> Iterator[str]:
    """A database of its own: the planner's statistics must not depend on other tests' rows."""
    with fresh_database(*postgres_address) as url:
        upgrade_to_head(Settings(database_url=url, secret_key=TEST_SECRET, environment="test"))
        yield url


async def test_every_ordering_uses_its_index(plan_db: str) -> None:
    dsn = plan_db.replace("postgresql+asyncpg", "postgresql")
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
        keys = sort_keys(title="note", status="Pending", priority="Low")
        await connection.execute(
            """
            INSERT INTO notes (id, user_id, title, description, status, priority, version,
                               created_at, updated_at, title_key, status_rank, priority_rank,
                               position)
            SELECT gen_random_uuid(), u.id, 'note ' || g, 'body', 'Pending', 'Low', 1,
                   now() - (g || ' seconds')::interval, now() - (g || ' minutes')::interval,
                   $2 || ' ' || g, (g % 3), (g % 3), 'a' || (g % 10)
            FROM unnest($1::uuid[]) AS u(id), generate_series(1, 150) AS g
            """,
            users,
            keys["title_key"],
        )
        await connection.execute("ANALYZE notes")
        target = users[7]
        for sort, index in INDEX_OF.items():
            for order in Order:
                ordering = Ordering(sort, order)
                first = list_statement("postgresql", target, ListFilter(), ordering, None, 21)
                plan = await _explain(connection, first)
                assert index in plan, (sort, order, plan)
                assert "Sort" not in plan and "Seq Scan" not in plan, (sort, order, plan)
            ordering = Ordering(sort, DEFAULT_ORDER[sort])
            row = await connection.fetchrow(
                _compiled(list_statement("postgresql", target, ListFilter(), ordering, None, 101))
                + " OFFSET 100",
                target,
                101,
            )
            width = {Sort.PRIORITY: 2, Sort.STATUS: 2, Sort.POSITION: 2}.get(sort, 1)
            values = tuple(row[f"sort_key_{i}"] for i in range(width))
            cursor = Cursor(ordering.name, values, row["id"])
            deep = list_statement("postgresql", target, ListFilter(), ordering, cursor, 21)
            deep_plan = await _explain(connection, deep)
            assert index in deep_plan and "Sort" not in deep_plan, (sort, deep_plan)
            assert "Index Cond" in deep_plan, (sort, deep_plan)
    finally:
        await connection.close()


async def test_a_search_reads_the_owners_search_index(plan_db: str) -> None:
    """A search is one owner's live notes: the GIN index over (user_id, search_vector)
    finds them without intersecting the whole table's matches with the owner's notes."""
    dsn = plan_db.replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(dsn)
    try:
        users = [uuid.uuid4() for _ in range(400)]
        await connection.execute(
            """
            INSERT INTO users (id, username, username_key, email, name, role, password_hash,
                               created_at, updated_at)
            SELECT u, 's_' || left(u::text, 20), 's_' || left(u::text, 20), u || '@s.example',
                   'n', 'user', 'h', now(), now()
            FROM unnest($1::uuid[]) AS u
            """,
            users,
        )
        # Every user 100 notes, the searcher 10,000; "plumber" in 1 note in 50, "kitchen" in
        # 1 in 7, of every user.
        await connection.execute(
            """
            INSERT INTO notes (id, user_id, title, description, status, priority, version,
                               created_at, updated_at)
            SELECT gen_random_uuid(), u.id, 'note ' || g,
                   concat_ws(' ', 'call the supplier',
                             CASE WHEN g % 50 = 0 THEN 'plumber' END,
                             CASE WHEN g % 7 = 0 THEN 'kitchen' END, 'item ' || g),
                   'Pending', 'Low', 1, now(), now()
            FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n),
                 generate_series(1, CASE WHEN u.n = 1 THEN 10000 ELSE 100 END) AS g
            """,
            users,
        )
        await connection.execute("ANALYZE notes")
        for words in ("plumber", "kitchen plumber", "Plumb"):
            filters = ListFilter(search=words)
            ordering = Ordering(None, Order.DESC)
            statement = list_statement("postgresql", users[0], filters, ordering, None, 21)
            plan = await _explain(connection, statement)
            assert "ix_notes_live_search" in plan, (words, plan)
            assert "BitmapAnd" not in plan and "Seq Scan" not in plan, (words, plan)
    finally:
        await connection.close()


def _compiled(statement: Any) -> str:
    """The statement's SQL with $1 (the user) and $2 (the limit) for asyncpg."""
    compiled = statement.compile(dialect=asyncpg_dialect.dialect())
    sql: str = compiled.string
    for position, name in enumerate(compiled.positiontup, start=1):
        value = compiled.params[name]
        if position > 2:
            raise AssertionError(f"unexpected parameter {name}={value}")
    return sql


async def test_a_new_cards_place_reads_one_index_entry(plan_db: str) -> None:
    """Where a created (or moved) note goes: the first position of its status column, the
    first entry of the board's index, however many notes the user has."""
    dsn = plan_db.replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(dsn)
    try:
        user = uuid.uuid4()
        await connection.execute(
            """
            INSERT INTO users (id, username, username_key, email, name, role, password_hash,
                               created_at, updated_at)
            VALUES ($1, 'board', 'board', 'board@example.com', 'n', 'user', 'h', now(), now())
            """,
            user,
        )
        await connection.execute(
            """
            INSERT INTO notes (id, user_id, title, description, status, priority, version,
                               created_at, updated_at, status_rank, position)
            SELECT gen_random_uuid(), $1, 'note ' || g, '',
                   (ARRAY['Pending', 'InProgress', 'Done'])[g % 3 + 1], 'Low', 1, now(), now(),
                   g % 3, 'a' || lpad(g::text, 6, '0')
            FROM generate_series(1, 20000) AS g
            """,
            user,
        )
        await connection.execute("ANALYZE notes")
        for status in ("Pending", "InProgress", "Done"):
            plan = await _explain(connection, top_position_statement(user, status))
            assert "ix_notes_live_position" in plan, (status, plan)
            assert "Index Only Scan" in plan and "Bitmap" not in plan, (status, plan)
    finally:
        await connection.close()
