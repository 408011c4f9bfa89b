"""Note rules: ownership, versions and field-level merge, trash, history, quotas, positions,
change events, paging."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from notestack.core.conditional import version_etag
from notestack.core.database import ChangeEvent, ReadSession, WriteSession
from notestack.core.errors import BadRequest, NotFound, PreconditionFailed, Unprocessable
from notestack.core.models import utcnow
from notestack.core.responses import dumps, envelope
from notestack.core.settings import Settings
from notestack.notes import repository
from notestack.notes.cursor import Cursor, KeyValue
from notestack.notes.models import Note, NoteEvent, NoteRevision, text_size
from notestack.notes.ordering import position_before, sort_keys, valid_position
from notestack.notes.repository import ListFilter, Ordering
from notestack.notes.schemas import NoteCreate, NoteFields, NoteUpdate, note_json

DEFAULT_LIST_CAP = 1000
NOT_FOUND_MESSAGE = "Note not found"
LIST_MESSAGE = "Notes fetched"
TRASH_ORDERING = "trash"
# The fields a person edits; the others are the server's (id, owner, times, version).
CONTENT_FIELDS = ("title", "description", "status", "priority")
LEGACY_ID_LENGTH = 24


@dataclass(frozen=True, slots=True)
class NoteLimits:
    """Per-user quotas, the bound on one list response, history kept (all from settings)."""

    max_notes: int
    max_bytes: int
    max_list_bytes: int
    history_keep: int = 50

    @classmethod
    def from_settings(cls, settings: Settings) -> NoteLimits:
        return cls(
            settings.max_notes_per_user,
            settings.max_note_bytes_per_user,
            settings.max_list_bytes,
            settings.history_keep,
        )


@dataclass(frozen=True, slots=True)
class Page:
    notes: list[NoteFields]
    more: bool  # notes follow this page
    ordering: str
    # Each note's sort keys: a page cut short by its size bound continues after any note.
    keys: list[tuple[KeyValue, ...]]

    @property
    def next_cursor(self) -> Cursor | None:
        return self.cursor_after(len(self.notes) - 1) if self.more else None

    def cursor_after(self, index: int) -> Cursor:
        """The cursor of the page that continues after note ``index``. Made when asked: a
        cursor per note of every page cost 2 % of an uncached list's CPU."""
        return Cursor(self.ordering, self.keys[index], self.notes[index].id)


# -- ids ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class NoteRef:
    """A note as a request names it: its id, or the 24-hex id it had in the original
    NoteStack (imported notes keep working links)."""

    note_id: uuid.UUID | None = None
    origin_id: str | None = None

    @property
    def cache_suffix(self) -> str:
        return self.note_id.hex if self.note_id else f"origin-{self.origin_id}"


def parse_note_id(raw: str) -> uuid.UUID:
    """Any id that is not one of the caller's notes, malformed ones included, is a 404."""
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound(NOT_FOUND_MESSAGE) from exc


def parse_note_ref(raw: str) -> NoteRef:
    if len(raw) == LEGACY_ID_LENGTH and all(c in "0123456789abcdefABCDEF" for c in raw):
        return NoteRef(origin_id=raw.lower())
    return NoteRef(note_id=parse_note_id(raw))


# -- reading --------------------------------------------------------------------------------
def _page(
    rows: Sequence[NoteFields],
    keys: list[tuple[KeyValue, ...]],
    ordering: str,
    page_size: int,
) -> Page:
    more = len(rows) > page_size
    return Page(list(rows[:page_size]), more, ordering, keys[:page_size])


async def list_notes(
    session: ReadSession,
    user_id: uuid.UUID,
    filters: ListFilter,
    ordering: Ordering,
    after: Cursor | None,
    limit: int | None,
) -> Page:
    page_size = limit or DEFAULT_LIST_CAP
    rows, keys = await repository.list_page(
        session, user_id, filters, ordering, after, page_size + 1
    )
    return _page(rows, keys, ordering.name, page_size)


