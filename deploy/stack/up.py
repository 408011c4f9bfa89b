"""`make stack`: the production topology on this machine, under honcho.

nginx :8080 -> app1..3 :8101-8103 -> PostgreSQL primary :5440 (+ streaming replica :5441)
                                  -> Redis :6390
Data lives in data/stack/ and is kept between runs. Ctrl-C (or SIGTERM) stops everything:
honcho sends SIGTERM to each process; PostgreSQL is stopped with `pg_ctl stop -m fast`.
"""

from __future__ import annotations

import os
import secrets
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

from stack import app, nginx, postgres, redis
from stack.proc import StackError, port_open, wait_until
from stack.system import missing_packages
from stack.topology import (
    DEFAULT_STACK_DIR,
    LOOPBACK,
    REPO_ROOT,
    AppEnvSpec,
    Hosts,
    StackPorts,
    app_env,
    serve_argv,
)

SECRET_FILE = "secret_key"
APP_WORKERS_ENV = "NOTESTACK_STACK_WORKERS"
# CIDRs of proxies in front of nginx (a CDN, a cloud balancer) whose X-Forwarded-For is believed.
EDGE_TRUSTED_ENV = "NOTESTACK_STACK_TRUSTED_PROXIES"


class Stack:
    """The `make stack` layout: fixed ports, data under data/stack/."""

    def __init__(self, base: Path | None = None, ports: StackPorts | None = None) -> None:
        self.base = Path(os.environ.get("NOTESTACK_STACK_DIR", base or DEFAULT_STACK_DIR))
        self.ports = ports or StackPorts.from_env()
        self.logs = self.base / "logs"
        self.primary_dir = self.base / "pg-primary"
        self.replica_dirs = [
            self.base / f"pg-replica{i + 1}" for i in range(len(self.ports.pg_replicas))
        ]
        self.env_spec = AppEnvSpec(ports=self.ports, hosts=Hosts.loopback(self.ports))
        self.workers = int(os.environ.get(APP_WORKERS_ENV, "2"))
        self.nginx_cfg = nginx.NginxConfig(
            listen=f"{LOOPBACK}:{self.ports.http}",
            upstreams=tuple(f"{LOOPBACK}:{port}" for port in self.ports.apps),
            prefix=self.base / "nginx",
            trusted_proxies=tuple(
                cidr.strip()
                for cidr in os.environ.get(EDGE_TRUSTED_ENV, "").split(",")
                if cidr.strip()
            ),
        )

    def secret_key(self) -> str:
        """Generated once, kept in data/stack/secret_key (mode 600)."""
        path = self.base / SECRET_FILE
        if not path.exists():
            self.base.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text(encoding="utf-8").strip()

    def app_env(self, index: int) -> dict[str, str]:
        data_dir = self.base / f"app{index + 1}"
        data_dir.mkdir(parents=True, exist_ok=True)
        env = app_env(self.env_spec, index, secret_key=self.secret_key(), data_dir=str(data_dir))
        # Only the stack's own process knobs pass through (e.g. NOTESTACK_DRAIN_SECONDS).
        for key in ("NOTESTACK_DRAIN_SECONDS", "NOTESTACK_LOG_LEVEL"):
            if key in os.environ:
                env[key] = os.environ[key]
        return env

    # -- one-off preparation, before the process manager takes over ---------------------
    def prepare(self) -> None:
        missing = missing_packages()
        if missing:
            raise StackError(f"missing {missing}: run `make system-deps`")
        self.base.mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o755)
        _ensure_traversable(self.base.parent)
        postgres.make_owned_dir(self.logs)
        (self.base / "redis").mkdir(exist_ok=True)
        for datadir in [self.primary_dir, *self.replica_dirs]:
            if postgres.running_pid(datadir):  # left over from a run that was SIGKILLed
                print(f"stack: stopping a leftover postmaster on {datadir}", file=sys.stderr)
                postgres.stop(datadir, "fast")
        busy = [p for p in self.ports.all() if port_open(p)]
        if busy:
            raise StackError(f"ports already in use: {busy} (another stack running?)")
        made = postgres.init_primary(self.primary_dir, self.ports.pg_primary)
        postgres.start(self.primary_dir, self.logs / "pg-bootstrap.log")
        try:
            postgres.wait_ready(self.ports.pg_primary)
            postgres.ensure_database(self.ports.pg_primary)
            for i, port in enumerate(self.ports.pg_replicas):
                postgres.init_replica(
                    self.replica_dirs[i], self.ports.pg_primary, port, postgres.slot_name(i)
                )
            print(app.migrate(self.app_env(0)).strip(), file=sys.stderr)
        finally:
            postgres.stop(self.primary_dir, "fast")
        if made:
            print(f"stack: new clusters in {self.base}", file=sys.stderr)
        conf = nginx.write(self.nginx_cfg)
        nginx.check(self.nginx_cfg, conf)

    def procfile(self) -> Path:
        """One line per process; every line execs, so honcho signals the real process."""
        py = shlex.quote(sys.executable)
        mod = f"env PYTHONPATH={shlex.quote(str(REPO_ROOT / 'deploy'))} {py} -m stack"
        lines = [f"pg-primary: exec {mod} pg-run {shlex.quote(str(self.primary_dir))}"]
        lines += [
            f"pg-replica{i + 1}: exec {mod} pg-run {shlex.quote(str(d))}"
            for i, d in enumerate(self.replica_dirs)
        ]
        lines.append("redis: exec " + shlex.join(redis.argv(self.ports.redis, self.base / "redis")))
        lines += [f"app{i + 1}: exec {mod} app-run {i}" for i in range(len(self.ports.apps))]
        conf = self.nginx_cfg.prefix / "nginx.conf"
        lines.append("nginx: exec " + shlex.join(nginx.argv(self.nginx_cfg, conf)))
        self.base.mkdir(parents=True, exist_ok=True)
        path = self.base / "Procfile"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def _ensure_traversable(path: Path) -> None:
    """The postgres user and nginx's workers must reach data/stack: o+x on our own dirs."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if mode & 0o001:
            continue
        if directory.is_relative_to(REPO_ROOT):
            directory.chmod(mode | 0o005)
        else:
            raise StackError(f"{directory} is not searchable by other users (postgres, nginx)")


def up() -> int:
    """Prepare, then replace this process with honcho running the Procfile."""
    stack = Stack()
    stack.prepare()
    procfile = stack.procfile()
    honcho = Path(sys.executable).parent / "honcho"
    argv = [str(honcho), "-f", str(procfile), "-d", str(REPO_ROOT), "start"]
    if not honcho.exists():
        argv = [sys.executable, "-m", "honcho", *argv[1:]]
    ports = stack.ports
    print(
        f"stack: http://{LOOPBACK}:{ports.http}  apps {list(ports.apps)}  redis {ports.redis}  "
        f"postgres {ports.pg_primary} (+replica {list(ports.pg_replicas)})  data {stack.base}\n"
        "stack: Ctrl-C stops everything",
        file=sys.stderr,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)
    return 0  # not reached


def pg_run(datadir: Path) -> int:
    """The postmaster in the foreground as `postgres`; SIGTERM/SIGINT -> pg_ctl stop -m fast."""
    child = subprocess.Popen(
        postgres.foreground_argv(datadir),
        user=postgres.OS_USER,
        group=postgres.OS_USER,
        extra_groups=[],
        cwd="/",
        env={**os.environ, "HOME": "/var/lib/postgresql"},
    )

    def fast_stop(_signum: int, _frame: FrameType | None) -> None:
        try:
            postgres.run_as_postgres(
                [postgres.pg("pg_ctl"), "stop", "-D", str(datadir), "-m", "fast", "-W", "-s"],
                timeout=10,
            )
        except (StackError, subprocess.TimeoutExpired):
            child.send_signal(signal.SIGINT)  # what pg_ctl -m fast sends

    signal.signal(signal.SIGTERM, fast_stop)
    signal.signal(signal.SIGINT, fast_stop)
    return child.wait()


def app_run(index: int) -> int:
    """Wait for the primary and Redis, then exec `notestack serve` for instance `index`."""
    stack = Stack()
    wait_until(lambda: postgres.is_ready(stack.ports.pg_primary), 120, "primary for app")
    wait_until(lambda: redis.ping(stack.ports.redis), 60, "redis for app")
    env = app.process_env(stack.app_env(index))
    argv = serve_argv(app.executable(), LOOPBACK, stack.ports.apps[index], stack.workers)
    os.execve(argv[0], argv, env)
    return 0  # not reached
