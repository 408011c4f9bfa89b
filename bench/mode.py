"""How much a `make bench` run measures: the full run, BENCH_QUICK=1 or BENCH_SMOKE=1, and
the knobs read from the environment (bench/run.py's docstring lists them)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bench import growth
from bench.env import REPO_ROOT


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
