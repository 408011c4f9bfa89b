"""Overload: goodput and the latency of served requests through nginx at 32, 1,000 and 2,000
concurrent clients, on the production topology started by `make stack`'s own launcher
(nginx, 3 instances x 2 workers, Redis + Sentinel, Patroni), the way issue 15 measured it.

Clients are people, not one client with many connections: each request is made as one of
USERS accounts (each with NOTES notes, the cached list) and from one of as many addresses
as there are connections (X-Forwarded-For; this stack trusts the load generator as its
proxy, NOTESTACK_STACK_TRUSTED_PROXIES). Goodput counts 2xx answers per second; latency
percentiles are of served (2xx) requests, from nginx's access log (wrk cannot split its
histogram by status); resets, timeouts and every status are counted.

    python -m bench.overload [--rounds 2] [--duration 10] [--levels 32,1000,2000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import wrk
from bench.accounts import add_notes, signed_up
from bench.env import extra_app_env, pin
from bench.stats import percentile

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "deploy"))

from stack.cluster import RunningStack  # noqa: E402
from stack.topology import free_port_block  # noqa: E402

LEVELS = (32, 1000, 2000)
USERS = 64
NOTES = 50
LIST_PATH = "/api/v1/note"
STARTUP_SECONDS = 300.0
WRK_THREADS = 2
WRK_TIMEOUT_S = 2  # wrk's default: a request slower than this is a timeout, as in issue 15
ACCESS_LOG_FLUSH_S = 1.5  # nginx flushes its access log buffer every second


@dataclass(frozen=True)
class CpuSplit:
    server: set[int]  # every process of the stack
    load: str  # wrk, as taskset -c takes it


def _client_ip(index: int) -> str:
    return f"10.200.{index // 256}.{index % 256}"


def account(base: str, index: int, notes: int = NOTES) -> str:
    """Sign account `index` up (from its own address), give it `notes` notes; its token."""
    headers = {"X-Forwarded-For": _client_ip(index)}
    with httpx.Client(base_url=base, timeout=60, headers=headers) as http:
        token = signed_up(http, f"overload_{index:03d}_{os.getpid()}")
        add_notes(http, token, notes, "Note")
        http.get(LIST_PATH, headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    return token


def prepare(base: str, directory: Path, users: int = USERS) -> Path:
    """USERS accounts with NOTES notes each; the file of their tokens (for the wrk script)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = list(pool.map(lambda i: account(base, i), range(users)))
    path = directory / "tokens.txt"
    path.write_text("\n".join(tokens) + "\n", encoding="utf-8")
    return path


def _logged(access_log: Path, start: int, end: int) -> tuple[dict[int, int], list[float]]:
    """Statuses of wrk's requests nginx logged between two offsets of its access log, and
    the request_time (ms) of the served (2xx) ones."""
    with access_log.open("rb") as handle:
        handle.seek(start)
        chunk = handle.read(end - start)
    statuses: dict[int, int] = {}
    served_ms = []
    for line in chunk.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("uri") != LIST_PATH:  # what wrk asks for, nothing else
            continue
        status = int(entry.get("status", 0))
        statuses[status] = statuses.get(status, 0) + 1
        if 200 <= status < 300:
            served_ms.append(float(entry["request_time"]) * 1000)
    return statuses, served_ms


