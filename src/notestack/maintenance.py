"""`notestack maintain`: the housekeeping a running service needs, safe to run anywhere.

- notes in the trash longer than NOTESTACK_TRASH_RETENTION_DAYS are deleted for good (each
  user's in one transaction, told to their open streams like any purge);
- change events older than NOTESTACK_EVENTS_RETENTION_HOURS are dropped (a stream that has
  been away longer refetches instead of replaying);
- idempotency records older than 24 h, revoked tokens past their expiry.

Many instances may run it at the same time (the production topology runs it periodically on
each): on PostgreSQL a session-level advisory lock lets one run at a time and the others return
at once; on SQLite writers already take turns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import text

from notestack.auth import repository as auth_repository
from notestack.core import idempotency
from notestack.core.cache import Cache
from notestack.core.database import Database
from notestack.core.effects import CommitEffects, unit_of_work
from notestack.core.redis_client import RedisTarget
from notestack.core.settings import Settings
from notestack.live.hub import LiveHub
from notestack.notes import repository as notes_repository
from notestack.notes import service as notes_service

log = structlog.get_logger("notestack.maintain")

LOCK_KEY = 7_402_119_533  # pg_advisory_lock key of `notestack maintain`


@dataclass
class Tally:
    trash_purged: int = 0
    events_dropped: int = 0
    idempotency_dropped: int = 0
    skipped_locked: bool = False


@dataclass
class Services:
    """What a command outside the web app needs to write like the app does."""

    db: Database
    effects: CommitEffects
    cache: Cache | None
    hub: LiveHub

    async def close(self) -> None:
        await self.hub.close()
        if self.cache is not None:
            await self.cache.close()
        await self.db.dispose()


async def _nobody_revoked(_jtis: object) -> set[str]:
    return set()


def services(settings: Settings) -> Services:
    db = Database(settings)
    redis = RedisTarget.from_settings(settings)
    cache = (
        Cache(redis, settings.cache_ttl_seconds, settings.read_your_writes_seconds)
        if redis.configured
        else None
    )
    effects = CommitEffects(cache, None)
    hub = LiveHub(db, redis, _nobody_revoked)
    effects.publishers.append(hub.publish)
    return Services(db, effects, cache, hub)


@contextlib.asynccontextmanager
async def _turn(db: Database) -> AsyncIterator[bool]:
    """Whether this run may go ahead (False: another one holds the lock right now)."""
    if db.settings.is_sqlite:
        yield True
        return
    async with db.write_engine.connect() as connection:
        held = bool(
            (await connection.execute(text(f"SELECT pg_try_advisory_lock({LOCK_KEY})"))).scalar()
        )
        try:
            yield held
        finally:
            if held:
                await connection.execute(text(f"SELECT pg_advisory_unlock({LOCK_KEY})"))


async def maintain(settings: Settings) -> Tally:
    tally = Tally()
    svc = services(settings)
    try:
        async with _turn(svc.db) as go:
            if not go:
                tally.skipped_locked = True
                return tally
            retention = timedelta(days=settings.trash_retention_days)
            cutoff = datetime.now(UTC) - retention
            async with svc.db.read_session() as session:
                owners = await notes_repository.owners_with_trash_before(session, cutoff)
            for owner in owners:
                async with unit_of_work(svc.db, svc.effects) as session:
                    tally.trash_purged += await notes_service.purge_expired_trash(
                        session, owner, retention
                    )
            events_cutoff = datetime.now(UTC) - timedelta(hours=settings.events_retention_hours)
            async with unit_of_work(svc.db, svc.effects) as session:
                tally.events_dropped = await notes_repository.purge_events_before(
                    session, events_cutoff
                )
                tally.idempotency_dropped = await idempotency.purge_expired(session)
                await auth_repository.purge_expired_revocations(session, datetime.now(UTC))
                session.changes_no_user_data()
    finally:
        await svc.close()
    log.info("maintenance_done", **tally.__dict__)
    return tally


async def maintain_forever(settings: Settings, every_seconds: float) -> None:
    while True:
        try:
            await maintain(settings)
        except Exception as exc:  # the next round tries again
            log.exception("maintenance_failed", error=repr(exc))
        await asyncio.sleep(every_seconds)
