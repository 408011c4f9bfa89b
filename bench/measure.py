"""How `make bench` measures: alternating closed-loop rounds under a quiet-core gate, open-loop
runs, the server choice, and the scenarios that run on their own (growth, overload, streams);
each with the CPU every server-side process spent."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import statistics
import subprocess
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from bench import growth, overload, streams, wrk
from bench.env import REPO_ROOT, VENV_BIN, BenchEnv, core_jiffies, postgres, stack_app
from bench.mode import Mode
from bench.scenarios import LIST_PATH, Target
from bench.stats import ratio

GRANIAN_VERSION = "2.8.9"  # installed into .venv by mk/bench.mk only; not in the lock files


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def cache_counts(env: BenchEnv, base: str) -> dict[str, float]:
    """The instance's own list-cache counters (Prometheus), summed over its workers."""
    counts = {"hit": 0.0, "miss": 0.0, "bypass": 0.0}
    try:
        text = httpx.get(base + "/metrics", headers=env.metrics_headers(), timeout=5).text
    except httpx.HTTPError:
        return counts
    for line in text.splitlines():
        if line.startswith("notestack_cache_requests_total{") and 'kind="list"' in line:
            for result in counts:
                if f'result="{result}"' in line:
                    counts[result] += float(line.rsplit(" ", 1)[1])
    return counts


def foreign_share(
    core_before: tuple[float, float],
    core_after: tuple[float, float],
    ours_before: dict[str, float],
    ours_after: dict[str, float],
) -> float:
    """Share of the server core(s) used by processes that are not the benchmark's."""
    ours = sum(ours_after.get(k, 0) - v for k, v in ours_before.items())
    busy, total = core_after[0] - core_before[0], core_after[1] - core_before[1]
    return max(0.0, busy - ours) / max(total, 1e-9)


class QuietGate:
    """Before each measured run, wait (within a total budget) until processes that are not
    ours use less than `threshold` of the server core over one second. The machine is shared;
    this keeps bursts of other work out of the figures when it can, and says when it could not.
    """

    def __init__(self, mode: Mode, env: BenchEnv) -> None:
        self.env, self.left, self.threshold = env, mode.quiet_budget_s, mode.quiet_threshold
        self.waited = 0.0

    def foreign_share(self) -> float:
        cpus = self.env.server_cpus
        if not cpus:
            return 0.0
        ours_before, core_before = self.env.cpu_snapshot(), core_jiffies(cpus)
        time.sleep(1.0)
        ours_after, core_after = self.env.cpu_snapshot(), core_jiffies(cpus)
        return foreign_share(core_before, core_after, ours_before, ours_after)

    def wait(self) -> float:
        """Seconds waited (0 when the core was quiet, or when the budget is spent)."""
        started = time.monotonic()
        share = 1.0
        while self.left > 0 and self.env.server_cpus:
            share = self.foreign_share()
            if share < self.threshold:
                break
            self.left -= 1.0
        waited = time.monotonic() - started
        self.waited += waited
        return round(waited, 1)


