"""The production topology in one place: ports, names, environment and health checks.

`make stack`, the fault tests (which run `make stack`'s launcher on other ports) and the
static checks of `deploy/docker/compose.yaml` all read these definitions, so they cannot
drift apart.
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass, field, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STACK_DIR = REPO_ROOT / "data" / "stack"
LOOPBACK = "127.0.0.1"
DATABASE_NAME = "notestack"
DATABASE_USER = "postgres"
REPLICATION_USER = "replicator"
PATRONI_SCOPE = "notestack"
SENTINEL_MASTER = "notestack"
NODES = 3  # PostgreSQL nodes under Patroni, and etcd members
APPS = 3

# Health checks, shared by the stack's wait helpers and compose.yaml's healthcheck blocks.
APP_READY_PATH = "/readyz"
APP_LIVE_PATH = "/healthz"
NGINX_HEALTH_PATH = "/nginx-health"

# Moving the whole layout: NOTESTACK_STACK_PORT_BASE=N puts every port in N..N+BLOCK-1
# (the fault tests do this); NOTESTACK_STACK_PORT moves only nginx's.
PORT_BASE_ENV = "NOTESTACK_STACK_PORT_BASE"
HTTP_PORT_ENV = "NOTESTACK_STACK_PORT"


def node_name(index: int) -> str:
    """PostgreSQL node `index` (0-based): its Patroni member name and supervisor program."""
    return f"pg{index + 1}"


def etcd_name(index: int) -> str:
    return f"etcd{index + 1}"


def redis_name(index: int) -> str:
    return f"redis{index + 1}"


def sentinel_name(index: int) -> str:
    return f"sentinel{index + 1}"


def instance_name(index: int) -> str:
    return f"app{index + 1}"


@dataclass(frozen=True)
class StackPorts:
    """Every listening port of one topology (all bound to 127.0.0.1 outside containers)."""

    http: int = 8080
    apps: tuple[int, ...] = (8101, 8102, 8103)
    # HAProxy: the leader (health-checked on Patroni's /primary), then one route per node
    # that is up only while that node answers /replica, and the stats page.
    pg_leader: int = 5440
    pg_replica_routes: tuple[int, ...] = (5451, 5452, 5453)
    haproxy_stats: int = 8404
    pg_nodes: tuple[int, ...] = (5441, 5442, 5443)
    patroni_api: tuple[int, ...] = (8008, 8009, 8010)
    etcd_client: tuple[int, ...] = (2390, 2391, 2392)
    etcd_peer: tuple[int, ...] = (2490, 2491, 2492)
    redis: tuple[int, ...] = (6390, 6391)  # the primary at first start, then its replica
    sentinels: tuple[int, ...] = (26390, 26391, 26392)

    @classmethod
    def block(cls, base: int) -> StackPorts:
        """Every port in base..base+BLOCK-1 (free-port layouts for tests)."""
        counter = iter(range(base, base + PORT_BLOCK))

        def take(n: int) -> tuple[int, ...]:
            return tuple(next(counter) for _ in range(n))

        return cls(
            http=take(1)[0],
            apps=take(APPS),
            pg_leader=take(1)[0],
            pg_replica_routes=take(NODES),
            haproxy_stats=take(1)[0],
            pg_nodes=take(NODES),
            patroni_api=take(NODES),
            etcd_client=take(NODES),
            etcd_peer=take(NODES),
            redis=take(2),
            sentinels=take(3),
        )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> StackPorts:
        """`make stack` defaults; NOTESTACK_STACK_PORT_BASE moves all, _PORT only nginx."""
        env = os.environ if environ is None else environ
        if env.get(PORT_BASE_ENV):
            return cls.block(int(env[PORT_BASE_ENV]))
        return cls(http=int(env.get(HTTP_PORT_ENV, cls.http)))

    def all(self) -> list[int]:
        ports: list[int] = []
        for item in fields(self):
            value = getattr(self, item.name)
            ports.extend(value if isinstance(value, tuple) else [value])
        return ports


PORT_BLOCK = 1 + APPS + 1 + NODES + 1 + NODES * 4 + 2 + 3


def free_port_block(low: int = 20000, high: int = 60000, attempts: int = 200) -> int:
    """A base port whose whole block nobody listens on now (bounded search)."""
    step = PORT_BLOCK + 4
    start = low + (os.getpid() * 37) % ((high - low) // step) * step
    for attempt in range(attempts):
        base = low + (start - low + attempt * step) % (high - low - step)
        if all(_bindable(port) for port in range(base, base + PORT_BLOCK)):
            return base
    raise RuntimeError("no free block of ports found")


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class Hosts:
    """Host names by role: 127.0.0.1 for `make stack`, service names under compose."""

    apps: tuple[str, ...] = (LOOPBACK,) * APPS
    haproxy: str = LOOPBACK
    sentinels: tuple[str, ...] = (LOOPBACK,) * 3

    @classmethod
    def loopback(cls) -> Hosts:
        return cls()


# Compose service names: the same roles as `make stack`, one container each.
COMPOSE_HAPROXY = "haproxy"
COMPOSE_NGINX = "nginx"
COMPOSE_MIGRATE = "migrate"
# A fixed network so the instances can name nginx as their one trusted proxy.
COMPOSE_SUBNET = "172.28.0.0/24"
COMPOSE_NGINX_IP = "172.28.0.10"
CONTAINER_DATA_DIR = "/var/lib/notestack"
SECRET_KEY_FROM_ENV = "${NOTESTACK_SECRET_KEY:?set NOTESTACK_SECRET_KEY (48+ random characters)}"
METRICS_TOKEN_FROM_ENV = "${NOTESTACK_METRICS_TOKEN:?set NOTESTACK_METRICS_TOKEN (for /metrics)}"


def compose_app_name(index: int) -> str:
    return instance_name(index)


def compose_hosts() -> Hosts:
    return Hosts(
        apps=tuple(compose_app_name(i) for i in range(APPS)),
        haproxy=COMPOSE_HAPROXY,
        sentinels=tuple(sentinel_name(i) for i in range(3)),
    )


def database_url(host: str, port: int) -> str:
    return f"postgresql+asyncpg://{DATABASE_USER}@{host}:{port}/{DATABASE_NAME}"


@dataclass(frozen=True)
class AppEnvSpec:
    """What an app instance is told; `secret_key` and `data_dir` vary by deployment."""

    ports: StackPorts
    hosts: Hosts
    trusted_proxies: tuple[str, ...] = (LOOPBACK,)
    extra: dict[str, str] = field(default_factory=dict)


DRAIN_SECONDS = "2"


def metrics_token(secret_key: str) -> str:
    """The Bearer token an instance's /metrics asks for (production hides it otherwise),
    derived from the topology's secret so that its operators and tests can compute it."""
    return hashlib.sha256(f"notestack-metrics:{secret_key}".encode()).hexdigest()


