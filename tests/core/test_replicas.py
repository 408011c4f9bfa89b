"""Replica choice and lag, from the positions the poller has seen (no servers needed)."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import create_async_engine

from notestack.core.replicas import ReplicaSet
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


def test_staleness_is_the_age_of_the_primary_position_the_replica_reached() -> None:
    replicas = _replica_set(1)
    now = time.monotonic()
    for lsn, age in [(100, 30.0), (200, 20.0), (300, 5.0), (400, 0.0)]:
        replicas._primary_history.append((lsn, now - age))
    assert replicas.staleness(400, 400) == 0.0
    assert 4.9 < replicas.staleness(300, 400) < 6.0
    assert 19.9 < replicas.staleness(250, 400) < 21.0
    assert replicas.staleness(50, 400) >= 29.9
