"""The read path: Redis first, then a replica fresh enough for the caller, else the primary.

Handlers describe what to read (a cache key suffix and a function of a read session that
returns response bytes and their ETag); this module decides where the bytes come from.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol, TypeVar

import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.responses import Response

from notestack.core import metrics
from notestack.core.availability import is_unavailable
from notestack.core.cache import Cache, CacheRead
from notestack.core.conditional import none_match
from notestack.core.database import Database, ReadSession
from notestack.core.errors import Unauthorized
from notestack.core.replicas import ReplicaSet, ReplicaState
from notestack.core.responses import JSON_MEDIA_TYPE
from notestack.core.security import SESSION_ENDED

log = structlog.get_logger("notestack.reads")

Producer = Callable[[ReadSession], Awaitable[tuple[bytes, str]]]
# DBAPIError covers the driver's connection and operational errors.
_REPLICA_TROUBLE = (DBAPIError, OSError, TimeoutError)
# When the primary cannot answer a read (a leader change), wait this long for a replica to be
# seen replaying the caller's last write, and read there instead of failing the request.
PRIMARY_DOWN_REPLICA_WAIT_SECONDS = 1.5
# How long a read keeps trying (a replica that has the caller's writes, or the primary again)
# before it is answered 503. A planned switchover leaves no leader for 3-4 s here, and one try
# can itself take up to the connect timeout (3 s) while HAProxy has no leader to route to, so
# 4 s left a read that began just before the switchover only one more try (CI saw 2 fail).
LEADER_CHANGE_READ_SECONDS = 8.0
LEADER_CHANGE_RETRY_STEP_SECONDS = 0.25

# A cache look-up already made for this request (by an ASGI shortcut that then missed), so the
# read path need not make the same round trip again.
prefetched: ContextVar[tuple[str, CacheRead] | None] = ContextVar("prefetched", default=None)


def entry_name(kind: str, suffix: str) -> str:
    """The cache entry of one read ("list:<key>", "note:<id>") within a user's generation."""
    return f"{kind}:{suffix}"


def prefetch_key(user_id: uuid.UUID, jti: str, entry: str) -> str:
    return f"{user_id.hex}:{jti}:{entry}"


class RevocationCheck(Protocol):
    async def is_revoked(self, jti: str) -> bool:
        """The authoritative answer (database), for when Redis cannot give it."""
        ...

    async def is_revoked_in(self, session: ReadSession, jti: str) -> bool:
        """The database's answer, asked in ``session`` (one on the primary)."""
        ...


@dataclass(frozen=True, slots=True)
class ReadResult:
    body: bytes
    etag: str
    cache: str  # "hit", "miss" or "bypass"

    @classmethod
    def from_entry(cls, entry: bytes) -> ReadResult:
        """A cache entry as stored by ``ReadPath.read``: the ETag, a newline, the body."""
        etag, _, body = entry.partition(b"\n")
        return cls(body, etag.decode(), "hit")


def read_response(result: ReadResult, if_none_match: str | None) -> Response:
    """The answer to a read, whichever path produced it (router or read shortcut):
    the body or a 304, its ETag, and never a copy kept by a browser or a shared cache."""
    headers = {"ETag": result.etag, "Cache-Control": "no-store", "X-Cache": result.cache}
    if none_match(if_none_match, result.etag):
        return Response(status_code=304, headers=headers)
    return Response(result.body, headers=headers, media_type=JSON_MEDIA_TYPE)


T = TypeVar("T")


def _leader_change(error: Exception) -> bool:
    """An error worth another try: the database unavailable (a leader change), but not a
    pool that stayed busy (overload: trying again would deepen it)."""
    return is_unavailable(error) and not isinstance(error, PoolTimeout)


