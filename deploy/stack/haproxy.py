"""HAProxy in front of the Patroni members, as Patroni's own haproxy.cfg sets it up.

- The leader port reaches whichever member answers 200 on Patroni's `/primary`.
- One replica port per member, up only while that member answers `/replica`. Not one port
  balancing over all replicas: the app compares a user's last write position with the replay
  position it polled *through the same port*, which is only sound if that port always reaches
  the same server (docs/operations.md, "Reads during a failover").
- `on-marked-down shutdown-sessions`: when a member stops being the leader (or a replica),
  HAProxy closes the connections it had sent there, so no client keeps writing to a demoted
  or frozen node; the app's pool reconnects and lands on the new leader.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from stack.patroni import Member
from stack.proc import StackError
from stack.topology import LOOPBACK, StackPorts

# Health checks every 500 ms; two failures take a server out, one success puts it back: a
# new leader gets writes about half a second after Patroni promotes it.
CHECK = "inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions"


def render(
    ports: StackPorts,
    members: list[Member],
    *,
    bind: str = LOOPBACK,
    member_hosts: tuple[str, ...] | None = None,
) -> str:
    def host(member: Member) -> str:
        return member_hosts[member.index] if member_hosts else LOOPBACK

    lines = [
        "# HAProxy for the Patroni cluster (rendered by deploy/stack/haproxy.py).",
        "global",
        "    maxconn 2000",
        "",
        "defaults",
        "    mode tcp",
        "    log global",
        "    retries 2",
        "    timeout connect 2s",
        "    timeout check 1s",
        # Idle database connections stay open; the app's pool recycles them itself.
        "    timeout client 30m",
        "    timeout server 30m",
        "",
        "listen stats",
        "    mode http",
        f"    bind {bind}:{ports.haproxy_stats}",
        "    stats enable",
        "    stats uri /",
        "",
        "# Writes: the one member whose Patroni says it is the primary.",
        "listen leader",
        f"    bind {bind}:{ports.pg_leader}",
        "    option httpchk OPTIONS /primary",
        "    http-check expect status 200",
        f"    default-server {CHECK}",
    ]
    lines += [
        f"    server {m.name} {host(m)}:{m.pg_port} maxconn 500 check port {m.api_port}"
        for m in members
    ]
    for member, port in zip(members, ports.pg_replica_routes, strict=True):
        lines += [
            "",
            f"# Reads on {member.name}, only while it is a running replica.",
            f"listen replica_{member.name}",
            f"    bind {bind}:{port}",
            "    option httpchk OPTIONS /replica",
            "    http-check expect status 200",
            f"    default-server {CHECK}",
            f"    server {member.name} {host(member)}:{member.pg_port} maxconn 500 "
            f"check port {member.api_port}",
        ]
    return "\n".join(lines) + "\n"


def write(path: Path, ports: StackPorts, members: list[Member]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(ports, members), encoding="utf-8")
    return path


def binary() -> str:
    found = shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else ""
    )
    if not found:
        raise StackError("haproxy is not installed: run `make system-deps`")
    return found


def argv(config: Path) -> list[str]:
    """In the foreground (-db), so the supervisor sees it exit."""
    return [binary(), "-db", "-f", str(config)]


def check(config: Path) -> None:
    result = subprocess.run(
        [binary(), "-c", "-q", "-f", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"haproxy -c failed:\n{result.stdout}{result.stderr}")
