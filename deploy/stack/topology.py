"""The production topology in one place: ports, environment and health checks.

`make stack`, the fault-test fixtures and the static checks of `deploy/docker/compose.yaml`
all read these definitions, so the three cannot drift apart.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STACK_DIR = REPO_ROOT / "data" / "stack"
LOOPBACK = "127.0.0.1"
DATABASE_NAME = "notestack"
DATABASE_USER = "postgres"
REPLICATION_SLOT_PREFIX = "notestack_replica"

# Health checks, shared by the stack's wait helpers and compose.yaml's healthcheck blocks.
APP_READY_PATH = "/readyz"
APP_LIVE_PATH = "/healthz"
NGINX_HEALTH_PATH = "/nginx-health"


@dataclass(frozen=True)
class StackPorts:
    """Every listening port of one topology (all bound to 127.0.0.1 outside containers)."""

    http: int = 8080
    apps: tuple[int, ...] = (8101, 8102, 8103)
    redis: int = 6390
    pg_primary: int = 5440
    pg_replicas: tuple[int, ...] = (5441,)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> StackPorts:
        """`make stack` defaults, with NOTESTACK_STACK_PORT moving nginx's port."""
        env = os.environ if environ is None else environ
        return cls(http=int(env.get("NOTESTACK_STACK_PORT", cls.http)))

    def all(self) -> list[int]:
        return [self.http, *self.apps, self.redis, self.pg_primary, *self.pg_replicas]


@dataclass(frozen=True)
class Hosts:
    """Host names by role: 127.0.0.1 for `make stack`, service names under compose."""

    apps: tuple[str, ...] = (LOOPBACK, LOOPBACK, LOOPBACK)
    redis: str = LOOPBACK
    pg_primary: str = LOOPBACK
    pg_replicas: tuple[str, ...] = (LOOPBACK,)

    @classmethod
    def loopback(cls, ports: StackPorts) -> Hosts:
        return cls(
            apps=tuple(LOOPBACK for _ in ports.apps),
            pg_replicas=tuple(LOOPBACK for _ in ports.pg_replicas),
        )


# Compose service names: the same roles as `make stack`, one container each.
COMPOSE_PRIMARY = "db-primary"
COMPOSE_REDIS = "redis"
COMPOSE_NGINX = "nginx"
COMPOSE_MIGRATE = "migrate"
# A fixed network so the instances can name nginx as their one trusted proxy.
COMPOSE_SUBNET = "172.28.0.0/24"
COMPOSE_NGINX_IP = "172.28.0.10"
CONTAINER_DATA_DIR = "/var/lib/notestack"
CONTAINER_STATIC_ROOT = "/usr/share/notestack/dist"
SECRET_KEY_FROM_ENV = "${NOTESTACK_SECRET_KEY:?set NOTESTACK_SECRET_KEY (48+ random characters)}"
METRICS_TOKEN_FROM_ENV = "${NOTESTACK_METRICS_TOKEN:?set NOTESTACK_METRICS_TOKEN (for /metrics)}"


def compose_app_name(index: int) -> str:
    return f"app{index + 1}"


def compose_replica_name(index: int) -> str:
    return f"db-replica{index + 1}"


def compose_hosts(ports: StackPorts) -> Hosts:
    return Hosts(
        apps=tuple(compose_app_name(i) for i in range(len(ports.apps))),
        redis=COMPOSE_REDIS,
        pg_primary=COMPOSE_PRIMARY,
        pg_replicas=tuple(compose_replica_name(i) for i in range(len(ports.pg_replicas))),
    )


def database_url(host: str, port: int) -> str:
    return f"postgresql+asyncpg://{DATABASE_USER}@{host}:{port}/{DATABASE_NAME}"


def redis_url(host: str, port: int) -> str:
    return f"redis://{host}:{port}/0"


def instance_name(index: int) -> str:
    return f"app{index + 1}"


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
    """The NOTESTACK_* environment of app instance `index` (0-based)."""
    ports, hosts = spec.ports, spec.hosts
    replicas = ",".join(
        database_url(host, port)
        for host, port in zip(hosts.pg_replicas, ports.pg_replicas, strict=True)
    )
    env = {
        "NOTESTACK_ENVIRONMENT": "production",
        "NOTESTACK_INSTANCE_NAME": instance_name(index),
        "NOTESTACK_DATABASE_URL": database_url(hosts.pg_primary, ports.pg_primary),
        "NOTESTACK_DATABASE_REPLICA_URLS": replicas,
        "NOTESTACK_REDIS_URL": redis_url(hosts.redis, ports.redis),
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
