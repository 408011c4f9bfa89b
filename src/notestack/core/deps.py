"""Request-scoped dependencies shared by every domain."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, TypeVar, cast

from fastapi import Depends, Request

from notestack.core.database import Database, ReadSession, WriteSession
from notestack.core.effects import unit_of_work
from notestack.core.reads import ReadPath
from notestack.core.settings import Settings

T = TypeVar("T")


def app_state(name: str, kind: type[T]) -> Callable[[Request], Awaitable[T]]:
    """A dependency giving the app's ``name`` (made once by the app factory), as a ``kind``."""

    async def get(request: Request) -> T:
        return cast(T, getattr(request.app.state, name))

    get.__name__ = f"get_{name}"
    return get


get_settings = app_state("settings", Settings)
get_read_path = app_state("reads", ReadPath)


async def _write_session(request: Request) -> AsyncIterator[WriteSession]:
    """The one place a request's changes are committed (or rolled back on any error).

    Scoped to the endpoint function, so the commit and what it implies (core/effects.py:
    cache generations, write positions, change events) finish before the client hears that
    the write succeeded. On rollback the declared effects are dropped with the changes.
    """
    async with unit_of_work(request.app.state.db, request.app.state.effects) as session:
        yield session


async def _primary_read_session(request: Request) -> AsyncIterator[ReadSession]:
    db: Database = request.app.state.db
    async with db.read_session() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
ReadPathDep = Annotated[ReadPath, Depends(get_read_path)]
WriteSessionDep = Annotated[WriteSession, Depends(_write_session, scope="function")]
PrimaryReadSessionDep = Annotated[ReadSession, Depends(_primary_read_session, scope="function")]
