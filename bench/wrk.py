"""Closed-loop peak throughput with wrk (Debian's wrk 4): run it, parse `--latency` output."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

LUA_DIR = Path(__file__).resolve().parent / "lua"
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    duration_s: float
    errors: int  # socket errors + non-2xx/3xx responses
    non_2xx: int
    socket_errors: int
    connections: int
    threads: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed (make bench installs it with apt-get)")
    return found


def version() -> str:
    result = subprocess.run(
        [binary(), "-v"], capture_output=True, text=True, timeout=10, check=False
    )
    text = (result.stdout + result.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if not match:
        raise ValueError(f"unparsable wrk latency {value!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse(output: str, connections: int, threads: int) -> WrkResult:
    percentiles: dict[str, float] = {}
    for match in re.finditer(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.MULTILINE):
        percentiles[match.group(1)] = _ms(match.group(2))
    rps_match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    if not rps_match or not total or "50" not in percentiles:
        raise RuntimeError(f"wrk output not understood:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sock = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = sum(int(g) for g in sock.groups()) if sock else 0
    bad = int(non_2xx.group(1)) if non_2xx else 0
    return WrkResult(
        rps=float(rps_match.group(1)),
        p50_ms=percentiles["50"],
        p75_ms=percentiles.get("75", 0.0),
        p90_ms=percentiles.get("90", 0.0),
        p99_ms=percentiles.get("99", 0.0),
        requests=int(total.group(1)),
        duration_s=_ms(total.group(2) + total.group(3)) / 1000.0,
        errors=bad + socket_errors,
        non_2xx=bad,
        socket_errors=socket_errors,
        connections=connections,
        threads=threads,
    )


def run(
    url: str,
    *,
    script: str,
    token: str,
    duration_s: float,
    connections: int,
    threads: int = 1,
    cpus: str | None = None,
    timeout_s: float = 5.0,
) -> WrkResult:
    """wrk -t T -c C -d D --latency -s lua/<script>.lua URL, optionally under taskset."""
    argv = [
        binary(), "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration_s))}s",
        "--timeout", f"{timeout_s:g}s", "--latency", "-s", str(LUA_DIR / f"{script}.lua"), url,
    ]  # fmt: skip
    if cpus is not None and shutil.which("taskset"):
        argv = ["taskset", "-c", cpus, *argv]
    env = {**os.environ, "BENCH_TOKEN": token}
    result = subprocess.run(
        argv, capture_output=True, text=True, env=env, timeout=duration_s + 60, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr}\n{result.stdout}")
    return parse(result.stdout, connections, threads)
