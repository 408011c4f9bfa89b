"""Redis cache-aside with per-user generations, and read-your-writes positions.

Why no reader can cache stale data after a write is acknowledged:
- Every cached entry of a user lives under that user's current *generation*. A write commits,
  then (before the client is answered) moves the generation forward, so entries filled before
  the write are unreachable from then on.
- A reader takes the generation and the user's last write position (primary WAL LSN) in the
  same atomic script call. If it saw the new generation it also sees that position, and it only
  fills the cache from a database that has replayed at least that far. A reader that took the
  old generation can only fill an entry nobody will read.
- Generations are derived from Redis's clock and only move forward, so a Redis restart (which
  drops everything) cannot bring back a generation that old readers still hold.
When Redis cannot be told about a write, the process remembers it and, once Redis answers
again, moves a global epoch forward (orphaning every entry) and sets a global minimum LSN, so
nothing written during the outage is hidden by an older entry or an older replica. The same
recovery follows a Sentinel failover: the promoted replica may lack the last generation bumps
and positions (Redis replicates asynchronously), so nothing it holds is trusted until then.

Write positions are (timeline, LSN) pairs packed into one integer (``replicas.pack``); Redis
keeps them as fixed-width hex strings, so Lua compares them as strings, exactly.

The one window left: if Redis keeps its data but is unreachable from only some instances, an
instance that can still reach it may serve an entry older than a write that another instance
could not record, until that instance's first request after Redis answers it again (its
circuit breaker retries every 2 s). A Redis restart or a full outage leaves no such window.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from notestack.core import metrics
from notestack.core.circuit import CircuitBreaker
from notestack.core.redis_client import RedisTarget, pool_exhausted

log = structlog.get_logger("notestack.cache")

PREFIX = "ns:v2:"  # v2: write positions as hex strings
EPOCH_KEY = PREFIX + "epoch"
GLOBAL_LSN_KEY = PREFIX + "min-lsn"
REVOCATIONS_LOADED_KEY = PREFIX + "revocations-loaded"
SOCKET_TIMEOUT_SECONDS = 0.25
# Connections beyond the requests a worker admits at once: writes' effects, recovery.
SPARE_CONNECTIONS = 4
# After the pool was found busy, reads skip Redis this long instead of queueing for it.
BUSY_POOL_BYPASS_SECONDS = 0.1

# Shared by the scripts below. Counters derived from Redis's clock only move forward, even
# across a Redis restart that lost them.
_LUA_HELPERS = """
local function now_ms()
  local t = redis.call('TIME')
  return t[1] * 1000 + math.floor(t[2] / 1000)
end
local function advance(key, ttl)
  local nxt = math.max(tonumber(redis.call('GET', key) or '0') + 1, now_ms())
  if ttl then redis.call('SET', key, nxt, 'EX', ttl) else redis.call('SET', key, nxt) end
  return nxt
end
local function get_or_start(key, ttl)
  redis.call('SET', key, now_ms(), 'NX', 'EX', ttl)
  return redis.call('GET', key)
end
local function spend(key, ttl)
  local spent = redis.call('INCR', key)
  if spent == 1 then redis.call('EXPIRE', key, ttl) end
  return spent
end
local function raise_to(key, value, ttl)
  if value == '' then return end
  if value > (redis.call('GET', key) or '') then
    redis.call('SET', key, value, 'EX', ttl)
  else
    redis.call('EXPIRE', key, ttl)
  end
