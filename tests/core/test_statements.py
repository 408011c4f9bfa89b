"""core/statements.py: a prebuilt statement run as the driver's SQL gives what the usual
execution gives, checks its values the same way, and fails the same way."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import DBAPIError, InvalidRequestError, StatementError

from notestack.app import create_app, shutdown
from notestack.auth.repository import _IS_REVOKED
from notestack.core.database import Database
from notestack.core.statements import fetch_rows
from notestack.notes.cursor import Cursor
from notestack.notes.models import Note
from notestack.notes.ordering import Order, Sort
from notestack.notes.repository import ListFilter, Ordering, _list_select, _shape, _values
from tests.conftest import Backend
from tests.core.test_database import _terminate
from tests.support.api import create_note, signup
from tests.support.conformance import conforming_client


@pytest.fixture
async def statements_app(backend: Backend) -> AsyncIterator[FastAPI]:
    app = create_app(backend.settings)
    yield app
    await shutdown(app)


async def _usual(
    db: Database, statement: object, values: dict[str, object]
) -> list[tuple[object, ...]]:
    async with db.read_session() as session:
        return [tuple(row) for row in (await session.execute(statement, values)).all()]  # type: ignore[call-overload]


async def _driver(
    db: Database, statement: object, values: dict[str, object]
) -> list[tuple[object, ...]]:
    async with db.read_session() as session:
        return [tuple(row) for row in await fetch_rows(session, statement, values)]  # type: ignore[arg-type]


async def test_list_statements_give_the_rows_the_usual_execution_gives(
    backend: Backend, statements_app: FastAPI
) -> None:
    async with conforming_client(statements_app) as http:
        account = await signup(http)
        for i, status in enumerate(["Pending", "Done", "InProgress", "Done"]):
            await create_note(http, account, title=f"Plan {i} café", status=status)
    user = uuid.UUID(account.user_id)
    db: Database = statements_app.state.db
    dialect = backend.name if backend.name == "sqlite" else "postgresql"
    middle = (await _usual(db, *_args(dialect, user, ListFilter(), None)))[1]
    after = Cursor("created:desc", (middle[8],), middle[0])  # type: ignore[arg-type]
    cases = [
        (ListFilter(), None),
        (ListFilter(status="Done"), None),
        (ListFilter(search="CAFE plan"), None),
        (ListFilter(search="?!"), None),
        (ListFilter(), after),
    ]
    for filters, cursor in cases:
        statement, values = _args(dialect, user, filters, cursor)
        usual, driver = await _usual(db, statement, values), await _driver(db, statement, values)
        assert driver == usual, filters
    assert [len(await _driver(db, *_args(dialect, user, f, c))) for f, c in cases] == [
        4,
        2,
        4,
        0,
        2,
    ]
    revoked = await _driver(db, _IS_REVOKED, {"jti": "never-issued"})
    assert revoked == await _usual(db, _IS_REVOKED, {"jti": "never-issued"}) == [(False,)]


def _args(
    dialect: str, user: uuid.UUID, filters: ListFilter, after: Cursor | None
) -> tuple[object, dict[str, object]]:
    ordering = Ordering(None if filters.words() else Sort.CREATED, Order.DESC)
    if after is not None:
        ordering = Ordering(Sort.CREATED, Order.DESC)
    statement, _ = _list_select(_shape(dialect, filters, ordering, after is not None))
    return statement, {**_values(dialect, user, filters, after), "limit": 10}


async def test_a_value_not_given_is_an_error_never_a_default(statements_app: FastAPI) -> None:
    db: Database = statements_app.state.db
    async with db.read_session() as session:
        refused = (InvalidRequestError, StatementError)
        with pytest.raises(refused, match="required for bind parameter 'jti'"):
            await fetch_rows(session, _IS_REVOKED, {})


async def test_values_still_go_through_their_types(statements_app: FastAPI) -> None:
    db: Database = statements_app.state.db
    naive = select(func.count()).where(
        Note.created_at < bindparam("moment", type_=Note.created_at.type)
    )
    async with db.read_session() as session:
        with pytest.raises((ValueError, StatementError), match="naive datetime"):
            await fetch_rows(session, naive, {"moment": datetime(2026, 1, 1)})


async def test_a_dead_connection_is_invalidated_as_usual(backend: Backend) -> None:
    """The read path retries a read whose connection turns out dead (core/reads.py); it knows
    one by SQLAlchemy's invalidation, which the driver's SQL must keep."""
    if backend.name != "postgres":
        pytest.skip("SQLite has no server to drop a connection")
    app = create_app(backend.settings)
    db: Database = app.state.db
    try:
        async with db.read_session_without_ping() as session:
            (pid,) = (await fetch_rows(session, select(func.pg_backend_pid()), {}))[0]
        await _terminate(backend.settings.database_url, pid)
        async with db.read_session_without_ping() as session:
            with pytest.raises(DBAPIError) as failure:
                await fetch_rows(session, select(func.pg_backend_pid()), {})
        assert failure.value.connection_invalidated
        async with db.read_session_without_ping() as session:
            (again,) = (await fetch_rows(session, select(func.pg_backend_pid()), {}))[0]
    finally:
        await shutdown(app)
    assert again != pid
