"""The benchmark's fixed rig: one PostgreSQL primary (optionally plain streaming replicas),
one Redis, app instances and nginx, from deploy/stack's building blocks.

Not the production topology (that is `make stack`, under supervisord with Patroni, which the
fault tests run): the benchmark measures one node's figures, so it wants no failover
machinery, no synchronous standby and nothing restarting behind its back.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from stack import app, nginx, postgres, redis
from stack.proc import Managed, StackError, free_ports, wait_http_ok, wait_until
from stack.topology import (
    APP_READY_PATH,
    DRAIN_SECONDS,
    LOOPBACK,
    NGINX_HEALTH_PATH,
    database_url,
    instance_name,
    metrics_token,
    serve_argv,
)


@dataclass(frozen=True)
class StackPorts:
    """The rig's ports (all on 127.0.0.1)."""

    http: int
    redis: int
    pg_primary: int
    apps: tuple[int, ...]
    pg_replicas: tuple[int, ...] = ()


def app_env(
    ports: StackPorts, index: int, *, secret_key: str, data_dir: str, extra: dict[str, str]
) -> dict[str, str]:
    env = {
        "NOTESTACK_ENVIRONMENT": "production",
        "NOTESTACK_INSTANCE_NAME": instance_name(index),
        "NOTESTACK_DATABASE_URL": database_url(LOOPBACK, ports.pg_primary),
        "NOTESTACK_DATABASE_REPLICA_URLS": ",".join(
            database_url(LOOPBACK, port) for port in ports.pg_replicas
        ),
        "NOTESTACK_REDIS_URL": f"redis://{LOOPBACK}:{ports.redis}/0",
        "NOTESTACK_SECRET_KEY": secret_key,
        "NOTESTACK_COOKIE_SECURE": "true",
        "NOTESTACK_METRICS_TOKEN": metrics_token(secret_key),
        "NOTESTACK_DATA_DIR": data_dir,
        "NOTESTACK_TRUSTED_PROXIES": LOOPBACK,
        "NOTESTACK_LOG_JSON": "true",
        "NOTESTACK_DRAIN_SECONDS": DRAIN_SECONDS,
    }
    env.update(extra)
    return env


@dataclass
class TopologySpec:
    base_dir: Path
    ports: StackPorts
    app_workers: int = 1
    durable: bool = False  # fsync off for throw-away clusters
    replica_apply_delay: str | None = None
    nginx_workers: str = "1"
    extra_env: dict[str, str] = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @classmethod
    def on_free_ports(cls, base_dir: Path, apps: int = 3, replicas: int = 1) -> TopologySpec:
        ports = free_ports(3 + apps + replicas)
        spec_ports = StackPorts(
            http=ports[0],
            redis=ports[1],
            pg_primary=ports[2],
            apps=tuple(ports[3 : 3 + apps]),
            pg_replicas=tuple(ports[3 + apps :]),
        )
        return cls(base_dir=base_dir, ports=spec_ports)