async def trash_page(
    session: ReadSession, user_id: uuid.UUID, after: Cursor | None, limit: int | None
) -> Page:
    page_size = limit or DEFAULT_LIST_CAP
    rows, keys = await repository.trash_page(session, user_id, after, page_size + 1)
    return _page(rows, keys, TRASH_ORDERING, page_size)


def page_body(
    page: Page,
    encode_cursor: Callable[[Cursor], str],
    max_bytes: int,
    *,
    message: str = LIST_MESSAGE,
    render: Callable[[NoteFields], dict[str, Any]] = note_json,
) -> bytes:
    """The list response's bytes, at most ``max_bytes`` (but always at least one note): a
    page that would be larger ends early, with a cursor to the rest."""
    notes = [render(note) for note in page.notes]
    after = page.next_cursor
    next_cursor = encode_cursor(after) if after else None
    body = dumps(envelope(message, notes=notes, nextCursor=next_cursor))
    if len(body) <= max_bytes or len(notes) <= 1:
        return body
    budget = max_bytes - len(dumps(envelope(message, notes=[], nextCursor="x" * 400)))
    kept = 0
    for note in notes:
        budget -= len(dumps(note)) + 1
        if budget < 0 and kept:
            break
        kept += 1
    cut = encode_cursor(page.cursor_after(kept - 1))
    return dumps(envelope(message, notes=notes[:kept], nextCursor=cut))


async def get_note(session: ReadSession, user_id: uuid.UUID, ref: NoteRef) -> Note:
    if ref.note_id is not None:
        note = await repository.get(session, user_id, ref.note_id)
    else:
        assert ref.origin_id is not None
        note = await repository.get_by_origin_id(session, user_id, ref.origin_id)
    if note is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return note


async def counts(session: ReadSession, user_id: uuid.UUID, filters: ListFilter) -> dict[str, Any]:
    by_status, by_priority, total = await repository.counts(session, user_id, filters)
    from notestack.notes.models import NotePriority, NoteStatus

    return {
        "status": {s.value: by_status.get(s.value, 0) for s in NoteStatus},
        "priority": {p.value: by_priority.get(p.value, 0) for p in NotePriority},
        "total": total,
    }


# -- events ---------------------------------------------------------------------------------
def _deleted_payload(note: Note) -> dict[str, Any]:
    return {"_id": str(note.id), "version": note.version}


async def _emit(
    session: WriteSession,
    user_id: uuid.UUID,
    changes: Sequence[tuple[str, Note, bool]],
    first: int | None = None,
) -> None:
    """One event per change of a note (type, note, whether the whole note goes with it)."""
    await _record_events(
        session,
        user_id,
        [
            (
                kind,
                note,
                {"note": note_json(note)} if whole else {"note": _deleted_payload(note)},
            )
            for kind, note, whole in changes
        ],
        first,
    )


async def _record_events(
    session: WriteSession,
    user_id: uuid.UUID,
    changes: Sequence[tuple[str, Note | None, dict[str, Any]]],
    first: int | None = None,
) -> None:
    """Record events in the write's transaction, numbered in the user's commit order; they
    are published once the transaction commits (core/effects.py). ``first``: the numbers
    were already taken (with the quota reservation, ``_reserve``), starting there."""
    if first is None:
        first = await repository.next_event_seq(session, user_id, len(changes))
    now = utcnow()
    rows, events = [], []
    for offset, (kind, note, data) in enumerate(changes):
        seq = first + offset
        rows.append(
            NoteEvent(
                user_id=user_id,
                seq=seq,
                type=kind,
                note_id=note.id if note is not None else None,
                version=note.version if note is not None else None,
                payload=orjson.dumps(data, option=orjson.OPT_UTC_Z).decode(),
                created_at=now,
            )
        )
        events.append(ChangeEvent(kind, seq, data))
    await repository.add_events(session, rows)
    for event in events:
        session.record_change(user_id, event)


