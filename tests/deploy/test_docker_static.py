"""deploy/docker checked without a Docker engine: both files parse, and compose.yaml runs
what `make stack` runs (ports, environment, health checks), as defined in deploy/stack."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from stack import compose, postgres
from stack.topology import (
    APP_READY_PATH,
    COMPOSE_MIGRATE,
    COMPOSE_NGINX,
    COMPOSE_NGINX_IP,
    COMPOSE_PRIMARY,
    COMPOSE_REDIS,
    COMPOSE_SUBNET,
    LOOPBACK,
    NGINX_HEALTH_PATH,
    compose_app_name,
    compose_replica_name,
)
from stack.up import Stack

DOCKER = compose.DOCKER_DIR
PORTS = compose.ports()


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    document = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    result: dict[str, Any] = document["services"]
    return result


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def _healthcheck(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else str(test)


def _published(service: dict[str, Any]) -> list[str]:
    return [str(p) for p in service.get("ports", [])]


def test_services_are_the_stack_roles(services: dict[str, Any]) -> None:
    expected = {COMPOSE_PRIMARY, COMPOSE_REDIS, COMPOSE_NGINX, COMPOSE_MIGRATE}
    expected |= {compose_app_name(i) for i in range(len(PORTS.apps))}
    expected |= {compose_replica_name(i) for i in range(len(PORTS.pg_replicas))}
    assert set(services) == expected


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
    assert _published(service) == [f"{LOOPBACK}:{port}:{port}"]
    assert f"http://127.0.0.1:{port}{APP_READY_PATH}" in _healthcheck(service)
    assert service["build"]["target"] == "runtime"
    assert service["depends_on"][COMPOSE_MIGRATE]["condition"] == "service_completed_successfully"


def test_migrate_uses_the_primary(services: dict[str, Any]) -> None:
    env = services[COMPOSE_MIGRATE]["environment"]
    app_env = compose.app_environment(0)
    for key in ("NOTESTACK_ENVIRONMENT", "NOTESTACK_DATABASE_URL", "NOTESTACK_SECRET_KEY"):
        assert env[key] == app_env[key]
    assert services[COMPOSE_MIGRATE]["command"] == ["notestack", "migrate"]


def test_primary(services: dict[str, Any]) -> None:
    service = services[COMPOSE_PRIMARY]
    command = " ".join(service["command"])
    port = PORTS.pg_primary
    assert f"port={port}" in command and "wal_level=replica" in command
    assert "hot_standby=on" in command and "max_wal_senders=" in command
    assert _published(service) == [f"{LOOPBACK}:{port}:{port}"]
    assert f"pg_isready -h 127.0.0.1 -p {port}" in _healthcheck(service)
    assert service["environment"]["POSTGRES_DB"] == "notestack"
    init = (DOCKER / "initdb" / "10-replication.sh").read_text(encoding="utf-8")
    assert "host replication" in init
    for i in range(len(PORTS.pg_replicas)):
        assert f"pg_create_physical_replication_slot('{postgres.slot_name(i)}')" in init


@pytest.mark.parametrize("index", range(len(PORTS.pg_replicas)))
def test_replicas_stream_from_the_primary(services: dict[str, Any], index: int) -> None:
    service = services[compose_replica_name(index)]
    script = " ".join(service["command"])
    port = PORTS.pg_replicas[index]
    assert f"pg_basebackup -h {COMPOSE_PRIMARY} -p {PORTS.pg_primary}" in script
    assert "-R" in script and f"-S {postgres.slot_name(index)}" in script
    assert f"port={port}" in script and "hot_standby=on" in script
    assert _published(service) == [f"{LOOPBACK}:{port}:{port}"]
    assert f"pg_isready -h 127.0.0.1 -p {port}" in _healthcheck(service)


def test_redis(services: dict[str, Any]) -> None:
    service = services[COMPOSE_REDIS]
    command = service["command"]
    assert command[command.index("--port") + 1] == str(PORTS.redis)
    assert command[command.index("--save") + 1] == ""
    assert command[command.index("--appendonly") + 1] == "no"
    assert _published(service) == [f"{LOOPBACK}:{PORTS.redis}:{PORTS.redis}"]
    assert f"redis-cli -p {PORTS.redis} ping" in _healthcheck(service)


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


def test_compose_nginx_conf_is_rendered_from_the_template() -> None:
    committed = (DOCKER / "nginx.conf").read_text(encoding="utf-8")
    hint = "run: PYTHONPATH=deploy python -m stack compose-nginx"
    assert committed == compose.render_nginx(), hint


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


def test_edge_stage() -> None:
    edge = next(s for s in _dockerfile_stages() if s.name == "edge")
    assert edge.base.startswith("nginx:")
    assert any("deploy/docker/nginx.conf" in c for c in edge.instructions("COPY"))
    assert edge.instructions("USER") and edge.instructions("USER")[-1] != "root"
    (healthcheck,) = edge.instructions("HEALTHCHECK")
    assert f"127.0.0.1:{PORTS.http}{NGINX_HEALTH_PATH}" in healthcheck
