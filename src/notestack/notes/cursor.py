"""Opaque keyset cursors: the (created_at, id) of the last note on a page, signed.

A cursor is only ever one this server issued: a forged or edited one is a clean 400, never a
query with values nobody checked (an id that is a number, a date past year 9999)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from notestack.core.errors import BadRequest
from notestack.core.signing import BadSignature, Signer

INVALID_CURSOR = "Invalid cursor: pass the nextCursor value from a previous page unchanged"


@dataclass(frozen=True, slots=True)
class Cursor:
    created_at: datetime
    note_id: uuid.UUID


class CursorCodec:
    def __init__(self, secret_key: str) -> None:
        self._signer = Signer(secret_key, "notestack.list-cursor.v1")

    def encode(self, cursor: Cursor) -> str:
        raw = orjson.dumps([cursor.created_at.astimezone(UTC).isoformat(), cursor.note_id.hex])
        return self._signer.sign(raw)

    def decode(self, token: str) -> Cursor:
        try:
            created_at, note_id = orjson.loads(self._signer.unsign(token))
            moment = datetime.fromisoformat(created_at)
            if moment.tzinfo is None:
                raise ValueError("cursor time has no zone")
            return Cursor(created_at=moment.astimezone(UTC), note_id=uuid.UUID(note_id))
        except (BadSignature, ValueError, TypeError, OverflowError, orjson.JSONDecodeError) as exc:
            raise BadRequest(
                INVALID_CURSOR, errors=[{"field": "cursor", "message": "malformed"}]
            ) from exc
