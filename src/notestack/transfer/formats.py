"""Files in and out: NoteStack's JSON export, a zip of Markdown files with YAML front matter,
and the original NoteStack's data as `mongoexport` writes it (an array, or one document a
line). Parsing only: what to do with the notes is the import service's."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import yaml

from notestack.notes.models import DESCRIPTION_MAX, TITLE_MAX, NotePriority, NoteStatus

EXPORT_FORMAT = "notestack-export"
EXPORT_VERSION = 1
MAX_ZIP_ENTRIES = 20_000
MAX_ZIP_UNPACKED = 200 * 1024 * 1024  # a zip that unpacks to more is refused (a zip bomb)
_OBJECT_ID = re.compile(r"^[0-9a-fA-F]{24}$")
_SLUG = re.compile(r"[^a-z0-9]+")


class BrokenFile(ValueError):
    """Not a file this importer reads at all (a 400)."""


@dataclass
class ImportedNote:
    """One note as a file describes it, before any rule is applied."""

    where: dict[str, Any]  # {"line": n} or {"file": name}, for the report
    origin_id: str | None
    title: Any
    description: Any = ""
    status: Any = NoteStatus.PENDING.value
    priority: Any = NotePriority.LOW.value
    created_at: Any = None
    updated_at: Any = None
    deleted_at: Any = None
    history: list[dict[str, Any]] = field(default_factory=list)


# -- reading ---------------------------------------------------------------------------------
def json_documents(text: str) -> Iterator[tuple[int, Any]]:
    """(line, document) of a JSON array or of one JSON document per line."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position < len(text) and text[position] == "[":
        position = _skip_space(text, position + 1)
        if position < len(text) and text[position] == "]":
            return
        while True:
            line = text.count("\n", 0, position) + 1
            try:
                document, position = decoder.raw_decode(text, position)
            except json.JSONDecodeError as exc:
                raise BrokenFile(f"not valid JSON at line {exc.lineno}: {exc.msg}") from exc
            yield line, document
            position = _skip_space(text, position)
            if position < len(text) and text[position] == ",":
                position = _skip_space(text, position + 1)
                continue
            if position < len(text) and text[position] == "]":
                if _skip_space(text, position + 1) != len(text):
                    raise BrokenFile("text after the end of the JSON array")
                return
            raise BrokenFile(f"expected , or ] at line {text.count(chr(10), 0, position) + 1}")
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            try:
                yield number, json.loads(raw)
            except json.JSONDecodeError as exc:
                raise BrokenFile(f"line {number} is not a JSON document: {exc.msg}") from exc


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n\ufeff":
        position += 1
    return position


def extended(value: Any) -> Any:
    """mongoexport's Extended JSON: {"$oid": ...}, {"$date": ...} as plain values."""
    if isinstance(value, Mapping):
        if "$oid" in value:
            return value["$oid"]
        if "$date" in value:
            date = value["$date"]
            if isinstance(date, Mapping) and "$numberLong" in date:
                return datetime.fromtimestamp(int(date["$numberLong"]) / 1000, UTC)
            if isinstance(date, int | float):
                return datetime.fromtimestamp(date / 1000, UTC)
            return date
    return value


def read_json(body: bytes) -> tuple[str, list[ImportedNote]]:
    """("notestack" | "original", notes) from our JSON export or a mongoexport file."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BrokenFile("the file is not UTF-8 text") from exc
    stripped = text.lstrip()
    if stripped.startswith("{") and "\n{" not in stripped.strip():
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BrokenFile(f"not valid JSON at line {exc.lineno}: {exc.msg}") from exc
        if isinstance(document, dict) and document.get("format") == EXPORT_FORMAT:
            return "notestack", _read_export(document)
    notes = []
    for line, document in json_documents(text):
        if not isinstance(document, dict):
            notes.append(ImportedNote({"line": line}, None, None))
            continue
        plain = {key: extended(value) for key, value in document.items()}
        origin = plain.get("_id")
        notes.append(
            ImportedNote(
                where={"line": line},
                origin_id=origin if isinstance(origin, str) and _OBJECT_ID.match(origin) else None,
                title=plain.get("title"),
                description=plain.get("description", "") or "",
                status=plain.get("status", NoteStatus.PENDING.value),
                priority=plain.get("priority", NotePriority.LOW.value),
                created_at=plain.get("createdAt"),
                updated_at=plain.get("updatedAt"),
            )
        )
    if not notes:
        raise BrokenFile("the file holds no notes")
    return "original", notes


def _read_export(document: dict[str, Any]) -> list[ImportedNote]:
    if document.get("version") != EXPORT_VERSION:
        raise BrokenFile(f"an export of version {document.get('version')!r}; this reads 1")
    notes = document.get("notes")
    if not isinstance(notes, list):
        raise BrokenFile("the export has no list of notes")
    imported = []
    for index, item in enumerate(notes, start=1):
        if not isinstance(item, dict):
            imported.append(ImportedNote({"note": index}, None, None))
            continue
        imported.append(
            ImportedNote(
                where={"note": index},
                origin_id=item.get("originId") or item.get("_id"),
                title=item.get("title"),
                description=item.get("description", ""),
                status=item.get("status"),
                priority=item.get("priority"),
                created_at=item.get("createdAt"),
                updated_at=item.get("updatedAt"),
                deleted_at=item.get("deletedAt"),
                history=list(item.get("history") or []),
            )
        )
    return imported


def read_markdown_zip(body: bytes, max_files: int) -> list[ImportedNote]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise BrokenFile("not a zip file") from exc
    entries = [i for i in archive.infolist() if not i.is_dir() and i.filename.endswith(".md")]
    if not entries:
        raise BrokenFile("the zip holds no .md files")
    if len(entries) > min(max_files, MAX_ZIP_ENTRIES):
        raise BrokenFile(f"the zip holds {len(entries)} notes, more than you may keep")
    if sum(i.file_size for i in entries) > MAX_ZIP_UNPACKED:
        raise BrokenFile("the zip unpacks to more than 200 MB")
    notes = []
    for info in sorted(entries, key=lambda i: i.filename):
        where = {"file": info.filename}
        if info.file_size > DESCRIPTION_MAX * 4 + 4096:
            notes.append(ImportedNote(where, None, None, description="x" * (DESCRIPTION_MAX + 1)))
            continue
        try:
            text = archive.read(info).decode("utf-8-sig")
        except (UnicodeDecodeError, zipfile.BadZipFile, RuntimeError):
            notes.append(ImportedNote(where, None, None))
            continue
        meta, body_text = _front_matter(text)
        deleted = info.filename.startswith("trash/") or meta.get("deleted")
        notes.append(
            ImportedNote(
                where=where,
                origin_id=str(meta["id"]) if meta.get("id") else f"md:{info.filename}",
                title=meta.get("title") or _first_heading(body_text) or info.filename[:-3],
                description=body_text,
                status=meta.get("status", NoteStatus.PENDING.value),
                priority=meta.get("priority", NotePriority.LOW.value),
                created_at=meta.get("created"),
                updated_at=meta.get("updated"),
                deleted_at=meta.get("deleted") if deleted else None,
            )
        )
    return notes


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 4)
    if end < 0:
        return {}, text
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), text[end + 5 :]


def _first_heading(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()[:TITLE_MAX] or None
    return None


# -- writing ---------------------------------------------------------------------------------
def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def export_json(account: dict[str, Any], notes: list[dict[str, Any]]) -> bytes:
    """The notes as the API shows them (note_json), with their trash time, origin and
    history where asked."""
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exportedAt": datetime.now(UTC),
        "account": account,
        "notes": notes,
    }
    return orjson.dumps(document, option=orjson.OPT_UTC_Z | orjson.OPT_INDENT_2)


def export_markdown_zip(notes: list[dict[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for note in notes:
            meta = {
                "id": note["_id"],
                "title": note["title"],
                "status": note["status"],
                "priority": note["priority"],
                "created": _iso(note["createdAt"]),
                "updated": _iso(note["updatedAt"]),
            }
            if note.get("deletedAt"):
                meta["deleted"] = _iso(note["deletedAt"])
            folder = "trash/" if note.get("deletedAt") else "notes/"
            slug = _SLUG.sub("-", note["title"].lower()).strip("-")[:60] or "note"
            name = f"{folder}{slug}-{note['_id'][:8]}.md"
            while name in used:
                name = name[:-3] + "-1.md"
            used.add(name)
            front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
            archive.writestr(name, f"---\n{front}---\n{note['description']}")
    return buffer.getvalue()
