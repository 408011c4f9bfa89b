"""`make bench`: start everything, measure, write bench/results/latest.{json,md,png}.

Modes (environment):
  (default)      full run, about 20-25 minutes: 3 alternating rounds of 10 s per scenario,
                 10 s open-loop runs, growth to 10k / 100k / 1M notes (100k of them one
                 user's: the search and sorted-list figures, bench/search.py)
  BENCH_QUICK=1  a few minutes: 1 round of 3 s, growth to 2k / 10k / 50k; results in
                 bench/results/quick/ so the committed full-run evidence is not overwritten
  BENCH_SMOKE=1  the smoke test's mode: 1 s runs, tiny growth (BENCH_RESULTS_DIR required)
Other knobs: BENCH_RESULTS_DIR, BENCH_WORKERS (default 1: one core serves), BENCH_CONNECTIONS
(wrk, default 32), BENCH_SERVER_CPUS / BENCH_LOAD_CPUS (default "1" / "0" on 2+ cores),
BENCH_SKIP_GROWTH=1, BENCH_SKIP_GRANIAN=1, BENCH_QUIET_BUDGET_S, and
BENCH_APP_ENV="NOTESTACK_X=... NOTESTACK_Y=..." (extra app settings: try a configuration change).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import frontend, growth, machine, overload, report, streams, wrk
from bench.accounts import add_notes, signed_up
from bench.env import (
    REPO_ROOT,
    VENV_BIN,
    BenchEnv,
    core_jiffies,
    extra_app_env,
    postgres,
    stack_app,
)

LIST_PATH = "/api/v1/note?limit=50"
CREATE_PATH = "/api/v1/note/create"
CREATE_BODY = (
    '{"title":"bench note","description":"written by make bench",'
    '"status":"Pending","priority":"Low"}'
)
LIST_NOTES = 50
# The ceilings (bench/ceiling_app.py): the server's own limit (fixed bytes), and each I/O
# path's: one Redis round trip, one read query, one INSERT ... RETURNING.
CEILINGS = ("ceiling", "ceiling_redis", "ceiling_db_read", "ceiling_db_write")
SCENARIOS = (*CEILINGS, "cached_list", "uncached_list", "create", "nginx_cached_list")
# The open loop (a latency target for the API's scenarios) leaves out the I/O ceilings,
# which are there for their throughput and CPU per request.
OPEN_LOOP_SCENARIOS = ("ceiling", "cached_list", "uncached_list", "create", "nginx_cached_list")
CEILING_REDIS_KEY = "bench:ceiling:list"  # bench/ceiling_app.py REDIS_KEY
CEILING_WRITER = "bench_ceiling"  # the account the write ceiling's notes go to
GRANIAN_VERSION = "2.8.9"  # installed into .venv by mk/bench.mk only; not in the lock files


@dataclass
class Mode:
    name: str
    rounds: int
    duration_s: float
    warmup_s: float
    open_duration_s: float
    connections: int
    growth: growth.GrowthPlan
    results_dir: Path
    workers: int
    server_cpus: set[int] | None
    load_cpus: str | None
    skip_growth: bool = False
    skip_granian: bool = False
    quiet_budget_s: float = 0.0  # total time to wait for other work to leave the server core
    quiet_threshold: float = 0.15
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_env(cls) -> Mode:
        env = os.environ
        smoke, quick = env.get("BENCH_SMOKE") == "1", env.get("BENCH_QUICK") == "1"
        ncpu = os.cpu_count() or 1
        server_cpus: set[int] | None = None
        load_cpus: str | None = None
        if ncpu >= 2:
            server_cpus = {int(c) for c in env.get("BENCH_SERVER_CPUS", "1").split(",")}
            load_cpus = env.get("BENCH_LOAD_CPUS", "0")
        default_dir = REPO_ROOT / "bench" / "results"
        if smoke:
            name, rounds, dur, warm, open_dur = "smoke", 1, 1.0, 0.0, 1.0
            plan = growth.GrowthPlan(
                (500, 1000, 2000), 200, 100, 20, 10, notes_per_user=50, explain_runs=3,
                search_user_notes=500, search_iterations=5, search_explain_runs=3,
                text_pool=512,
            )  # fmt: skip
            if "BENCH_RESULTS_DIR" not in env:
                raise SystemExit("BENCH_SMOKE=1 needs BENCH_RESULTS_DIR (a temporary directory)")
        elif quick:
            name, rounds, dur, warm, open_dur = "quick", 1, 3.0, 1.0, 3.0
            plan = growth.GrowthPlan(
                (2000, 10_000, 50_000), 500, 250, 20, 300,
                search_user_notes=10_000, search_iterations=40, search_explain_runs=20,
            )  # fmt: skip
            default_dir = default_dir / "quick"
        else:
            name, rounds, dur, warm, open_dur = "full", 3, 10.0, 2.0, 10.0
            plan = growth.GrowthPlan(
                (10_000, 100_000, 1_000_000), 2000, 1000, 20, 2000,
                search_user_notes=100_000, search_iterations=200, search_explain_runs=100,
            )  # fmt: skip
        return cls(
            name=name,
            rounds=rounds,
            duration_s=dur,
            warmup_s=warm,
            open_duration_s=open_dur,
            connections=int(env.get("BENCH_CONNECTIONS", "32")),
            growth=plan,
            results_dir=Path(env.get("BENCH_RESULTS_DIR", default_dir)),
            workers=int(env.get("BENCH_WORKERS", "1")),
            server_cpus=server_cpus,
            load_cpus=load_cpus,
            skip_growth=env.get("BENCH_SKIP_GROWTH") == "1",
            quiet_budget_s=float(
                env.get("BENCH_QUIET_BUDGET_S", {"full": 400, "quick": 20}.get(name, 0))
            ),
            skip_granian=env.get("BENCH_SKIP_GRANIAN") == "1",
        )


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# -- set-up ----------------------------------------------------------------------------------
def setup_users(base: str) -> dict[str, Any]:
    """A reader with 50 notes (the list scenarios) and a writer (the create scenario)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        reader = signed_up(client, "bench_reader")
        writer = signed_up(client, "bench_writer")
        add_notes(client, reader, LIST_NOTES, "Benchmark note")
        response = client.get(LIST_PATH, headers={"Authorization": f"Bearer {reader}"})
        response.raise_for_status()
        notes = response.json()["notes"]
        if len(notes) != LIST_NOTES:
            raise RuntimeError(f"expected {LIST_NOTES} notes, got {len(notes)}")
        return {
            "reader": reader,
            "writer": writer,
            "list_body": response.content,
            "list_body_bytes": len(response.content),
        }


