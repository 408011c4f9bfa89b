"""Every query on notes. Each is scoped by owner: a note id alone never reaches a row.

Live notes are those not in the trash (``deleted_at IS NULL``): every read but the trash's own
asks for them, so a trashed note is invisible to lists, search, counts and single reads.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    column,
    delete,
    false,
    func,
    literal_column,
    select,
    table,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from notestack.core.database import ReadSession, WriteSession
from notestack.core.statements import fetch_rows
from notestack.core.text import fold
from notestack.notes.cursor import Cursor, KeyValue
from notestack.notes.models import Note, NoteEvent, NoteRevision, NoteUsage
from notestack.notes.ordering import STATUS_RANK, Order, Sort
from notestack.notes.schemas import NoteRow

_WORDS = re.compile(r"[^\W_]+")
MAX_SEARCH_WORDS = 12
# SQLite's full-text index of the notes (migration 0003), keyed by the notes' rowid.
_NOTES_FTS = table("notes_fts", column("rowid"))
_NOTES_ROWID: ColumnElement[int] = literal_column("notes.rowid")
# PostgreSQL's: a generated tsvector (migration 0003), in one GIN index with the owner's id
# over live notes (0004), so a search reads only its owner's matches.
_SEARCH_VECTOR: ColumnElement[Any] = literal_column("notes.search_vector")


@dataclass(frozen=True, slots=True)
class ListFilter:
    status: str | None = None
    priority: str | None = None
    search: str | None = None

    def words(self) -> list[str]:
        """The search's words as the indexes hold them: folded (no case, no accents), split
        at anything that is not a letter or digit. Each must begin a word of the note."""
        return _WORDS.findall(fold(self.search or ""))[:MAX_SEARCH_WORDS]


@dataclass(frozen=True, slots=True)
class Ordering:
    """How a page is ordered: a sort and its direction, or (``sort`` None) search relevance."""

    sort: Sort | None
    order: Order

    @property
    def name(self) -> str:
        return f"{self.sort.value if self.sort else 'relevance'}:{self.order.value}"


def _dialect(session: ReadSession) -> str:
    return session.get_bind().dialect.name


POSTGRESQL = "postgresql"


# -- list statements: one per shape, run with the request's values ----------------------------
# A list's SQL depends only on its shape (dialect, which filters, search or not, ordering, first
# page or not); the user, filter values, search words, cursor and limit are bind parameters
# without a default, so a value not given at execution is an error, never another request's.
# Each shape's statement is built once per process: building and keying a statement anew cost
# a fifth of an uncached list's CPU.
_REGCONFIG: ColumnElement[Any] = literal_column("'simple'::regconfig")


@dataclass(frozen=True, slots=True)
class _Shape:
    dialect: str
    status: bool
    priority: bool
    search: bool  # words to find
    nothing: bool  # a search of punctuation only: no note can match
    ordering: Ordering
    after: bool


def _shape(dialect: str, filters: ListFilter, ordering: Ordering, after: bool) -> _Shape:
    words = bool(filters.words())
    return _Shape(
        dialect=dialect,
        status=bool(filters.status),
        priority=bool(filters.priority),
        search=words,
        nothing=bool(filters.search) and not words,
        ordering=ordering,
        after=after,
    )


def _values(
    dialect: str, user_id: uuid.UUID, filters: ListFilter, after: Cursor | None
) -> dict[str, Any]:
    """The bind parameters of a statement of ``_shape(dialect, filters, ..., after)``."""
    values: dict[str, Any] = {"user_id": user_id}
    if filters.status:
        values["status"] = filters.status
    if filters.priority:
        values["priority"] = filters.priority
    words = filters.words()
    if words:
        values["search"] = _tsquery_text(words) if dialect == POSTGRESQL else _fts_match(words)
    if after is not None:
        values.update(_after_values(after))
    return values


def _tsquery_text(words: list[str]) -> str:
    return " & ".join("'" + word.replace("'", "''") + "':*" for word in words)


def _fts_match(words: list[str]) -> str:
    return " AND ".join('"' + word.replace('"', '""') + '"*' for word in words)


def _search() -> Any:
    """The search's words (``_values``: a tsquery's text, or an FTS5 match)."""
    return bindparam("search", type_=String())


def _tsquery() -> Any:
    return func.to_tsquery(_REGCONFIG, _search())


def _search_condition(dialect: str) -> ColumnElement[bool]:
    if dialect == POSTGRESQL:
        return cast(ColumnElement[bool], _SEARCH_VECTOR.op("@@")(_tsquery()))
    return cast(ColumnElement[bool], literal_column("notes_fts").op("MATCH")(_search()))


def _rank(dialect: str) -> ColumnElement[float]:
    """How well a note matches (higher is better); matches in the title weigh more."""
    if dialect == POSTGRESQL:
        return cast(ColumnElement[float], func.ts_rank_cd(_SEARCH_VECTOR, _tsquery()))
    return cast(ColumnElement[float], -func.bm25(literal_column("notes_fts"), 10.0, 1.0))


def _conditions(shape: _Shape, *, ignore: str = "") -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Note.user_id == bindparam("user_id"),
        Note.deleted_at.is_(None),
    ]
    if shape.status and ignore != "status":
        conditions.append(Note.status == bindparam("status"))
    if shape.priority and ignore != "priority":
        conditions.append(Note.priority == bindparam("priority"))
    if shape.search:
        conditions.append(_search_condition(shape.dialect))
    elif shape.nothing:
        conditions.append(false())
    return conditions


def _notes(shape: _Shape) -> Any:
    """FROM notes, joined on SQLite with its search index when there is a search."""
    notes = Note.__table__
    if shape.search and shape.dialect != POSTGRESQL:
        return notes.join(_NOTES_FTS, _NOTES_FTS.c.rowid == _NOTES_ROWID)
    return notes


def _sort_columns(ordering: Ordering, rank: ColumnElement[float] | None) -> list[Any]:
    """The keyset's columns, before the id that breaks ties."""
    if ordering.sort is None:
        assert rank is not None
        return [rank, Note.created_at]
    columns: dict[Sort, list[Any]] = {
        Sort.CREATED: [Note.created_at],
        Sort.UPDATED: [Note.updated_at],
        Sort.PRIORITY: [Note.priority_rank, Note.created_at],
        Sort.STATUS: [Note.status_rank, Note.created_at],
        Sort.TITLE: [Note.title_key],
        Sort.POSITION: [Note.status_rank, Note.position],
    }
    return columns[ordering.sort]


