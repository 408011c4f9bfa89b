from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from notestack.core.models import Base, UTCDateTime, new_id, utcnow

TITLE_MAX = 200
DESCRIPTION_MAX = 100_000


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


class NoteUsage(Base):
    """What each user's notes take, kept beside them in the same transactions: quota checks
    cost one indexed row, not a count over thousands of notes."""

    __tablename__ = "note_usage"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    note_count: Mapped[int] = mapped_column(Integer, default=0)
    note_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


def text_size(*parts: str) -> int:
    return sum(len(part.encode("utf-8")) for part in parts)


# One index range scan serves a user's newest-first list at any table size.
Index(
    "ix_notes_user_created_id",
    Note.user_id,
    Note.created_at.desc(),
    Note.id.desc(),
)
