"""Opaque keyset cursors: the sort keys and id of the last note on a page, signed.

A cursor is only ever one this server issued, for the same ordering it is used with: a forged
or edited one, or one from another sort, is a clean 400, never a query with values nobody
checked (an id that is a number, a date past year 9999)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from notestack.core.errors import BadRequest
from notestack.core.signing import BadSignature, Signer

INVALID_CURSOR = "Invalid cursor: pass the nextCursor value from a previous page unchanged"

# What a cursor's values may be: the kinds of the sort keys (notes/repository.py SORTS).
KeyValue = datetime | int | float | str


@dataclass(frozen=True, slots=True)
class Cursor:
    ordering: str  # which ordering it belongs to, e.g. "created:desc" or "trash"
    keys: tuple[KeyValue, ...]
    note_id: uuid.UUID


def _plain(value: KeyValue) -> Any:
    if isinstance(value, datetime):
        return {"t": value.astimezone(UTC).isoformat()}
    return value


def _typed(value: Any) -> KeyValue:
    if isinstance(value, dict) and set(value) == {"t"} and isinstance(value["t"], str):
        moment = datetime.fromisoformat(value["t"])
        if moment.tzinfo is None:
            raise ValueError("cursor time has no zone")
        return moment.astimezone(UTC)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError("not a sort key")
    return value


class CursorCodec:
    def __init__(self, secret_key: str) -> None:
        self._signer = Signer(secret_key, "notestack.list-cursor.v2")

    def encode(self, cursor: Cursor) -> str:
        raw = orjson.dumps([cursor.ordering, [_plain(k) for k in cursor.keys], cursor.note_id.hex])
        return self._signer.sign(raw)

    def decode(self, token: str, ordering: str) -> Cursor:
        try:
            issued_for, keys, note_id = orjson.loads(self._signer.unsign(token))
            if issued_for != ordering:
                raise ValueError(f"a cursor of another ordering ({issued_for})")
            return Cursor(ordering, tuple(_typed(k) for k in keys), uuid.UUID(note_id))
        except (BadSignature, ValueError, TypeError, OverflowError, orjson.JSONDecodeError) as exc:
            raise BadRequest(
                INVALID_CURSOR, errors=[{"field": "cursor", "message": "malformed"}]
            ) from exc
