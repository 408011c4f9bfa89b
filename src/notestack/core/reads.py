"""The read path: Redis first, then a replica fresh enough for the caller, else the primary.

Handlers describe what to read (a cache key suffix and a function of a read session that
returns response bytes and their ETag); this module decides where the bytes come from.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

import structlog
from sqlalchemy.exc import DBAPIError

from notestack.core import metrics
from notestack.core.cache import Cache, CacheRead
from notestack.core.database import Database, ReadSession, WriteSession
from notestack.core.errors import Unauthorized
from notestack.core.replicas import ReplicaSet
from notestack.core.security import SESSION_ENDED

log = structlog.get_logger("notestack.reads")

Producer = Callable[[ReadSession], Awaitable[tuple[bytes, str]]]
# DBAPIError covers the driver's connection and operational errors.
_REPLICA_TROUBLE = (DBAPIError, OSError, TimeoutError)

# A cache look-up already made for this request (by an ASGI shortcut that then missed), so the
# read path need not make the same round trip again.
prefetched: ContextVar[tuple[str, CacheRead] | None] = ContextVar("prefetched", default=None)


def prefetch_key(user_id: uuid.UUID, jti: str, entry: str) -> str:
    return f"{user_id.hex}:{jti}:{entry}"


class RevocationCheck(Protocol):
    async def is_revoked(self, jti: str) -> bool:
        """The authoritative answer (database), for when Redis cannot give it."""
        ...


@dataclass(frozen=True, slots=True)
class ReadResult:
    body: bytes
    etag: str
    cache: str  # "hit", "miss" or "bypass"


class ReadPath:
    def __init__(
        self,
        db: Database,
        cache: Cache | None,
        replicas: ReplicaSet | None,
        revocations: RevocationCheck,
    ) -> None:
        self.db = db
        self.cache = cache
        self.replicas = replicas
        self.revocations = revocations

    async def read(
        self, user_id: uuid.UUID, jti: str, kind: str, suffix: str, produce: Producer
    ) -> ReadResult:
        """Read for the holder of token ``jti``, whose revocation is checked here: with Redis in
        the same round trip as the cache look-up, otherwise on the primary."""
        lookup = None
        if self.cache is not None:
            if self.cache.needs_recovery:
                await self._recover_cache(self.cache)
            entry = f"{kind}:{suffix}"
            early = prefetched.get()
            if early is not None and early[0] == prefetch_key(user_id, jti, entry):
                prefetched.set(None)
                lookup = early[1]
            else:
                lookup = await self.cache.read(user_id, entry, jti)
        revoked = lookup.token_revoked if lookup is not None else None
        if revoked is None:
            revoked = await self.revocations.is_revoked(jti)
        if revoked:
            raise Unauthorized(SESSION_ENDED)
        if lookup is not None and lookup.entry is not None:
            metrics.CACHE.labels(kind, "hit").inc()
            cached_etag, _, cached_body = lookup.entry.partition(b"\n")
            return ReadResult(cached_body, cached_etag.decode(), "hit")
        source = "miss" if lookup is not None else "bypass"
        if self.cache is not None:
            metrics.CACHE.labels(kind, source).inc()
        body, etag = await self._query(lookup.min_lsn if lookup else None, produce)
        if lookup is not None and self.cache is not None:
            await self.cache.fill(lookup.entry_key, etag.encode() + b"\n" + body)
        return ReadResult(body, etag, source)

    async def _query(self, min_lsn: int | None, produce: Producer) -> tuple[bytes, str]:
        replica = self.replicas.choose(min_lsn) if self.replicas is not None else None
        if replica is not None and self.replicas is not None:
            try:
                async with self.db.read_session(replica.engine) as session:
                    result = await produce(session)
                metrics.READS_ROUTED.labels("replica").inc()
                return result
            except _REPLICA_TROUBLE as exc:
                self.replicas.mark_failed(replica, exc)
                log.warning("replica_read_failed", replica=replica.name, error=repr(exc))
        async with self.db.read_session() as session:
            result = await produce(session)
        metrics.READS_ROUTED.labels("primary").inc()
        return result

    async def _recover_cache(self, cache: Cache) -> None:
        """Recovery needs the primary's current position when replicas serve reads; without
        it, stay in recovery (reads keep bypassing Redis) and try again on a later read."""
        lsn = None
        if self.replicas is not None:
            try:
                async with self.db.write_session() as session:
                    lsn = await self.replicas.primary_insert_lsn(session)
            except _REPLICA_TROUBLE as exc:
                log.warning("cache_recovery_postponed", error=repr(exc))
                return
        await cache.recover(lsn)

    def after_write(self, session: WriteSession, user_id: uuid.UUID) -> None:
        """Once ``session`` commits: orphan the user's cached reads, record the WAL position."""

        async def record() -> None:
            if self.cache is None:
                return
            lsn = None
            if self.replicas is not None:
                try:
                    lsn = await self.replicas.primary_insert_lsn(session)
                except _REPLICA_TROUBLE as exc:
                    log.warning("write_position_unknown", error=repr(exc))
                    self.cache.missed_write()
                    return
            await self.cache.record_write(user_id, lsn)

        session.after_commit(record)