def cpu_by_program() -> dict[str, float]:
    """CPU seconds (user + system) used so far by every process on the machine, by name."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        totals[name] = totals.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


def run_level(
    url: str,
    tokens: Path,
    connections: int,
    duration_s: float,
    access_log: Path,
    *,
    addresses: int | None = None,
    timeout_s: float = WRK_TIMEOUT_S,
    load_cpus: str | None = None,
) -> dict[str, Any]:
    """One wrk run at `connections` clients (from `addresses` client addresses, one per
    connection by default; on `load_cpus` when given): goodput, statuses, socket errors,
    served latency and the CPU each program used."""
    pinned = ["taskset", "-c", load_cpus] if load_cpus else []
    argv = [
        *pinned,
        wrk.binary(), "-t", str(WRK_THREADS), "-c", str(connections),
        "-d", f"{max(1, round(duration_s))}s", "--timeout", f"{timeout_s:g}s",
        "-s", str(wrk.LUA_DIR / "overload.lua"), url + LIST_PATH,
    ]  # fmt: skip
    env = {
        **os.environ,
        "BENCH_TOKENS": str(tokens),
        "BENCH_CLIENTS": str(addresses or connections),
    }
    before = access_log.stat().st_size
    cpu_before = cpu_by_program()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        argv, capture_output=True, text=True, env=env, timeout=duration_s + 90, check=False
    )
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_after = cpu_by_program()
    cpu_after["wrk"] = (
        children_after.ru_utime
        + children_after.ru_stime
        - children_before.ru_utime
        - children_before.ru_stime
    )
    time.sleep(ACCESS_LOG_FLUSH_S)  # nginx writes its buffered lines
    after = access_log.stat().st_size
    match = re.search(r"^OVERLOAD (\{.*\})$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr}\n{result.stdout}")
    counts = json.loads(match.group(1))
    seconds = counts["duration_us"] / 1e6
    statuses, served_ms = _logged(access_log, before, after)
    served = sum(v for k, v in statuses.items() if 200 <= k < 300)
    cpu = {
        name: round(cpu_after[name] - cpu_before.get(name, 0.0), 2)
        for name in cpu_after
        if cpu_after[name] - cpu_before.get(name, 0.0) >= 0.05
    }
    return {
        "connections": connections,
        "duration_s": round(seconds, 2),
        "goodput_rps": round(served / seconds, 1),
        "answered_rps": round(sum(statuses.values()) / seconds, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "other_5xx": sum(v for k, v in statuses.items() if k >= 500 and k != 503),
        "resets": counts["read_errors"] + counts["write_errors"],
        "connect_errors": counts["connect_errors"],
        "timeouts": counts["timeouts"],
        "served_p50_ms": round(percentile(served_ms, 50), 1),
        "served_p99_ms": round(percentile(served_ms, 99), 1),
        "cpu_s": dict(sorted(cpu.items(), key=lambda item: -item[1])),
    }


def _median_level(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float:
        return round(statistics.median(r[key] for r in runs), 1)

    statuses: dict[str, int] = {}
    for run in runs:
        for status, count in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "connections": runs[0]["connections"],
        "goodput_rps": med("goodput_rps"),
        "answered_rps": med("answered_rps"),
        "served_p50_ms": med("served_p50_ms"),
        "served_p99_ms": med("served_p99_ms"),
        "statuses_all_rounds": statuses,
        "other_5xx": sum(r["other_5xx"] for r in runs),
        "resets": sum(r["resets"] for r in runs),
        "connect_errors": sum(r["connect_errors"] for r in runs),
        "timeouts": sum(r["timeouts"] for r in runs),
        "rounds": runs,
    }


def measure_on(
    stack: RunningStack,
    tokens: Path,
    levels: Sequence[int],
    rounds: int,
    duration_s: float,
    cpus: CpuSplit | None = None,
) -> dict[str, Any]:
    """Rounds alternate over the levels (noise hits every level alike); medians per level.
    With `cpus`, every process of the stack runs on the server CPUs and wrk on the others,
    as in the main benchmark: the load generator's own cost grows with the connections and
    must not come out of the servers' share."""
    runs: dict[int, list[dict[str, Any]]] = {level: [] for level in levels}
    for index in range(rounds):
        for level in levels:
            stack.wait_healthy(120)
            if cpus is not None and stack.process is not None:
                pin([stack.process.pid], cpus.server)  # processes started since, too
            measured = run_level(
                stack.base_url,
                tokens,
                level,
                duration_s,
                stack.nginx_access_log,
                load_cpus=cpus.load if cpus else None,
            )
            measured["round"] = index + 1
            runs[level].append(measured)
            print(
                f"[overload] round {index + 1} c={level:>5}: goodput "
                f"{measured['goodput_rps']:>7.1f}/s p99 {measured['served_p99_ms']:>7.1f} ms "
                f"statuses {measured['statuses']} resets {measured['resets']} "
                f"timeouts {measured['timeouts']}",
                flush=True,
            )
            time.sleep(2)  # let the queues drain between levels
    summary = {str(level): _median_level(runs[level]) for level in levels}
    low, high = str(min(levels)), str(max(levels))
    return {
        "levels": summary,
        "overload_goodput": round(summary[high]["goodput_rps"] / summary[low]["goodput_rps"], 3)
        if summary[low]["goodput_rps"]
        else 0.0,
        "users": USERS,
        "notes_per_user": NOTES,
        "wrk": {"threads": WRK_THREADS, "duration_s": duration_s, "timeout_s": WRK_TIMEOUT_S},
        "cpus": {"server": sorted(cpus.server), "load": cpus.load} if cpus else None,
    }


def launch(base: Path) -> RunningStack:
    """`make stack` (2 workers per instance, nginx workers auto), trusting this machine as
    the proxy in front of nginx so each simulated client has its own address."""
    extra = {
        "NOTESTACK_STACK_NGINX_WORKERS": "auto",
        "NOTESTACK_STACK_TRUSTED_PROXIES": "127.0.0.1/32",
        # Each simulated client has its own address but shares one of USERS accounts: the
        # per-credential bound and the per-account budget (which would 429 many of them here)
        # are what FAULT-14 measures, not this.
        "NOTESTACK_STACK_EDGE_API_CONN_PER_CREDENTIAL": "65000",
        "NOTESTACK_USER_REQUEST_BUDGET": "100000000/10 seconds",
        **extra_app_env(),  # BENCH_APP_ENV: try a setting without editing anything
    }
    stack = RunningStack.launch(base, free_port_block(), workers=2, extra=extra)
    try:
        stack.wait_healthy(STARTUP_SECONDS)
    except Exception:
        stack.stop()
        raise
    return stack


def measure(
    levels: Sequence[int] = LEVELS,
    rounds: int = 2,
    duration_s: float = 10,
    cpus: CpuSplit | None = None,
) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="notestack-overload-"))
    base.chmod(0o755)  # Patroni runs as postgres, nginx workers as nobody
    stack = launch(base / "stack")
    try:
        tokens = prepare(stack.base_url, base)
        return measure_on(stack, tokens, levels, rounds, duration_s, cpus)
    finally:
        stack.stop()
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(base, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.overload", description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--levels", default=",".join(str(level) for level in LEVELS))
    parser.add_argument(
        "--server-cpus", default="", help="e.g. 1: the stack there, wrk on --load-cpus"
    )
    parser.add_argument("--load-cpus", default="0")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    cpus = None
    if args.server_cpus:
        cpus = CpuSplit({int(c) for c in args.server_cpus.split(",")}, args.load_cpus)
    result = measure(levels, args.rounds, args.duration, cpus)
    print(json.dumps({k: v for k, v in result.items() if k != "levels"}, indent=2))
    for level, figures in result["levels"].items():
        print(level, {k: v for k, v in figures.items() if k != "rounds"})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