def setup_ceilings(env: BenchEnv, tokens: dict[str, Any]) -> dict[str, Any]:
    """Start the ceilings, the Redis one's key holding the list body the app serves, and
    check that each answers the same bytes (or the same shape) as the path it bounds."""
    import redis

    list_body: bytes = tokens["list_body"]
    redis_url = env.app_env(cache=True, name="bench-setup")["NOTESTACK_REDIS_URL"]
    client = redis.Redis.from_url(redis_url)
    try:
        client.set(CEILING_REDIS_KEY, list_body)
    finally:
        client.close()
    # The write ceiling's notes go to an account of their own: the create scenario's cost
    # depends on how many notes its writer has, and must not grow with the ceiling's.
    with httpx.Client(base_url=env.url("cached"), timeout=30) as http:
        ceiling_writer = signed_up(http, CEILING_WRITER)
    env.start_ceiling(
        len(list_body), reader="bench_reader", writer=CEILING_WRITER, limit=LIST_NOTES
    )
    base = env.url("ceiling")
    with httpx.Client(timeout=30) as http:
        cached = http.get(base + "/redis")
        read = http.get(base + "/db/read")
        write = http.post(
            base + "/db/write", content=CREATE_BODY, headers={"Content-Type": "application/json"}
        )
        app_write = http.post(
            env.url("cached") + CREATE_PATH,
            content=CREATE_BODY,
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {ceiling_writer}"},
        )  # fmt: skip
    for name, response, status in (("redis", cached, 200), ("db/read", read, 200),
                                   ("db/write", write, 201)):  # fmt: skip
        if response.status_code != status:
            raise RuntimeError(f"ceiling /{name}: {response.status_code} {response.text[:300]}")
    if cached.content != list_body:
        raise RuntimeError("the Redis ceiling does not answer the list body")
    if set(read.json()["notes"][0]) != set(json.loads(list_body)["notes"][0]):
        raise RuntimeError("the database read ceiling's notes are not shaped like the API's")
    return {
        "list_body_bytes": len(list_body),
        "redis_body_bytes": len(cached.content),
        "db_read_body_bytes": len(read.content),
        "db_read_same_bytes": read.content == list_body,
        "db_write_body_bytes": len(write.content),
        "create_body_bytes": len(app_write.content),
        "method": "bench/ceiling_app.py under the same gunicorn master, worker class and count "
        "as the app: /redis one GET with the app's RedisTarget client (pool and timeouts of "
        "the cache), /db/read one prepared asyncpg query for the reader's page (limit + 1 "
        "rows) to orjson in the list's shape, /db/write one INSERT ... RETURNING (autocommit) "
        "of the posted note to orjson in the create response's shape; no token check",
    }


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