class Topology:
    """Start, break and stop one topology. Every process here is ours and tracked."""

    def __init__(self, spec: TopologySpec) -> None:
        self.spec = spec
        self.ports = spec.ports
        base = spec.base_dir
        self.logs = base / "logs"
        self.primary_dir = base / "pg-primary"
        replicas = range(len(self.ports.pg_replicas))
        self.replica_dirs = [base / f"pg-replica{i + 1}" for i in replicas]
        self.redis_proc = Managed(
            "redis", redis.argv(self.ports.redis, base / "redis"), log_path=self.logs / "redis.log"
        )
        self.apps: list[Managed] = [
            Managed(
                f"app{i + 1}",
                serve_argv(app.executable(), LOOPBACK, port, spec.app_workers),
                env=app.process_env(self.app_env(i)),
                log_path=self.logs / f"app{i + 1}.log",
            )
            for i, port in enumerate(self.ports.apps)
        ]
        self.nginx_cfg = nginx.NginxConfig(
            listen=f"{LOOPBACK}:{self.ports.http}",
            upstreams=tuple(f"{LOOPBACK}:{port}" for port in self.ports.apps),
            app_workers=spec.app_workers,
            prefix=base / "nginx",
            worker_processes=spec.nginx_workers,
            # One load generator on one address, with one account, stands for many clients
            # here: the per-address and per-credential limits stay in the path (their cost is
            # measured) but never bind.
            limits=nginx.EdgeLimits(
                api_conn_per_ip=65_000,
                api_conn_per_credential=65_000,
                api_rate_per_ip="1000000r/s",
            ),
        )
        self.nginx_proc: Managed | None = None

    # -- addresses ---------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.http}"

    @property
    def nginx_access_log(self) -> Path:
        return self.nginx_cfg.logs_dir / "access.log"

    def app_address(self, index: int) -> str:
        return f"{LOOPBACK}:{self.ports.apps[index]}"

    def app_url(self, index: int) -> str:
        return f"http://{LOOPBACK}:{self.ports.apps[index]}"

    def app_env(self, index: int) -> dict[str, str]:
        data_dir = self.spec.base_dir / f"app{index + 1}"
        data_dir.mkdir(parents=True, exist_ok=True)
        return app_env(
            self.ports,
            index,
            secret_key=self.spec.secret_key,
            data_dir=str(data_dir),
            extra=self.spec.extra_env,
        )

    # -- whole topology ----------------------------------------------------------------
    def start(self, timeout: float = 150.0) -> Topology:
        deadline = time.monotonic() + timeout
        base = self.spec.base_dir
        base.mkdir(parents=True, exist_ok=True)
        base.chmod(0o755)  # postgres must be able to reach its data directories
        postgres.make_owned_dir(self.logs)
        (base / "redis").mkdir(exist_ok=True)

        postgres.init_primary(self.primary_dir, self.ports.pg_primary, durable=self.spec.durable)
        self.start_primary()
        postgres.ensure_database(self.ports.pg_primary)
        for i, port in enumerate(self.ports.pg_replicas):
            postgres.init_replica(
                self.replica_dirs[i],
                self.ports.pg_primary,
                port,
                postgres.slot_name(i),
                apply_delay=self.spec.replica_apply_delay,
            )
            self.start_replica(i)
        if self.ports.pg_replicas:
            postgres.wait_replica_streaming(self.ports.pg_primary, _left(deadline))
        self.start_redis()
        app.migrate(self.app_env(0))
        for i in range(len(self.apps)):
            self.start_app(i, wait=False)
        for i in range(len(self.apps)):
            self.wait_app_ready(i, _left(deadline))
        self.start_nginx(_left(deadline))
        return self

    def stop(self) -> None:
        """Stop everything we started, newest first; never raises."""
        procs = [p for p in [self.nginx_proc, *self.apps, self.redis_proc] if p is not None]
        for proc in procs:
            with contextlib.suppress(Exception):
                proc.stop(15 if proc in self.apps else 5)
        for datadir in [*self.replica_dirs, self.primary_dir]:
            with contextlib.suppress(Exception):
                postgres.stop(datadir, "fast", 20)
        for datadir in [*self.replica_dirs, self.primary_dir]:
            with contextlib.suppress(Exception):
                postgres.kill_hard(datadir)

    def remove(self) -> None:
        shutil.rmtree(self.spec.base_dir, ignore_errors=True)

    # -- components --------------------------------------------------------------------
    def start_primary(self) -> None:
        postgres.start(self.primary_dir, self.logs / "pg-primary.log")
        postgres.wait_ready(self.ports.pg_primary)

    def start_replica(self, index: int = 0) -> None:
        postgres.start(self.replica_dirs[index], self.logs / f"pg-replica{index + 1}.log")
        postgres.wait_ready(self.ports.pg_replicas[index])

    def stop_replica(self, index: int = 0, mode: str = "fast") -> None:
        postgres.stop(self.replica_dirs[index], mode)

    def replica_transactions(self, index: int = 0) -> int:
        """Transactions the replica has run on the app database (reads routed to it)."""
        sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'notestack'"
        return int(postgres.psql(self.ports.pg_replicas[index], sql) or 0)

    def set_replica_delay(self, delay: str | None, index: int = 0) -> None:
        postgres.set_apply_delay(self.replica_dirs[index], self.ports.pg_replicas[index], delay)

    def start_redis(self, timeout: float = 15.0) -> None:
        self.redis_proc.start()
        wait_until(
            lambda: redis.ping(self.ports.redis), timeout, "redis", alive=self.redis_proc.alive
        )

    def stop_redis(self) -> None:
        self.redis_proc.stop(5)

    def start_app(self, index: int, wait: bool = True, timeout: float = 60.0) -> None:
        self.apps[index].start()
        if wait:
            self.wait_app_ready(index, timeout)

    def wait_app_ready(self, index: int, timeout: float) -> None:
        proc = self.apps[index]
        try:
            wait_http_ok(self.app_url(index) + APP_READY_PATH, timeout, alive=proc.alive)
        except StackError as exc:
            raise StackError(f"{exc}\n--- {proc.name} log ---\n{proc.log_tail()}") from exc

    def kill_app(self, index: int) -> None:
        """SIGKILL the instance's whole process group: the machine dying under it."""
        proc = self.apps[index]
        proc.signal_group(signal.SIGKILL)
        proc.wait(10)

    def terminate_app(self, index: int) -> None:
        """SIGTERM to the gunicorn master only, as a process manager would send it."""
        self.apps[index].send(signal.SIGTERM)

    def start_nginx(self, timeout: float = 20.0) -> None:
        conf = nginx.write(self.nginx_cfg)
        nginx.check(self.nginx_cfg, conf)
        self.nginx_proc = Managed(
            "nginx", nginx.argv(self.nginx_cfg, conf), log_path=self.logs / "nginx.out"
        ).start()
        proc = self.nginx_proc
        wait_http_ok(self.base_url + NGINX_HEALTH_PATH, timeout, alive=proc.alive)

    def logs_tail(self, lines: int = 20) -> str:
        parts = []
        for path in sorted(self.logs.glob("*")):
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name} ---\n" + "\n".join(text))
        return "\n".join(parts)


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise StackError("topology did not start in time")
    return left
