"""Note rules: ownership, optimistic concurrency, paging."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from notestack.core.database import ReadSession, WriteSession
from notestack.core.errors import NotFound, PreconditionFailed
from notestack.notes import repository
from notestack.notes.cursor import Cursor
from notestack.notes.models import Note
from notestack.notes.repository import ListFilter
from notestack.notes.schemas import NoteCreate, NoteFields, NoteUpdate, note_json

DEFAULT_LIST_CAP = 1000
NOT_FOUND_MESSAGE = "Note not found"


@dataclass(frozen=True, slots=True)
class Page:
    notes: list[NoteFields]
    next_cursor: str | None


def list_cache_key(filters: ListFilter, cursor: str | None, limit: int | None) -> str:
    """One cache entry per distinct list query of a user."""
    raw = "\x1f".join(
        [
            filters.status or "",
            filters.priority or "",
            filters.search or "",
            cursor or "",
            str(limit),
        ]
    )
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def parse_note_id(raw: str) -> uuid.UUID:
    """Any id that is not one of the caller's notes, malformed ones included, is a 404."""
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound(NOT_FOUND_MESSAGE) from exc


async def list_notes(
    session: ReadSession,
    user_id: uuid.UUID,
    filters: ListFilter,
    cursor: Cursor | None,
    limit: int | None,
) -> Page:
    page_size = limit or DEFAULT_LIST_CAP
    rows = list(await repository.list_page(session, user_id, filters, cursor, page_size + 1))
    if len(rows) <= page_size:
        return Page(rows, None)
    rows = rows[:page_size]
    last = rows[-1]
    return Page(rows, Cursor(last.created_at, last.id).encode())


async def get_note(session: ReadSession, user_id: uuid.UUID, note_id: uuid.UUID) -> Note:
    note = await repository.get(session, user_id, note_id)
    if note is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return note


async def create_note(session: WriteSession, user_id: uuid.UUID, data: NoteCreate) -> Note:
    note = Note(
        user_id=user_id,
        title=data.title,
        description=data.description,
        status=data.status.value,
        priority=data.priority.value,
    )
    return await repository.add(session, note)


async def edit_note(
    session: WriteSession,
    user_id: uuid.UUID,
    note_id: uuid.UUID,
    data: NoteUpdate,
    expected_versions: Collection[int] | None,
) -> Note:
    changes = {
        name: value.value if hasattr(value, "value") else value
        for name, value in data.changes().items()
    }
    note = await repository.update_fields(session, user_id, note_id, changes, expected_versions)
    if note is None:
        await _raise_missing_or_changed(session, user_id, note_id)
    assert note is not None
    return note


async def delete_note(
    session: WriteSession,
    user_id: uuid.UUID,
    note_id: uuid.UUID,
    expected_versions: Collection[int] | None,
) -> None:
    if not await repository.delete_one(session, user_id, note_id, expected_versions):
        await _raise_missing_or_changed(session, user_id, note_id)


async def _raise_missing_or_changed(
    session: WriteSession, user_id: uuid.UUID, note_id: uuid.UUID
) -> None:
    current = await repository.get(session, user_id, note_id)
    if current is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    raise PreconditionFailed(
        f"The note has changed (it is now at version {current.version}); reload it and retry",
        headers={"ETag": f'"{current.version}"'},
        extra={"note": note_json(current)},
    )
