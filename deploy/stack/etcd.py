"""A three-member etcd cluster on loopback: Patroni's consensus store (the v3 API)."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

from stack.proc import StackError
from stack.topology import LOOPBACK, StackPorts, etcd_name

CLUSTER_TOKEN = "notestack-etcd"


def binary(name: str = "etcd") -> str:
    found = shutil.which(name)
    if not found:
        raise StackError(f"{name} is not installed: run `make system-deps`")
    return found


def initial_cluster(ports: StackPorts) -> str:
    return ",".join(
        f"{etcd_name(i)}=http://{LOOPBACK}:{port}" for i, port in enumerate(ports.etcd_peer)
    )


def argv(index: int, ports: StackPorts, data_dir: Path) -> list[str]:
    """etcd member `index` in the foreground. `new` on the first start; on later starts etcd
    reads its membership from the data directory and ignores the initial-cluster flags."""
    client = f"http://{LOOPBACK}:{ports.etcd_client[index]}"
    peer = f"http://{LOOPBACK}:{ports.etcd_peer[index]}"
    return [
        binary(),
        "--name",
        etcd_name(index),
        "--data-dir",
        str(data_dir),
        "--listen-client-urls",
        client,
        "--advertise-client-urls",
        client,
        "--listen-peer-urls",
        peer,
        "--initial-advertise-peer-urls",
        peer,
        "--initial-cluster",
        initial_cluster(ports),
        "--initial-cluster-token",
        CLUSTER_TOKEN,
        "--initial-cluster-state",
        "new",
        # A shared 2-core machine: a little more patience than the LAN defaults (100/1000 ms).
        "--heartbeat-interval",
        "200",
        "--election-timeout",
        "2000",
        "--logger",
        "zap",
        "--log-level",
        "warn",
    ]


def healthy(port: int, timeout: float = 2.0) -> bool:
    """etcd's own /health: this member is up and the cluster has a quorum."""
    try:
        with urllib.request.urlopen(f"http://{LOOPBACK}:{port}/health", timeout=timeout) as resp:
            return bool(json.loads(resp.read()).get("health") == "true")
    except (OSError, ValueError):
        return False