def _after(keys: list[Any], descending: bool) -> ColumnElement[bool]:
    """Rows past the cursor (``_after_values``) in the keyset's order."""
    bounds = [
        bindparam(f"after_{i}", type_=getattr(key, "type", None) or Float())
        for i, key in enumerate(keys)
    ]
    row = tuple_(*keys, Note.id)
    bound = tuple_(*bounds, bindparam("after_id", type_=Note.id.type))
    return row < bound if descending else row > bound


def _after_values(cursor: Cursor) -> dict[str, Any]:
    values: dict[str, Any] = {f"after_{i}": value for i, value in enumerate(cursor.keys)}
    values["after_id"] = cursor.note_id
    return values


# What a page reads of each note (NoteRow's fields, in its order), before any sort keys.
_PAGE_COLUMNS = [Note.__table__.c[name] for name in NoteRow._fields]
_PAGE_WIDTH = len(_PAGE_COLUMNS)


def _page_rows(rows: Sequence[Row[Any]]) -> list[NoteRow]:
    return [NoteRow._make(row[:_PAGE_WIDTH]) for row in rows]


@functools.lru_cache(maxsize=1024)
def _list_select(shape: _Shape) -> tuple[Select[Any], int]:
    """A page of live notes of this shape, by keyset: one range scan of the ordering's index
    (a search ranks its matches first). Each row ends with its sort keys (how many: the
    second item), for a cursor after it."""
    keys = _sort_columns(shape.ordering, _rank(shape.dialect) if shape.search else None)
    conditions = _conditions(shape)
    descending = shape.ordering.order is Order.DESC
    if shape.after:
        conditions.append(_after(keys, descending))
    statement = (
        select(*_PAGE_COLUMNS, *(key.label(f"sort_key_{i}") for i, key in enumerate(keys)))
        .select_from(_notes(shape))
        .where(*conditions)
        .order_by(*(k.desc() if descending else k.asc() for k in [*keys, Note.id]))
        .limit(bindparam("limit", type_=Integer()))
    )
    return statement, len(keys)


