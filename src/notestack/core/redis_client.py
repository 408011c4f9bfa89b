"""The cache's Redis client: one server by URL, or the primary that Redis Sentinel names.

With Sentinel, redis-py asks the Sentinels for the primary's address whenever it opens a
connection, and drops connections to a server that is no longer the primary. What it does
not say is that the primary *changed*; the cache must know, because Redis replicates
asynchronously: the promoted replica may lack the last generation bumps and write positions,
so its cached entries cannot be trusted until the cache has recovered (``Cache.recover``).
``FailoverWatch.changes`` counts the primary changes this process has seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from notestack.core.settings import Settings

# What redis-py's blocking pool raises when no connection came free within its timeout.
_POOL_EXHAUSTED = "No connection available."


def pool_exhausted(exc: BaseException) -> bool:
    """Whether ``exc`` only says this process had no free pooled connection in time (it is
    busy), as opposed to Redis being unreachable."""
    return (
        isinstance(exc, RedisConnectionError)
        and isinstance(exc.__cause__, TimeoutError)
        and str(exc) == _POOL_EXHAUSTED
    )


@dataclass
class FailoverWatch:
    changes: int = 0
    address: tuple[str, int] | None = None

    def saw(self, address: tuple[str, int]) -> None:
        if self.address is not None and address != self.address:
            self.changes += 1
        self.address = address


class _WatchedSentinelPool(SentinelConnectionPool, BlockingConnectionPool):
    """Sentinel's pool, blocking like the plain one (wait ``timeout`` for a free connection),
    reporting every primary address it is given to a ``FailoverWatch``."""

    def __init__(self, service_name: str, sentinel_manager: Sentinel, **kwargs: Any) -> None:
        self.watch: FailoverWatch = kwargs.pop("watch")
        super().__init__(service_name, sentinel_manager, **kwargs)  # type: ignore[no-untyped-call]

    async def get_master_address(self) -> Any:
        address = await super().get_master_address()  # type: ignore[no-untyped-call]
        self.watch.saw((str(address[0]), int(address[1])))
        return address


@dataclass(frozen=True)
class RedisTarget:
    """Where the service's Redis is: a URL, or Sentinels naming the primary (the URL then only
    gives the database number and credentials). Everything that talks to Redis (the cache,
    the throttles, live updates) finds it the same way."""

    url: str = ""
    sentinels: tuple[str, ...] = ()
    master: str = "notestack"

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisTarget:
        return cls(
            settings.redis_url, tuple(settings.redis_sentinels), settings.redis_sentinel_master
        )

    @property
    def configured(self) -> bool:
        return bool(self.url or self.sentinels)

    def connect(
        self, *, timeout: float, max_connections: int, blocking_reads: bool = False
    ) -> tuple[Redis, FailoverWatch]:
        return connect(
            self.url,
            list(self.sentinels),
            self.master,
            timeout=timeout,
            max_connections=max_connections,
            blocking_reads=blocking_reads,
        )

    def limits_uri(self) -> str:
        """The same server for the ``limits`` library's storage."""
        if self.sentinels:
            return f"async+redis+sentinel://{','.join(self.sentinels)}/{self.master}"
        return self.url.replace("redis://", "async+redis://", 1)


def connect(
    url: str,
    sentinels: list[str],
    master: str,
    *,
    timeout: float,
    max_connections: int,
    blocking_reads: bool = False,
) -> tuple[Redis, FailoverWatch]:
    """``timeout`` bounds the wait for a free connection, for connecting and for each reply;
    with ``blocking_reads`` (a subscription, which may be quiet for a long time) replies are
    waited for as long as it takes, the connection checked every 30 s."""
    watch = FailoverWatch()
    socket_options: dict[str, Any] = {
        "socket_timeout": None if blocking_reads else timeout,
        "socket_connect_timeout": timeout,
        "health_check_interval": 30 if blocking_reads else 0,
    }
    retry = Retry(NoBackoff(), retries=0)
    if not sentinels:
        pool = BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=timeout, **socket_options
        )
        return Redis(connection_pool=pool, retry=retry), watch
    addresses = []
    for item in sentinels:
        host, _, port = item.rpartition(":")
        addresses.append((host, int(port)))
    extra: dict[str, Any] = {}
    if url:  # only the database number and credentials matter here
        parsed = BlockingConnectionPool.from_url(url).connection_kwargs
        extra = {k: parsed[k] for k in ("db", "username", "password") if parsed.get(k)}
    manager = Sentinel(  # type: ignore[no-untyped-call]
        addresses, sentinel_kwargs=dict(socket_options), **socket_options
    )
    client: Redis = manager.master_for(
        master,
        redis_class=Redis,
        connection_pool_class=_WatchedSentinelPool,
        watch=watch,
        max_connections=max_connections,
        timeout=timeout,
        retry=retry,
        **extra,
    )
    return client, watch
