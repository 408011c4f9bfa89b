"""What deploy/docker/ must contain, derived from the stack's own definitions.

The containers run the same parts as `make stack`, with the same ports and the same config
files, rendered by the same functions with service names instead of 127.0.0.1:
`python -m stack compose-configs` rewrites deploy/docker/nginx.conf and deploy/docker/conf/*,
and tests/deploy/test_docker_static.py checks that the committed files and compose.yaml match.
"""

from __future__ import annotations

from pathlib import Path

from stack import haproxy, nginx, patroni, redis
from stack.topology import (
    APPS,
    COMPOSE_NGINX_IP,
    COMPOSE_SUBNET,
    CONTAINER_DATA_DIR,
    METRICS_TOKEN_FROM_ENV,
    NODES,
    REPO_ROOT,
    SECRET_KEY_FROM_ENV,
    AppEnvSpec,
    StackPorts,
    app_env,
    compose_hosts,
    etcd_name,
    node_name,
    redis_name,
    sentinel_name,
)

DOCKER_DIR = REPO_ROOT / "deploy" / "docker"
NGINX_CONF = DOCKER_DIR / "nginx.conf"
CONF_DIR = DOCKER_DIR / "conf"
APP_WORKERS = 2
ANY = "0.0.0.0"
PG_BIN = "/usr/lib/postgresql/15/bin"
PG_DATA = Path("/var/lib/postgresql/data")
REDIS_DIR = Path("/data")
# Where each container finds its file (compose mounts deploy/docker/conf there).
CONTAINER_CONF_DIR = "/etc/notestack"


def ports() -> StackPorts:
    return StackPorts()  # the same fixed ports as `make stack`


def app_environment(index: int) -> dict[str, str]:
    """An instance's environment under compose: `make stack`'s, with service host names."""
    p = ports()
    spec = AppEnvSpec(ports=p, hosts=compose_hosts(), trusted_proxies=(COMPOSE_NGINX_IP,))
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


def patroni_network() -> patroni.Network:
    return patroni.Network(
        listen_host=ANY,
        member_hosts=tuple(node_name(i) for i in range(NODES)),
        etcd_hosts=tuple(etcd_name(i) for i in range(NODES)),
        hba_network=COMPOSE_SUBNET,
        bin_dir=PG_BIN,
    )


def patroni_member(index: int) -> patroni.Member:
    """Member `index` as its container sees itself (data in the image's usual place)."""
    p = ports()
    return patroni.Member(
        index=index,
        name=node_name(index),
        pg_port=p.pg_nodes[index],
        api_port=p.patroni_api[index],
        data_dir=PG_DATA / "pgdata",
        config=CONF_DIR / f"patroni-{node_name(index)}.yml",
    )


def render_patroni(index: int) -> str:
    return patroni.render(patroni_member(index), ports(), network=patroni_network())


def render_haproxy() -> str:
    members = [patroni_member(i) for i in range(NODES)]
    return haproxy.render(ports(), members, bind=ANY, member_hosts=tuple(m.name for m in members))


def render_redis(index: int) -> str:
    hosts = tuple(redis_name(i) for i in range(len(ports().redis)))
    return redis.server_conf(index, ports(), REDIS_DIR, bind=ANY, hosts=hosts)


def render_sentinel(index: int) -> str:
    return redis.sentinel_conf(
        index,
        ports(),
        REDIS_DIR,
        bind=ANY,
        redis_host=redis_name(0),
        announce=sentinel_name(index),
    )


def nginx_config() -> nginx.NginxConfig:
    p = ports()
    hosts = compose_hosts()
    return nginx.NginxConfig(
        listen=str(p.http),
        upstreams=tuple(f"{h}:{port}" for h, port in zip(hosts.apps, p.apps, strict=True)),
        app_workers=APP_WORKERS,
        prefix=Path("/tmp"),
        pid_path="/tmp/nginx.pid",
        error_log="/dev/stderr",
        access_log="/dev/stdout",
        temp_dir="/tmp",
        run_user="",  # the container runs nginx as the unprivileged `nginx` user
    )


def render_nginx() -> str:
    return nginx.render(nginx_config())


def rendered() -> dict[Path, str]:
    """Every file deploy/docker holds that is rendered from the stack's definitions."""
    files = {NGINX_CONF: render_nginx(), CONF_DIR / "haproxy.cfg": render_haproxy()}
    for i in range(NODES):
        files[CONF_DIR / f"patroni-{node_name(i)}.yml"] = render_patroni(i)
    for i in range(len(ports().redis)):
        files[CONF_DIR / f"{redis_name(i)}.conf"] = render_redis(i)
    for i in range(len(ports().sentinels)):
        files[CONF_DIR / f"{sentinel_name(i)}.conf"] = render_sentinel(i)
    return files


def write_all() -> list[Path]:
    CONF_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in rendered().items():
        path.write_text(text, encoding="utf-8")
    return sorted(rendered())


__all__ = ["APPS", "CONTAINER_CONF_DIR", "app_environment", "rendered", "write_all"]
