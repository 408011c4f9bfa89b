"""Patroni members: their YAML (one file per node) and what their REST API says.

Patroni runs as the `postgres` user (PostgreSQL refuses root) and starts, stops, promotes and
rewinds its own PostgreSQL; the stack only writes its configuration and asks it questions.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from stack import postgres
from stack.proc import StackError
from stack.topology import (
    DATABASE_USER,
    LOOPBACK,
    PATRONI_SCOPE,
    REPLICATION_USER,
    StackPorts,
    node_name,
)

TEMPLATE = Path(__file__).resolve().parent / "templates" / "patroni.yml"
# Timing of the HA loop (seconds). ttl >= loop_wait + 2 * retry_timeout, as Patroni asks; 20 is
# the smallest ttl Patroni accepts (it raises a smaller one to 20). A leader whose Patroni is
# gone for good is replaced about ttl seconds after its last renewal.
TTL = 20
LOOP_WAIT = 1
RETRY_TIMEOUT = 5


class _Template(Template):
    delimiter = "@@"


@dataclass(frozen=True)
class Member:
    index: int
    name: str
    pg_port: int
    api_port: int
    data_dir: Path
    config: Path

    @property
    def api_url(self) -> str:
        return f"http://{LOOPBACK}:{self.api_port}"


def members(base: Path, ports: StackPorts) -> list[Member]:
    return [
        Member(
            index=i,
            name=node_name(i),
            pg_port=ports.pg_nodes[i],
            api_port=ports.patroni_api[i],
            data_dir=base / node_name(i),
            config=base / "conf" / f"patroni-{node_name(i)}.yml",
        )
        for i in range(len(ports.pg_nodes))
    ]


@dataclass(frozen=True)
class Network:
    """Where members listen and how others reach them: loopback for `make stack`; every
    interface, service names and the private network's range under compose."""

    listen_host: str = LOOPBACK
    member_hosts: tuple[str, ...] | None = None  # None: LOOPBACK for every member
    etcd_hosts: tuple[str, ...] | None = None
    hba_network: str = f"{LOOPBACK}/32"
    bin_dir: str | None = None  # None: this machine's newest PostgreSQL

    def member_host(self, index: int) -> str:
        return self.member_hosts[index] if self.member_hosts else LOOPBACK

    def etcd_host(self, index: int) -> str:
        return self.etcd_hosts[index] if self.etcd_hosts else LOOPBACK


def render(
    member: Member, ports: StackPorts, *, durable: bool = True, network: Network | None = None
) -> str:
    net = network or Network()
    etcd_hosts = ",".join(f"{net.etcd_host(i)}:{port}" for i, port in enumerate(ports.etcd_client))
    values = {
        "scope": PATRONI_SCOPE,
        "name": member.name,
        "listen_host": net.listen_host,
        "connect_host": net.member_host(member.index),
        "hba_network": net.hba_network,
        "api_port": str(member.api_port),
        "etcd_hosts": etcd_hosts,
        "ttl": str(TTL),
        "loop_wait": str(LOOP_WAIT),
        "retry_timeout": str(RETRY_TIMEOUT),
        "fsync": "on" if durable else "off",
        "pg_port": str(member.pg_port),
        "data_dir": str(member.data_dir),
        "bin_dir": net.bin_dir or str(postgres.bin_dir()),
        "pgpass": str(member.data_dir.parent / "patroni" / f"pgpass-{member.name}"),
        "superuser": DATABASE_USER,
        "replication_user": REPLICATION_USER,
    }
    return _Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values)


def write(member: Member, ports: StackPorts, *, durable: bool = True) -> Path:
    member.config.parent.mkdir(parents=True, exist_ok=True)
    member.config.write_text(render(member, ports, durable=durable), encoding="utf-8")
    member.config.chmod(0o644)
    return member.config


def binary(name: str = "patroni") -> str:
    """From .venv-patroni (the pinned Patroni, requirements/patroni.lock)."""
    from stack.system import PATRONI_VENV, patroni_ready

    if not patroni_ready():
        raise StackError("the pinned Patroni is not installed: run `make system-deps`")
    return str(PATRONI_VENV / "bin" / name)


def argv(member: Member) -> list[str]:
    return [binary(), str(member.config)]


# -- asking the members --------------------------------------------------------------------
def get(member: Member, path: str, timeout: float = 2.0) -> tuple[int, Any]:
    """(status, JSON body) of GET `path` on the member's REST API; (0, None) if it is down."""
    try:
        with urllib.request.urlopen(member.api_url + path, timeout=timeout) as response:
            return int(response.status), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            return int(exc.code), json.loads(exc.read() or b"null")
        except ValueError:
            return int(exc.code), None
    except (OSError, ValueError):
        return 0, None


def cluster(all_members: list[Member], timeout: float = 2.0) -> dict[str, Any] | None:
    """The /cluster view (members, roles, states, lag) from the first member that answers."""
    for member in all_members:
        status, body = get(member, "/cluster", timeout)
        if status == 200 and isinstance(body, dict):
            return body
    return None


def leader(all_members: list[Member]) -> str | None:
    view = cluster(all_members)
    for entry in (view or {}).get("members", []):
        if entry.get("role") == "leader" and entry.get("state") == "running":
            return str(entry["name"])
    return None


def sync_standby(all_members: list[Member]) -> str | None:
    view = cluster(all_members)
    for entry in (view or {}).get("members", []):
        if entry.get("role") == "sync_standby" and entry.get("state") in ("running", "streaming"):
            return str(entry["name"])
    return None


def patronictl(config: Path, *args: str, timeout: float = 60.0) -> str:
    """`patronictl -c CONFIG ARGS...` (as the operator would type it); raises on failure."""
    result = subprocess.run(
        [binary("patronictl"), "-c", str(config), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"patronictl {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result.stdout