def list_statement(
    dialect: str,
    user_id: uuid.UUID,
    filters: ListFilter,
    ordering: Ordering,
    after: Cursor | None,
    limit: int,
) -> Any:
    """The statement ``list_page`` runs, with its values bound (to compile or EXPLAIN it)."""
    statement, _ = _list_select(_shape(dialect, filters, ordering, after is not None))
    return statement.params(limit=limit, **_values(dialect, user_id, filters, after))


async def list_page(
    session: ReadSession,
    user_id: uuid.UUID,
    filters: ListFilter,
    ordering: Ordering,
    after: Cursor | None,
    limit: int,
) -> tuple[list[NoteRow], list[tuple[KeyValue, ...]]]:
    """Tuples (a page is only serialized: tuples cost far less than ORM objects), and each
    row's sort keys."""
    dialect = _dialect(session)
    statement, width = _list_select(_shape(dialect, filters, ordering, after is not None))
    values = _values(dialect, user_id, filters, after)
    rows = await fetch_rows(session, statement, {**values, "limit": limit})
    return _page_rows(rows), [tuple(row[-width:]) for row in rows]


async def counts(
    session: ReadSession, user_id: uuid.UUID, filters: ListFilter
) -> tuple[dict[str, int], dict[str, int], int]:
    """Live notes by status (every filter but status) and by priority (every filter but
    priority), and the total under every filter: what a filter bar shows beside its choices."""

    dialect = _dialect(session)
    shape = _shape(dialect, filters, Ordering(None, Order.DESC), after=False)
    values = _values(dialect, user_id, filters, None)

    async def by(group: Any, ignore: str) -> dict[str, int]:
        statement = (
            select(group, func.count())
            .select_from(_notes(shape))
            .where(*_conditions(shape, ignore=ignore))
            .group_by(group)
        )
        used = {name: value for name, value in values.items() if name != ignore}
        rows = await session.execute(statement, used)
        return {str(value): int(count) for value, count in rows}

    by_status = await by(Note.status, "status")
    by_priority = await by(Note.priority, "priority")
    total = (
        by_status.get(filters.status, 0)
        if filters.status
        else sum(by_status.values())
        if not filters.priority
        else by_priority.get(filters.priority, 0)
    )
    return by_status, by_priority, total


async def get(session: ReadSession, user_id: uuid.UUID, note_id: uuid.UUID) -> Note | None:
    """A live note (not in the trash)."""
    result = await session.execute(
        select(Note).where(Note.id == note_id, Note.user_id == user_id, Note.deleted_at.is_(None))
    )
    return result.scalar_one_or_none()


async def get_by_origin_id(session: ReadSession, user_id: uuid.UUID, origin_id: str) -> Note | None:
    result = await session.execute(
        select(Note).where(
            Note.origin_id == origin_id, Note.user_id == user_id, Note.deleted_at.is_(None)
        )
    )
    return result.scalar_one_or_none()


