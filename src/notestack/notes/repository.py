"""Every query on notes. Each is scoped by owner: a note id alone never reaches a row."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Uuid, delete, literal, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from notestack.core.database import ReadSession, WriteSession
from notestack.core.models import UTCDateTime, utcnow
from notestack.notes.cursor import Cursor
from notestack.notes.models import Note, NoteUsage
from notestack.notes.schemas import NoteFields


@dataclass(frozen=True, slots=True)
class ListFilter:
    status: str | None = None
    priority: str | None = None
    search: str | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(user_id: uuid.UUID, filters: ListFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Note.user_id == user_id]
    if filters.status:
        conditions.append(Note.status == filters.status)
    if filters.priority:
        conditions.append(Note.priority == filters.priority)
    if filters.search:
        pattern = f"%{_escape_like(filters.search)}%"
        conditions.append(
            or_(
                Note.title.ilike(pattern, escape="\\"),
                Note.description.ilike(pattern, escape="\\"),
            )
        )
    return conditions


def list_statement(
    user_id: uuid.UUID, filters: ListFilter, after: Cursor | None, limit: int
) -> Any:
    """Newest first, by keyset: one range scan of (user_id, created_at DESC, id DESC)."""
    conditions = _conditions(user_id, filters)
    if after is not None:
        boundary = tuple_(literal(after.created_at, UTCDateTime()), literal(after.note_id, Uuid()))
        conditions.append(tuple_(Note.created_at, Note.id) < boundary)
    return (
        select(*Note.__table__.columns)
        .where(*conditions)
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(limit)
    )


async def list_page(
    session: ReadSession, user_id: uuid.UUID, filters: ListFilter, after: Cursor | None, limit: int
) -> Sequence[NoteFields]:
    """Plain rows, not ORM objects: a page is only serialized, and rows cost far less."""
    result = await session.execute(list_statement(user_id, filters, after, limit))
    return cast(Sequence[NoteFields], result.all())


async def get(session: ReadSession, user_id: uuid.UUID, note_id: uuid.UUID) -> Note | None:
    result = await session.execute(select(Note).where(Note.id == note_id, Note.user_id == user_id))
    return result.scalar_one_or_none()


async def get_for_update(
    session: WriteSession, user_id: uuid.UUID, note_id: uuid.UUID
) -> Note | None:
    """The note, locked until the transaction ends (PostgreSQL; SQLite's writers already
    hold the database's write lock from BEGIN IMMEDIATE)."""
    result = await session.execute(
        select(Note).where(Note.id == note_id, Note.user_id == user_id).with_for_update()
    )
    return result.scalar_one_or_none()


async def add(session: WriteSession, note: Note) -> Note:
    session.add(note)
    await session.flush()
    return note


async def update_fields(
    session: WriteSession,
    user_id: uuid.UUID,
    note_id: uuid.UUID,
    changes: dict[str, Any],
    expected_versions: Collection[int] | None,
) -> Note | None:
    """Apply ``changes`` and bump the version in one statement, if the version still matches."""
    statement = (
        update(Note)
        .where(Note.id == note_id, Note.user_id == user_id)
        .values(**changes, version=Note.version + 1, updated_at=utcnow())
        .returning(Note)
        # The row may already be in the session (read for update): refresh it, not reuse it.
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    if expected_versions is not None:
        statement = statement.where(Note.version.in_(expected_versions))
    result = await session.execute(statement)
    return result.scalar_one_or_none()


async def delete_one(
    session: WriteSession,
    user_id: uuid.UUID,
    note_id: uuid.UUID,
    expected_versions: Collection[int] | None,
) -> tuple[int, int] | None:
    """Delete the note if its version still matches: its (version, size), else None."""
    statement = (
        delete(Note)
        .where(Note.id == note_id, Note.user_id == user_id)
        .returning(Note.version, Note.size_bytes)
        .execution_options(synchronize_session=False)
    )
    if expected_versions is not None:
        statement = statement.where(Note.version.in_(expected_versions))
    row = (await session.execute(statement)).one_or_none()
    return (int(row[0]), int(row[1])) if row is not None else None


async def reserve_usage(
    session: WriteSession,
    user_id: uuid.UUID,
    *,
    notes: int,
    size: int,
    max_notes: int,
    max_bytes: int,
) -> bool:
    """Add ``notes`` and ``size`` to the owner's usage, in one statement, unless that would
    pass either bound (False then, and nothing changes). Concurrent reservations of one
    owner queue on the usage row, so together they cannot pass a bound either."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(NoteUsage)
        .values(user_id=user_id, note_count=notes, note_bytes=size)
        .on_conflict_do_update(
            index_elements=[NoteUsage.user_id],
            set_={
                "note_count": NoteUsage.note_count + notes,
                "note_bytes": NoteUsage.note_bytes + size,
            },
            where=(NoteUsage.note_count + notes <= max_notes)
            & (NoteUsage.note_bytes + size <= max_bytes),
        )
        .returning(NoteUsage.note_count)
    )
    if notes > max_notes or size > max_bytes:
        return False
    return (await session.execute(statement)).first() is not None


async def release_usage(
    session: WriteSession, user_id: uuid.UUID, *, notes: int, size: int
) -> None:
    await session.execute(
        update(NoteUsage)
        .where(NoteUsage.user_id == user_id)
        .values(
            note_count=NoteUsage.note_count - notes,
            note_bytes=NoteUsage.note_bytes - size,
        )
    )


async def usage(session: ReadSession, user_id: uuid.UUID) -> tuple[int, int]:
    row = (
        await session.execute(
            select(NoteUsage.note_count, NoteUsage.note_bytes).where(NoteUsage.user_id == user_id)
        )
    ).one_or_none()
    return (int(row[0]), int(row[1])) if row is not None else (0, 0)
