"""deploy/docker checked without a Docker engine: the files parse, and compose.yaml runs what
`make stack` runs (the same parts, ports, config files, environment and health checks), as
defined in deploy/stack."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from stack import compose
from stack.topology import (
    APP_READY_PATH,
    COMPOSE_HAPROXY,
    COMPOSE_MIGRATE,
    COMPOSE_NGINX,
    COMPOSE_NGINX_IP,
    COMPOSE_SUBNET,
    LOOPBACK,
    NGINX_HEALTH_PATH,
    NODES,
    SENTINEL_MASTER,
    compose_app_name,
    etcd_name,
    node_name,
    redis_name,
    sentinel_name,
)
from stack.up import Stack

DOCKER = compose.DOCKER_DIR
PORTS = compose.ports()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def services(document: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = document["services"]
    return result


def _healthcheck(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else str(test)


def _published(service: dict[str, Any]) -> list[str]:
    return [str(p) for p in service.get("ports", [])]


def _command(service: dict[str, Any]) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else str(command)


def _mounts(service: dict[str, Any]) -> list[str]:
    return [str(v) for v in service.get("volumes", [])]


def test_services_are_the_stack_roles(services: dict[str, Any]) -> None:
    expected = {COMPOSE_HAPROXY, COMPOSE_NGINX, COMPOSE_MIGRATE}
    expected |= {compose_app_name(i) for i in range(len(PORTS.apps))}
    expected |= {etcd_name(i) for i in range(NODES)} | {node_name(i) for i in range(NODES)}
    expected |= {redis_name(i) for i in range(len(PORTS.redis))}
    expected |= {sentinel_name(i) for i in range(len(PORTS.sentinels))}
    assert set(services) == expected
    # The supervisor's part: every long-running container is started again when it exits.
    for name, service in services.items():
        if name != COMPOSE_MIGRATE:
            assert service["restart"] == "unless-stopped", name


def test_committed_configs_are_rendered_from_deploy_stack() -> None:
    hint = "run: PYTHONPATH=deploy python -m stack compose-configs"
    for path, text in compose.rendered().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name}: {hint}"


@pytest.mark.parametrize("index", range(len(PORTS.apps)))
def test_app_instances_match_make_stack(services: dict[str, Any], index: int) -> None:
    service = services[compose_app_name(index)]
    port = PORTS.apps[index]
    assert service["environment"] == compose.app_environment(index)
    # The same variables as `make stack` gives its instances, bar the container's PORT/WORKERS.
    stack_env = Stack(base=Path("/nonexistent-not-created")).env_spec
    from stack.topology import app_env

    keys = set(app_env(stack_env, index, secret_key="k" * 48, data_dir="/d"))
    assert set(service["environment"]) - {"PORT", "WORKERS"} == keys
    env = service["environment"]
    assert env["NOTESTACK_DATABASE_URL"].endswith(f"@{COMPOSE_HAPROXY}:{PORTS.pg_leader}/notestack")
    routes = env["NOTESTACK_DATABASE_REPLICA_URLS"].split(",")
    assert [r.rsplit(":", 1)[1] for r in routes] == [
        f"{p}/notestack" for p in PORTS.pg_replica_routes
    ]
    assert env["NOTESTACK_REDIS_SENTINELS"] == ",".join(
        f"{sentinel_name(i)}:{p}" for i, p in enumerate(PORTS.sentinels)
    )
    assert env["NOTESTACK_REDIS_SENTINEL_MASTER"] == SENTINEL_MASTER
    assert _published(service) == [f"{LOOPBACK}:{port}:{port}"]
    assert f"http://127.0.0.1:{port}{APP_READY_PATH}" in _healthcheck(service)
    assert service["build"]["target"] == "runtime"
    assert service["depends_on"][COMPOSE_MIGRATE]["condition"] == "service_completed_successfully"
    assert service["depends_on"][COMPOSE_HAPROXY]["condition"] == "service_healthy"


def test_migrate_uses_the_leader(services: dict[str, Any]) -> None:
    env = services[COMPOSE_MIGRATE]["environment"]
    app_env = compose.app_environment(0)
    for key in ("NOTESTACK_ENVIRONMENT", "NOTESTACK_DATABASE_URL", "NOTESTACK_SECRET_KEY"):
        assert env[key] == app_env[key]
    command = _command(services[COMPOSE_MIGRATE])
    assert "CREATE DATABASE notestack" in command and "exec notestack migrate" in command


@pytest.mark.parametrize("index", range(NODES))
def test_etcd_members(services: dict[str, Any], index: int) -> None:
    service = services[etcd_name(index)]
    command = service["command"]
    assert command[0] == "etcd" and command[command.index("--name") + 1] == etcd_name(index)
    cluster = command[command.index("--initial-cluster") + 1].split(",")
    assert cluster == [f"{etcd_name(i)}=http://{etcd_name(i)}:{p}" for i, p in
                       enumerate(PORTS.etcd_peer)]  # fmt: skip
    client = f"http://{etcd_name(index)}:{PORTS.etcd_client[index]}"
    assert command[command.index("--advertise-client-urls") + 1] == client
    assert f"http://127.0.0.1:{PORTS.etcd_client[index]} endpoint health" in _healthcheck(service)


@pytest.mark.parametrize("index", range(NODES))
def test_patroni_members(services: dict[str, Any], index: int) -> None:
    name = node_name(index)
    service = services[name]
    assert service["build"]["target"] == "ha" and service["user"] == "postgres"
    assert service["command"] == ["patroni", f"/etc/notestack/patroni-{name}.yml"]
    assert f"./conf/patroni-{name}.yml:/etc/notestack/patroni-{name}.yml:ro" in _mounts(service)
    config = yaml.safe_load((compose.CONF_DIR / f"patroni-{name}.yml").read_text("utf-8"))
    dcs = config["bootstrap"]["dcs"]
    assert dcs["synchronous_mode"] is True and dcs["failsafe_mode"] is True
    assert dcs["loop_wait"] + 2 * dcs["retry_timeout"] <= dcs["ttl"]
    assert dcs["postgresql"]["use_pg_rewind"] is True and dcs["postgresql"]["use_slots"] is True
    assert config["etcd3"]["hosts"] == ",".join(
        f"{etcd_name(i)}:{p}" for i, p in enumerate(PORTS.etcd_client)
    )
    pg_port, api_port = PORTS.pg_nodes[index], PORTS.patroni_api[index]
    assert config["postgresql"]["connect_address"] == f"{name}:{pg_port}"
    assert config["restapi"]["connect_address"] == f"{name}:{api_port}"
    assert f"host all all {COMPOSE_SUBNET} trust" in config["postgresql"]["pg_hba"]
    assert _published(service) == [
        f"{LOOPBACK}:{pg_port}:{pg_port}",
        f"{LOOPBACK}:{api_port}:{api_port}",
    ]
    assert f"127.0.0.1:{api_port}/health" in _healthcheck(service)


def test_haproxy(services: dict[str, Any]) -> None:
    service = services[COMPOSE_HAPROXY]
    assert service["command"] == ["haproxy", "-db", "-f", "/etc/notestack/haproxy.cfg"]
    assert "./conf/haproxy.cfg:/etc/notestack/haproxy.cfg:ro" in _mounts(service)
    ports = [PORTS.pg_leader, *PORTS.pg_replica_routes, PORTS.haproxy_stats]
    assert _published(service) == [f"{LOOPBACK}:{p}:{p}" for p in ports]
    text = (compose.CONF_DIR / "haproxy.cfg").read_text(encoding="utf-8")
    assert "option httpchk OPTIONS /primary" in text
    assert text.count("option httpchk OPTIONS /replica") == NODES
    for i in range(NODES):
        server = f"server {node_name(i)} {node_name(i)}:{PORTS.pg_nodes[i]}"
        assert text.count(server) == 2, server  # in the leader pool and on its own route
    assert f"pg_isready -h 127.0.0.1 -p {PORTS.pg_leader}" in _healthcheck(service)


@pytest.mark.parametrize("index", range(len(PORTS.redis)))
def test_redis_servers(services: dict[str, Any], index: int) -> None:
    name, port = redis_name(index), PORTS.redis[index]
    service = services[name]
    assert f"./conf/{name}.conf:/etc/notestack/{name}.conf:ro" in _mounts(service)
    command = _command(service)
    assert f"cp /etc/notestack/{name}.conf /data/redis.conf" in command
    assert "SENTINEL get-master-addr-by-name " + SENTINEL_MASTER in command
    assert "--replicaof" in command  # a restart comes back as a replica, never empty primary
    conf = (compose.CONF_DIR / f"{name}.conf").read_text(encoding="utf-8").splitlines()
    assert f"port {port}" in conf and 'save ""' in conf and "appendonly no" in conf
    assert (f"replicaof {redis_name(0)} {PORTS.redis[0]}" in conf) == (index > 0)
    assert _published(service) == [f"{LOOPBACK}:{port}:{port}"]
    assert f"redis-cli -p {port} ping" in _healthcheck(service)


@pytest.mark.parametrize("index", range(len(PORTS.sentinels)))
def test_sentinels(services: dict[str, Any], index: int) -> None:
    name, port = sentinel_name(index), PORTS.sentinels[index]
    service = services[name]
    assert "exec redis-sentinel /data/sentinel.conf" in _command(service)
    conf = (compose.CONF_DIR / f"{name}.conf").read_text(encoding="utf-8").splitlines()
    monitor = f"sentinel monitor {SENTINEL_MASTER} {redis_name(0)} {PORTS.redis[0]} 2"
    assert monitor in conf and f"port {port}" in conf
    assert _published(service) == [f"{LOOPBACK}:{port}:{port}"]


def test_nginx(services: dict[str, Any], document: dict[str, Any]) -> None:
    service = services[COMPOSE_NGINX]
    (published,) = _published(service)
    assert published.endswith(f":{PORTS.http}") and f"-{PORTS.http}}}" in published
    assert f"http://127.0.0.1:{PORTS.http}{NGINX_HEALTH_PATH}" in _healthcheck(service)
    assert service["build"]["target"] == "edge"
    assert service["networks"]["stack"]["ipv4_address"] == COMPOSE_NGINX_IP
    assert document["networks"]["stack"]["ipam"]["config"][0]["subnet"] == COMPOSE_SUBNET
    for i in range(len(PORTS.apps)):
        assert service["depends_on"][compose_app_name(i)]["condition"] == "service_healthy"


# -- Dockerfile, by simple line logic ------------------------------------------------------
@dataclass
class Stage:
    base: str
    name: str
    lines: list[str] = field(default_factory=list)

    def instructions(self, keyword: str) -> list[str]:
        prefix = keyword.upper() + " "
        return [line[len(prefix) :] for line in self.lines if line.upper().startswith(prefix)]


def _dockerfile_stages() -> list[Stage]:
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", text)  # join continuation lines
    stages: list[Stage] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"(?i)FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line)
        if match:
            stages.append(Stage(match.group(1), match.group(2) or str(len(stages))))
            continue
        assert stages, f"instruction before FROM: {line}"
        stages[-1].lines.append(line)
    return stages


def test_dockerfile_is_multi_stage() -> None:
    stages = _dockerfile_stages()
    names = [s.name for s in stages]
    assert len(stages) >= 3 and len(set(names)) == len(names)
    frontend = next(s for s in stages if s.base.startswith("node:20"))
    assert any("npm run build" in run for run in frontend.instructions("RUN"))
    for stage in stages:
        for copy in stage.instructions("COPY"):
            found = re.search(r"--from=(\S+)", copy)
            if found:
                assert found.group(1) in names, f"COPY from unknown stage: {copy}"


def test_runtime_stage() -> None:
    runtime = _dockerfile_stages()[-1]  # the default build target
    assert runtime.base.startswith("python:3.11") and "slim" in runtime.base
    users = runtime.instructions("USER")
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    (healthcheck,) = runtime.instructions("HEALTHCHECK")
    assert APP_READY_PATH in healthcheck
    (cmd,) = runtime.instructions("CMD")
    assert "notestack serve" in cmd and "--port" in cmd
    assert any("--from=frontend" in c for c in runtime.instructions("COPY"))


def test_ha_stage_installs_what_make_system_deps_installs() -> None:
    ha = next(s for s in _dockerfile_stages() if s.name == "ha")
    assert ha.base.startswith("debian:bookworm")
    (run,) = ha.instructions("RUN")
    for package in ("postgresql-15", "patroni", "etcd-server", "haproxy", "redis-sentinel"):
        assert f" {package} " in f" {run} ", package
    # The same pinned Patroni as `make stack` (stack.system.ensure_patroni).
    assert "--system-site-packages /opt/patroni" in run and "-r /opt/patroni.lock" in run
    assert any("requirements/patroni.lock" in c for c in ha.instructions("COPY"))


def test_edge_stage() -> None:
    edge = next(s for s in _dockerfile_stages() if s.name == "edge")
    assert edge.base.startswith("nginx:")
    assert any("deploy/docker/nginx.conf" in c for c in edge.instructions("COPY"))
    assert edge.instructions("USER") and edge.instructions("USER")[-1] != "root"
    (healthcheck,) = edge.instructions("HEALTHCHECK")
    assert f"127.0.0.1:{PORTS.http}{NGINX_HEALTH_PATH}" in healthcheck
