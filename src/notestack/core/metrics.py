"""Prometheus metrics. Under several worker processes, ``PROMETHEUS_MULTIPROC_DIR`` (set by
``notestack serve`` before workers start) makes every worker write to shared files."""

from __future__ import annotations

import functools
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter("notestack_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "notestack_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
CACHE = Counter("notestack_cache_requests_total", "Cache look-ups by result", ["kind", "result"])
READS_ROUTED = Counter(
    "notestack_db_reads_total", "Read sessions by where they were routed", ["target"]
)
REPLICA_LAG_BYTES = Gauge(
    "notestack_replica_lag_bytes",
    "Replay lag of each replica behind the primary, in WAL bytes",
    ["replica"],
    multiprocess_mode="max",
)
REPLICA_LAG_SECONDS = Gauge(
    "notestack_replica_lag_seconds",
    "Seconds since the last transaction replayed on each replica",
    ["replica"],
    multiprocess_mode="max",
)
REPLICA_HEALTHY = Gauge(
    "notestack_replica_healthy",
    "1 when a replica is used for reads",
    ["replica"],
    multiprocess_mode="min",
)

# Every answer the server gives *because* it is loaded (not because the request was wrong):
# action "shed" (503, come back later), "throttled" (429, this caller is over its share) or
# "bypassed" (served, without the cache); reason says which bound was hit.
OVERLOAD = Counter(
    "notestack_overload_total",
    "Requests shed, throttled or degraded under load",
    ["action", "reason"],
)
IN_FLIGHT = Gauge(
    "notestack_requests_in_flight",
    "Requests being served (admission control), summed over worker processes",
    multiprocess_mode="livesum",
)
QUEUED = Gauge(
    "notestack_requests_queued",
    "Requests waiting for admission, summed over worker processes",
    multiprocess_mode="livesum",
)


# A labelled series is found once per process, not per request: ``labels()`` (checking and
# joining its values under a lock) was a twentieth of a cache hit's CPU. prometheus-client keeps
# every series it made for the process's life anyway; these only remember where.
@functools.lru_cache(maxsize=4096)
def _request_series(method: str, route: str, status: int) -> tuple[Any, Any]:
    return REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route)


@functools.lru_cache(maxsize=256)
def cache_result(kind: str, result: str) -> Any:
    """The cache look-ups series of ``kind`` with ``result`` (hit, miss, bypass...)."""
    return CACHE.labels(kind, result)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    requests, latency = _request_series(method, route, status)
    requests.inc()
    latency.observe(seconds)


def render(multiprocess_dir: str) -> tuple[bytes, str]:
    if multiprocess_dir:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
