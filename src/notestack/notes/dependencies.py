"""The read session for a user's notes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from notestack.core.database import Database, ReadSession


async def _note_read_session(request: Request) -> AsyncIterator[ReadSession]:
    db: Database = request.app.state.db
    async with db.read_session() as session:
        yield session


NoteReadSessionDep = Annotated[ReadSession, Depends(_note_read_session, scope="function")]
