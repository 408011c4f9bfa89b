"""`make stack`'s layout without starting anything: Procfile, secret key, ports, environment."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from stack.topology import StackPorts
from stack.up import Stack


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Stack:
    monkeypatch.delenv("NOTESTACK_STACK_DIR", raising=False)
    monkeypatch.delenv("NOTESTACK_STACK_PORT", raising=False)
    return Stack(base=tmp_path / "stack")


def test_default_ports() -> None:
    ports = StackPorts()
    assert (ports.http, ports.apps, ports.redis) == (8080, (8101, 8102, 8103), 6390)
    assert (ports.pg_primary, ports.pg_replicas) == (5440, (5441,))
    assert StackPorts.from_env({"NOTESTACK_STACK_PORT": "9090"}).http == 9090
    assert 5432 not in ports.all() and 6379 not in ports.all()  # the machine's shared servers


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
    assert env["NOTESTACK_DATABASE_REPLICA_URLS"] == (
        "postgresql+asyncpg://postgres@127.0.0.1:5441/notestack"
    )
    assert env["NOTESTACK_REDIS_URL"] == "redis://127.0.0.1:6390/0"
    assert env["NOTESTACK_SECRET_KEY"] == stack.secret_key()
    assert env["NOTESTACK_DATA_DIR"] == str(stack.base / "app2")
    assert env["NOTESTACK_TRUSTED_PROXIES"] == "127.0.0.1"


def test_procfile_runs_every_process_with_exec(stack: Stack) -> None:
    lines = stack.procfile().read_text(encoding="utf-8").splitlines()
    names = [line.split(":", 1)[0] for line in lines]
    assert names == ["pg-primary", "pg-replica1", "redis", "app1", "app2", "app3", "nginx"]
    assert all(line.split(":", 1)[1].startswith(" exec ") for line in lines)
    text = "\n".join(lines)
    assert "pg-run" in text and str(stack.primary_dir) in text
    assert "--port 6390" in text and "--save ''" in text
    assert "app-run 2" in text
    assert "-g 'daemon off;'" in text and str(stack.base / "nginx") in text
