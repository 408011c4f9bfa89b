"""Read replicas: health, lag, and the replay position each one has reached.

A background task polls every replica (and the primary's WAL position) a few times a second.
A replica is used only while it answers and its lag is within the configured bounds; a read
that needs a given position goes to a replica whose *last polled* replay LSN has reached it.
Polled positions only understate the truth (replay moves forward), so the check is safe.

Positions carry their timeline. After a failover, a node that was ahead of the promoted one on
the old timeline (the old leader before pg_rewind, or a replica that had received more WAL) may
show a replay LSN past a write made on the new timeline without holding that write. So a write
position is ``(timeline, LSN)``, packed into one integer by ``pack``, and a replica qualifies
only if the timeline it follows is at least the write's and it has replayed the LSN. Every
write acknowledged on an older timeline lies before the fork (synchronous replication: only
the synchronous standby, which has it, may be promoted), so a later timeline includes it.

Lag in seconds is staleness: how long ago the primary was at the position the replica has
replayed, from the primary positions this process has seen. (``now() -
pg_last_xact_replay_timestamp()`` would call an idle replica "40 s behind" as soon as the
primary writes WAL that is not a transaction, such as a checkpoint.)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from notestack.core import metrics
from notestack.core.database import WriteSession
from notestack.core.settings import Settings

log = structlog.get_logger("notestack.replicas")

POLL_INTERVAL_SECONDS = 0.25
PROBE_TIMEOUT_SECONDS = 1.0
_PRIMARY_LSN = text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
# The timeline a standby follows: that of the WAL it receives, else of its last restartpoint
# (both at most the truth; the poller keeps the highest seen, as a standby never goes back).
_REPLICA_STATE = text(
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() - '0/0'::pg_lsn,"
    " greatest((SELECT received_tli FROM pg_stat_wal_receiver),"
    " (SELECT timeline_id FROM pg_control_checkpoint()))"
)
PRIMARY_HISTORY = 512
# The insert position, and the timeline it is on (the first 8 hex digits of its WAL file).
_INSERT_POSITION = text(
    "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn,"
    " pg_walfile_name(pg_current_wal_insert_lsn())"
)
LSN_BITS = 64
WAIT_STEP_SECONDS = 0.05


def pack(timeline: int, lsn: int) -> int:
    """One integer ordered like (timeline, LSN): what Redis keeps for a user's last write."""
    return (timeline << LSN_BITS) | lsn


def unpack(position: int) -> tuple[int, int]:
    return position >> LSN_BITS, position & ((1 << LSN_BITS) - 1)


@dataclass
class ReplicaState:
    name: str
    engine: AsyncEngine
    healthy: bool = False
    replay_lsn: int = 0
    timeline: int = 0
    lag_bytes: int | None = None
    lag_seconds: float | None = None
    error: str | None = None
    checked_at: float = field(default=0.0)


