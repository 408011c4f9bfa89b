"""Note rules: ownership, optimistic concurrency, quotas, paging."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass

from notestack.core.conditional import version_etag
from notestack.core.database import ChangeEvent, ReadSession, WriteSession
from notestack.core.errors import NotFound, PreconditionFailed, Unprocessable
from notestack.core.responses import dumps, envelope
from notestack.core.settings import Settings
from notestack.notes import repository
from notestack.notes.cursor import Cursor
from notestack.notes.models import Note, text_size
from notestack.notes.repository import ListFilter
from notestack.notes.schemas import NoteCreate, NoteFields, NoteUpdate, note_json

DEFAULT_LIST_CAP = 1000
NOT_FOUND_MESSAGE = "Note not found"
LIST_MESSAGE = "Notes fetched"


@dataclass(frozen=True, slots=True)
class NoteLimits:
    """Per-user quotas and the bound on one list response (all from settings)."""

    max_notes: int
    max_bytes: int
    max_list_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> NoteLimits:
        return cls(
            settings.max_notes_per_user,
            settings.max_note_bytes_per_user,
            settings.max_list_bytes,
        )


@dataclass(frozen=True, slots=True)
class Page:
    notes: list[NoteFields]
    next_cursor: Cursor | None


def parse_note_id(raw: str) -> uuid.UUID:
    """Any id that is not one of the caller's notes, malformed ones included, is a 404."""
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound(NOT_FOUND_MESSAGE) from exc


def _cursor_after(note: NoteFields) -> Cursor:
    return Cursor(note.created_at, note.id)


async def list_notes(
    session: ReadSession,
    user_id: uuid.UUID,
    filters: ListFilter,
    after: Cursor | None,
    limit: int | None,
) -> Page:
    page_size = limit or DEFAULT_LIST_CAP
    rows = list(await repository.list_page(session, user_id, filters, after, page_size + 1))
    if len(rows) <= page_size:
        return Page(rows, None)
    rows = rows[:page_size]
    return Page(rows, _cursor_after(rows[-1]))


def page_body(page: Page, encode_cursor: Callable[[Cursor], str], max_bytes: int) -> bytes:
    """The list response's bytes, at most ``max_bytes`` (but always at least one note): a
    page that would be larger ends early, with a cursor to the rest."""
    notes = [note_json(note) for note in page.notes]
    next_cursor = encode_cursor(page.next_cursor) if page.next_cursor else None
    body = dumps(envelope(LIST_MESSAGE, notes=notes, nextCursor=next_cursor))
    if len(body) <= max_bytes or len(notes) <= 1:
        return body
    budget = max_bytes - len(dumps(envelope(LIST_MESSAGE, notes=[], nextCursor="x" * 200)))
    kept = 0
    for note in notes:
        budget -= len(dumps(note)) + 1
        if budget < 0 and kept:
            break
        kept += 1
    cut = _cursor_after(page.notes[kept - 1])
    return dumps(envelope(LIST_MESSAGE, notes=notes[:kept], nextCursor=encode_cursor(cut)))


async def get_note(session: ReadSession, user_id: uuid.UUID, note_id: uuid.UUID) -> Note:
    note = await repository.get(session, user_id, note_id)
    if note is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return note


def _event(kind: str, note: Note) -> ChangeEvent:
    return ChangeEvent(kind, note.id, note.version, note_json(note))


async def _reserve(
    session: WriteSession, user_id: uuid.UUID, limits: NoteLimits, *, notes: int, size: int
) -> None:
    if await repository.reserve_usage(
        session,
        user_id,
        notes=notes,
        size=size,
        max_notes=limits.max_notes,
        max_bytes=limits.max_bytes,
    ):
        return
    count, used = await repository.usage(session, user_id)
    if notes and count + notes > limits.max_notes:
        message = (
            f"You have {count:,} notes, the most one account may keep ({limits.max_notes:,}): "
            "delete some to make room"
        )
    else:
        message = (
            f"Your notes would take {used + size:,} bytes, over your quota of "
            f"{limits.max_bytes:,} bytes: shorten or delete some"
        )
    raise Unprocessable(message, errors=[{"field": "quota", "message": message}])


async def create_note(
    session: WriteSession, user_id: uuid.UUID, data: NoteCreate, limits: NoteLimits
) -> Note:
    size = text_size(data.title, data.description)
    await _reserve(session, user_id, limits, notes=1, size=size)
    note = Note(
        user_id=user_id,
        title=data.title,
        description=data.description,
        status=data.status.value,
        priority=data.priority.value,
        size_bytes=size,
    )
    note = await repository.add(session, note)
    session.record_change(user_id, _event("note.created", note))
    return note


async def edit_note(
    session: WriteSession,
    user_id: uuid.UUID,
    note_id: uuid.UUID,
    data: NoteUpdate,
    expected_versions: Collection[int] | None,
    limits: NoteLimits,
) -> Note:
    current = await repository.get_for_update(session, user_id, note_id)
    if current is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    if expected_versions is not None and current.version not in expected_versions:
        _raise_changed(current)
    changes = {
        name: value for name, value in data.changes().items() if getattr(current, name) != value
    }
    if not changes:
        return current  # nothing differs: no new version, nothing to tell anyone
    title = changes.get("title", current.title)
    description = changes.get("description", current.description)
    size = text_size(title, description)
    if size > current.size_bytes:
        await _reserve(session, user_id, limits, notes=0, size=size - current.size_bytes)
    elif size < current.size_bytes:
        await repository.release_usage(session, user_id, notes=0, size=current.size_bytes - size)
    note = await repository.update_fields(
        session, user_id, note_id, {**changes, "size_bytes": size}, [current.version]
    )
    assert note is not None  # the row is locked (or the database is) since it was read
    session.record_change(user_id, _event("note.updated", note))
    return note


async def delete_note(
    session: WriteSession,
    user_id: uuid.UUID,
    note_id: uuid.UUID,
    expected_versions: Collection[int] | None,
) -> None:
    deleted = await repository.delete_one(session, user_id, note_id, expected_versions)
    if deleted is None:
        current = await repository.get(session, user_id, note_id)
        if current is None:
            raise NotFound(NOT_FOUND_MESSAGE)
        _raise_changed(current)
        return
    version, size = deleted
    await repository.release_usage(session, user_id, notes=1, size=size)
    session.record_change(user_id, ChangeEvent("note.deleted", note_id, version))


def _raise_changed(current: Note) -> None:
    raise PreconditionFailed(
        f"The note has changed (it is now at version {current.version}); reload it and retry",
        headers={"ETag": version_etag(current.version)},
        extra={"note": note_json(current)},
    )
