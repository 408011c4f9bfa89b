"""What the benchmark measures, started on free loopback ports with deploy/stack's building blocks.

One PostgreSQL primary (no replica: reads and writes on one node, so the figures are per node),
one Redis, the NoteStack instance with the cache on, one with it off, one whose reads always
miss, the ceiling app, nginx in front of the cached instance, and (for the server comparison)
granian. Every process is ours, in
its own process group, and is stopped in `BenchEnv.stop()`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "deploy"))

from stack import app as stack_app  # noqa: E402
from stack import postgres  # noqa: E402
from stack.proc import Managed, descendants, free_ports, rss_kib, wait_http_ok  # noqa: E402
from stack.topology import LOOPBACK, database_url, metrics_token  # noqa: E402

from bench.rig import StackPorts, Topology, TopologySpec  # noqa: E402

__all__ = [
    "REPO_ROOT", "VENV_BIN", "BenchEnv", "core_jiffies", "extra_app_env", "postgres", "stack_app",
]  # fmt: skip

VENV_BIN = REPO_ROOT / ".venv" / "bin"
# The miss instance's cache entry limit: below any list page, so no read is ever kept.
MISS_MAX_ENTRY_BYTES = 1024


def _descendants(root: int) -> list[int]:
    """`root` and every process below it."""
    return [root, *descendants(root)]


def pin(pids: list[int], cpus: set[int]) -> int:
    """Set the CPU affinity of every thread of every process under `pids`; returns the count."""
    count = 0
    for root in pids:
        for pid in _descendants(root):
            tasks = Path(f"/proc/{pid}/task")
            with contextlib.suppress(OSError):
                for tid in tasks.iterdir():
                    with contextlib.suppress(OSError):
                        os.sched_setaffinity(int(tid.name), cpus)
                        count += 1
    return count


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(roots: list[int]) -> float:
    """User + system CPU of every process under `roots` (live processes only)."""
    total = 0
    for root in roots:
        for pid in _descendants(root):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def core_jiffies(cpus: set[int]) -> tuple[float, float]:
    """(busy, total) seconds of the given CPUs since boot, from /proc/stat."""
    busy = total = 0
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if not name.startswith("cpu") or name == "cpu" or int(name[3:]) not in cpus:
            continue
        user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in values[:8])
        busy += user + nice + system + irq + softirq + steal
        total += user + nice + system + idle + iowait + irq + softirq + steal
    return busy / _TICKS, total / _TICKS


def extra_app_env() -> dict[str, str]:
    """BENCH_APP_ENV="NOTESTACK_X=1 NOTESTACK_Y=2": extra settings for every app instance,
    to try a configuration change (pool size, TTL...) without editing anything."""
    pairs = (item.partition("=") for item in os.environ.get("BENCH_APP_ENV", "").split())
    return {key: value for key, _, value in pairs if key.startswith("NOTESTACK_") and value}


@dataclass
class BenchEnv:
    workers: int
    server_cpus: set[int] | None
    base_dir: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="notestack-bench-"))
    )
    topology: Topology | None = None
    uncached: Managed | None = None
    miss: Managed | None = None
    ceiling: Managed | None = None
    granian: Managed | None = None
    ports: dict[str, int] = field(default_factory=dict)

    # -- start -------------------------------------------------------------------------
    def start(self) -> BenchEnv:
        ports = free_ports(8)
        self.ports = {
            "nginx": ports[0], "redis": ports[1], "pg": ports[2], "cached": ports[3],
            "uncached": ports[4], "ceiling": ports[5], "granian": ports[6], "miss": ports[7],
        }  # fmt: skip
        spec = TopologySpec(
            base_dir=self.base_dir,
            ports=StackPorts(
                http=self.ports["nginx"],
                redis=self.ports["redis"],
                pg_primary=self.ports["pg"],
                apps=(self.ports["cached"],),
                pg_replicas=(),
            ),
            app_workers=self.workers,
            durable=True,  # production-like commits: fsync stays on
            nginx_workers="1",
            extra_env={
                "NOTESTACK_LOG_LEVEL": "WARNING",
                "NOTESTACK_INSTANCE_NAME": "bench-cached",
                # One account makes every request here (the per-request cost is measured, not
                # fairness): its budget must not be what the figures show. Still counted.
                "NOTESTACK_USER_REQUEST_BUDGET": "100000000/10 seconds",
                **extra_app_env(),
            },
        )
        self.topology = Topology(spec)
        self.topology.start(timeout=180)
        return self

    def metrics_headers(self) -> dict[str, str]:
        """What the instances' /metrics asks for in production."""
        assert self.topology is not None
        return {"Authorization": f"Bearer {metrics_token(self.topology.spec.secret_key)}"}

    def app_env(self, *, cache: bool, name: str, redis_db: int = 0) -> dict[str, str]:
        """An app instance's settings: the rig's, with a data directory of its own, without
        Redis (``cache`` False) or on Redis database ``redis_db`` (0: the cached instance's,
        whose entries for the same reader another instance would otherwise hit)."""
        assert self.topology is not None
        env: dict[str, str] = dict(self.topology.app_env(0))
        env["NOTESTACK_INSTANCE_NAME"] = name
        data_dir = self.base_dir / name
        data_dir.mkdir(parents=True, exist_ok=True)
        env["NOTESTACK_DATA_DIR"] = str(data_dir)
        if not cache:
            env.pop("NOTESTACK_REDIS_URL", None)
        elif redis_db:
            server = env["NOTESTACK_REDIS_URL"].rsplit("/", 1)[0]
            env["NOTESTACK_REDIS_URL"] = f"{server}/{redis_db}"
        return env

    def start_uncached(self) -> None:
        self.uncached = self._instance("uncached", self.app_env(cache=False, name="bench-uncached"))

    def start_miss(self) -> None:
        """The cache on, but no list page small enough to keep (NOTESTACK_CACHE_MAX_ENTRY_BYTES
        below the page): every read is a miss, as the read right after a write is, minus the
        fill's SET (one Redis round trip of the list body)."""
        env = self.app_env(cache=True, name="bench-miss", redis_db=2)
        env["NOTESTACK_CACHE_MAX_ENTRY_BYTES"] = str(MISS_MAX_ENTRY_BYTES)
        self.miss = self._instance("miss", env)

    def _instance(self, name: str, env: dict[str, str]) -> Managed:
        proc = Managed(
            name,
            [stack_app.executable(), "serve", "--host", LOOPBACK,
             "--port", str(self.ports[name]), "--workers", str(self.workers)],
            env=stack_app.process_env(env),
            log_path=self.base_dir / "logs" / f"{name}.log",
        ).start()  # fmt: skip
        wait_http_ok(self.url(name) + "/readyz", 60, alive=proc.alive)
        return proc

    def start_ceiling(
        self, body_bytes: int, *, reader: str = "", writer: str = "", limit: int = 50
    ) -> None:
        """The ceilings (bench/ceiling_app.py): fixed bytes, and one Redis round trip, one
        read query, one INSERT against this rig's own Redis and PostgreSQL."""
        app_env = self.app_env(cache=True, name="bench-ceiling")
        env = {
            **os.environ,
            "BENCH_CEILING_BYTES": str(body_bytes),
            "BENCH_CEILING_REDIS_URL": app_env["NOTESTACK_REDIS_URL"],
            "BENCH_CEILING_DSN": self.dsn(),
            "BENCH_CEILING_READER": reader,
            "BENCH_CEILING_WRITER": writer,
            "BENCH_CEILING_LIMIT": str(limit),
            "PYTHONUNBUFFERED": "1",
        }
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
        )
        self.ceiling = Managed(
            "ceiling",
            [str(VENV_BIN / "python"), "-m", "bench.ceiling_app", LOOPBACK,
             str(self.ports["ceiling"]), str(self.workers)],
            env=env,
            cwd=REPO_ROOT,
            log_path=self.base_dir / "logs" / "ceiling.log",
        ).start()  # fmt: skip
        wait_http_ok(self.url("ceiling") + "/", 60, alive=self.ceiling.alive)

    def start_granian(self) -> None:
        env = self.app_env(cache=True, name="bench-granian")
        self.granian = Managed(
            "granian",
            [str(VENV_BIN / "granian"), "--interface", "asgi", "--loop", "uvloop", "--no-ws",
             "--host", LOOPBACK, "--port", str(self.ports["granian"]),
             "--workers", str(self.workers), "--log-level", "warning", "--no-access-log",
             "notestack.main:app"],
            env=stack_app.process_env(env),
            cwd=REPO_ROOT,
            log_path=self.base_dir / "logs" / "granian.log",
        ).start()  # fmt: skip
        wait_http_ok(self.url("granian") + "/readyz", 60, alive=self.granian.alive)

    def stop_granian(self) -> None:
        if self.granian is not None:
            self.granian.stop(15)
            self.granian = None

    # -- addresses and pinning ---------------------------------------------------------
    def url(self, name: str) -> str:
        return f"http://{LOOPBACK}:{self.ports[name]}"

    def server_roots(self) -> list[int]:
        roots: list[int] = []
        topo = self.topology
        if topo is not None:
            roots += [proc.pid for proc in topo.apps if proc.alive()]
            if topo.redis_proc.alive():
                roots.append(topo.redis_proc.pid)
            if topo.nginx_proc is not None and topo.nginx_proc.alive():
                roots.append(topo.nginx_proc.pid)
            pidfile = topo.primary_dir / "postmaster.pid"
            with contextlib.suppress(OSError, ValueError, IndexError):
                roots.append(int(pidfile.read_text().splitlines()[0]))
        for proc in (self.uncached, self.miss, self.ceiling, self.granian):
            if proc is not None and proc.alive():
                roots.append(proc.pid)
        return roots

    def component_roots(self) -> dict[str, list[int]]:
        """Process trees by role, for CPU accounting per request."""
        topo = self.topology
        roots: dict[str, list[int]] = {}
        if topo is not None:
            roots["app_cached"] = [p.pid for p in topo.apps if p.alive()]
            roots["redis"] = [topo.redis_proc.pid] if topo.redis_proc.alive() else []
            nginx_proc = topo.nginx_proc
            roots["nginx"] = [nginx_proc.pid] if nginx_proc and nginx_proc.alive() else []
            with contextlib.suppress(OSError, ValueError, IndexError):
                pidfile = topo.primary_dir / "postmaster.pid"
                roots["postgres"] = [int(pidfile.read_text().splitlines()[0])]
        for name, proc in (
            ("app_uncached", self.uncached),
            ("app_miss", self.miss),
            ("ceiling", self.ceiling),
            ("granian", self.granian),
        ):
            roots[name] = [proc.pid] if proc is not None and proc.alive() else []
        return roots

    def worker_rss_kib(self, component: str) -> list[int]:
        """The resident memory of each worker process (every process below the master, as
        bench/profile.py and bench/streams.py find workers) of one of ``component_roots``'
        servers."""
        sizes = []
        for root in self.component_roots().get(component, []):
            for pid in descendants(root):
                with contextlib.suppress(OSError):
                    sizes.append(rss_kib(pid))
        return sizes

    def cpu_snapshot(self) -> dict[str, float]:
        return {name: cpu_seconds(pids) for name, pids in self.component_roots().items()}

    def pin_servers(self) -> int:
        if not self.server_cpus:
            return 0
        return pin(self.server_roots(), self.server_cpus)

    @property
    def pg_port(self) -> int:
        return self.ports["pg"]

    def dsn(self, database: str | None = None) -> str:
        """A plain postgresql:// URL (asyncpg) of the app's database, or of `database`."""
        url = database_url(LOOPBACK, self.pg_port).replace("postgresql+asyncpg://", "postgresql://")
        return url if database is None else url.rsplit("/", 1)[0] + "/" + database

    def pg_counters(self) -> dict[str, int]:
        """Server-wide sessions opened and transactions ended so far (pg_stat_database)."""
        row = postgres.psql(
            self.pg_port,
            "SELECT sum(sessions), sum(xact_commit + xact_rollback) FROM pg_stat_database",
        )
        sessions, xacts = (int(v or 0) for v in row.split("|"))
        return {"sessions": sessions, "xacts": xacts}

    def pg_version(self) -> str:
        return str(postgres.psql(self.pg_port, "SHOW server_version"))

    def pg_settings(self) -> dict[str, str]:
        names = ["shared_buffers", "work_mem", "fsync", "synchronous_commit", "max_connections"]
        return {name: postgres.psql(self.pg_port, f"SHOW {name}") for name in names}

    # -- stop --------------------------------------------------------------------------
    def stop(self) -> None:
        for proc in (self.granian, self.ceiling, self.miss, self.uncached):
            if proc is not None:
                with contextlib.suppress(Exception):
                    proc.stop(15)
        if self.topology is not None:
            self.topology.stop()

    def remove(self) -> None:
        shutil.rmtree(self.base_dir, ignore_errors=True)
