"""`make stack-status`: every process, the Patroni leader and sync standby, the Redis primary."""

from __future__ import annotations

import sys
import xmlrpc.client
from typing import Any

from stack import etcd, patroni, redis
from stack.topology import etcd_name
from stack.up import Stack


def snapshot(stack: Stack) -> dict[str, Any]:
    """What `status` prints, as data (the fault tests read the same)."""
    try:
        processes = [
            {"name": p["name"], "state": p["statename"], "pid": p["pid"], "info": p["description"]}
            for p in stack.client().processes()
        ]
    except (OSError, xmlrpc.client.Error):
        processes = []
    view = patroni.cluster(stack.members) or {}
    members = view.get("members", [])
    return {
        "processes": processes,
        "etcd": {
            etcd_name(i): etcd.healthy(port) for i, port in enumerate(stack.ports.etcd_client)
        },
        "members": members,
        "leader": next((m["name"] for m in members if m.get("role") == "leader"), None),
        "sync_standby": next((m["name"] for m in members if m.get("role") == "sync_standby"), None),
        "redis_primary": redis.sentinel_master(stack.ports),
    }


def status() -> int:
    stack = Stack()
    snap = snapshot(stack)
    out = sys.stdout
    if not snap["processes"]:
        out.write(f"supervisord is not running on {stack.base} (start it with `make stack`)\n")
    for proc in snap["processes"]:
        out.write(f"{proc['name']:<10} {proc['state']:<9} {proc['info']}\n")
    health = ", ".join(f"{n} {'ok' if ok else 'DOWN'}" for n, ok in snap["etcd"].items())
    out.write(f"\netcd: {health}\n")
    out.write(f"patroni: leader {snap['leader']}, sync standby {snap['sync_standby']}\n")
    for m in snap["members"]:
        lag = m.get("lag", "")
        out.write(
            f"  {m.get('name'):<5} {m.get('role', ''):<13} {m.get('state', ''):<10} "
            f"timeline {m.get('timeline', '')} lag {lag}\n"
        )
    primary = snap["redis_primary"]
    out.write(f"redis: primary {'127.0.0.1:' + str(primary) if primary else 'unknown'}")
    out.write(f" (Sentinels :{', :'.join(str(p) for p in stack.ports.sentinels)})\n")
    return 0 if snap["processes"] else 1
