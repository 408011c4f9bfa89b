from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from notestack.core.models import Base, UTCDateTime, new_id, utcnow

TITLE_MAX = 200
DESCRIPTION_MAX = 100_000
POSITION_MAX = 64


class NoteStatus(enum.StrEnum):
    PENDING = "Pending"
    IN_PROGRESS = "InProgress"
    DONE = "Done"


class NotePriority(enum.StrEnum):
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"


def _in(column: str, enum_type: type[enum.StrEnum]) -> str:
    values = ", ".join(f"'{member.value}'" for member in enum_type)
    return f"{column} IN ({values})"


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = (
        CheckConstraint(_in("status", NoteStatus), name="status"),
        CheckConstraint(_in("priority", NotePriority), name="priority"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=NoteStatus.PENDING.value)
    priority: Mapped[str] = mapped_column(String(8), default=NotePriority.LOW.value)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # UTF-8 bytes of title + description: what the note counts against its owner's quota.
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # In the trash since (None: not in the trash). Trashed notes are invisible to every read
    # but the trash's own, and purged for good after the retention period.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Place within its status column on the board: a fractional-indexing key, compared
    # byte by byte (collation "C"), so moving a card rewrites only that card.
    position: Mapped[str] = mapped_column(String(POSITION_MAX, collation="C"), default="a0")
    # Sort keys kept beside the values they come from (see notes/ordering.py).
    status_rank: Mapped[int] = mapped_column(SmallInteger, default=0)
    priority_rank: Mapped[int] = mapped_column(SmallInteger, default=0)
    title_key: Mapped[str] = mapped_column(String(TITLE_MAX * 3, collation="C"), default="")
    # The id a note had where it was imported from (the original NoteStack's 24-hex ids, or
    # another NoteStack's): a second import of it adds nothing, and its old links keep working.
    origin_id: Mapped[str | None] = mapped_column(String(64), default=None)


class NoteRevision(Base):
    """A note as it was before a change: kept for its history, at most HISTORY_KEEP per note."""

    __tablename__ = "note_revisions"

    note_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8))
    # When this content was written (the note's updated_at while it was current).
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NoteEvent(Base):
    """Every change of a user's notes, in the order it committed (``seq`` counts per user,
    under the user's note_usage row lock). Written in the same transaction as the change, so
    an event exists if and only if its change does; streams replay from here."""

    __tablename__ = "note_events"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    note_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # the event's JSON data
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoteUsage(Base):
    """What each user's notes take, kept beside them in the same transactions: quota checks
    cost one indexed row, not a count over thousands of notes."""

    __tablename__ = "note_usage"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    note_count: Mapped[int] = mapped_column(Integer, default=0)
    note_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    # The seq of the user's newest event (note_events): every write of the user takes this
    # row's lock to count it, so a user's events commit in seq order.
    last_event: Mapped[int] = mapped_column(BigInteger, default=0)


def text_size(*parts: str) -> int:
    return sum(len(part.encode("utf-8")) for part in parts)


LIVE = text("deleted_at IS NULL")
# Every list of live notes is an index range scan, in either direction (the same definitions
# as migration 0003).
for _name, _columns in {
    "ix_notes_live_created": (Note.user_id, Note.created_at, Note.id),
    "ix_notes_live_updated": (Note.user_id, Note.updated_at, Note.id),
    "ix_notes_live_priority": (Note.user_id, Note.priority_rank, Note.created_at, Note.id),
    "ix_notes_live_status": (Note.user_id, Note.status_rank, Note.created_at, Note.id),
    "ix_notes_live_title": (Note.user_id, Note.title_key, Note.id),
    "ix_notes_live_position": (Note.user_id, Note.status_rank, Note.position, Note.id),
}.items():
    Index(_name, *_columns, postgresql_where=LIVE, sqlite_where=LIVE)
Index(
    "ix_notes_trash",
    Note.user_id,
    Note.deleted_at,
    Note.id,
    postgresql_where=text("deleted_at IS NOT NULL"),
    sqlite_where=text("deleted_at IS NOT NULL"),
)
Index("ix_notes_deleted_at", Note.deleted_at)
Index("uq_notes_user_id_origin_id", Note.user_id, Note.origin_id, unique=True)
Index("ix_note_events_created_at", NoteEvent.created_at)