async def _through_leader_change(attempt: Callable[[float], Awaitable[T]], error: Exception) -> T:
    """``attempt(seconds left)`` again until it answers or LEADER_CHANGE_READ_SECONDS have
    passed since ``error``; an error that is no leader change is raised at once, the last one
    at the deadline."""
    deadline = time.monotonic() + LEADER_CHANGE_READ_SECONDS
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            return await attempt(remaining)
        except Exception as exc:
            if not _leader_change(exc):
                raise
            error = exc
    raise error


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
        the same round trip as the cache look-up; without Redis, on the primary in the read's
        own session, just before its query."""
        lookup = None
        if self.cache is not None:
            if self.cache.needs_recovery:
                await self._recover_cache(self.cache)
            entry = entry_name(kind, suffix)
            early = prefetched.get()
            if early is not None and early[0] == prefetch_key(user_id, jti, entry):
                prefetched.set(None)
                lookup = early[1]
            else:
                lookup = await self.cache.read(user_id, entry, jti)
        unchecked = None  # a token to check in the read's own session
        if lookup is None:
            unchecked = jti
        else:
            revoked = lookup.token_revoked
            if revoked is None:  # Redis lacks the whole list (RevocationList reloads it)
                revoked = await self._is_revoked(jti)
            if revoked:
                raise Unauthorized(SESSION_ENDED)
            if lookup.entry is not None:
                metrics.cache_result(kind, "hit").inc()
                return ReadResult.from_entry(lookup.entry)
        source = "miss" if lookup is not None else "bypass"
        if self.cache is not None:
            metrics.cache_result(kind, source).inc()
        body, etag = await self._query(lookup.min_lsn if lookup else None, produce, unchecked)
        if lookup is not None and self.cache is not None:
            await self.cache.fill(lookup.entry_key, etag.encode() + b"\n" + body)  # bounded
        return ReadResult(body, etag, source)

    async def respond(
        self,
        user_id: uuid.UUID,
        jti: str,
        kind: str,
        suffix: str,
        produce: Producer,
        if_none_match: str | None,
    ) -> Response:
        """``read``, answered (the body, or a 304 when ``if_none_match`` is current)."""
        result = await self.read(user_id, jti, kind, suffix, produce)
        return read_response(result, if_none_match)

    async def _query(
        self, min_lsn: int | None, produce: Producer, unchecked_jti: str | None
    ) -> tuple[bytes, str]:
        """``produce``'s bytes, from a replica fresh enough or the primary. ``unchecked_jti``:
        a token whose revocation is still to be checked, on the primary: in the read's session
        when the primary serves it (one connection, no extra transaction), else before."""
        replica = self.replicas.choose(min_lsn) if self.replicas is not None else None
        if replica is not None and self.replicas is not None:
            await self._refuse_revoked(unchecked_jti)
            unchecked_jti = None
            try:
                async with self.db.read_session(replica.engine) as session:
                    result = await produce(session)
                metrics.READS_ROUTED.labels("replica").inc()
                return result
            except _REPLICA_TROUBLE as exc:
                self.replicas.mark_failed(replica, exc)
                log.warning("replica_read_failed", replica=replica.name, error=repr(exc))
        try:
            result = await self._read_on_primary(produce, unchecked_jti)
        except Exception as exc:
            if self.replicas is None or not is_unavailable(exc):
                raise
            if isinstance(exc, PoolTimeout):
                # Every pooled connection to the primary stayed busy: overload, or a leader
                # that stopped answering (frozen). A replica that has the caller's writes may
                # answer at once; otherwise 503 busy now (waiting would deepen an overload).
                replica = self.replicas.choose(min_lsn)
                if replica is None:
                    raise
                await self._refuse_revoked(unchecked_jti)
                return await self._read_on_replica(replica, produce, exc)
            return await self._query_during_leader_change(min_lsn, produce, unchecked_jti, exc)
        metrics.READS_ROUTED.labels("primary").inc()
        return result

    async def _read_on_primary(
        self, produce: Producer, unchecked_jti: str | None
    ) -> tuple[bytes, str]:
        """One connection, not pinged when handed out: a connection found dead is replaced
        and the read made once more (a ping per read would cost a round trip each)."""
        try:
            return await self._produce_on_primary(produce, unchecked_jti)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            log.info("read_retried_on_new_connection", error=repr(exc))
        return await self._produce_on_primary(produce, unchecked_jti)

    async def _produce_on_primary(
        self, produce: Producer, unchecked_jti: str | None
    ) -> tuple[bytes, str]:
        async with self.db.read_session_without_ping() as session:
            if unchecked_jti is not None and await self.revocations.is_revoked_in(
                session, unchecked_jti
            ):
                raise Unauthorized(SESSION_ENDED)
            return await produce(session)

    async def _refuse_revoked(self, jti: str | None) -> None:
        """Check ``jti`` (when not yet checked) before a read elsewhere than the primary."""
        if jti is not None and await self._is_revoked(jti):
            raise Unauthorized(SESSION_ENDED)

    async def _is_revoked(self, jti: str) -> bool:
        """The database's answer (Redis could not give it: down, or recovering), asked again
        through a leader change, like the read itself, rather than failing the read."""
        try:
            return await self.revocations.is_revoked(jti)
        except Exception as exc:
            if self.replicas is None or not _leader_change(exc):
                raise
            first_error = exc

        async def again(_remaining: float) -> bool:
            await asyncio.sleep(LEADER_CHANGE_RETRY_STEP_SECONDS)
            return await self.revocations.is_revoked(jti)

        return await _through_leader_change(again, first_error)

    async def _read_on_replica(
        self, replica: ReplicaState, produce: Producer, error: Exception
    ) -> tuple[bytes, str]:
        async with self.db.read_session(replica.engine) as session:
            result = await produce(session)
        log.info("read_moved_to_replica", replica=replica.name, error=repr(error))
        metrics.READS_ROUTED.labels("replica").inc()
        return result

    async def _query_during_leader_change(
        self, min_lsn: int | None, produce: Producer, unchecked_jti: str | None, error: Exception
    ) -> tuple[bytes, str]:
        """The primary could not answer (a leader change, planned or not). A read may be
        made again: on a replica seen replaying the caller's last write, else on the primary
        once it answers (the pool dropped the dead connection, so the next one reaches the new
        leader), until LEADER_CHANGE_READ_SECONDS have passed; then the 503 of an unavailable
        database. Not nginx's job: it would count the 503 against a healthy instance."""
        replicas = self.replicas
        assert replicas is not None

        async def again(remaining: float) -> tuple[bytes, str]:
            nonlocal unchecked_jti
            wait = min(PRIMARY_DOWN_REPLICA_WAIT_SECONDS, remaining)
            replica = await replicas.wait_for(min_lsn, wait)
            if replica is None:
                await asyncio.sleep(min(LEADER_CHANGE_RETRY_STEP_SECONDS, remaining))
                result = await self._read_on_primary(produce, unchecked_jti)
                metrics.READS_ROUTED.labels("primary").inc()
                return result
            await self._refuse_revoked(unchecked_jti)
            unchecked_jti = None
            try:
                return await self._read_on_replica(replica, produce, error)
            except Exception as exc:
                if _leader_change(exc):
                    replicas.mark_failed(replica, exc)
                raise

        return await _through_leader_change(again, error)

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
