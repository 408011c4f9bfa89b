from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from notestack.core.openapi import FieldError, drop_null_from_optional
from notestack.core.text import StoredText
from notestack.notes.models import DESCRIPTION_MAX, TITLE_MAX, NotePriority, NoteStatus
from notestack.notes.ordering import POSITION_PATTERN

# Fields the server owns; old clients send whole notes back, so these are dropped, not refused.
SERVER_MANAGED_FIELDS = frozenset(
    {
        "_id",
        "id",
        "userId",
        "user_id",
        "version",
        "createdAt",
        "updatedAt",
        "deletedAt",
        "purgeAt",
        "highlights",
        "__v",
    }
)


def _strip_server_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in SERVER_MANAGED_FIELDS}
    return value


# Some character that is neither a space nor NUL: what a title needs (trimming does the rest).
TITLE_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _trim(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _clean_title(value: Any) -> Any:
    value = _trim(value)
    if value == "":
        raise ValueError("must not be empty")
    return value


def _strip_server_fields_and_position(value: Any) -> Any:
    """A new note goes to the top of its column: a position sent with it is not used."""
    value = _strip_server_fields(value)
    if isinstance(value, dict):
        value.pop("position", None)
    return value


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: StoredText = Field(
        min_length=1,
        max_length=TITLE_MAX,
        description="1-200 characters, trimmed (not only spaces)",
        json_schema_extra={"pattern": TITLE_PATTERN},
    )
    description: StoredText = Field(default="", max_length=DESCRIPTION_MAX)
    status: NoteStatus = NoteStatus.PENDING
    priority: NotePriority = NotePriority.LOW

    _drop_server_fields = model_validator(mode="before")(_strip_server_fields_and_position)
    _title = field_validator("title", mode="before")(_clean_title)


class NoteUpdate(BaseModel):
    """Any subset of the editable fields; at least one. A blank title keeps the current one
    (titles are never empty): the original web client's edit dialog sends a blank title when
    only the status or the priority changed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=lambda schema: _update_schema(schema),
    )

    title: StoredText | None = Field(
        default=None,
        max_length=TITLE_MAX,
        description="Up to 200 characters, trimmed; blank keeps the current title",
    )
    description: StoredText | None = Field(
        default=None, max_length=DESCRIPTION_MAX, description="Blank clears the description"
    )
    status: NoteStatus | None = None
    priority: NotePriority | None = None
    position: str | None = Field(
        default=None,
        max_length=64,
        description="Place in its status column on the board: a fractional-indexing key "
        "between its new neighbours' (npm fractional-indexing); a status change without one "
        "puts the note at the top of its new column",
        pattern=POSITION_PATTERN,
    )

    _drop_server_fields = model_validator(mode="before")(_strip_server_fields)
    _title = field_validator("title", mode="before")(_trim)

    @model_validator(mode="after")
    def _not_empty_nor_null(self) -> NoteUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one of title, description, status, priority")
        nulls = [name for name in self.model_fields_set if getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))} may not be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields to set, as stored (a blank title is no change)."""
        changes: dict[str, Any] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if name == "title" and value == "":
                continue
            changes[name] = value.value if isinstance(value, enum.Enum) else value
        return changes


def _update_schema(schema: dict[str, Any]) -> None:
    """Fields may be left out, never null, and at least one must be given."""
    drop_null_from_optional(schema)
    schema["minProperties"] = 1


class NoteOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id")
    userId: str
    title: str
    description: str
    status: NoteStatus
    priority: NotePriority
    version: int
    position: str = Field(description="Its place in its status column on the board")
    createdAt: datetime
    updatedAt: datetime


class Segment(BaseModel):
    """A piece of text; ``match`` when it is (part of) a searched word."""

    text: str
    match: bool


class Highlights(BaseModel):
    """Where a search matched: the title whole, and a passage of the description around its
    first match (``descriptionStart``/``descriptionEnd``: whether text was left out there)."""

    title: list[Segment]
    description: list[Segment]
    descriptionStart: bool
    descriptionEnd: bool


class NoteHitOut(NoteOut):
    """A note found by a search."""

    highlights: Highlights


class TrashedNoteOut(NoteOut):
    deletedAt: datetime = Field(description="When it went to the trash")
    purgeAt: datetime = Field(description="When it will be deleted for good")


class NoteEnvelope(BaseModel):
    success: bool = True
    message: str
    note: NoteOut


class ConflictEnvelope(BaseModel):
    """A 412: the error, the note as it is now (to merge with, or to show), and the fields
    that changed since the request's version to other values than the request's."""

    success: bool = False
    message: str
    errors: list[FieldError]
    note: NoteOut
    conflicts: list[str] = Field(default_factory=list)


class NoteListEnvelope(BaseModel):
    success: bool = True
    message: str
    notes: list[NoteOut | NoteHitOut]
    nextCursor: str | None


class TrashListEnvelope(BaseModel):
    success: bool = True
    message: str
    notes: list[TrashedNoteOut]
    nextCursor: str | None


class StatusCounts(BaseModel):
    Pending: int
    InProgress: int
    Done: int


class PriorityCounts(BaseModel):
    Low: int
    Medium: int
    High: int


class Counts(BaseModel):
    status: StatusCounts = Field(description="By status, under every filter but status")
    priority: PriorityCounts = Field(description="By priority, under every filter but priority")
    total: int = Field(description="Under every filter")


class CountsEnvelope(BaseModel):
    success: bool = True
    message: str
    counts: Counts


class Revision(BaseModel):
    version: int
    title: str
    description: str
    status: NoteStatus
    priority: NotePriority
    changedAt: datetime = Field(description="When this version was written")


class HistoryEnvelope(BaseModel):
    success: bool = True
    message: str
    note: NoteOut
    revisions: list[Revision] = Field(description="Earlier versions, newest first")


class RevertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, description="The version to make current again")


class PurgedEnvelope(BaseModel):
    success: bool = True
    message: str
    purged: int


class NoteFields(Protocol):
    """A note as stored: an ORM ``Note`` or a plain row of the notes table."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def user_id(self) -> uuid.UUID: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def position(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def deleted_at(self) -> datetime | None: ...


class NoteRow(NamedTuple):
    """The fields of a note that a page shows, as lists and the trash read them: a tuple,
    whose fields cost a fraction of a database row's (found by name on every access)."""

    id: uuid.UUID
    user_id: uuid.UUID
    title: str
    description: str
    status: str
    priority: str
    version: int
    position: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


def note_json(note: NoteFields) -> dict[str, Any]:
    return {
        "_id": str(note.id),
        "userId": str(note.user_id),
        "title": note.title,
        "description": note.description,
        "status": note.status,
        "priority": note.priority,
        "version": note.version,
        "position": note.position,
        "createdAt": note.created_at,
        "updatedAt": note.updated_at,
    }


class RevisionFields(Protocol):
    @property
    def version(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def changed_at(self) -> datetime: ...


def revision_json(revision: RevisionFields) -> dict[str, Any]:
    """An earlier version as the history and the JSON export show it."""
    return {
        "version": revision.version,
        "title": revision.title,
        "description": revision.description,
        "status": revision.status,
        "priority": revision.priority,
        "changedAt": revision.changed_at,
    }
