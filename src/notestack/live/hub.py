"""Live updates inside one process: who listens, and how every change reaches them.

Every change of a user's notes is an event row written in the change's own transaction
(notes/service.py), numbered per user in commit order. Once it commits:
- the process that made it hands it to its own listeners at once, and publishes it on Redis
  (channel ``ns:v1:events:<user>``) for every other process of every instance;
- without Redis (the embedded default, several worker processes), each process polls the
  users its listeners belong to (one query, a few times a second) for a newer event number.
A listener only ever takes the event after the last it has (its number + 1); a gap, whatever
the cause (a lost message, a slow subscriber), is filled from the event table, so nothing is
missed and nothing comes twice. The same check ends the streams of a revoked token.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import orjson
import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from notestack.core.database import ChangeEvent, Database
from notestack.core.redis_client import RedisTarget
from notestack.notes import repository

log = structlog.get_logger("notestack.live")

RevokedAmong = Callable[[Sequence[str]], Awaitable[set[str]]]
CHANNEL_PREFIX = "ns:v1:events:"
POLL_SECONDS = 0.25
REVOCATION_CHECK_SECONDS = 1.0
REPLAY_LIMIT = 500
QUEUE_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Delivered:
    seq: int
    type: str
    data: bytes  # the event's JSON


@dataclass(eq=False)
class Listener:
    """One open stream: the events after ``last_seq`` go to its queue, in order."""

    user_id: uuid.UUID
    jti: str
    last_seq: int
    queue: asyncio.Queue[Delivered | None] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_LIMIT)
    )
    ended: str | None = None  # why the stream must end (revoked, too slow)
    slot: str = field(default_factory=lambda: uuid.uuid4().hex)

    def end(self, reason: str) -> None:
        if self.ended is None:
            self.ended = reason
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(None)


def channel(user_id: uuid.UUID) -> str:
    return f"{CHANNEL_PREFIX}{user_id.hex}"


SLOTS_PREFIX = "ns:v1:streams:"
# KEYS: the user's open streams (a sorted set scored by when each lapses). ARGV: now, lapse,
# most allowed, this stream. Lapsed members (a server that died) stop counting by themselves.
_TAKE_SLOT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], 86400)
return 1
"""


