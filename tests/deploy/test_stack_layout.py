"""`make stack`'s layout without starting anything: ports, environment, and the configs and
supervisord programs `prepare` writes (rendered and checked by HAProxy and nginx themselves)."""

from __future__ import annotations

import configparser
import stat
from pathlib import Path

import pytest
import yaml
from stack import haproxy, patroni
from stack.topology import PORT_BLOCK, StackPorts
from stack.up import Stack

PROGRAMS = [
    "etcd1", "etcd2", "etcd3", "pg1", "pg2", "pg3", "haproxy", "redis1", "redis2",
    "sentinel1", "sentinel2", "sentinel3", "app1", "app2", "app3", "nginx",
]  # fmt: skip


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Stack:
    for name in ("NOTESTACK_STACK_DIR", "NOTESTACK_STACK_PORT", "NOTESTACK_STACK_PORT_BASE"):
        monkeypatch.delenv(name, raising=False)
    return Stack(base=tmp_path / "stack")


def test_default_ports() -> None:
    ports = StackPorts()
    assert (ports.http, ports.apps, ports.pg_leader) == (8080, (8101, 8102, 8103), 5440)
    assert ports.pg_replica_routes == (5451, 5452, 5453)
    assert ports.pg_nodes == (5441, 5442, 5443) and ports.patroni_api == (8008, 8009, 8010)
    assert ports.redis == (6390, 6391) and ports.sentinels == (26390, 26391, 26392)
    assert StackPorts.from_env({"NOTESTACK_STACK_PORT": "9090"}).http == 9090
    all_ports = ports.all()
    assert len(set(all_ports)) == len(all_ports) == PORT_BLOCK
    # The machine's shared servers, and etcd's own defaults, stay free.
    assert not {5432, 6379, 26379, 2379, 2380} & set(all_ports)


def test_a_port_block_moves_everything() -> None:
    moved = StackPorts.from_env({"NOTESTACK_STACK_PORT_BASE": "30000"})
    assert sorted(moved.all()) == list(range(30000, 30000 + PORT_BLOCK))


def test_secret_key_is_made_once_and_private(stack: Stack) -> None:
    key = stack.secret_key()
    assert len(key) >= 48
    assert stack.secret_key() == key
    mode = (stack.base / "secret_key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_instances_environment(stack: Stack) -> None:
    env = stack.app_env(1)
    assert env["NOTESTACK_ENVIRONMENT"] == "production"
    assert env["NOTESTACK_INSTANCE_NAME"] == "app2"
    assert env["NOTESTACK_DATABASE_URL"] == "postgresql+asyncpg://postgres@127.0.0.1:5440/notestack"
    assert env["NOTESTACK_DATABASE_REPLICA_URLS"] == ",".join(
        f"postgresql+asyncpg://postgres@127.0.0.1:{p}/notestack" for p in (5451, 5452, 5453)
    )
    assert env["NOTESTACK_REDIS_SENTINELS"] == "127.0.0.1:26390,127.0.0.1:26391,127.0.0.1:26392"
    assert env["NOTESTACK_REDIS_SENTINEL_MASTER"] == "notestack"
    assert "NOTESTACK_REDIS_URL" not in env
    assert env["NOTESTACK_SECRET_KEY"] == stack.secret_key()
    assert env["NOTESTACK_DATA_DIR"] == str(stack.base / "app2")
    assert env["NOTESTACK_TRUSTED_PROXIES"] == "127.0.0.1"


def test_supervisord_runs_every_part_and_restarts_it(stack: Stack) -> None:
    from stack import supervisor

    text = supervisor.render(
        stack.programs(), run_dir=stack.run_dir, logs_dir=stack.logs, log_to_stdout=True
    )
    config = configparser.RawConfigParser()
    config.read_string(text)
    names = [s.removeprefix("program:") for s in config.sections() if s.startswith("program:")]
    assert names == PROGRAMS
    for name in names:
        section = config[f"program:{name}"]
        assert section["autorestart"] == "true" and int(section["startretries"]) >= 5
    # Stopped in reverse priority: nginx first, etcd last; Patroni as postgres.
    priority = {name: int(config[f"program:{name}"]["priority"]) for name in names}
    assert priority["nginx"] > priority["app1"] > priority["haproxy"] > priority["pg1"]
    assert priority["pg1"] > priority["etcd1"]
    assert config["program:pg1"]["user"] == "postgres"
    assert config["program:pg1"]["command"].endswith(str(stack.conf / "patroni-pg1.yml"))
    assert "-m stack app-run 2" in config["program:app3"]["command"]
    assert config["supervisord"]["nodaemon"] == "true"


def test_patroni_and_haproxy_configs(stack: Stack) -> None:
    member = stack.members[1]
    config = yaml.safe_load(patroni.render(member, stack.ports))
    assert config["name"] == "pg2" and config["scope"] == "notestack"
    assert config["postgresql"]["listen"] == "127.0.0.1:5442"
    assert config["restapi"]["listen"] == "127.0.0.1:8009"
    assert config["etcd3"]["hosts"] == "127.0.0.1:2390,127.0.0.1:2391,127.0.0.1:2392"
    dcs = config["bootstrap"]["dcs"]
    assert dcs["synchronous_mode"] and dcs["failsafe_mode"]
    assert dcs["postgresql"]["use_pg_rewind"] and dcs["postgresql"]["use_slots"]
    text = haproxy.render(stack.ports, stack.members)
    path = stack.base / "haproxy.cfg"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    haproxy.check(path)  # HAProxy itself accepts it
    leader = text.split("listen leader", 1)[1].split("\n\n", 1)[0]
    assert "OPTIONS /primary" in leader and leader.count("server pg") == 3
    for i, port in enumerate((5451, 5452, 5453)):
        route = text.split(f"listen replica_pg{i + 1}", 1)[1].split("\n\n", 1)[0]
        assert f"bind 127.0.0.1:{port}" in route and "OPTIONS /replica" in route
        assert route.count("    server ") == 1  # one node per route: polled node = read node