end
"""


def _with_helpers(body: str) -> str:
    return _LUA_HELPERS + body


# KEYS: epoch, global min LSN, user generation, user LSN, revoked-token key, revocations-loaded,
# and optionally the user's request-budget counter. ARGV: entry key prefix, entry suffix,
# generation TTL, budget TTL. Returns {epoch, generation, max(user LSN, global LSN), entry or
# false, token revoked (0/1), revocations loaded (0/1), requests spent (0 without a counter)}.
_READ = _with_helpers("""
local epoch = redis.call('GET', KEYS[1]) or tostring(advance(KEYS[1], nil))
local gen = get_or_start(KEYS[3], ARGV[3])
local lsn = redis.call('GET', KEYS[4]) or ''
local floor = redis.call('GET', KEYS[2]) or ''
if floor > lsn then lsn = floor end
local entry = redis.call('GET', ARGV[1] .. epoch .. ':' .. gen .. ':' .. ARGV[2])
local revoked = redis.call('EXISTS', KEYS[5])
local spent = 0
if KEYS[7] then spent = spend(KEYS[7], ARGV[4]) end
return {epoch, gen, lsn, entry, revoked, redis.call('EXISTS', KEYS[6]), spent}
""")

# KEYS: a request-budget counter. ARGV: its TTL. Returns the requests spent in its window.
_SPEND = _with_helpers("return spend(KEYS[1], ARGV[1])")

# KEYS: user generation, user LSN. ARGV: LSN (or ''), LSN TTL, generation TTL.
_RECORD_WRITE = _with_helpers("""
raise_to(KEYS[2], ARGV[1], ARGV[2])
return advance(KEYS[1], ARGV[3])
""")

# KEYS: epoch, global min LSN, revocations-loaded. ARGV: LSN (or ''), LSN TTL.
_RECOVER = _with_helpers("""
raise_to(KEYS[2], ARGV[1], ARGV[2])
redis.call('DEL', KEYS[3])
return advance(KEYS[1], nil)
""")


@dataclass(frozen=True, slots=True)
class CacheRead:
    """What one round trip learned: where to fill, how fresh a source must be, any hit,
    whether the caller's token is revoked (``None``: Redis does not hold the whole list), and
    the requests spent in the caller's budget window (when a counter was given)."""

    entry_key: str
    min_lsn: int
    entry: bytes | None
    token_revoked: bool | None
    spent: int | None = None


@dataclass(frozen=True, slots=True)
class BudgetCounter:
    """A user's request counter for one fixed window (core/budget.py)."""

    key: str
    ttl: int


def _position(value: int | None) -> str:
    return "" if value is None else f"{value:024x}"


def budget_ttl(budget: BudgetCounter | None) -> int:
    return budget.ttl if budget is not None else 0


def budget_key(user_id: uuid.UUID, window: int) -> str:
    return f"{PREFIX}budget:{user_id.hex}:{window}"


def revoked_token_key(jti: str) -> str:
    return f"{PREFIX}revoked:{jti}"


def _user_keys(user_id: uuid.UUID) -> tuple[str, str]:
    return f"{PREFIX}gen:{user_id.hex}", f"{PREFIX}lsn:{user_id.hex}"


