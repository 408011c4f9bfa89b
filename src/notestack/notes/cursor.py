"""Opaque keyset cursors: the (created_at, id) of the last note on a page."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from notestack.core.errors import BadRequest


@dataclass(frozen=True, slots=True)
class Cursor:
    created_at: datetime
    note_id: uuid.UUID

    def encode(self) -> str:
        raw = orjson.dumps([self.created_at.astimezone(UTC).isoformat(), self.note_id.hex])
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            created_at, note_id = orjson.loads(raw)
            moment = datetime.fromisoformat(created_at)
            if moment.tzinfo is None:
                raise ValueError("cursor time has no zone")
            return cls(created_at=moment.astimezone(UTC), note_id=uuid.UUID(note_id))
        except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
            raise BadRequest(
                "Invalid cursor: pass the nextCursor value from a previous page unchanged",
                errors=[{"field": "cursor", "message": "malformed"}],
            ) from exc