# -- writing --------------------------------------------------------------------------------
async def _reserve(
    session: WriteSession,
    user_id: uuid.UUID,
    limits: NoteLimits,
    *,
    notes: int,
    size: int,
    events: int = 0,
) -> int:
    """Reserve quota for the write, taking ``events`` event numbers in the same statement
    (one round trip less than taking them apart): the first of them."""
    first = await repository.reserve_usage(
        session,
        user_id,
        notes=notes,
        size=size,
        max_notes=limits.max_notes,
        max_bytes=limits.max_bytes,
        events=events,
    )
    if first is not None:
        return first
    count, used = await repository.usage(session, user_id)
    if notes and count + notes > limits.max_notes:
        message = (
            f"You have {count:,} notes, the most one account may keep ({limits.max_notes:,}, "
            "the trash included): delete some to make room"
        )
    else:
        message = (
            f"Your notes would take {used + size:,} bytes, over your quota of "
            f"{limits.max_bytes:,} bytes: shorten or delete some"
        )
    raise Unprocessable(message, errors=[{"field": "quota", "message": message}])


async def create_note(
    session: WriteSession,
    user_id: uuid.UUID,
    data: NoteCreate,
    limits: NoteLimits,
    *,
    created_at: datetime | None = None,
    origin_id: str | None = None,
) -> Note:
    size = text_size(data.title, data.description)
    first_event = await _reserve(session, user_id, limits, notes=1, size=size, events=1)
    status, priority = data.status.value, data.priority.value
    now = created_at or utcnow()
    note = Note(
        user_id=user_id,
        title=data.title,
        description=data.description,
        status=status,
        priority=priority,
        size_bytes=size,
        position=position_before(await repository.top_position(session, user_id, status)),
        created_at=now,
        updated_at=now,
        origin_id=origin_id,
        **sort_keys(title=data.title, status=status, priority=priority),
    )
    note = await repository.add(session, note)
    await _emit(session, user_id, [("note.created", note, True)], first_event)
    return note


def _content(note: Note | NoteRevision) -> dict[str, Any]:
    return {name: getattr(note, name) for name in CONTENT_FIELDS}


async def _base_content(
    session: WriteSession, current: Note, version: int
) -> dict[str, Any] | None:
    """The note's content at ``version`` (None: too old, or never a version of it)."""
    if version == current.version:
        return _content(current)
    if version > current.version:
        return None
    revision = await repository.revision(session, current.id, version)
    return _content(revision) if revision is not None else None


def _check_version(current: Note, expected_versions: Collection[int] | None) -> None:
    """No merging here (a delete, a revert): the note must be at a version If-Match names."""
    if expected_versions is not None and current.version not in expected_versions:
        _raise_changed(current)


def _raise_changed(current: Note, conflicts: Sequence[str] = ()) -> None:
    detail = f" ({', '.join(conflicts)} changed to something else)" if conflicts else ""
    raise PreconditionFailed(
        f"The note has changed since you read it (it is now at version {current.version})"
        f"{detail}; reload it, or send your change against the new version",
        headers={"ETag": version_etag(current.version)},
        errors=[{"field": name, "message": "changed since your version"} for name in conflicts],
        extra={"note": note_json(current), "conflicts": list(conflicts)},
    )


async def _merge(
    session: WriteSession,
    current: Note,
    changes: dict[str, Any],
    expected_versions: Collection[int] | None,
) -> dict[str, Any]:
    """The request's changes, checked against what happened since the version it was based
    on (If-Match): a field changed since then to another value than the request's is a
    conflict (412); fields changed only elsewhere, or set to the same value, merge."""
    if expected_versions is None or current.version in expected_versions:
        return changes
    if len(expected_versions) != 1:
        _raise_changed(current)
    (version,) = expected_versions
    base = await _base_content(session, current, version)
    if base is None:
        _raise_changed(current)
    assert base is not None
    conflicts = [
        name
        for name in CONTENT_FIELDS
        if name in changes
        and base[name] != getattr(current, name)
        and changes[name] != getattr(current, name)
    ]
    if conflicts:
        _raise_changed(current, conflicts)
    return changes