class Cache:
    def __init__(
        self,
        target: RedisTarget,
        ttl_seconds: int,
        read_your_writes_seconds: int,
        max_entry_bytes: int = 512 * 1024,
        concurrency: int = 32,
    ) -> None:
        # Sized for the requests one worker serves at once (each holds at most one connection
        # at a time), so a busy worker does not wait for its own pool.
        self._redis, self._failovers = target.connect(
            timeout=SOCKET_TIMEOUT_SECONDS, max_connections=concurrency + SPARE_CONNECTIONS
        )
        self._failovers_seen = 0
        self.ttl = ttl_seconds
        self.lsn_ttl = read_your_writes_seconds
        self.generation_ttl = max(ttl_seconds * 2, read_your_writes_seconds)
        self.max_entry_bytes = max_entry_bytes
        self._breaker = CircuitBreaker()
        self._busy_until = 0.0
        self._missed_writes = False
        self._read = self._redis.register_script(_READ)
        self._record = self._redis.register_script(_RECORD_WRITE)
        self._recover = self._redis.register_script(_RECOVER)
        self._spend = self._redis.register_script(_SPEND)

    @property
    def redis(self) -> Redis:
        return self._redis

    @property
    def available(self) -> bool:
        return not self._breaker.is_open

    def usable(self) -> bool:
        """Whether to read from Redis now (False while the circuit is open, and for a moment
        after this worker found its pool busy)."""
        return time.monotonic() >= self._busy_until and self._breaker.allow()

    def writable(self) -> bool:
        """Whether to tell Redis about a write now (False only while the circuit is open: a
        busy pool is waited for, since a write Redis is not told of costs a recovery)."""
        return self._breaker.allow()

    def failed(self, exc: BaseException) -> None:
        if pool_exhausted(exc):
            # This worker is busy, Redis is not down: reads go without the cache for a
            # moment (not waiting for the pool again and again), the circuit stays closed.
            metrics.OVERLOAD.labels("bypassed", "redis_pool").inc()
            self._busy_until = time.monotonic() + BUSY_POOL_BYPASS_SECONDS
            log.info("redis_pool_busy")
            return
        metrics.cache_result("redis", "error").inc()
        self._breaker.record_failure()
        log.warning("redis_unavailable", error=repr(exc), circuit_open=self._breaker.is_open)

    @property
    def needs_recovery(self) -> bool:
        """A write could not be recorded in Redis, or the primary changed (Sentinel): entries
        and positions there may be stale."""
        self._check_failover()
        return self._missed_writes

    def _check_failover(self) -> bool:
        """True (and recovery needed) when the Sentinels named a new primary since last time."""
        if self._failovers.changes == self._failovers_seen:
            return False
        self._failovers_seen = self._failovers.changes
        log.warning("redis_primary_changed", primary=self._failovers.address)
        self._missed_writes = True
        return True

    async def recover(self, current_lsn: int | None) -> bool:
        """After an outage in which writes went unrecorded: advance the global epoch (orphaning
        every entry), raise the global minimum LSN to the primary's current position, and make
        the revocation list reload from the database."""
        if not self.writable():
            return False
        try:
            await self._recover(
                keys=[EPOCH_KEY, GLOBAL_LSN_KEY, REVOCATIONS_LOADED_KEY],
                args=[_position(current_lsn), self.lsn_ttl],
            )
        except (RedisError, OSError) as exc:
            self.failed(exc)
            return False
        self._breaker.record_success()
        self._missed_writes = False
        log.info("cache_recovered_after_outage")
        return True

    async def read(
        self, user_id: uuid.UUID, suffix: str, jti: str, budget: BudgetCounter | None = None
    ) -> CacheRead | None:
        """One round trip (counting one request against ``budget`` when given); None when
        Redis cannot be trusted now (the caller uses the primary)."""
        if self.needs_recovery or not self.usable():
            return None
        gen_key, lsn_key = _user_keys(user_id)
        entry_prefix = f"{PREFIX}e:{user_id.hex}:"
        keys = [
            EPOCH_KEY,
            GLOBAL_LSN_KEY,
            gen_key,
            lsn_key,
            revoked_token_key(jti),
            REVOCATIONS_LOADED_KEY,
        ]
        if budget is not None:
            keys.append(budget.key)
        try:
            epoch, generation, lsn, entry, revoked, loaded, spent = await self._read(
                keys=keys, args=[entry_prefix, suffix, self.generation_ttl, budget_ttl(budget)]
            )
        except (RedisError, OSError) as exc:
            self._check_failover()
            self.failed(exc)
            return None
        self._breaker.record_success()
        if self._check_failover():
            return None  # answered by a new primary that has not been recovered yet
        key = f"{entry_prefix}{epoch.decode()}:{generation.decode()}:{suffix}"
        return CacheRead(
            entry_key=key,
            min_lsn=int(lsn, 16) if lsn else 0,
            entry=entry or None,
            token_revoked=bool(revoked) if loaded else None,
            spent=int(spent) if budget is not None else None,
        )

    async def spend(self, budget: BudgetCounter) -> int | None:
        """Count one request against ``budget``; the requests spent in its window, or None
        when Redis cannot count now (the caller counts in-process)."""
        if not self.usable():
            return None
        try:
            spent = await self._spend(keys=[budget.key], args=[budget.ttl])
        except (RedisError, OSError) as exc:
            self.failed(exc)
            return None
        self._breaker.record_success()
        return int(spent)

    async def fill(self, key: str, value: bytes) -> None:
        """Keep ``value`` under ``key`` for the TTL; a value over the size bound is not kept
        (a few huge entries must not evict everyone else's)."""
        if len(value) > self.max_entry_bytes:
            metrics.cache_result("entry", "too_large").inc()
            return
        if not self.usable():
            return
        try:
            await self._redis.set(key, value, ex=self.ttl)
            self._breaker.record_success()
        except (RedisError, OSError) as exc:
            self.failed(exc)

    async def record_write(self, user_id: uuid.UUID, lsn: int | None) -> None:
        """After a commit: orphan the user's entries and remember the write's WAL position."""
        gen_key, lsn_key = _user_keys(user_id)
        if self.writable():
            try:
                await self._record(
                    keys=[gen_key, lsn_key],
                    args=[_position(lsn), self.lsn_ttl, self.generation_ttl],
                )
                self._breaker.record_success()
                return
            except (RedisError, OSError) as exc:
                self.failed(exc)
        self.missed_write()

    def missed_write(self) -> None:
        """Something Redis should have been told was not; trust nothing there until recovery."""
        self._missed_writes = True

    async def close(self) -> None:
        await self._redis.aclose()
