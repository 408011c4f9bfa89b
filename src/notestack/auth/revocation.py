"""Logged-out tokens, refused by every process of every instance.

The database is the source of truth. With Redis, each revoked token id is also a Redis key, and
a marker key says "every revocation in the database is loaded here". The check trusts Redis only
while that marker exists; a Redis restart loses the marker along with the keys, so the next
check goes to the database and reloads the list. Without Redis (or while it is unreachable)
every check reads the primary: a replica could still lag behind the logout.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import structlog
from redis.exceptions import RedisError
from sqlalchemy import select

from notestack.auth import repository
from notestack.auth.models import RevokedToken
from notestack.core.cache import REVOCATIONS_LOADED_KEY, Cache, revoked_token_key
from notestack.core.database import Database, ReadSession, WriteSession

log = structlog.get_logger("notestack.revocation")


class RevocationList:
    def __init__(self, db: Database, cache: Cache | None, token_lifetime_seconds: int) -> None:
        self._db = db
        self._cache = cache
        self._lifetime = token_lifetime_seconds

    async def is_revoked(self, jti: str) -> bool:
        cache = self._cache
        if cache is not None and not cache.needs_recovery and cache.usable():
            try:
                loaded, revoked = await cache.redis.mget(
                    REVOCATIONS_LOADED_KEY, revoked_token_key(jti)
                )
            except (RedisError, OSError) as exc:
                cache.failed(exc)
            else:
                if revoked is not None:
                    return True
                if loaded is not None:
                    return False
                await self._reload(cache)
        async with self._db.read_session() as session:
            return await repository.is_token_revoked(session, jti)

    async def is_revoked_in(self, session: ReadSession, jti: str) -> bool:
        """The database's answer in the caller's session (the read path's, on the primary)."""
        return await repository.is_token_revoked(session, jti)

    async def revoked_among(self, jtis: Sequence[str]) -> set[str]:
        """Which of these token ids are revoked (one round trip: Redis when it holds the whole
        list, else the primary)."""
        if not jtis:
            return set()
        cache = self._cache
        if cache is not None and not cache.needs_recovery and cache.usable():
            keys = [revoked_token_key(jti) for jti in jtis]
            try:
                loaded, *flags = await cache.redis.mget(REVOCATIONS_LOADED_KEY, *keys)
            except (RedisError, OSError) as exc:
                cache.failed(exc)
            else:
                if loaded is not None:
                    return {jti for jti, flag in zip(jtis, flags, strict=True) if flag is not None}
        async with self._db.read_session() as session:
            return await repository.revoked_among(session, list(jtis))

    async def _reload(self, cache: Cache) -> None:
        now = datetime.now(UTC)
        async with self._db.read_session() as session:
            rows = (
                await session.execute(
                    select(RevokedToken.jti, RevokedToken.expires_at).where(
                        RevokedToken.expires_at > now
                    )
                )
            ).all()
        try:
            async with cache.redis.pipeline(transaction=False) as pipe:
                for jti, expires_at in rows:
                    pipe.set(
                        revoked_token_key(jti),
                        b"1",
                        ex=max(1, int((expires_at - now).total_seconds())),
                    )
                pipe.set(REVOCATIONS_LOADED_KEY, b"1", ex=self._lifetime)
                await pipe.execute()
            log.info("revocations_loaded", count=len(rows))
        except (RedisError, OSError) as exc:
            cache.failed(exc)

    def revoke(self, session: WriteSession, jti: str, expires_at: datetime) -> None:
        """Once ``session`` commits the database row, tell Redis too."""
        cache = self._cache
        if cache is None:
            return

        async def publish() -> None:
            ttl = max(1, int((expires_at - datetime.now(UTC)).total_seconds()))
            if cache.writable():
                try:
                    await cache.redis.set(revoked_token_key(jti), b"1", ex=ttl)
                    return
                except (RedisError, OSError) as exc:
                    cache.failed(exc)
            cache.missed_write()

        session.after_commit(publish)