# -- measurements ----------------------------------------------------------------------------
@dataclass
class Target:
    url: str
    script: str
    token: str
    method: str = "GET"
    body: str | None = None


def targets(env: BenchEnv, tokens: dict[str, Any]) -> dict[str, Target]:
    reader, writer = tokens["reader"], tokens["writer"]
    return {
        "ceiling": Target(env.url("ceiling") + "/", "get", reader),
        "ceiling_redis": Target(env.url("ceiling") + "/redis", "get", reader),
        "ceiling_db_read": Target(env.url("ceiling") + "/db/read", "get", reader),
        "ceiling_db_write": Target(
            env.url("ceiling") + "/db/write", "post", writer, "POST", CREATE_BODY
        ),
        "cached_list": Target(env.url("cached") + LIST_PATH, "get", reader),
        "uncached_list": Target(env.url("uncached") + LIST_PATH, "get", reader),
        "create": Target(env.url("cached") + CREATE_PATH, "post", writer, "POST", CREATE_BODY),
        "nginx_cached_list": Target(env.url("nginx") + LIST_PATH, "get", reader),
    }


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
    for name in names if mode.warmup_s > 0 else ():
        t = plan[name]
        wrk.run(
            t.url,
            script=t.script,
            token=t.token,
            duration_s=mode.warmup_s,
            connections=mode.connections,
            cpus=mode.load_cpus,
        )
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for index in range(mode.rounds):
        for name in names:
            env.pin_servers()
            waited = gate.wait()
            t = plan[name]
            before = cache_counts(env, t.url.split("/api/")[0]) if "cached" in name else {}
            pg_before = env.pg_counters()
            cpu_before = env.cpu_snapshot()
            core_before = core_jiffies(env.server_cpus) if env.server_cpus else (0.0, 0.0)
            result = wrk.run(
                t.url,
                script=t.script,
                token=t.token,
                duration_s=mode.duration_s,
                connections=mode.connections,
                cpus=mode.load_cpus,
            ).as_dict()
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


# -- the run ---------------------------------------------------------------------------------
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


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    """Turn SIGTERM (timeout, Ctrl-C in make, CI cancelling) into an exit that runs the
    `finally` below, so the servers this run started are stopped and its directory removed."""
    raise SystemExit(128 + signum)


