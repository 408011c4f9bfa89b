"""Replica choice and lag, from the positions the poller has seen (no servers needed)."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import create_async_engine

from notestack.core.replicas import ReplicaSet, pack, unpack
from notestack.core.settings import Settings

STRONG = "replica-test-secret-key-0f1e2d3c4b5a69788796"


def _replica_set(count: int = 2) -> ReplicaSet:
    urls = [f"postgresql+asyncpg://postgres@127.0.0.1:1/r{i}" for i in range(count)]
    settings = Settings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/p", secret_key=STRONG
    )
    primary = create_async_engine(settings.database_url)
    return ReplicaSet(primary, [create_async_engine(url) for url in urls], settings)


def test_only_healthy_replicas_that_replayed_the_position_are_chosen() -> None:
    replicas = _replica_set()
    first, second = replicas.replicas
    first.healthy, first.replay_lsn = True, 1000
    second.healthy, second.replay_lsn = True, 500
    assert {replicas.choose(800).name for _ in range(4)} == {first.name}  # type: ignore[union-attr]
    assert {replicas.choose(0).name for _ in range(4)} == {first.name, second.name}  # type: ignore[union-attr]
    assert replicas.choose(2000) is None
    assert replicas.choose(None) is None, "an unknown position must go to the primary"
    first.healthy = False
    assert replicas.choose(800) is None


def test_a_position_on_a_later_timeline_needs_a_replica_on_that_timeline() -> None:
    """After a failover, a node still on the old timeline may show a replay LSN past a write
    made on the new one without holding it (it diverged before pg_rewind): never chosen."""
    replicas = _replica_set()
    old, new = replicas.replicas
    old.healthy, old.timeline, old.replay_lsn = True, 1, 9000  # ahead, on the old timeline
    new.healthy, new.timeline, new.replay_lsn = True, 2, 5000
    assert unpack(pack(2, 4000)) == (2, 4000)
    assert pack(1, 2**63) < pack(2, 0), "positions order by timeline first"
    assert {replicas.choose(pack(2, 4000)).name for _ in range(4)} == {new.name}  # type: ignore[union-attr]
    assert replicas.choose(pack(2, 6000)) is None
    # A write acknowledged on timeline 1 lies before the fork: both may serve it.
    assert {replicas.choose(pack(1, 4000)).name for _ in range(4)} == {old.name, new.name}  # type: ignore[union-attr]


def test_staleness_is_the_age_of_the_primary_position_the_replica_reached() -> None:
    replicas = _replica_set(1)
    now = time.monotonic()
    for lsn, age in [(100, 30.0), (200, 20.0), (300, 5.0), (400, 0.0)]:
        replicas._primary_history.append((lsn, now - age))
    assert replicas.staleness(400, 400) == 0.0
    assert 4.9 < replicas.staleness(300, 400) < 6.0
    assert 19.9 < replicas.staleness(250, 400) < 21.0
    assert replicas.staleness(50, 400) >= 29.9
