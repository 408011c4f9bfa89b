"""Idempotent writes (Stripe's semantics): a client that retries a write with the same
``Idempotency-Key`` gets the first answer again instead of a second effect.

The first answer is stored in the database in the same transaction as the write itself, so
the two exist together or not at all: a retry after a crash either finds both (and is answered
from the record) or neither (and does the work). Per user and key, for 24 hours:
- the same key and the same request: the stored status and body, ``Idempotent-Replayed: true``;
- the same key and another request (method, path or body): 422;
- the same key while the first request is still running: 409 (PostgreSQL: an advisory lock
  held by the first; SQLite runs one writer at a time, so the second simply waits its turn
  and is answered from the record).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Header
from sqlalchemy import Integer, LargeBinary, String, Text, Uuid, delete, select, text
from sqlalchemy.orm import Mapped, mapped_column
from starlette.responses import Response

from notestack.core.database import WriteSession
from notestack.core.errors import Conflict, Unprocessable
from notestack.core.models import Base, UTCDateTime, utcnow

HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # printable ASCII without spaces, as Stripe's
_KEY = re.compile(KEY_PATTERN)
RETENTION = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
_KEPT_HEADERS = ("etag", "content-type", "location")


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    headers: Mapped[str] = mapped_column(Text)  # "name: value" lines
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=HEADER,
        description="Retry-safe writes: the same key and body within 24 h answer the first "
        "answer again (1-255 printable ASCII characters)",
        json_schema_extra={"pattern": KEY_PATTERN},
    ),
]


def _fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass
class IdempotentWrite:
    """One write request's idempotency: ``replay()`` first, ``remember()`` its answer."""

    session: WriteSession
    user_id: uuid.UUID
    key: str | None
    fingerprint: str

    @classmethod
    def for_request(
        cls,
        session: WriteSession,
        user_id: uuid.UUID,
        key: str | None,
        method: str,
        path: str,
        body: bytes,
    ) -> IdempotentWrite:
        if key is not None and not _KEY.match(key):
            raise Unprocessable(
                f"{HEADER} must be 1-255 printable ASCII characters without spaces",
                errors=[{"field": HEADER, "message": "malformed"}],
            )
        return cls(session, user_id, key, _fingerprint(method, path, body))

    async def replay(self) -> Response | None:
        """The stored answer to this key, if the request is the same; None: do the work."""
        if self.key is None:
            return None
        if self.session.get_bind().dialect.name == "postgresql":
            lock = int.from_bytes(
                hashlib.blake2b(f"{self.user_id}:{self.key}".encode(), digest_size=8).digest(),
                "big",
                signed=True,
            )
            held = await self.session.scalar(
                text("SELECT pg_try_advisory_xact_lock(:lock)"), {"lock": lock}
            )
            if not held:
                raise Conflict(
                    "A request with this Idempotency-Key is still being processed; retry later",
                    errors=[{"field": HEADER, "message": "in progress"}],
                )
        record = await self.session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.user_id == self.user_id,
                IdempotencyRecord.key == self.key,
                IdempotencyRecord.created_at > utcnow() - RETENTION,
            )
        )
        if record is None:
            return None
        if record.fingerprint != self.fingerprint:
            raise Unprocessable(
                "This Idempotency-Key was used with another request; use a new key",
                errors=[{"field": HEADER, "message": "used with another request"}],
            )
        headers = dict(line.split(": ", 1) for line in record.headers.splitlines() if line)
        headers[REPLAYED_HEADER] = "true"
        return Response(record.body, status_code=record.status_code, headers=headers)

    async def respond(self, work: Callable[[], Awaitable[Response]]) -> Response:
        """The stored answer to this key if there is one; else ``work``'s, remembered."""
        replayed = await self.replay()
        if replayed is not None:
            return replayed
        return await self.remember(await work())

    async def remember(self, response: Response) -> Response:
        """Store ``response`` as this key's answer (in the write's own transaction)."""
        if self.key is None:
            return response
        headers = "\n".join(
            f"{name}: {response.headers[name]}"
            for name in _KEPT_HEADERS
            if name in response.headers
        )
        await self.session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.user_id == self.user_id, IdempotencyRecord.key == self.key
            )
        )
        self.session.add(
            IdempotencyRecord(
                user_id=self.user_id,
                key=self.key,
                fingerprint=self.fingerprint,
                status_code=response.status_code,
                headers=headers,
                body=bytes(response.body),
            )
        )
        return response


async def purge_expired(session: WriteSession) -> int:
    result = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at <= utcnow() - RETENTION)
    )
    return int(getattr(result, "rowcount", 0) or 0)