def main() -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    mode = Mode.from_env()
    mode.results_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    load_before = os.getloadavg()
    log(f"mode {mode.name}: results in {mode.results_dir}")
    env = BenchEnv(workers=mode.workers, server_cpus=mode.server_cpus)
    try:
        env.start()
        log(f"started PostgreSQL :{env.pg_port}, Redis, NoteStack, nginx in {env.base_dir}")
        tokens = setup_users(env.url("cached"))
        env.start_uncached()
        ceilings = setup_ceilings(env, tokens)
        pinned = env.pin_servers()
        ready = httpx.get(env.url("cached") + "/readyz", timeout=10).json()
        cache_active = "cache" in ready.get("checks", {})
        log(
            f"list body {tokens['list_body_bytes']} bytes; cache active: {cache_active}; "
            f"pinned {pinned} server threads to CPUs {mode.server_cpus}"
        )
        plan = targets(env, tokens)
        gate = QuietGate(mode, env)
        rounds = closed_loop(mode, env, plan, SCENARIOS, gate)
        summary = {name: summarize(runs) for name, runs in rounds.items()}
        open_rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in OPEN_LOOP_SCENARIOS}
        for index in range(mode.rounds):  # alternating, like the closed-loop rounds
            for name in OPEN_LOOP_SCENARIOS:
                env.pin_servers()
                waited = gate.wait()
                core_before = core_jiffies(env.server_cpus) if env.server_cpus else (0.0, 0.0)
                ours_before = env.cpu_snapshot()
                rate = max(10.0, summary[name]["rps"] / 2)
                measured = open_loop(mode, plan[name], rate)
                measured["waited_for_quiet_s"] = waited
                measured["round"] = index + 1
                if env.server_cpus:
                    core_after, ours_after = core_jiffies(env.server_cpus), env.cpu_snapshot()
                    measured["server_core_foreign_share"] = round(
                        foreign_share(core_before, core_after, ours_before, ours_after), 3
                    )
                open_rounds[name].append(measured)
                log(
                    f"open loop {index + 1} {name:>18} at {rate:8.1f}/s: p50 "
                    f"{measured['p50_ms']:.2f} ms  p99 {measured['p99_ms']:.2f} ms  errors "
                    f"{measured['errors']}  send lag max {measured['max_send_lag_ms']:.1f} ms"
                )
        open_results = {name: summarize_open(runs) for name, runs in open_rounds.items()}
        choice = server_choice(mode, env, tokens, gate)
        if "choice" in choice:
            log(f"server choice: {choice['choice']} ({choice['reason']})")
        pg_version, pg_settings = env.pg_version(), env.pg_settings()
        grown = run_growth(mode, env)
    finally:
        env.stop()
        env.remove()
    overloaded = run_overload(mode)
    live_streams = run_streams(mode)
    fe = frontend.measure(REPO_ROOT / "frontend" / "dist")
    cached_runs = summary["cached_list"]["rounds"]
    hits = sum(r.get("cache_hits", 0) for r in cached_runs)
    misses = sum(r.get("cache_misses", 0) for r in cached_runs)
    result: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": mode.name,
        "duration_s": round(time.monotonic() - started, 1),
        "cache_active": cache_active,
        "list_body_bytes": tokens["list_body_bytes"],
    }
    for name in SCENARIOS:
        key = "create" if name == "create" else name
        result[f"{key}_rps"] = summary[name]["rps"]
        result[f"{key}_p50_ms"] = summary[name]["p50_ms"]
        result[f"{key}_p99_ms"] = summary[name]["p99_ms"]
        result[f"{key}_errors"] = summary[name]["errors"]
    ceiling = summary["ceiling"]["rps"]
    result["ratios"] = {
        "cached_vs_ceiling": ratio(summary["cached_list"]["rps"], ceiling),
        "uncached_vs_ceiling": ratio(summary["uncached_list"]["rps"], ceiling),
        "nginx_vs_direct": ratio(
            summary["nginx_cached_list"]["rps"], summary["cached_list"]["rps"]
        ),
        "create_vs_ceiling": ratio(summary["create"]["rps"], ceiling),
        # Issue 13: each path against the ceiling of the I/O it must do.
        "cached_vs_redis_ceiling": ratio(
            summary["cached_list"]["rps"], summary["ceiling_redis"]["rps"]
        ),
        "uncached_vs_db_read_ceiling": ratio(
            summary["uncached_list"]["rps"], summary["ceiling_db_read"]["rps"]
        ),
        "create_vs_db_write_ceiling": ratio(
            summary["create"]["rps"], summary["ceiling_db_write"]["rps"]
        ),
    }
    if overloaded is not None:
        result["ratios"]["overload_goodput"] = overloaded["overload_goodput"]
        result["overload"] = overloaded
    if live_streams is not None:
        result["streams"] = live_streams
    implied = {
        name: round(1000 / sum(summary[name]["cpu_ms_per_request"].values()), 1)
        if summary[name]["cpu_ms_per_request"]
        else 0.0
        for name in SCENARIOS
    }
    result["cpu_implied_rps_per_core"] = implied
    result["ratios_cpu"] = {
        "cached_vs_ceiling": ratio(implied["cached_list"], implied["ceiling"]),
        "uncached_vs_ceiling": ratio(implied["uncached_list"], implied["ceiling"]),
        "nginx_vs_direct": ratio(implied["nginx_cached_list"], implied["cached_list"]),
        "create_vs_ceiling": ratio(implied["create"], implied["ceiling"]),
        "cached_vs_redis_ceiling": ratio(implied["cached_list"], implied["ceiling_redis"]),
        "uncached_vs_db_read_ceiling": ratio(implied["uncached_list"], implied["ceiling_db_read"]),
        "create_vs_db_write_ceiling": ratio(implied["create"], implied["ceiling_db_write"]),
    }
    result["ceilings"] = ceilings
    shares = [
        r["server_core_foreign_share"]
        for runs in rounds.values()
        for r in runs
        if r.get("server_core_foreign_share") is not None
    ]
    result["noise"] = {
        "median_foreign_share_of_server_core": round(statistics.median(shares), 3)
        if shares
        else None,
        "max_foreign_share_of_server_core": max(shares) if shares else None,
        "waited_for_quiet_s": round(gate.waited, 1),
        "quiet_threshold": mode.quiet_threshold,
        "quiet_budget_s": mode.quiet_budget_s,
    }
    result["cache_hit_ratio"] = ratio(hits, hits + misses) if hits + misses else None
    result["cache_counts_during_cached_list"] = {"hits": hits, "misses": misses}
    result["closed_loop"] = summary
    result["open_loop"] = open_results
    result["server_choice"] = choice
    # Issue 12's published speed: measured by the growth run on its largest table.
    skipped = {"skipped": "measured by the growth run, which was skipped"}
    result["search"] = grown.pop("search", None) or skipped
    result["sorts"] = grown.pop("sorts", None) or skipped
    result["growth"] = grown
    result["frontend_gzip_kb"] = fe.get("total_gzip_kb")
    result["frontend"] = fe
    result["machine"] = machine.machine()
    result["machine"]["loadavg_before"] = [round(x, 2) for x in load_before]
    result["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    result["versions"] = machine.versions(postgres.bin_dir())
    result["versions"]["postgres_server"] = pg_version
    result["measured_source"] = machine.source()
    result["settings"] = {
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
        "postgres": pg_settings,
        "nginx_worker_processes": 1,
        "app_env": "NOTESTACK_ENVIRONMENT=production, NOTESTACK_LOG_LEVEL=WARNING, cache "
        "instance with NOTESTACK_REDIS_URL, uncached without; no replicas",
        "app_env_extra": extra_app_env(),
    }
    result["targets"] = report.targets(result)
    out = mode.results_dir
    (out / "latest.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    (out / "latest.md").write_text(report.markdown(result), encoding="utf-8")
    report.chart(result, out / "latest.png")
    log(f"done in {result['duration_s']} s: {out / 'latest.json'}")
    sys.stdout.write(report.table(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
