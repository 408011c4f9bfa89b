"""What deploy/docker/compose.yaml must contain, derived from the stack's own definitions.

tests/deploy/test_docker_static.py compares the YAML with these; `python -m stack
compose-nginx` rewrites deploy/docker/nginx.conf from the same template as `make stack`.
"""

from __future__ import annotations

from pathlib import Path

from stack import nginx
from stack.topology import (
    COMPOSE_NGINX_IP,
    CONTAINER_DATA_DIR,
    CONTAINER_STATIC_ROOT,
    METRICS_TOKEN_FROM_ENV,
    REPO_ROOT,
    SECRET_KEY_FROM_ENV,
    AppEnvSpec,
    StackPorts,
    app_env,
    compose_hosts,
)

DOCKER_DIR = REPO_ROOT / "deploy" / "docker"
NGINX_CONF = DOCKER_DIR / "nginx.conf"
APP_WORKERS = 2


def ports() -> StackPorts:
    return StackPorts()  # the same fixed ports as `make stack`


def app_environment(index: int) -> dict[str, str]:
    """An instance's environment under compose: `make stack`'s, with service host names."""
    p = ports()
    spec = AppEnvSpec(ports=p, hosts=compose_hosts(p), trusted_proxies=(COMPOSE_NGINX_IP,))
    env = app_env(
        spec,
        index,
        secret_key=SECRET_KEY_FROM_ENV,
        data_dir=CONTAINER_DATA_DIR,
        metrics=METRICS_TOKEN_FROM_ENV,
    )
    env["PORT"] = str(p.apps[index])
    env["WORKERS"] = str(APP_WORKERS)
    return env


def nginx_config() -> nginx.NginxConfig:
    p = ports()
    hosts = compose_hosts(p)
    return nginx.NginxConfig(
        listen=str(p.http),
        upstreams=tuple(f"{h}:{port}" for h, port in zip(hosts.apps, p.apps, strict=True)),
        prefix=Path("/tmp"),
        static_root=Path(CONTAINER_STATIC_ROOT),
        pid_path="/tmp/nginx.pid",
        error_log="/dev/stderr",
        access_log="/dev/stdout",
        temp_dir="/tmp",
        run_user="",  # the container runs nginx as the unprivileged `nginx` user
    )


def render_nginx() -> str:
    return nginx.render(nginx_config())


def write_nginx(path: Path = NGINX_CONF) -> Path:
    path.write_text(render_nginx(), encoding="utf-8")
    return path