async def _write(
    session: WriteSession,
    current: Note,
    values: dict[str, Any],
    limits: NoteLimits,
    *,
    event: str = "note.updated",
) -> Note:
    """Apply ``values`` to a locked note as a new version, keeping the old one in history."""
    await repository.add_revision(
        session,
        NoteRevision(
            note_id=current.id,
            version=current.version,
            changed_at=current.updated_at,
            **_content(current),
        ),
        limits.history_keep,
    )
    content = {**_content(current), **{k: v for k, v in values.items() if k in CONTENT_FIELDS}}
    if any(name in values for name in CONTENT_FIELDS):
        size = text_size(content["title"], content["description"])
        if size > current.size_bytes:
            await _reserve(
                session, current.user_id, limits, notes=0, size=size - current.size_bytes
            )
        elif size < current.size_bytes:
            await repository.release_usage(
                session, current.user_id, notes=0, size=current.size_bytes - size
            )
        values = {
            **values,
            "size_bytes": size,
            **sort_keys(**{k: content[k] for k in ("title", "status", "priority")}),
        }
    note = await repository.set_fields(
        session,
        current.user_id,
        current.id,
        {**values, "version": current.version + 1, "updated_at": utcnow()},
    )
    await _emit(session, note.user_id, [(event, note, event != "note.deleted")])
    return note


async def _locked(
    session: WriteSession, user_id: uuid.UUID, note_id: uuid.UUID, *, trashed: bool = False
) -> Note:
    note = await repository.get_any_for_update(session, user_id, note_id)
    if note is None or (note.deleted_at is not None) != trashed:
        raise NotFound(NOT_FOUND_MESSAGE)
    return note


async def edit_note(
    session: WriteSession,
    user_id: uuid.UUID,
    note_id: uuid.UUID,
    data: NoteUpdate,
    expected_versions: Collection[int] | None,
    limits: NoteLimits,
) -> Note:
    current = await _locked(session, user_id, note_id)
    changes = await _merge(session, current, data.changes(), expected_versions)
    position = changes.pop("position", None)
    if position is not None and not valid_position(position):
        raise Unprocessable(
            "Invalid position: use a key from the fractional-indexing algorithm",
            errors=[{"field": "position", "message": "not a fractional-indexing key"}],
        )
    changed = {name: v for name, v in changes.items() if getattr(current, name) != v}
    if position is not None and position != current.position:
        changed["position"] = position
    elif "status" in changed:  # moved to another column without a place: its top
        top = await repository.top_position(session, user_id, changed["status"])
        changed["position"] = position_before(top)
    if not changed:
        return current  # nothing differs: no new version, nothing to tell anyone
    return await _write(session, current, changed, limits)


async def trash_note(
    session: WriteSession,
    user_id: uuid.UUID,
    note_id: uuid.UUID,
    expected_versions: Collection[int] | None,
    limits: NoteLimits,
) -> Note:
    current = await _locked(session, user_id, note_id)
    _check_version(current, expected_versions)
    return await _write(session, current, {"deleted_at": utcnow()}, limits, event="note.deleted")


async def restore_note(
    session: WriteSession, user_id: uuid.UUID, note_id: uuid.UUID, limits: NoteLimits
) -> Note:
    current = await _locked(session, user_id, note_id, trashed=True)
    top = await repository.top_position(session, user_id, current.status)
    values = {"deleted_at": None, "position": position_before(top)}
    return await _write(session, current, values, limits, event="note.restored")


async def revert_note(
    session: WriteSession,
    user_id: uuid.UUID,
    note_id: uuid.UUID,
    version: int,
    expected_versions: Collection[int] | None,
    limits: NoteLimits,
) -> Note:
    current = await _locked(session, user_id, note_id)
    _check_version(current, expected_versions)
    revision = await repository.revision(session, note_id, version)
    if revision is None:
        raise NotFound(f"Version {version} is not in this note's history")
    changed = {k: v for k, v in _content(revision).items() if getattr(current, k) != v}
    if not changed:
        return current
    return await _write(session, current, changed, limits)


