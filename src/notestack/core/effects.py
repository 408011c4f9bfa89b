"""The unit of work's second half: what a committed write implies, carried out before the
client hears that the write succeeded.

Writes declare their changes on the ``WriteSession`` (``record_change``); the write-session
dependency commits, then calls ``CommitEffects.apply``, which for every changed owner moves
their cache generation forward and records the primary's WAL position (so no reader, on any
instance, sees older data afterwards), then hands the change events to the publishers (live
updates). A route cannot forget any of this: it never calls it. On rollback nothing runs.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import structlog
from sqlalchemy.exc import DBAPIError

from notestack.core.cache import Cache
from notestack.core.database import Change, ChangeEvent, Database, WriteSession
from notestack.core.replicas import ReplicaSet

log = structlog.get_logger("notestack.effects")

EventPublisher = Callable[[uuid.UUID, Sequence[ChangeEvent]], Awaitable[None]]
_POSITION_TROUBLE = (DBAPIError, OSError, TimeoutError)


class CommitEffects:
    def __init__(self, cache: Cache | None, replicas: ReplicaSet | None) -> None:
        self.cache = cache
        self.replicas = replicas
        self.publishers: list[EventPublisher] = []

    async def apply(self, session: WriteSession) -> None:
        changes, hooks, wrote = session.take_effects()
        for hook in hooks:
            await hook()
        if changes:
            await self._record(session, changes)
            await self._publish(changes)
        elif wrote and not hooks:
            # A write that declared no owner: nobody knows whose cached reads it made stale,
            # so distrust every entry (the cache advances its global epoch on the next read).
            log.error("write_without_declared_change")
            if self.cache is not None:
                self.cache.missed_write()

    async def _record(self, session: WriteSession, changes: Sequence[Change]) -> None:
        if self.cache is None:
            return
        lsn = None
        if self.replicas is not None:
            try:
                lsn = await self.replicas.primary_insert_lsn(session)
            except _POSITION_TROUBLE as exc:
                log.warning("write_position_unknown", error=repr(exc))
                self.cache.missed_write()
                return
        for owner in dict.fromkeys(change.owner for change in changes):
            await self.cache.record_write(owner, lsn)

    async def _publish(self, changes: Sequence[Change]) -> None:
        if not self.publishers:
            return
        by_owner: dict[uuid.UUID, list[ChangeEvent]] = {}
        for change in changes:
            if change.event is not None:
                by_owner.setdefault(change.owner, []).append(change.event)
        for owner, events in by_owner.items():
            for publish in self.publishers:
                await publish(owner, events)


@asynccontextmanager
async def unit_of_work(db: Database, effects: CommitEffects) -> AsyncIterator[WriteSession]:
    """A write session that commits when the block ends (or rolls back on any error), then
    carries out what the commit implies; a request's write session is one of these, so is
    every write of `notestack maintain` and of the migration commands."""
    async with db.write_session() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            session.discard_effects()
            raise
        await effects.apply(session)
