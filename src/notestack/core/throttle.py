"""Rate limits shared by every process: moving windows from the ``limits`` library.

Counters live in Redis when the service has one (every instance and worker sees the same
counts); on the embedded default, or while Redis does not answer, they live in this process
(so each worker process counts on its own: a bound that is looser by the number of workers,
never a lock-out of everyone because Redis is down).
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import structlog
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisSentinelStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from notestack.core.circuit import CircuitBreaker
from notestack.core.redis_client import RedisTarget

log = structlog.get_logger("notestack.throttle")

KEY_PREFIX = "ns:v1:throttle"
REDIS_TIMEOUT_SECONDS = 0.25

Rates = Sequence[RateLimitItem]
T = TypeVar("T")


def rates(text: str) -> list[RateLimitItem]:
    """``"5/15 minutes;10/hour"`` -> the limits it names (validated by the settings)."""
    return list(parse_many(text))


class Throttle:
    def __init__(self, redis: RedisTarget | None = None) -> None:
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        if redis is not None and redis.configured:
            options = {
                "wrap_exceptions": True,
                "implementation": "redispy",
                "key_prefix": KEY_PREFIX,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            }
            storage: Storage = (
                RedisSentinelStorage(
                    redis.limits_uri(),
                    use_replicas=False,  # counts are read right after they are written
                    sentinel_kwargs={"socket_timeout": REDIS_TIMEOUT_SECONDS},
                    **options,  # type: ignore[arg-type]
                )
                if redis.sentinels
                else RedisStorage(redis.limits_uri(), **options)  # type: ignore[arg-type]
            )
            self._shared = MovingWindowRateLimiter(storage)
        self._breaker = CircuitBreaker()

    def _limiters(self) -> list[MovingWindowRateLimiter]:
        if self._shared is not None and self._breaker.allow():
            return [self._shared, self._memory]
        return [self._memory]

    async def _call(self, call: Callable[[MovingWindowRateLimiter], Awaitable[T]]) -> T:
        for limiter in self._limiters():
            try:
                result = await call(limiter)
            except StorageError as exc:
                self._breaker.record_failure()
                log.warning("throttle_storage_unavailable", error=repr(exc))
                continue
            if limiter is self._shared:
                self._breaker.record_success()
            return result
        raise AssertionError("the in-process limiter cannot fail")

    async def retry_after(self, items: Rates, *key: str) -> int | None:
        """Seconds until ``key`` may try again when one of ``items`` is used up, else None."""

        async def check(limiter: MovingWindowRateLimiter) -> int | None:
            waits = [
                await self._wait(limiter, item, key)
                for item in items
                if not await limiter.test(item, *key)
            ]
            return max(waits) if waits else None

        return await self._call(check)

    async def hit(self, items: Rates, *key: str) -> int | None:
        """Count one attempt against each of ``items``; the wait when that was one too many."""

        async def count(limiter: MovingWindowRateLimiter) -> int | None:
            waits = [
                await self._wait(limiter, item, key)
                for item in items
                if not await limiter.hit(item, *key)
            ]
            return max(waits) if waits else None

        return await self._call(count)

    async def clear(self, items: Rates, *key: str) -> None:
        async def forget(limiter: MovingWindowRateLimiter) -> None:
            for item in items:
                await limiter.clear(item, *key)

        await self._call(forget)

    @staticmethod
    async def _wait(
        limiter: MovingWindowRateLimiter, item: RateLimitItem, key: Sequence[str]
    ) -> int:
        stats = await limiter.get_window_stats(item, *key)
        return max(1, math.ceil(stats.reset_time - time.time()))
