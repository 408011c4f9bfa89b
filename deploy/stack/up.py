"""`make stack`: the production topology on this machine, under supervisord.

    nginx :8080 -> app1..3 :8101-8103 -> HAProxy :5440 (leader), :5451-5453 (each replica)
                 -> Patroni pg1..3 (PostgreSQL :5441-5443, REST :8008-8010) <- etcd :2390-2392
               -> Redis :6390/:6391, found through Sentinels :26390-26392

`python -m stack up` renders every config file under the stack directory, then replaces itself
with supervisord, which runs everything (and restarts what exits) until SIGTERM or Ctrl-C.
The fault tests run this same command with NOTESTACK_STACK_DIR and NOTESTACK_STACK_PORT_BASE.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import sys
from pathlib import Path

from stack import app, etcd, haproxy, nginx, patroni, postgres, redis, supervisor
from stack.proc import StackError, port_open, wait_until
from stack.system import missing_packages
from stack.topology import (
    DEFAULT_STACK_DIR,
    LOOPBACK,
    NODES,
    REPO_ROOT,
    AppEnvSpec,
    Hosts,
    StackPorts,
    app_env,
    etcd_name,
    instance_name,
    redis_name,
    sentinel_name,
    serve_argv,
)

SECRET_FILE = "secret_key"
STACK_DIR_ENV = "NOTESTACK_STACK_DIR"
APP_WORKERS_ENV = "NOTESTACK_STACK_WORKERS"
NGINX_WORKERS_ENV = "NOTESTACK_STACK_NGINX_WORKERS"
# "off" for throw-away stacks (the fault tests): no fsync, the rest of the behaviour unchanged.
FSYNC_ENV = "NOTESTACK_STACK_FSYNC"
# CIDRs of proxies in front of nginx (a CDN, a cloud balancer) whose X-Forwarded-For is believed.
EDGE_TRUSTED_ENV = "NOTESTACK_STACK_TRUSTED_PROXIES"
# Every other NOTESTACK_* setting in the launcher's environment (say NOTESTACK_LOG_LEVEL,
# NOTESTACK_DRAIN_SECONDS, a throttle) passes through to the instances; the topology's own
# (database URLs, Sentinels, secret) cannot be overridden this way.
STACK_KNOBS_PREFIX = "NOTESTACK_STACK_"
APP_WAIT_SECONDS = 300.0


class Stack:
    """The `make stack` layout: ports, directories and the programs supervisord runs."""

    def __init__(self, base: Path | None = None, ports: StackPorts | None = None) -> None:
        self.base = Path(os.environ.get(STACK_DIR_ENV) or base or DEFAULT_STACK_DIR).resolve()
        self.ports = ports or StackPorts.from_env()
        self.conf = self.base / "conf"
        self.logs = self.base / "logs"
        self.run_dir = self.base / "run"
        self.members = patroni.members(self.base, self.ports)
        self.env_spec = AppEnvSpec(ports=self.ports, hosts=Hosts.loopback())
        self.workers = int(os.environ.get(APP_WORKERS_ENV, "2"))
        self.durable = os.environ.get(FSYNC_ENV, "on") != "off"
        self.nginx_cfg = nginx.NginxConfig(
            listen=f"{LOOPBACK}:{self.ports.http}",
            upstreams=tuple(f"{LOOPBACK}:{port}" for port in self.ports.apps),
            app_workers=self.workers,
            prefix=self.base / "nginx",
            worker_processes=os.environ.get(NGINX_WORKERS_ENV, "auto"),
            limits=nginx.EdgeLimits.from_env(os.environ),
            trusted_proxies=tuple(
                cidr.strip()
                for cidr in os.environ.get(EDGE_TRUSTED_ENV, "").split(",")
                if cidr.strip()
            ),
        )

    # -- paths -------------------------------------------------------------------------
    @property
    def supervisor_conf(self) -> Path:
        return self.conf / "supervisord.conf"

    @property
    def supervisor_socket(self) -> Path:
        return self.run_dir / "supervisor.sock"

    @property
    def haproxy_conf(self) -> Path:
        return self.conf / "haproxy.cfg"

    def secret_key(self) -> str:
        """Generated once, kept in <stack>/secret_key (mode 600)."""
        path = self.base / SECRET_FILE
        if not path.exists():
            self.base.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text(encoding="utf-8").strip()

    def app_env(self, index: int) -> dict[str, str]:
        data_dir = self.base / instance_name(index)
        data_dir.mkdir(parents=True, exist_ok=True)
        env = app_env(self.env_spec, index, secret_key=self.secret_key(), data_dir=str(data_dir))
        passed = {
            key: value
            for key, value in os.environ.items()
            if key.startswith("NOTESTACK_") and not key.startswith(STACK_KNOBS_PREFIX)
        }
        return {**passed, **env}

    # -- the programs ------------------------------------------------------------------
    def programs(self) -> list[supervisor.Program]:
        py = sys.executable
        module_env = {"PYTHONPATH": str(REPO_ROOT / "deploy")}
        progs = [
            supervisor.Program(
                etcd_name(i),
                etcd.argv(i, self.ports, self.base / etcd_name(i)),
                priority=10,
                stopwaitsecs=10,
            )
            for i in range(NODES)
        ]
        progs += [
            supervisor.Program(
                member.name,
                patroni.argv(member),
                priority=20,
                user=postgres.OS_USER,
                environment={"HOME": str(self.base / "patroni")},
                directory=str(self.base / "patroni"),
                # Patroni stops its PostgreSQL (fast shutdown) on SIGTERM; only Patroni itself
                # gets the signal, so the postmaster is not hit twice.
                stopasgroup=False,
                stopwaitsecs=40,
            )
            for member in self.members
        ]
        progs.append(
            supervisor.Program(
                "haproxy", haproxy.argv(self.haproxy_conf), priority=30, stopwaitsecs=5
            )
        )
        progs += [
            supervisor.Program(
                redis_name(i),
                [py, "-m", "stack", "redis-run", str(i)],
                priority=30,
                environment=module_env,
                startsecs=1,
                stopwaitsecs=5,
            )
            for i in range(len(self.ports.redis))
        ]
        progs += [
            supervisor.Program(
                sentinel_name(i),
                [redis.binary("redis-sentinel"), str(redis.conf_path(self.conf, sentinel_name(i)))],
                priority=40,
                stopwaitsecs=5,
            )
            for i in range(len(self.ports.sentinels))
        ]
        progs += [
            supervisor.Program(
                instance_name(i),
                [py, "-m", "stack", "app-run", str(i)],
                priority=50,
                environment=module_env,
                # TERM to the gunicorn master only: it drains, then stops its workers.
                stopasgroup=False,
                stopwaitsecs=45,
            )
            for i in range(len(self.ports.apps))
        ]
        nginx_conf = self.nginx_cfg.prefix / "nginx.conf"
        progs.append(
            supervisor.Program(
                "nginx", nginx.argv(self.nginx_cfg, nginx_conf), priority=60, stopwaitsecs=5
            )
        )
        return progs

    # -- one-off preparation, before supervisord takes over -----------------------------
    def prepare(self, *, log_to_stdout: bool = True) -> None:
        missing = missing_packages()
        if missing:
            raise StackError(f"missing {missing}: run `make system-deps`")
        self.base.mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o755)
        _ensure_traversable(self.base.parent)
        _ensure_traversable(Path(patroni.binary()).parent)  # Patroni runs as postgres
        for directory in (self.conf, self.logs, self.run_dir):
            directory.mkdir(parents=True, exist_ok=True)
        pid_file = self.run_dir / "supervisord.pid"
        if _alive_pid(pid_file):
            raise StackError(f"a stack already runs on {self.base} (supervisord {pid_file})")
        for member in self.members:
            if postgres.running_pid(member.data_dir):  # left over from a SIGKILLed run
                print(
                    f"stack: stopping a leftover postmaster on {member.data_dir}", file=sys.stderr
                )
                postgres.stop(member.data_dir, "fast")
        busy = [p for p in self.ports.all() if port_open(p)]
        if busy:
            raise StackError(f"ports already in use: {busy} (another stack running?)")
        # Markers of this run (first start of each Redis, migrations done) start afresh.
        for marker in self.run_dir.glob("*.started"):
            marker.unlink()
        (self.run_dir / "migrated").unlink(missing_ok=True)
        postgres.make_owned_dir(self.base / "patroni", 0o700)
        for member in self.members:
            if not member.data_dir.exists():
                postgres.make_owned_dir(member.data_dir, 0o700)
            patroni.write(member, self.ports, durable=self.durable)
        haproxy.write(self.haproxy_conf, self.ports, self.members)
        haproxy.check(self.haproxy_conf)
        for i in range(len(self.ports.redis)):
            workdir = self.base / redis_name(i)
            workdir.mkdir(exist_ok=True)
            path = redis.conf_path(self.conf, redis_name(i))
            path.write_text(redis.server_conf(i, self.ports, workdir), encoding="utf-8")
        for i in range(len(self.ports.sentinels)):
            workdir = self.base / sentinel_name(i)
            workdir.mkdir(exist_ok=True)
            path = redis.conf_path(self.conf, sentinel_name(i))
            path.write_text(redis.sentinel_conf(i, self.ports, workdir), encoding="utf-8")
        self.secret_key()
        conf = nginx.write(self.nginx_cfg)
        nginx.check(self.nginx_cfg, conf)
        text = supervisor.render(
            self.programs(), run_dir=self.run_dir, logs_dir=self.logs, log_to_stdout=log_to_stdout
        )
        self.supervisor_conf.write_text(text, encoding="utf-8")

    def supervisord_argv(self) -> list[str]:
        exe = Path(sys.executable).parent / "supervisord"
        if not exe.exists():
            raise StackError(f"{exe} is missing: run `make install`")
        return [str(exe), "-n", "-c", str(self.supervisor_conf)]

    def client(self) -> supervisor.Client:
        return supervisor.Client(self.supervisor_socket)


def _alive_pid(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text(encoding="utf-8").strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def _ensure_traversable(path: Path) -> None:
    """The postgres user and nginx's workers must reach the stack dir: o+x on our own dirs."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if mode & 0o001:
            continue
        if directory.is_relative_to(REPO_ROOT) or directory.is_relative_to(Path("/tmp")):
            directory.chmod(mode | 0o005)
        else:
            raise StackError(f"{directory} is not searchable by other users (postgres, nginx)")