class ReplicaSet:
    def __init__(
        self, primary: AsyncEngine, replicas: list[AsyncEngine], settings: Settings
    ) -> None:
        self._primary = primary
        self.replicas = [
            ReplicaState(
                name=make_url(str(engine.url)).render_as_string(hide_password=True), engine=engine
            )
            for engine in replicas
        ]
        self.max_lag_bytes = settings.replica_max_lag_bytes
        self.max_lag_seconds = settings.replica_max_lag_seconds
        self._turn = itertools.count()
        self._primary_history: deque[tuple[int, float]] = deque(maxlen=PRIMARY_HISTORY)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.poll_once()
        self._task = asyncio.create_task(self._poll_forever(), name="replica-poller")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(POLL_INTERVAL_SECONDS)
            try:
                await self.poll_once()
            except Exception as exc:
                log.warning("replica_poll_failed", error=repr(exc))

    async def poll_once(self) -> None:
        primary_lsn: int | None
        try:
            primary_lsn = int(await self._scalar(self._primary, _PRIMARY_LSN))
            self._primary_history.append((primary_lsn, time.monotonic()))
        except Exception:
            primary_lsn = None
        await asyncio.gather(*(self._probe(state, primary_lsn) for state in self.replicas))

    def staleness(self, replay_lsn: int, primary_lsn: int) -> float:
        """At most how many seconds ago the primary was where the replica is now: the age of
        the newest primary position seen at or before ``replay_lsn`` (or of the oldest
        position remembered, if the replica is behind all of them)."""
        if replay_lsn >= primary_lsn or not self._primary_history:
            return 0.0
        reached_at = self._primary_history[0][1]
        for lsn, seen_at in reversed(self._primary_history):
            if lsn <= replay_lsn:
                reached_at = seen_at
                break
        return max(0.0, time.monotonic() - reached_at)

    async def _probe(self, state: ReplicaState, primary_lsn: int | None) -> None:
        try:

            async def query() -> Any:
                async with state.engine.connect() as connection:
                    return (await connection.execute(_REPLICA_STATE)).one()

            in_recovery, replay, timeline = await asyncio.wait_for(query(), PROBE_TIMEOUT_SECONDS)
        except Exception as exc:
            self._mark(state, healthy=False, error=type(exc).__name__)
            return
        state.replay_lsn = int(replay or 0)
        state.timeline = max(state.timeline, int(timeline or 0))
        if primary_lsn is not None:
            state.lag_bytes = max(0, primary_lsn - state.replay_lsn)
            state.lag_seconds = self.staleness(state.replay_lsn, primary_lsn)
        too_far = (state.lag_bytes or 0) > self.max_lag_bytes or (
            (state.lag_seconds or 0.0) > self.max_lag_seconds
        )
        error = None if in_recovery else "not a standby"
        if too_far:
            error = f"lagging {state.lag_bytes} bytes / {state.lag_seconds or 0.0:.1f} s"
        self._mark(state, healthy=bool(in_recovery) and not too_far, error=error)

    def _mark(self, state: ReplicaState, *, healthy: bool, error: str | None) -> None:
        if state.healthy != healthy:
            log.info("replica_state_changed", replica=state.name, healthy=healthy, error=error)
        state.healthy = healthy
        state.error = error
        state.checked_at = time.monotonic()
        metrics.REPLICA_HEALTHY.labels(state.name).set(1 if healthy else 0)
        if state.lag_bytes is not None:
            metrics.REPLICA_LAG_BYTES.labels(state.name).set(state.lag_bytes)
        if state.lag_seconds is not None:
            metrics.REPLICA_LAG_SECONDS.labels(state.name).set(state.lag_seconds)

    def choose(self, min_lsn: int | None) -> ReplicaState | None:
        """A healthy replica that has replayed position ``min_lsn`` (``pack``ed timeline and
        LSN); None means: read on the primary.

        ``min_lsn`` None means the caller's last write position is unknown (Redis is down), so
        no replica can be proven fresh enough.
        """
        if min_lsn is None:
            return None
        timeline, lsn = unpack(min_lsn)
        candidates = [
            s for s in self.replicas if s.healthy and s.timeline >= timeline and s.replay_lsn >= lsn
        ]
        if not candidates:
            return None
        return candidates[next(self._turn) % len(candidates)]

    async def wait_for(self, min_lsn: int | None, timeout: float) -> ReplicaState | None:
        """``choose``, waiting up to ``timeout`` for the poller to see a replica catch up."""
        deadline = time.monotonic() + timeout
        while True:
            replica = self.choose(min_lsn)
            if replica is not None or min_lsn is None or time.monotonic() >= deadline:
                return replica
            await asyncio.sleep(WAIT_STEP_SECONDS)

    def any_healthy(self) -> bool:
        return any(state.healthy for state in self.replicas)

    def mark_failed(self, state: ReplicaState, exc: BaseException) -> None:
        self._mark(state, healthy=False, error=type(exc).__name__)

    @staticmethod
    async def primary_insert_lsn(session: WriteSession) -> int:
        """The primary's WAL insert position now (``pack``ed with its timeline): at least
        that of every write committed on this connection."""
        lsn, walfile = (await session.execute(_INSERT_POSITION)).one()
        return pack(int(str(walfile)[:8], 16), int(lsn))

    def describe(self) -> dict[str, Any]:
        return {
            state.name: {
                "healthy": state.healthy,
                "timeline": state.timeline,
                "lag_bytes": state.lag_bytes,
                "lag_seconds": state.lag_seconds,
                **({"error": state.error} if state.error else {}),
            }
            for state in self.replicas
        }

    @staticmethod
    async def _scalar(engine: AsyncEngine, statement: Any) -> Any:
        async def query() -> Any:
            async with engine.connect() as connection:
                return (await connection.execute(statement)).scalar_one()

        return await asyncio.wait_for(query(), PROBE_TIMEOUT_SECONDS)
