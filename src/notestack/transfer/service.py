"""Export and import rules.

An import is all or nothing: every note of the file is checked first, and one bad record
refuses the whole file (422, with every problem by line or file). It is idempotent: a note
whose origin (its id in the file: the original NoteStack's 24-hex id, or a NoteStack export's
id) the account already holds is skipped, so importing the same file twice adds nothing. It
counts against the account's quotas like any note, and notes keep their original times.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from notestack.core.database import ReadSession, WriteSession
from notestack.core.errors import BadRequest, Unprocessable
from notestack.core.text import storable
from notestack.notes import repository as notes_repository
from notestack.notes import service as notes_service
from notestack.notes.models import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    NotePriority,
    NoteRevision,
    NoteStatus,
)
from notestack.notes.schemas import note_json, revision_json
from notestack.notes.service import NewNote, NoteLimits
from notestack.transfer.formats import (
    BrokenFile,
    ImportedNote,
    export_json,
    export_markdown_zip,
    read_json,
    read_markdown_zip,
)

ZIP_MAGIC = b"PK\x03\x04"
_STATUSES = {s.value for s in NoteStatus}
_PRIORITIES = {p.value for p in NotePriority}
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Report:
    created: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {"created": self.created, "skipped": self.skipped, "errors": self.errors}


class ImportRefused(Unprocessable):
    def __init__(self, report: Report) -> None:
        count = len(report.errors)
        super().__init__(
            f"Nothing was imported: {count} record{'s' if count != 1 else ''} of the file "
            "could not be read as notes",
            errors=[
                {"field": "file", "message": _where(e) + e["message"]} for e in report.errors[:20]
            ],
            extra={"report": report.json()},
        )


def _where(error: dict[str, Any]) -> str:
    for key in ("line", "file", "note"):
        if key in error:
            return f"{key} {error[key]}: "
    return ""


def _moment(value: Any, label: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{label} is not a date and time: {value[:40]!r}") from None
    else:
        raise ValueError(f"{label} is not a date and time")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment < _EARLIEST:
        raise ValueError(f"{label} is before 1970")
    return moment


def _text(value: Any, label: str, limit: int, *, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{label} is missing or not text")
    text = storable(value.strip() if label == "title" else value)
    if required and not text:
        raise ValueError(f"{label} is empty")
    if len(text) > limit:
        raise ValueError(f"{label} is longer than {limit:,} characters")
    return text


def check_note(item: ImportedNote, now: datetime) -> NewNote:
    title = _text(item.title, "title", TITLE_MAX, required=True)
    description = _text(item.description, "description", DESCRIPTION_MAX, required=False)
    if item.status not in _STATUSES:
        raise ValueError(f"status {str(item.status)[:20]!r} is not one of {sorted(_STATUSES)}")
    if item.priority not in _PRIORITIES:
        raise ValueError(
            f"priority {str(item.priority)[:20]!r} is not one of {sorted(_PRIORITIES)}"
        )
    created = _moment(item.created_at, "createdAt") or now
    updated = _moment(item.updated_at, "updatedAt") or created
    deleted = _moment(item.deleted_at, "deletedAt")
    origin = item.origin_id
    if origin is not None and (not isinstance(origin, str) or not 0 < len(origin) <= 64):
        raise ValueError("its id is not a short text")
    if origin is None:
        digest = hashlib.sha256(f"{title}\x1f{description}\x1f{created}".encode()).hexdigest()
        origin = f"sha:{digest[:40]}"
    history = tuple(_revision(entry) for entry in item.history)
    version = max((r.version for r in history), default=0) + 1
    return NewNote(
        title=title,
        description=description,
        status=str(item.status),
        priority=str(item.priority),
        origin_id=origin,
        created_at=created,
        updated_at=max(updated, created),
        deleted_at=deleted,
        history=history,
        version=version,
    )


def _revision(entry: Any) -> NoteRevision:
    if not isinstance(entry, dict) or not isinstance(entry.get("version"), int):
        raise ValueError("a history entry is not a version")
    if not 1 <= entry["version"] < 2**31 - 1:
        raise ValueError("a history version is out of range")
    if entry.get("status") not in _STATUSES or entry.get("priority") not in _PRIORITIES:
        raise ValueError("a history entry has no valid status or priority")
    return NoteRevision(
        version=entry["version"],
        title=_text(entry.get("title"), "title", TITLE_MAX, required=True),
        description=_text(entry.get("description"), "description", DESCRIPTION_MAX, required=False),
        status=entry["status"],
        priority=entry["priority"],
        changed_at=_moment(entry.get("changedAt"), "changedAt") or datetime.now(UTC),
    )


def parse_import(body: bytes, content_type: str, max_files: int) -> list[ImportedNote]:
    try:
        if body.startswith(ZIP_MAGIC) or content_type.startswith("application/zip"):
            return read_markdown_zip(body, max_files)
        return read_json(body)[1]
    except BrokenFile as exc:
        raise BadRequest(
            f"Not a file NoteStack can import: {exc}",
            errors=[{"field": "file", "message": str(exc)}],
        ) from exc


async def import_file(
    session: WriteSession,
    user_id: uuid.UUID,
    body: bytes,
    content_type: str,
    limits: NoteLimits,
) -> Report:
    items = parse_import(body, content_type, limits.max_notes)
    report = Report()
    now = datetime.now(UTC)
    checked: list[NewNote] = []
    for item in items:
        try:
            checked.append(check_note(item, now))
        except ValueError as exc:
            report.errors.append({**item.where, "message": str(exc)})
    if report.errors:
        raise ImportRefused(report)
    known = await notes_service.known_origins(session, user_id, [n.origin_id for n in checked])
    fresh: list[NewNote] = []
    for note in checked:
        if note.origin_id in known:
            report.skipped += 1
            continue
        known.add(note.origin_id)
        fresh.append(note)
    created = await notes_service.import_notes(session, user_id, fresh, limits)
    report.created = len(created)
    return report


async def export(
    session: ReadSession,
    user_id: uuid.UUID,
    account: dict[str, Any],
    *,
    markdown: bool,
    trash: bool,
    history: bool,
) -> bytes:
    notes = await notes_repository.all_notes(session, user_id, trash=trash)
    revisions = (
        await notes_repository.revisions_of(session, [n.id for n in notes]) if history else {}
    )
    exported = []
    for note in notes:
        item = note_json(note)
        if note.deleted_at is not None:
            item["deletedAt"] = note.deleted_at
        if note.origin_id is not None:
            item["originId"] = note.origin_id
        if history:
            item["history"] = [revision_json(r) for r in revisions.get(note.id, [])]
        exported.append(item)
    return export_markdown_zip(exported) if markdown else export_json(account, exported)