def up() -> int:
    """Prepare, then replace this process with supervisord (SIGTERM/Ctrl-C stop everything)."""
    stack = Stack()
    stack.prepare(log_to_stdout=True)
    argv = stack.supervisord_argv()
    p = stack.ports
    print(
        f"stack: http://{LOOPBACK}:{p.http}  apps {list(p.apps)}  postgres leader {p.pg_leader} "
        f"replicas {list(p.pg_replica_routes)} (HAProxy; stats :{p.haproxy_stats})  "
        f"sentinels {list(p.sentinels)}  data {stack.base}\n"
        "stack: `make stack-status` shows every process; logs in "
        f"{stack.logs}; Ctrl-C stops everything",
        file=sys.stderr,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)
    return 0  # not reached


def app_run(index: int) -> int:
    """Wait for a leader and a Redis primary, migrate once per stack run, then exec the
    instance (so the supervisor's pid is the gunicorn master's)."""
    stack = Stack()
    ports = stack.ports
    wait_until(lambda: postgres.is_ready(ports.pg_leader), APP_WAIT_SECONDS, "a leader")
    wait_until(
        lambda: (primary := redis.sentinel_master(ports)) is not None and redis.ping(primary),
        APP_WAIT_SECONDS,
        "a Redis primary named by the Sentinels",
    )
    env = stack.app_env(index)
    with (stack.run_dir / "migrate.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one instance migrates; the others wait for it
        marker = stack.run_dir / "migrated"
        if not marker.exists():
            postgres.ensure_database(ports.pg_leader)
            print(app.migrate(env).strip(), file=sys.stderr, flush=True)
            marker.touch()
    argv = serve_argv(app.executable(), LOOPBACK, ports.apps[index], stack.workers)
    os.execve(argv[0], argv, app.process_env(env))
    return 0  # not reached


def redis_run(index: int) -> int:
    stack = Stack()
    name = redis_name(index)
    marker = stack.run_dir / f"{name}.started"
    return redis.run(index, stack.ports, redis.conf_path(stack.conf, name), marker)
