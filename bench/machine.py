"""The machine and the versions a run used, recorded beside its figures."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

PACKAGES = (
    "notestack", "fastapi", "starlette", "pydantic", "sqlalchemy", "asyncpg", "redis", "orjson",
    "gunicorn", "uvicorn", "uvicorn-worker", "uvloop", "httptools", "granian", "argon2-cffi",
    "pyjwt", "matplotlib",
)  # fmt: skip


def _first_line(argv: list[str]) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    lines = (result.stdout + result.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                mem_kb = int(re.findall(r"\d+", line)[0])
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "arch": platform.machine(),
    }


def source() -> dict[str, Any]:
    """Which NoteStack code was measured: the git commit and where the package was imported."""
    import notestack

    origin = Path(notestack.__file__).resolve().parent
    repo = origin.parents[1]
    commit = os.environ.get("BENCH_SOURCE_COMMIT") or _first_line(
        ["git", "-C", str(repo), "rev-parse", "HEAD"]
    )
    try:
        status = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--", "src"],
            capture_output=True, text=True, timeout=10, check=False,
        ).stdout  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        status = ""
    return {"package_dir": str(origin), "git_commit": commit, "src_modified": bool(status.strip())}


def versions(pg_bin: Path | None = None) -> dict[str, Any]:
    packages: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "python": sys.version.split()[0],
        "postgres": _first_line([str(pg_bin / "postgres") if pg_bin else "postgres", "--version"]),
        "redis": _first_line(["redis-server", "--version"]),
        "nginx": _first_line(["nginx", "-v"]),
        "wrk": _first_line(["wrk", "-v"]),
        "packages": packages,
    }