def app_env(
    spec: AppEnvSpec,
    index: int,
    *,
    secret_key: str,
    data_dir: str,
    metrics: str | None = None,
) -> dict[str, str]:
    """The NOTESTACK_* environment of app instance `index` (0-based).

    The database URLs name HAProxy only: the leader's port for writes, and one port per node
    for reads (each up only while its node is a replica), so the replica an instance polled
    for its replay position is the one a read on that URL reaches (docs/operations.md)."""
    ports, hosts = spec.ports, spec.hosts
    replicas = ",".join(database_url(hosts.haproxy, port) for port in ports.pg_replica_routes)
    sentinels = ",".join(
        f"{host}:{port}" for host, port in zip(hosts.sentinels, ports.sentinels, strict=True)
    )
    env = {
        "NOTESTACK_ENVIRONMENT": "production",
        "NOTESTACK_INSTANCE_NAME": instance_name(index),
        "NOTESTACK_DATABASE_URL": database_url(hosts.haproxy, ports.pg_leader),
        "NOTESTACK_DATABASE_REPLICA_URLS": replicas,
        "NOTESTACK_REDIS_SENTINELS": sentinels,
        "NOTESTACK_REDIS_SENTINEL_MASTER": SENTINEL_MASTER,
        "NOTESTACK_SECRET_KEY": secret_key,
        # Production requires a Secure cookie (__Host-AccessToken); browsers keep Secure
        # cookies for http://127.0.0.1 and localhost too, so the stack on this machine works.
        "NOTESTACK_COOKIE_SECURE": "true",
        "NOTESTACK_METRICS_TOKEN": metrics or metrics_token(secret_key),
        "NOTESTACK_DATA_DIR": data_dir,
        "NOTESTACK_TRUSTED_PROXIES": ",".join(spec.trusted_proxies),
        "NOTESTACK_LOG_JSON": "true",
        # On SIGTERM, keep serving (and answering /readyz with 503) this long before closing the
        # listener, so nginx and health checkers move traffic away first.
        "NOTESTACK_DRAIN_SECONDS": DRAIN_SECONDS,
    }
    env.update(spec.extra)
    return env


def serve_argv(executable: str, host: str, port: int, workers: int) -> list[str]:
    """The one command line that runs an app instance."""
    return [executable, "serve", "--host", host, "--port", str(port), "--workers", str(workers)]