class LiveHub:
    def __init__(self, db: Database, redis: RedisTarget, revoked_among: RevokedAmong) -> None:
        self._db = db
        self._redis: Redis | None = (
            redis.connect(timeout=1.0, max_connections=16, blocking_reads=True)[0]
            if redis.configured
            else None
        )
        self._listeners: dict[uuid.UUID, set[Listener]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._revoked_among = revoked_among
        self.redis_connected = False

    # -- listeners ------------------------------------------------------------------------
    @property
    def count(self) -> int:
        return sum(len(group) for group in self._listeners.values())

    async def take_slot(self, listener: Listener, most: int, lapse_seconds: float) -> bool:
        """Count ``listener`` among its user's open streams, unless ``most`` are open: across
        every process and instance through Redis, in this process alone without it."""
        if self._redis is not None:
            now = time.time()
            try:
                taken = await asyncio.wait_for(
                    self._redis.eval(
                        _TAKE_SLOT,
                        1,
                        SLOTS_PREFIX + listener.user_id.hex,
                        now,
                        now + lapse_seconds,
                        most,
                        listener.slot,
                    ),
                    1.0,
                )
                return bool(taken)
            except (RedisError, OSError, TimeoutError) as exc:
                log.warning("live_slots_unavailable", error=repr(exc))
        return len(self._listeners.get(listener.user_id, ())) < most

    async def keep_slot(self, listener: Listener, lapse_seconds: float) -> None:
        if self._redis is not None:
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                await asyncio.wait_for(
                    self._redis.zadd(
                        SLOTS_PREFIX + listener.user_id.hex,
                        {listener.slot: time.time() + lapse_seconds},
                        xx=True,
                    ),
                    1.0,
                )

    async def free_slot(self, listener: Listener) -> None:
        if self._redis is not None:
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                await asyncio.wait_for(
                    self._redis.zrem(SLOTS_PREFIX + listener.user_id.hex, listener.slot), 1.0
                )

    def add(self, listener: Listener) -> None:
        self._listeners.setdefault(listener.user_id, set()).add(listener)
        self._ensure_running()

    def remove(self, listener: Listener) -> None:
        group = self._listeners.get(listener.user_id)
        if group is not None:
            group.discard(listener)
            if not group:
                del self._listeners[listener.user_id]

    def end_all(self, reason: str) -> None:
        for group in list(self._listeners.values()):
            for listener in list(group):
                listener.end(reason)

    # -- events in ------------------------------------------------------------------------
    async def publish(self, user_id: uuid.UUID, events: Sequence[ChangeEvent]) -> None:
        """After a commit: this process's listeners now, every other process through Redis
        (best effort: a process that misses it fills the gap from the table later)."""
        delivered = [
            Delivered(e.seq, e.type, orjson.dumps(e.data, option=orjson.OPT_UTC_Z)) for e in events
        ]
        await self._deliver(user_id, delivered)
        if self._redis is not None:
            events_out = [[d.seq, d.type, d.data.decode()] for d in delivered]
            message = orjson.dumps({"user": user_id.hex, "events": events_out})
            try:
                await asyncio.wait_for(self._redis.publish(channel(user_id), message), 1.0)
            except (RedisError, OSError, TimeoutError) as exc:
                log.warning("live_publish_failed", error=repr(exc))

    async def _deliver(self, user_id: uuid.UUID, events: Sequence[Delivered]) -> None:
        for listener in list(self._listeners.get(user_id, ())):
            await self._feed(listener, events)

    async def _feed(self, listener: Listener, events: Sequence[Delivered]) -> None:
        for event in sorted(events, key=lambda e: e.seq):
            if event.seq <= listener.last_seq:
                continue
            if event.seq > listener.last_seq + 1:
                await self.catch_up(listener, event.seq)
                if event.seq <= listener.last_seq:
                    continue
            self._put(listener, event)

    def _put(self, listener: Listener, event: Delivered) -> None:
        if listener.ended is not None:
            return
        try:
            listener.queue.put_nowait(event)
        except asyncio.QueueFull:
            listener.end("too far behind")  # it reconnects and replays from its Last-Event-ID
            return
        listener.last_seq = event.seq

    async def replay(self, user_id: uuid.UUID, after: int, limit: int) -> list[Delivered]:
        """Events after ``after`` from the table, read on the primary (a replica may lag)."""
        async with self._db.read_session() as session:
            rows = await repository.events_after(session, user_id, after, limit)
        return [Delivered(r.seq, r.type, r.payload.encode()) for r in rows]

    async def catch_up(self, listener: Listener, until: int | None = None) -> None:
        while listener.ended is None and (until is None or listener.last_seq < until - 1):
            events = await self.replay(listener.user_id, listener.last_seq, REPLAY_LIMIT)
            if not events:
                return
            for event in events:
                if until is not None and event.seq >= until:
                    return
                self._put(listener, event)

    # -- background: Redis subscriber or table poller, and revocations ----------------------
    def _ensure_running(self) -> None:
        if self._tasks:
            return
        self._tasks.append(asyncio.create_task(self._revocations(), name="live-revocations"))
        if self._redis is not None:
            self._tasks.append(asyncio.create_task(self._subscribe(), name="live-redis"))
        self._tasks.append(asyncio.create_task(self._poll(), name="live-poll"))

    async def _subscribe(self) -> None:
        assert self._redis is not None
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                self.redis_connected = True
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    body = orjson.loads(message["data"])
                    user_id = uuid.UUID(body["user"])
                    if user_id in self._listeners:
                        events = [Delivered(s, t, d.encode()) for s, t, d in body["events"]]
                        await self._deliver(user_id, events)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis gone: the poller covers until it is back
                self.redis_connected = False
                log.warning("live_subscriber_lost", error=repr(exc))
                await asyncio.sleep(1.0)

    async def _poll(self) -> None:
        """Without Redis (or while it is away): notice newer events of our listeners' users."""
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if self._redis is not None and self.redis_connected:
                continue
            users = list(self._listeners)
            if not users:
                continue
            try:
                async with self._db.read_session() as session:
                    latest = await repository.latest_events(session, users)
                for user_id, seq in latest.items():
                    for listener in list(self._listeners.get(user_id, ())):
                        if seq > listener.last_seq:
                            await self.catch_up(listener)
            except Exception as exc:
                log.warning("live_poll_failed", error=repr(exc))

    async def _revocations(self) -> None:
        while True:
            await asyncio.sleep(REVOCATION_CHECK_SECONDS)
            listeners = [lst for group in self._listeners.values() for lst in group]
            if not listeners:
                continue
            try:
                revoked = await self._revoked_among([lst.jti for lst in listeners])
            except Exception as exc:
                log.warning("live_revocation_check_failed", error=repr(exc))
                continue
            for listener in listeners:
                if listener.jti in revoked:
                    listener.end("signed out")

    async def close(self) -> None:
        self.end_all("server stopping")
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self._redis is not None:
            await self._redis.aclose()
