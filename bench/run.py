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

import json
import os
import signal
import sys
import time
from typing import Any

import httpx

from bench import frontend, report
from bench.env import REPO_ROOT, BenchEnv, core_jiffies
from bench.measure import (
    QuietGate,
    closed_loop,
    foreign_share,
    log,
    open_loop,
    run_growth,
    run_overload,
    run_streams,
    server_choice,
    summarize,
    summarize_open,
)
from bench.mode import Mode
from bench.results import Measured, assemble
from bench.scenarios import (
    OPEN_LOOP_SCENARIOS,
    SCENARIOS,
    Target,
    setup_ceilings,
    setup_users,
    targets,
)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    """Turn SIGTERM (timeout, Ctrl-C in make, CI cancelling) into an exit that runs the
    `finally` below, so the servers this run started are stopped and its directory removed."""
    raise SystemExit(128 + signum)


def _open_loop_rounds(
    mode: Mode,
    env: BenchEnv,
    plan: dict[str, Target],
    summary: dict[str, dict[str, Any]],
    gate: QuietGate,
) -> dict[str, list[dict[str, Any]]]:
    """Each API scenario at half its closed-loop peak, in alternating rounds like those."""
    open_rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in OPEN_LOOP_SCENARIOS}
    for index in range(mode.rounds):
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
    return open_rounds


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
        env.start_miss()
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
        open_rounds = _open_loop_rounds(mode, env, plan, summary, gate)
        choice = server_choice(mode, env, tokens, gate)
        if "choice" in choice:
            log(f"server choice: {choice['choice']} ({choice['reason']})")
        pg_version, pg_settings = env.pg_version(), env.pg_settings()
        grown = run_growth(mode, env)
    finally:
        env.stop()
        env.remove()
    measured = Measured(
        mode=mode,
        duration_s=0.0,
        load_before=load_before,
        cache_active=cache_active,
        list_body_bytes=tokens["list_body_bytes"],
        ceilings=ceilings,
        rounds=rounds,
        summary=summary,
        open_loop={name: summarize_open(runs) for name, runs in open_rounds.items()},
        server_choice=choice,
        waited_for_quiet_s=gate.waited,
        pg_version=pg_version,
        pg_settings=pg_settings,
        growth=grown,
        overload=run_overload(mode),
        streams=run_streams(mode),
        frontend=frontend.measure(REPO_ROOT / "frontend" / "dist"),
    )
    measured.duration_s = round(time.monotonic() - started, 1)
    result = assemble(measured)
    out = mode.results_dir
    (out / "latest.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    (out / "latest.md").write_text(report.markdown(result), encoding="utf-8")
    report.chart(result, out / "latest.png")
    log(f"done in {result['duration_s']} s: {out / 'latest.json'}")
    sys.stdout.write(report.table(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
