"""`notestack import-original`: move a whole original NoteStack (Node + MongoDB) deployment
over, from `mongoexport` files of its `users` and `notes` collections.

- Users keep their passwords: the original stored bcrypt hashes, which are kept as they are;
  the first sign-in checks bcrypt and stores the password again as argon2id.
- Notes go to their owners, keep their times, and keep their 24-hex ids as a way to open them.
- A rerun is a no-op (users are found by their original id, notes by theirs); a bad record is
  reported with its line and the rest carry on; progress goes to stderr on long runs.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import EmailStr as EmailStrType
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from notestack.auth.identifiers import (
    USERNAME_MAX,
    USERNAME_MIN,
    clean_username,
    normalize_email,
    username_key,
)
from notestack.auth.models import User
from notestack.core.effects import unit_of_work
from notestack.core.errors import Unprocessable
from notestack.core.security import BCRYPT_PREFIXES
from notestack.core.settings import Settings
from notestack.maintenance import Services, services
from notestack.notes.service import NoteLimits, import_notes, known_origins
from notestack.transfer.formats import BrokenFile, ImportedNote, extended, json_documents
from notestack.transfer.service import check_note

BATCH = 200
PROGRESS_EVERY = 1000
_EMAIL = TypeAdapter(EmailStrType)


@dataclass
class MigrationReport:
    users_created: int = 0
    users_skipped: int = 0
    notes_created: int = 0
    notes_skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def problem(self, source: str, line: int, message: str) -> None:
        self.errors.append(f"{source}:{line}: {message}")


def _documents(path: Path) -> list[tuple[int, Any]]:
    try:
        return list(json_documents(path.read_text(encoding="utf-8-sig")))
    except (OSError, UnicodeDecodeError, BrokenFile) as exc:
        raise SystemExit(f"import-original: cannot read {path}: {exc}") from exc


def _user_values(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ValueError("not a user record")
    record = {key: extended(value) for key, value in document.items()}
    origin = record.get("_id")
    if not isinstance(origin, str) or not origin:
        raise ValueError("no _id")
    raw_name = record.get("username") or record.get("name")
    if not isinstance(raw_name, str):
        raise ValueError("no username")
    username = clean_username(raw_name)
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        raise ValueError(f"username {username!r} is not 3-30 characters")
    email = record.get("email")
    if not isinstance(email, str):
        raise ValueError("no email")
    try:
        email = _EMAIL.validate_python(normalize_email(email)).lower()
    except ValidationError:
        raise ValueError(f"email {email[:60]!r} is not an email address") from None
    password = record.get("password")
    if not isinstance(password, str) or not password.startswith(BCRYPT_PREFIXES):
        raise ValueError("password is not a bcrypt hash")
    created = record.get("createdAt")
    created_at = (
        created
        if isinstance(created, datetime)
        else datetime.fromisoformat(created.replace("Z", "+00:00"))
        if isinstance(created, str)
        else datetime.now(UTC)
    )
    name = record.get("name") if isinstance(record.get("name"), str) else username
    return {
        "origin_id": origin,
        "username": username,
        "username_key": username_key(username),
        "email": email,
        "name": str(name)[:100] or username,
        "password_hash": password,
        "created_at": created_at.astimezone(UTC)
        if created_at.tzinfo
        else created_at.replace(tzinfo=UTC),
    }


async def _import_users(
    svc: Services, path: Path, report: MigrationReport, say: Callable[[str], None]
) -> None:
    documents = _documents(path)
    for count, (line, document) in enumerate(documents, start=1):
        try:
            values = _user_values(document)
        except ValueError as exc:
            report.problem(path.name, line, str(exc))
            continue
        async with svc.db.write_session() as session:
            found = await session.scalar(select(User).where(User.origin_id == values["origin_id"]))
            if found is not None:
                report.users_skipped += 1
                continue
            clash = await session.scalar(
                select(User).where(
                    (User.email == values["email"]) | (User.username_key == values["username_key"])
                )
            )
            if clash is not None:
                field_name = "email" if clash.email == values["email"] else "username"
                report.problem(path.name, line, f"{field_name} already belongs to another account")
                continue
            session.add(User(**values, updated_at=values["created_at"], role="user"))
            session.changes_no_user_data()
            await session.commit()
            report.users_created += 1
        if count % PROGRESS_EVERY == 0:
            say(f"users: {count:,} / {len(documents):,}")


async def _owners(svc: Services) -> dict[str, uuid.UUID]:
    async with svc.db.read_session() as session:
        rows = await session.execute(
            select(User.origin_id, User.id).where(User.origin_id.is_not(None))
        )
        return {str(origin): user_id for origin, user_id in rows}


async def _import_notes(
    svc: Services,
    path: Path,
    limits: NoteLimits,
    report: MigrationReport,
    say: Callable[[str], None],
) -> None:
    owners = await _owners(svc)
    documents = _documents(path)
    now = datetime.now(UTC)
    batches: dict[uuid.UUID, list[tuple[int, Any]]] = {}
    for line, document in documents:
        owner_id = extended(document.get("userId")) if isinstance(document, dict) else None
        owner = owners.get(str(owner_id)) if owner_id else None
        if owner is None:
            report.problem(path.name, line, f"no imported user with id {owner_id!r}")
            continue
        batches.setdefault(owner, []).append((line, document))
    done = 0
    for owner, records in batches.items():
        for start in range(0, len(records), BATCH):
            chunk = records[start : start + BATCH]
            checked = []
            for line, document in chunk:
                plain = {key: extended(value) for key, value in document.items()}
                item = ImportedNote(
                    where={"line": line},
                    origin_id=plain.get("_id") if isinstance(plain.get("_id"), str) else None,
                    title=plain.get("title"),
                    description=plain.get("description", "") or "",
                    status=plain.get("status", "Pending"),
                    priority=plain.get("priority", "Low"),
                    created_at=plain.get("createdAt"),
                    updated_at=plain.get("updatedAt"),
                )
                try:
                    checked.append((line, check_note(item, now)))
                except ValueError as exc:
                    report.problem(path.name, line, str(exc))
            async with svc.db.read_session() as session:
                known = await known_origins(session, owner, [n.origin_id for _l, n in checked])
            fresh = [(line, n) for line, n in checked if n.origin_id not in known]
            report.notes_skipped += len(checked) - len(fresh)
            try:
                async with unit_of_work(svc.db, svc.effects) as session:
                    await import_notes(session, owner, [n for _l, n in fresh], limits)
                report.notes_created += len(fresh)
            except Unprocessable as exc:
                for line, _note in fresh:
                    report.problem(path.name, line, exc.message)
            done += len(chunk)
            if done % PROGRESS_EVERY < BATCH:
                say(f"notes: {done:,} / {len(documents):,}")


async def import_original(
    settings: Settings, users: Path, notes: Path, out: TextIO = sys.stderr
) -> MigrationReport:
    report = MigrationReport()

    def say(message: str) -> None:
        print(f"import-original: {message}", file=out, flush=True)

    svc = services(settings)
    try:
        await _import_users(svc, users, report, say)
        await _import_notes(svc, notes, NoteLimits.from_settings(settings), report, say)
    finally:
        await svc.close()
    return report
