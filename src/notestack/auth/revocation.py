"""Logged-out tokens, refused by every process of every instance.

The database is the source of truth; the check runs on the primary so that a logout is seen at
once everywhere (a replica could still lag behind it).
"""

from __future__ import annotations

from notestack.auth import repository
from notestack.core.database import Database


class RevocationList:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def is_revoked(self, jti: str) -> bool:
        async with self._db.read_session() as session:
            return await repository.is_token_revoked(session, jti)
