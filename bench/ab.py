"""A/B: the cached list of an earlier commit beside this tree's, on one rig, in one run.

    python -m bench.ab REV [--uncached] [--rounds 5 --duration 5]   (`make bench-ab A=REV`)

For a change that must not make the hot path slower (issue 14's "the cached path did not get
slower"). The rig of `make bench` (bench/env.py: our own PostgreSQL and Redis, the server on
the server core, wrk on the load core) runs this tree's instance with the cache on (or, with
--uncached, its instance without Redis); beside it,
an instance of REV's `src/` (a `git archive` copy first on its PYTHONPATH) with its own
database, migrated by REV's own migrations, and its own Redis database. Each serves a reader
with 50 notes; rounds alternate A, B, A, B... so drift hits both alike. Per side: median
requests/s, and CPU per request of the instance, Redis and PostgreSQL (which nothing else uses
while a side is measured). Judge by the instance's CPU per request and req/s: PostgreSQL's
share also takes in its background work (autovacuum of the freshly filled databases), which
falls on whichever side runs then (an A/A run of one commit against itself: instance CPU
within 3 %, PostgreSQL's 0.25 vs 0.05 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import wrk
from bench.env import REPO_ROOT, BenchEnv, cpu_seconds, pin, postgres, stack_app
from bench.measure import log
from bench.scenarios import LIST_PATH, setup_users
from bench.stats import ratio

if TYPE_CHECKING:
    from stack.proc import Managed


def snapshot(rev: str, into: Path) -> Path:
    """REV's src/ under `into` (git archive), returned."""
    archive = into / "src.tar"
    subprocess.run(
        ["git", "archive", "--output", str(archive), rev, "src"], cwd=REPO_ROOT, check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def start_other(env: BenchEnv, src: Path, *, cache: bool) -> tuple[Managed, str]:
    """An instance of `src` beside the rig's, with its own database (and Redis database)."""
    from stack.proc import Managed, free_port, wait_http_ok  # deploy/ is on sys.path now

    postgres.psql(env.pg_port, "CREATE DATABASE bench_a")
    app_env = env.app_env(cache=cache, name="bench-a", redis_db=1)
    app_env["NOTESTACK_DATABASE_URL"] = (
        f"postgresql+asyncpg://postgres@127.0.0.1:{env.pg_port}/bench_a"
    )
    app_env["PYTHONPATH"] = str(src)
    stack_app.migrate(app_env)
    port = free_port()
    proc = Managed(
        "bench-a",
        [stack_app.executable(), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(env.workers)],
        env=stack_app.process_env(app_env),
        log_path=env.base_dir / "logs" / "bench-a.log",
    ).start()  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_http_ok(url + "/readyz", 60, alive=proc.alive)
    return proc, url


def measure(rev: str, rounds: int, duration_s: float, *, cache: bool = True) -> dict[str, Any]:
    multi = (os.cpu_count() or 1) >= 2
    server_cpus, load_cpus = ({1}, "0") if multi else (None, None)
    env = BenchEnv(workers=1, server_cpus=server_cpus)
    other: Managed | None = None
    try:
        src = snapshot(rev, Path(tempfile.mkdtemp(dir=env.base_dir)))
        env.start()
        b_token = setup_users(env.url("cached"))["reader"]
        if not cache:
            env.start_uncached()  # the same database as the cached instance: the same reader
        b_url = env.url("cached" if cache else "uncached")
        other, a_url = start_other(env, src, cache=cache)
        a_token = setup_users(a_url)["reader"]
        shared = env.component_roots()
        sides = {
            "a": (a_url, a_token, [other.pid]),
            "b": (b_url, b_token, shared["app_cached" if cache else "app_uncached"]),
        }
        runs: dict[str, list[dict[str, Any]]] = {"a": [], "b": []}
        for url, token, _ in sides.values():  # warm-up, not counted
            wrk.run(url + LIST_PATH, script="get", token=token, duration_s=1.0,
                    connections=32, cpus=load_cpus)  # fmt: skip
        for index in range(rounds):
            for side, (url, token, app_roots) in sides.items():
                if server_cpus:
                    pin([*env.server_roots(), other.pid], server_cpus)
                parts = {"app": app_roots, "redis": shared["redis"], "postgres": shared["postgres"]}
                before = {name: cpu_seconds(roots) for name, roots in parts.items()}
                result = wrk.run(
                    url + LIST_PATH, script="get", token=token, duration_s=duration_s,
                    connections=32, cpus=load_cpus,
                ).as_dict()  # fmt: skip
                served = max(result["requests"], 1)
                cpu = {
                    name: round(1000 * (cpu_seconds(parts[name]) - used) / served, 4)
                    for name, used in before.items()
                }
                runs[side].append({"rps": result["rps"], "errors": result["errors"],
                                   "cpu_ms_per_request": cpu})  # fmt: skip
                log(f"round {index + 1} {side}: {result['rps']:8.1f} req/s, CPU ms/request "
                    f"{sum(cpu.values()):.3f} {cpu}")  # fmt: skip
    finally:
        if other is not None:
            other.stop(15)
        env.stop()
        env.remove()

    def summary(side: str) -> dict[str, Any]:
        rows = runs[side]
        cpu = {
            part: round(statistics.median(r["cpu_ms_per_request"][part] for r in rows), 4)
            for part in ("app", "redis", "postgres")
        }
        return {
            "rps": round(statistics.median(r["rps"] for r in rows), 1),
            "cpu_ms_per_request": {**cpu, "total": round(sum(cpu.values()), 4)},
            "errors": sum(r["errors"] for r in rows),
            "rounds": rows,
        }

    a, b = summary("a"), summary("b")
    return {
        "a": {"source": rev, **a},
        "b": {"source": "this tree", **b},
        "b_vs_a_rps": ratio(b["rps"], a["rps"]),
        "b_vs_a_cpu_per_request": ratio(
            b["cpu_ms_per_request"]["total"], a["cpu_ms_per_request"]["total"]
        ),
        "request": f"GET {LIST_PATH}, {'cache warm' if cache else 'no cache'}, wrk -t1 -c32, "
        f"{rounds} rounds of "
        f"{duration_s:g} s each, alternating",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__)
    parser.add_argument("rev", help="the commit to compare this tree with")
    parser.add_argument("--uncached", action="store_true", help="instances without Redis")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args(argv)
    result = measure(args.rev, args.rounds, args.duration, cache=not args.uncached)
    print(json.dumps({k: v for k, v in result.items() if k not in ("a", "b")}, indent=2))
    for side in ("a", "b"):
        figures = {k: v for k, v in result[side].items() if k != "rounds"}
        print(side, json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
