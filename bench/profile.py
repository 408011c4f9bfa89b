"""Profile the cached list path (`make bench-profile`): where a cache hit spends its CPU.

Starts the same environment as `make bench` (one worker), warms the cache, drives
``GET /api/v1/note?limit=50`` with wrk and samples the worker with py-spy (``--nonblocking``,
so the worker is not paused; installed into .venv by mk/bench.mk for profiling only, not a
project dependency). Writes ``bench/results/profile-cached.txt``: the share of samples by
package (inclusive) and the top functions by self and inclusive samples, and
``profile-cached.collapsed`` (folded stacks, for any flame-graph viewer).
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from bench import wrk
from bench.env import REPO_ROOT, VENV_BIN, BenchEnv, _descendants
from bench.measure import log
from bench.scenarios import LIST_PATH, setup_users

GROUPS = (
    ("auth: revocation check (RevocationList.is_revoked)", ("revocation.py",)),
    ("thread-pool hop (sync dependencies run via anyio)", ("anyio/", "run_in_threadpool")),
    ("request id (uuid4)", ("uuid.py",)),
    ("auth: JWT decode/verify", ("jwt/", "security.py")),
    ("cache read (redis-py, Lua script)", ("redis/", "cache.py")),
    ("ORM: building Note objects / note_json", ("orm/", "schemas.py")),
    ("JSON encoding (orjson dumps)", ("responses.py",)),
    ("SQLAlchemy (any)", ("sqlalchemy/",)),
    ("asyncpg (any)", ("asyncpg/",)),
    ("FastAPI dependency solving / routing", ("fastapi/dependencies", "fastapi/routing")),
    ("Starlette routing and middleware", ("starlette/",)),
    ("NoteStack middleware", ("core/middleware.py",)),
    ("Prometheus metrics", ("prometheus_client/", "core/metrics.py")),
    ("logging / structlog", ("structlog/", "logging/")),
    ("pydantic", ("pydantic",)),
    ("uvicorn / httptools protocol", ("uvicorn/", "httptools")),
    ("asyncio / uvloop event loop", ("asyncio/", "uvloop")),
)


def _frame_file(frame: str) -> str:
    match = re.search(r"\((.*?)(?::\d+)?\)$", frame)
    return match.group(1) if match else frame


def _package(path: str) -> str:
    """'fastapi/routing.py' -> 'fastapi'; 'notestack/core/cache.py' -> 'notestack/core/cache.py'."""
    path = path.strip()
    if path.startswith("notestack/"):
        return path
    if path.startswith("<frozen") or "/" not in path:
        return "stdlib / builtins (" + path + ")" if path.startswith("<") else "stdlib: " + path
    head = path.split("/", 1)[0]
    stdlib = {"asyncio", "concurrent", "json", "logging", "email", "http", "importlib", "urllib"}
    return f"stdlib: {head}" if head in stdlib else head


def summarize(collapsed: str, top: int = 25, path: str = "cached") -> str:
    total = pool_thread = pool_thread_busy = 0
    self_counts: collections.Counter[str] = collections.Counter()
    incl_counts: collections.Counter[str] = collections.Counter()
    group_counts: collections.Counter[str] = collections.Counter()
    package_counts: collections.Counter[str] = collections.Counter()
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        if any(f.startswith("Thread._bootstrap") for f in frames):
            # anyio's worker threads: the far side of the thread-pool hop, mostly waiting.
            pool_thread += count
            pool_thread_busy += 0 if "Condition.wait" in frames[-1] else count
            continue
        total += count
        self_counts[frames[-1]] += count
        package_counts[_package(_frame_file(frames[-1]))] += count
        for frame in set(frames):
            incl_counts[frame] += count
        files = [_frame_file(f) + " " + f for f in frames]
        for name, needles in GROUPS:
            if any(needle in path for path in files for needle in needles):
                group_counts[name] += count
    if total == 0:
        return "no samples\n"
    out = [
        f"samples: {total} in the event-loop thread (py-spy, worker process, {path} GET "
        f"{LIST_PATH}); {pool_thread} more in thread-pool threads, {pool_thread_busy} of them "
        "not waiting (percentages below are of the event-loop thread's samples)",
        "",
    ]
    out.append("Share of samples whose stack includes (inclusive; groups overlap):")
    for name, _ in GROUPS:
        out.append(f"  {100 * group_counts[name] / total:5.1f}%  {name}")
    out += ["", "Self samples by package of the innermost frame (exclusive; sums to 100%):"]
    for package, count in package_counts.most_common(15):
        out.append(f"  {100 * count / total:5.1f}%  {package}")
    out += ["", f"Top {top} functions by self samples:"]
    for frame, count in self_counts.most_common(top):
        out.append(f"  {100 * count / total:5.1f}%  {frame}")
    out += ["", f"Top {top} functions by inclusive samples:"]
    for frame, count in incl_counts.most_common(top):
        out.append(f"  {100 * count / total:5.1f}%  {frame}")
    return "\n".join(out) + "\n"


def profile_one(
    py_spy: str, name: str, url: str, master: int, token: str, seconds: float, out_dir: Path
) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    cache_state = None
    for _ in range(3):
        cache_state = httpx.get(url, headers=headers, timeout=10).headers.get("x-cache")
    log(f"profiling {name}: X-Cache of the profiled request: {cache_state}")
    workers = [pid for pid in _descendants(master) if pid != master]
    if not workers:
        raise SystemExit("no worker process found under the gunicorn master")
    raw = out_dir / f"profile-{name}.collapsed"
    load = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from bench import wrk; r = wrk.run(sys.argv[1], script='get', "
         "token=sys.argv[2], duration_s=float(sys.argv[3]), connections=32, cpus='0'); "
         "print(r.rps)", url, token, str(seconds + 4)],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        subprocess.run(
            [py_spy, "record", "--pid", str(workers[0]), "--duration", str(int(seconds)),
             "--rate", "250", "--nonblocking", "--format", "raw", "--output", str(raw)],
            check=True, timeout=seconds + 60, capture_output=True,
        )  # fmt: skip
    finally:
        rps_text, _ = load.communicate(timeout=seconds + 90)
    header = (
        f"{name} list path, GET {LIST_PATH}; wrk during the profile: {rps_text.strip()} req/s "
        f"(sampling overhead included); X-Cache: {cache_state}; {wrk.version()}\n"
    )
    text = header + summarize(raw.read_text(encoding="utf-8"), path=name)
    (out_dir / f"profile-{name}.txt").write_text(text, encoding="utf-8")
    return text


def main() -> int:
    py_spy = shutil.which("py-spy", path=str(VENV_BIN)) or shutil.which("py-spy")
    if not py_spy:
        raise SystemExit("py-spy is missing: `make bench-profile` installs it into .venv")
    seconds = float(os.environ.get("BENCH_PROFILE_SECONDS", "15"))
    out_dir = Path(os.environ.get("BENCH_RESULTS_DIR", REPO_ROOT / "bench" / "results"))
    out_dir.mkdir(parents=True, exist_ok=True)
    cpus = {1} if (os.cpu_count() or 1) >= 2 else None
    env = BenchEnv(workers=1, server_cpus=cpus)
    try:
        env.start()
        tokens = setup_users(env.url("cached"))
        env.start_uncached()
        env.pin_servers()
        assert env.topology is not None and env.uncached is not None
        targets = {
            "cached": (env.url("cached"), env.topology.apps[0].pid),
            "uncached": (env.url("uncached"), env.uncached.pid),
        }
        for name in os.environ.get("BENCH_PROFILE_PATHS", "cached,uncached").split(","):
            base, master = targets[name]
            text = profile_one(py_spy, name, base + LIST_PATH, master, tokens["reader"],
                               seconds, out_dir)  # fmt: skip
            sys.stdout.write(text + "\n")
    finally:
        env.stop()
        env.remove()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