def closed_loop(
    mode: Mode, env: BenchEnv, plan: dict[str, Target], names: tuple[str, ...], gate: QuietGate
) -> dict[str, list[dict[str, Any]]]:
    """Alternating rounds: every scenario once per round, so drift hits all of them alike."""

    def drive(t: Target, duration_s: float) -> wrk.WrkResult:
        return wrk.run(
            t.url,
            script=t.script,
            token=t.token,
            duration_s=duration_s,
            connections=mode.connections,
            cpus=mode.load_cpus,
        )

    for name in names if mode.warmup_s > 0 else ():
        drive(plan[name], mode.warmup_s)
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for index in range(mode.rounds):
        for name in names:
            env.pin_servers()
            waited = gate.wait()
            t = plan[name]
            counted = "cached" in name or name == "miss_list"
            before = cache_counts(env, t.url.split("/api/")[0]) if counted else {}
            pg_before = env.pg_counters()
            cpu_before = env.cpu_snapshot()
            core_before = core_jiffies(env.server_cpus) if env.server_cpus else (0.0, 0.0)
            result = drive(t, mode.duration_s).as_dict()
            cpu_after = env.cpu_snapshot()
            pg_after = env.pg_counters()
            served = max(result["requests"], 1)
            # New PostgreSQL sessions per request > 0 means connections are opened and closed
            # while serving (pool churn); transactions per request counts every BEGIN..END.
            result["pg_sessions_per_request"] = round(
                (pg_after["sessions"] - pg_before["sessions"]) / served, 4
            )
            result["pg_xacts_per_request"] = round(
                (pg_after["xacts"] - pg_before["xacts"]) / served, 3
            )
            if env.server_cpus:
                core_after = core_jiffies(env.server_cpus)
                busy, total = core_after[0] - core_before[0], core_after[1] - core_before[1]
                result["server_core_busy_share"] = round(busy / max(total, 1e-9), 3)
                result["server_core_foreign_share"] = round(
                    foreign_share(core_before, core_after, cpu_before, cpu_after), 3
                )
            result["cpu_ms_per_request"] = {
                part: round(1000 * (cpu_after.get(part, 0) - used) / max(result["requests"], 1), 4)
                for part, used in cpu_before.items()
                if cpu_after.get(part, 0) - used > 0.005
            }
            if before:
                after = cache_counts(env, t.url.split("/api/")[0])
                result["cache_hits"] = after["hit"] - before["hit"]
                result["cache_misses"] = after["miss"] - before["miss"]
            result["worker_rss_kib"] = env.worker_rss_kib(t.server)
            result["round"] = index + 1
            result["waited_for_quiet_s"] = waited
            rounds[name].append(result)
            log(
                f"round {index + 1} {name:>18}: {result['rps']:9.1f} req/s  "
                f"p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms  "
                f"errors {result['errors']}  foreign CPU on server core "
                f"{result.get('server_core_foreign_share')}"
            )
    return rounds


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    parts = {part for r in runs for part in r.get("cpu_ms_per_request", {})}
    per_run = [r.get("cpu_ms_per_request", {}) for r in runs]
    cpu = {p: round(statistics.median(c.get(p, 0) for c in per_run), 4) for p in sorted(parts)}
    foreign = [r["server_core_foreign_share"] for r in runs if "server_core_foreign_share" in r]
    pg_stats = {
        key: statistics.median(r[key] for r in runs)
        for key in ("pg_sessions_per_request", "pg_xacts_per_request")
        if all(key in r for r in runs)
    }
    return {
        **pg_stats,
        "server_core_foreign_share": round(statistics.median(foreign), 3) if foreign else None,
        "cpu_ms_per_request": cpu,
        "rps": round(statistics.median(r["rps"] for r in runs), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 3),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 3),
        "errors": sum(r["errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        # Each worker's resident memory after the scenario's last round.
        "worker_rss_kib": runs[-1].get("worker_rss_kib", []),
        "rounds": runs,
    }


def summarize_open(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of the open-loop rounds' percentiles; counts summed; every round kept."""

    def med(key: str) -> float:
        return round(statistics.median(float(r[key]) for r in runs), 3)

    foreign = [r["server_core_foreign_share"] for r in runs if "server_core_foreign_share" in r]
    out: dict[str, Any] = {
        "target_rate": runs[0]["target_rate"],
        "achieved_rps": med("achieved_rps"),
        "p50_ms": med("p50_ms"),
        "p90_ms": med("p90_ms"),
        "p99_ms": med("p99_ms"),
        "p999_ms": med("p999_ms"),
        "max_ms": max(r["max_ms"] for r in runs),
        "max_send_lag_ms": max(r["max_send_lag_ms"] for r in runs),
        "scheduled": sum(r["scheduled"] for r in runs),
        "completed": sum(r["completed"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "server_core_foreign_share": round(statistics.median(foreign), 3) if foreign else None,
        "rounds": runs,
    }
    out["p99_over_p50"] = ratio(out["p99_ms"], out["p50_ms"])
    out["target_p99_le_3x_p50"] = out["p99_ms"] <= 3 * out["p50_ms"]
    return out


def open_loop(mode: Mode, target: Target, rate: float) -> dict[str, Any]:
    argv = [
        str(VENV_BIN / "python"),
        "-m",
        "bench.openloop",
        "--url",
        target.url,
        "--rate",
        f"{rate:.1f}",
        "--duration",
        str(mode.open_duration_s),
        "--token",
        target.token,
        "--method",
        target.method,
    ]
    if target.body is not None:
        argv += ["--body", target.body]
    if mode.load_cpus is not None:
        argv = ["taskset", "-c", mode.load_cpus, *argv]
    result = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=mode.open_duration_s + 60,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"open-loop generator failed: {result.stderr}")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def server_choice(
    mode: Mode, env: BenchEnv, tokens: dict[str, Any], gate: QuietGate
) -> dict[str, Any]:
    if mode.skip_granian:
        return {"skipped": "BENCH_SKIP_GRANIAN=1"}
    if importlib.util.find_spec("granian") is None:
        return {
            "skipped": f"granian not installed (make bench installs granian=={GRANIAN_VERSION})"
        }
    env.start_granian()
    try:
        env.pin_servers()
        plan = {
            "gunicorn_uvicorn": Target(env.url("cached") + LIST_PATH, "get", tokens["reader"]),
            "granian": Target(env.url("granian") + LIST_PATH, "get", tokens["reader"]),
        }
        rounds = closed_loop(mode, env, plan, ("gunicorn_uvicorn", "granian"), gate)
    finally:
        env.stop_granian()
    gu, gr = summarize(rounds["gunicorn_uvicorn"]), summarize(rounds["granian"])
    # Adjacent runs share the machine's conditions: compare them pairwise, and by CPU per
    # request (which other work on the core hardly moves).
    paired = statistics.median(
        b["rps"] / a["rps"]
        for a, b in zip(rounds["gunicorn_uvicorn"], rounds["granian"], strict=True)
        if a["rps"]
    )
    gu_ms = gu["cpu_ms_per_request"].get("app_cached", 0.0)
    gr_ms = gr["cpu_ms_per_request"].get("granian", 0.0)
    cpu_ratio = gu_ms / gr_ms if gr_ms else 0.0
    ratio = paired
    if min(paired, cpu_ratio) >= 1.10 and gr["errors"] == 0:
        choice = "granian"
        reason = (
            f"granian serves {paired:.2f}x the requests/s of gunicorn+uvicorn (paired rounds) "
            f"and needs {cpu_ratio:.2f}x less CPU per request on this route"
        )
    else:
        choice = "gunicorn+uvicorn"
        reason = (
            f"granian / gunicorn+uvicorn = {paired:.2f} in req/s (median of paired rounds) and "
            f"{cpu_ratio:.2f} in CPU per request ({gr_ms:.3f} vs {gu_ms:.3f} ms): not both at "
            "the 1.10 bar that would justify giving up gunicorn's proven arbiter, hooks and "
            "drain logic"
        )
    return {
        "scenario": "cached_list (2)",
        "workers": env.workers,
        "gunicorn_uvicorn": gu,
        "granian": gr,
        "granian_vs_gunicorn": round(ratio, 3),
        "granian_vs_gunicorn_cpu": round(cpu_ratio, 3),
        "granian_version": GRANIAN_VERSION,
        "choice": choice,
        "reason": reason,
    }


def run_growth(mode: Mode, env: BenchEnv) -> dict[str, Any]:
    if mode.skip_growth:
        return {"skipped": "BENCH_SKIP_GROWTH=1"}
    postgres.psql(env.pg_port, "DROP DATABASE IF EXISTS bench_growth")
    postgres.psql(env.pg_port, "CREATE DATABASE bench_growth")
    app_env = env.app_env(cache=False, name="bench-growth")
    app_env["NOTESTACK_DATABASE_URL"] = (
        f"postgresql+asyncpg://postgres@127.0.0.1:{env.pg_port}/bench_growth"
    )
    stack_app.migrate(app_env)
    dsn = f"postgresql://postgres@127.0.0.1:{env.pg_port}/bench_growth"
    load = {int(c) for c in mode.load_cpus.split(",")} if mode.load_cpus else None
    return asyncio.run(growth.run(dsn, mode.growth, mode.results_dir, load_cpus=load))


def run_overload(mode: Mode) -> dict[str, Any] | None:
    """The production topology (`make stack`'s launcher) at 32, 1,000 and 2,000 clients
    through nginx (bench/overload.py); not in smoke runs (a minute of its own)."""
    if mode.name == "smoke" or os.environ.get("BENCH_SKIP_OVERLOAD") == "1":
        return None
    rounds, duration = (1, 5.0) if mode.name == "quick" else (2, 10.0)
    cpus = None
    if mode.server_cpus and mode.load_cpus:
        cpus = overload.CpuSplit(mode.server_cpus, mode.load_cpus)
    log(f"overload: {rounds} round(s) of {duration:g}s at {overload.LEVELS} clients")
    return overload.measure(overload.LEVELS, rounds, duration, cpus)


def run_streams(mode: Mode) -> dict[str, Any] | None:
    """Open event streams on one worker with changes flowing (bench/streams.py): memory per
    stream and delivery latency to all of them."""
    if os.environ.get("BENCH_SKIP_STREAMS") == "1":
        return None
    count, changes = {"smoke": (50, 3), "quick": (500, 10)}.get(mode.name, (2000, 20))
    log(f"streams: {count} open event streams, {changes} changes")
    return streams.measure(count, changes)