async def history(
    session: ReadSession, user_id: uuid.UUID, note_id: uuid.UUID
) -> tuple[Note, list[NoteRevision]]:
    """The note and its earlier versions, newest first, those whose content differs from the
    version after them (a move on the board or to the trash changes no content)."""
    note = await repository.get(session, user_id, note_id)
    if note is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    kept, later = [], _content(note)
    for revision in await repository.revisions(session, note_id):
        content = _content(revision)
        if content != later:
            kept.append(revision)
        later = content
    return note, kept


async def _purge(
    session: WriteSession, user_id: uuid.UUID, trashed: Sequence[tuple[uuid.UUID, int, int]]
) -> int:
    if not trashed:
        return 0
    await repository.delete_for_good(session, user_id, [note_id for note_id, _v, _s in trashed])
    await repository.release_usage(
        session, user_id, notes=len(trashed), size=sum(size for _id, _v, size in trashed)
    )
    gone = [Note(id=note_id, version=version) for note_id, version, _size in trashed]
    await _emit(session, user_id, [("note.purged", note, False) for note in gone])
    return len(trashed)


async def purge_note(session: WriteSession, user_id: uuid.UUID, note_id: uuid.UUID) -> None:
    note = await _locked(session, user_id, note_id, trashed=True)
    await _purge(session, user_id, [(note.id, note.version, note.size_bytes)])


async def empty_trash(session: WriteSession, user_id: uuid.UUID) -> int:
    return await _purge(session, user_id, await repository.trashed(session, user_id))


async def purge_expired_trash(
    session: WriteSession, user_id: uuid.UUID, retention: timedelta
) -> int:
    cutoff = utcnow() - retention
    return await _purge(session, user_id, await repository.trashed(session, user_id, before=cutoff))


@dataclass(frozen=True, slots=True)
class NewNote:
    """A note to create as it came from elsewhere (an import): its times, trash, history."""

    title: str
    description: str
    status: str
    priority: str
    origin_id: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    history: tuple[NoteRevision, ...] = ()
    version: int = 1


async def known_origins(
    session: ReadSession, user_id: uuid.UUID, origin_ids: Collection[str]
) -> set[str]:
    return await repository.known_origins(session, user_id, origin_ids)


async def import_notes(
    session: WriteSession, user_id: uuid.UUID, notes: Sequence[NewNote], limits: NoteLimits
) -> list[Note]:
    """Create every note of an import in one go (the caller's transaction makes it all or
    nothing): one quota reservation, positions on top of each column, one event."""
    if not notes:
        return []
    size = sum(text_size(n.title, n.description) for n in notes)
    first_event = await _reserve(session, user_id, limits, notes=len(notes), size=size, events=1)
    tops: dict[str, str | None] = {}
    created = []
    for new in notes:
        if new.status not in tops:
            tops[new.status] = await repository.top_position(session, user_id, new.status)
        tops[new.status] = position_before(tops[new.status])
        note = Note(
            user_id=user_id,
            title=new.title,
            description=new.description,
            status=new.status,
            priority=new.priority,
            size_bytes=text_size(new.title, new.description),
            position=tops[new.status],
            created_at=new.created_at,
            updated_at=new.updated_at,
            deleted_at=new.deleted_at,
            origin_id=new.origin_id,
            version=new.version,
            **sort_keys(title=new.title, status=new.status, priority=new.priority),
        )
        created.append(note)
    await repository.add_all(session, created)
    revisions = []
    for note, new in zip(created, notes, strict=True):
        for revision in new.history:
            revision.note_id = note.id
            revisions.append(revision)
    await repository.add_revisions(session, revisions)
    await _record_events(
        session, user_id, [("notes.imported", None, {"created": len(created)})], first_event
    )
    return created


def parse_version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadRequest("version must be a positive whole number")
    return value