async def get_any_for_update(
    session: WriteSession, user_id: uuid.UUID, note_id: uuid.UUID
) -> Note | None:
    """The note, live or trashed, locked until the transaction ends (PostgreSQL; SQLite's
    writers already hold the database's write lock from BEGIN IMMEDIATE)."""
    result = await session.execute(
        select(Note)
        .where(Note.id == note_id, Note.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


# The first position in a status column of live notes, filtered on ``status_rank`` (kept
# beside ``status``), not ``status``: so the minimum is the first entry of the board's index
# (ix_notes_live_position), read in well under a millisecond at any size, where a filter on
# ``status`` read every live note of the user (96 ms at 100k notes; every create of such a
# user paid it). Built once: building it was a twentieth of a create's CPU.
_TOP_POSITION = select(func.min(Note.position)).where(
    Note.user_id == bindparam("user_id"),
    Note.status_rank == bindparam("status_rank"),
    Note.deleted_at.is_(None),
)


def _top_position_values(user_id: uuid.UUID, status: str) -> dict[str, Any]:
    return {"user_id": user_id, "status_rank": STATUS_RANK[status]}


def top_position_statement(user_id: uuid.UUID, status: str) -> Select[Any]:
    """The statement ``top_position`` runs, with its values bound (to EXPLAIN it)."""
    return _TOP_POSITION.params(_top_position_values(user_id, status))


async def top_position(session: ReadSession, user_id: uuid.UUID, status: str) -> str | None:
    """The first position in a status column of live notes (None: the column is empty)."""
    values = _top_position_values(user_id, status)
    first = (await session.execute(_TOP_POSITION, values)).scalar_one_or_none()
    return str(first) if first is not None else None


async def known_origins(
    session: ReadSession, user_id: uuid.UUID, origin_ids: Collection[str]
) -> set[str]:
    """Which of these ids the user already has a note from (an origin id, or a note's own id:
    an export imported back into the account it came from)."""
    known: set[str] = set()
    ids = list(origin_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = await session.execute(
            select(Note.origin_id).where(Note.user_id == user_id, Note.origin_id.in_(chunk))
        )
        known |= {str(value) for value in rows.scalars()}
        own = [uuid_value for value in chunk if (uuid_value := _as_uuid(value)) is not None]
        if own:
            rows = await session.execute(
                select(Note.id).where(Note.user_id == user_id, Note.id.in_(own))
            )
            found = set(rows.scalars())
            known |= {value for value in chunk if _as_uuid(value) in found}
    return known


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def add_all(session: WriteSession, notes: Sequence[Note]) -> None:
    session.add_all(notes)
    await session.flush()


async def add_revisions(session: WriteSession, revisions: Sequence[NoteRevision]) -> None:
    if revisions:
        session.add_all(revisions)
        await session.flush()


async def all_notes(session: ReadSession, user_id: uuid.UUID, *, trash: bool) -> Sequence[Note]:
    """Every note of the user (those in the trash too, if asked), oldest first."""
    conditions = [Note.user_id == user_id]
    if not trash:
        conditions.append(Note.deleted_at.is_(None))
    result = await session.execute(select(Note).where(*conditions).order_by(Note.created_at))
    return result.scalars().all()


async def revisions_of(
    session: ReadSession, note_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[NoteRevision]]:
    found: dict[uuid.UUID, list[NoteRevision]] = {}
    for start in range(0, len(note_ids), 500):
        rows = await session.execute(
            select(NoteRevision)
            .where(NoteRevision.note_id.in_(note_ids[start : start + 500]))
            .order_by(NoteRevision.note_id, NoteRevision.version)
        )
        for revision in rows.scalars():
            found.setdefault(revision.note_id, []).append(revision)
    return found


async def add(session: WriteSession, note: Note) -> Note:
    session.add(note)
    await session.flush()
    return note


async def set_fields(
    session: WriteSession, user_id: uuid.UUID, note_id: uuid.UUID, values: dict[str, Any]
) -> Note:
    """Write ``values`` into a note the caller holds locked; the note as it is now."""
    statement = (
        update(Note)
        .where(Note.id == note_id, Note.user_id == user_id)
        .values(**values)
        .returning(Note)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return (await session.execute(statement)).scalar_one()


async def delete_for_good(
    session: WriteSession, user_id: uuid.UUID, note_ids: list[uuid.UUID]
) -> None:
    if note_ids:
        await session.execute(
            delete(Note)
            .where(Note.user_id == user_id, Note.id.in_(note_ids))
            .execution_options(synchronize_session=False)
        )


async def trash_page(
    session: ReadSession, user_id: uuid.UUID, after: Cursor | None, limit: int
) -> tuple[list[NoteRow], list[tuple[KeyValue, ...]]]:
    """Trashed notes, most recently trashed first."""
    conditions = [Note.user_id == user_id, Note.deleted_at.is_not(None)]
    values: dict[str, Any] = {}
    if after is not None:
        conditions.append(_after([Note.deleted_at], descending=True))
        values = _after_values(after)
    statement = (
        select(*_PAGE_COLUMNS)
        .where(*conditions)
        .order_by(Note.deleted_at.desc(), Note.id.desc())
        .limit(limit)
    )
    notes = _page_rows((await session.execute(statement, values)).all())
    return notes, [(cast(datetime, note.deleted_at),) for note in notes]  # all trashed


async def trashed(
    session: WriteSession, user_id: uuid.UUID, *, before: datetime | None = None
) -> list[tuple[uuid.UUID, int, int]]:
    """(id, version, size) of the user's trashed notes (trashed before ``before``, if given)."""
    conditions = [Note.user_id == user_id, Note.deleted_at.is_not(None)]
    if before is not None:
        conditions.append(Note.deleted_at < before)
    rows = await session.execute(
        select(Note.id, Note.version, Note.size_bytes).where(*conditions).with_for_update()
    )
    return [(row[0], int(row[1]), int(row[2])) for row in rows]


async def owners_with_trash_before(session: ReadSession, before: datetime) -> list[uuid.UUID]:
    rows = await session.execute(select(Note.user_id).where(Note.deleted_at < before).distinct())
    return [row[0] for row in rows]


# -- usage and the event sequence: one row per user ---------------------------------------
def _upsert(dialect: str) -> Any:
    """The dialect's INSERT, which has ON CONFLICT."""
    return postgresql.insert if dialect == POSTGRESQL else sqlite.insert


async def reserve_usage(
    session: WriteSession,
    user_id: uuid.UUID,
    *,
    notes: int,
    size: int,
    max_notes: int,
    max_bytes: int,
    events: int = 0,
) -> int | None:
    """Add ``notes`` and ``size`` to the owner's usage and take ``events`` event numbers, in
    one statement, unless that would pass either bound (None then, and nothing changes); the
    first event number taken otherwise (as ``next_event_seq``). Concurrent reservations of
    one owner queue on the usage row, so together they cannot pass a bound either."""
    if notes > max_notes or size > max_bytes:
        return None
    values = {
        "user_id": user_id,
        "notes": notes,
        "size": size,
        "events": events,
        "max_notes": max_notes,
        "max_bytes": max_bytes,
    }
    row = (await session.execute(_reserve_statement(_dialect(session)), values)).first()
    return None if row is None else int(row[0]) - events + 1


@functools.lru_cache(maxsize=2)
def _reserve_statement(dialect: str) -> Any:
    """``reserve_usage``'s upsert, built once per dialect (building it anew was a fifth of a
    create's CPU); every value is a bind parameter without a default."""
    # 64-bit, like note_bytes and last_event: a quota may be set past 2 GiB.
    notes, size, events, max_notes, max_bytes = (
        bindparam(name, type_=BigInteger())
        for name in ("notes", "size", "events", "max_notes", "max_bytes")
    )
    return (
        _upsert(dialect)(NoteUsage)
        .values(
            user_id=bindparam("user_id", type_=NoteUsage.user_id.type),
            note_count=notes,
            note_bytes=size,
            last_event=events,
        )
        .on_conflict_do_update(
            index_elements=[NoteUsage.user_id],
            set_={
                "note_count": NoteUsage.note_count + notes,
                "note_bytes": NoteUsage.note_bytes + size,
                "last_event": NoteUsage.last_event + events,
            },
            where=(NoteUsage.note_count + notes <= max_notes)
            & (NoteUsage.note_bytes + size <= max_bytes),
        )
        .returning(NoteUsage.last_event)
    )


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


async def next_event_seq(session: WriteSession, user_id: uuid.UUID, count: int) -> int:
    """Take ``count`` event numbers for the user (the first is returned), holding the user's
    usage row until commit: one user's writes commit one after another, in seq order."""
    statement = (
        _upsert(_dialect(session))(NoteUsage)
        .values(user_id=user_id, note_count=0, note_bytes=0, last_event=count)
        .on_conflict_do_update(
            index_elements=[NoteUsage.user_id],
            set_={"last_event": NoteUsage.last_event + count},
        )
        .returning(NoteUsage.last_event)
    )
    last = int((await session.execute(statement)).scalar_one())
    return last - count + 1


async def add_events(session: WriteSession, events: Sequence[NoteEvent]) -> None:
    session.add_all(events)
    await session.flush()


async def last_event_seq(session: ReadSession, user_id: uuid.UUID) -> int:
    result = await session.execute(select(NoteUsage.last_event).where(NoteUsage.user_id == user_id))
    value = result.scalar_one_or_none()
    return int(value) if value is not None else 0


async def events_after(
    session: ReadSession, user_id: uuid.UUID, seq: int, limit: int
) -> Sequence[NoteEvent]:
    result = await session.execute(
        select(NoteEvent)
        .where(NoteEvent.user_id == user_id, NoteEvent.seq > seq)
        .order_by(NoteEvent.seq)
        .limit(limit)
    )
    return result.scalars().all()


async def oldest_event_seq(session: ReadSession, user_id: uuid.UUID) -> int | None:
    result = await session.execute(
        select(func.min(NoteEvent.seq)).where(NoteEvent.user_id == user_id)
    )
    value = result.scalar_one_or_none()
    return int(value) if value is not None else None


async def latest_events(
    session: ReadSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """The newest event seq of each of these users (for streams without Redis to poll)."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(NoteUsage.user_id, NoteUsage.last_event).where(NoteUsage.user_id.in_(user_ids))
    )
    return {row[0]: int(row[1]) for row in rows}


async def purge_events_before(session: WriteSession, before: datetime) -> int:
    result = await session.execute(delete(NoteEvent).where(NoteEvent.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


# -- history ----------------------------------------------------------------------------
async def add_revision(session: WriteSession, revision: NoteRevision, keep: int) -> None:
    """Keep ``revision``, and at most ``keep`` revisions of its note (the newest)."""
    session.add(revision)
    await session.flush()
    oldest_kept = (
        select(NoteRevision.version)
        .where(NoteRevision.note_id == revision.note_id)
        .order_by(NoteRevision.version.desc())
        .offset(keep - 1)
        .limit(1)
        .scalar_subquery()
    )
    await session.execute(
        delete(NoteRevision).where(
            NoteRevision.note_id == revision.note_id, NoteRevision.version < oldest_kept
        )
    )


async def revisions(session: ReadSession, note_id: uuid.UUID) -> Sequence[NoteRevision]:
    """Newest first. (The caller has checked the note is the user's.)"""
    result = await session.execute(
        select(NoteRevision)
        .where(NoteRevision.note_id == note_id)
        .order_by(NoteRevision.version.desc())
    )
    return result.scalars().all()


async def revision(session: ReadSession, note_id: uuid.UUID, version: int) -> NoteRevision | None:
    return await session.get(NoteRevision, (note_id, version))
