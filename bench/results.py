"""A `make bench` run's result: what was measured (typed), and the one place that turns it into
bench/results/latest.json (ratios, noise, settings) for bench/report.py and for readers."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench import machine, report
from bench.env import MISS_MAX_ENTRY_BYTES, extra_app_env, postgres
from bench.mode import Mode
from bench.scenarios import CREATE_BODY, CREATE_PATH, LIST_NOTES, LIST_PATH, SCENARIOS
from bench.stats import ratio

# Each ratio: a path's figure over the figure of what bounds it (issue 5's fixed-bytes ceiling,
# nginx's direct path, and issue 13's ceilings of the I/O each path must do). Computed alike
# from requests per second and from CPU-implied requests per second per core.
RATIOS: dict[str, tuple[str, str]] = {
    "cached_vs_ceiling": ("cached_list", "ceiling"),
    "uncached_vs_ceiling": ("uncached_list", "ceiling"),
    "nginx_vs_direct": ("nginx_cached_list", "cached_list"),
    "create_vs_ceiling": ("create", "ceiling"),
    "cached_vs_redis_ceiling": ("cached_list", "ceiling_redis"),
    "uncached_vs_db_read_ceiling": ("uncached_list", "ceiling_db_read"),
    "miss_vs_db_read_ceiling": ("miss_list", "ceiling_db_read"),
    "create_vs_db_write_ceiling": ("create", "ceiling_db_write"),
}


def ratios(per_scenario: dict[str, float]) -> dict[str, float]:
    return {name: ratio(per_scenario[a], per_scenario[b]) for name, (a, b) in RATIOS.items()}


@dataclass
class Measured:
    """Everything one run measured, as the scenarios returned it."""

    mode: Mode
    duration_s: float
    load_before: tuple[float, float, float]
    cache_active: bool
    list_body_bytes: int
    ceilings: dict[str, Any]
    rounds: dict[str, list[dict[str, Any]]]  # closed loop, every round of every scenario
    summary: dict[str, dict[str, Any]]  # closed loop, per scenario
    open_loop: dict[str, dict[str, Any]]
    server_choice: dict[str, Any]
    waited_for_quiet_s: float
    pg_version: str
    pg_settings: dict[str, Any]
    growth: dict[str, Any]
    overload: dict[str, Any] | None
    streams: dict[str, Any] | None
    frontend: dict[str, Any]


def _cpu_implied(summary: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Requests a second one core could serve, from the CPU every server process spent."""
    implied = {}
    for name in SCENARIOS:
        cpu = summary[name]["cpu_ms_per_request"]
        implied[name] = round(1000 / sum(cpu.values()), 1) if cpu else 0.0
    return implied


def _noise(m: Measured) -> dict[str, Any]:
    shares = [
        r["server_core_foreign_share"]
        for runs in m.rounds.values()
        for r in runs
        if r.get("server_core_foreign_share") is not None
    ]
    return {
        "median_foreign_share_of_server_core": round(statistics.median(shares), 3)
        if shares
        else None,
        "max_foreign_share_of_server_core": max(shares) if shares else None,
        "waited_for_quiet_s": round(m.waited_for_quiet_s, 1),
        "quiet_threshold": m.mode.quiet_threshold,
        "quiet_budget_s": m.mode.quiet_budget_s,
    }


def _settings(m: Measured) -> dict[str, Any]:
    mode = m.mode
    return {
        "workers_per_instance": mode.workers,
        "server_cpus": sorted(mode.server_cpus) if mode.server_cpus else None,
        "load_cpus": mode.load_cpus,
        "pinning": "taskset/sched_setaffinity: every thread of PostgreSQL, Redis, nginx and the "
        "app servers on the server CPUs; wrk and the open-loop generator on the load CPUs",
        "wrk": {
            "threads": 1,
            "connections": mode.connections,
            "duration_s": mode.duration_s,
            "rounds": mode.rounds,
            "warmup_s": mode.warmup_s,
        },
        "open_loop": {
            "duration_s": mode.open_duration_s,
            "rate": "half the closed-loop peak",
            "latency_from": "scheduled send time (no coordinated omission)",
        },
        "list_request": f"GET {LIST_PATH} (user with {LIST_NOTES} notes, Bearer token)",
        "create_request": f"POST {CREATE_PATH} {CREATE_BODY}",
        "postgres": m.pg_settings,
        "nginx_worker_processes": 1,
        "app_env": "NOTESTACK_ENVIRONMENT=production, NOTESTACK_LOG_LEVEL=WARNING, cache "
        "instance with NOTESTACK_REDIS_URL, uncached without, miss with it and "
        f"NOTESTACK_CACHE_MAX_ENTRY_BYTES={MISS_MAX_ENTRY_BYTES}; no replicas",
        "app_env_extra": extra_app_env(),
    }


def assemble(m: Measured) -> dict[str, Any]:
    """latest.json: the headline figures first, then every round, the machine and settings."""
    summary = m.summary
    cached_runs = summary["cached_list"]["rounds"]
    hits = sum(r.get("cache_hits", 0) for r in cached_runs)
    misses = sum(r.get("cache_misses", 0) for r in cached_runs)
    result: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": m.mode.name,
        "duration_s": m.duration_s,
        "cache_active": m.cache_active,
        "list_body_bytes": m.list_body_bytes,
    }
    for name in SCENARIOS:
        for figure in ("rps", "p50_ms", "p99_ms", "errors"):
            result[f"{name}_{figure}"] = summary[name][figure]
    result["ratios"] = ratios({name: summary[name]["rps"] for name in SCENARIOS})
    if m.overload is not None:
        result["ratios"]["overload_goodput"] = m.overload["overload_goodput"]
        result["overload"] = m.overload
    if m.streams is not None:
        result["streams"] = m.streams
    implied = _cpu_implied(summary)
    result["cpu_implied_rps_per_core"] = implied
    result["ratios_cpu"] = ratios(implied)
    result["ceilings"] = m.ceilings
    result["noise"] = _noise(m)
    result["cache_hit_ratio"] = ratio(hits, hits + misses) if hits + misses else None
    result["cache_counts_during_cached_list"] = {"hits": hits, "misses": misses}
    miss_runs = summary["miss_list"]["rounds"]
    result["cache_counts_during_miss_list"] = {
        "hits": sum(r.get("cache_hits", 0) for r in miss_runs),
        "misses": sum(r.get("cache_misses", 0) for r in miss_runs),
    }
    result["worker_rss_kib"] = {name: summary[name]["worker_rss_kib"] for name in SCENARIOS}
    result["closed_loop"] = summary
    result["open_loop"] = m.open_loop
    result["server_choice"] = m.server_choice
    # Issue 12's published speed: measured by the growth run on its largest table.
    grown = dict(m.growth)
    skipped = {"skipped": "measured by the growth run, which was skipped"}
    result["search"] = grown.pop("search", None) or skipped
    result["sorts"] = grown.pop("sorts", None) or skipped
    result["growth"] = grown
    result["frontend_gzip_kb"] = m.frontend.get("total_gzip_kb")
    result["frontend"] = m.frontend
    result["machine"] = machine.machine()
    result["machine"]["loadavg_before"] = [round(x, 2) for x in m.load_before]
    result["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    result["versions"] = machine.versions(postgres.bin_dir())
    result["versions"]["postgres_server"] = m.pg_version
    result["measured_source"] = machine.source()
    result["settings"] = _settings(m)
    result["targets"] = report.targets(result)
    return result
