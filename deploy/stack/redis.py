"""Redis for the stack: a primary and a replica (nothing on disk: a cache) and three Sentinels.

Sentinel moves the primary role; the app asks the Sentinels where the primary is. Each server
has a config file of its own, which Sentinel rewrites (CONFIG REWRITE) when it changes a
server's role; `make stack` renders fresh ones at every start.

A primary without persistence must not come back empty as a primary while its replica holds
the data (the replica would copy the empty data set: Redis's replication docs warn about
exactly this). So `run` (the supervisor's command for each server) starts a server that is
being *restarted* as a replica of the primary the Sentinels name, waiting for them to fail
over first when they still name this very server.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import time
from pathlib import Path

from stack.proc import StackError
from stack.topology import LOOPBACK, SENTINEL_MASTER, StackPorts, redis_name, sentinel_name

# Sentinel timing: a primary silent this long is down; a quorum of 2 of 3 starts a failover.
DOWN_AFTER_MS = 1500
FAILOVER_TIMEOUT_MS = 6000
QUORUM = 2
RESTART_WAIT_SECONDS = 20.0


def binary(name: str = "redis-server") -> str:
    found = shutil.which(name)
    if not found:
        raise StackError(f"{name} is not installed: run `make system-deps`")
    return found


def server_settings(port: int, workdir: Path, bind: str = LOOPBACK) -> list[tuple[str, str]]:
    """A cache, not a store: nothing saved, nothing appended, nothing kept across restarts."""
    return [
        ("port", str(port)),
        ("bind", bind),
        ("protected-mode", "yes" if bind == LOOPBACK else "no"),
        ("daemonize", "no"),
        ("dir", str(workdir)),
        ("save", '""'),
        ("appendonly", "no"),
        ("maxmemory", "256mb"),
        ("maxmemory-policy", "allkeys-lru"),
        ("replica-read-only", "yes"),
    ]


def argv(port: int, workdir: Path) -> list[str]:
    """A lone server on the command line (the benchmark's; the stack uses config files)."""
    args = [binary()]
    for key, value in server_settings(port, workdir):
        args += [f"--{key}", "" if value == '""' else value]
    return args


def server_conf(
    index: int,
    ports: StackPorts,
    workdir: Path,
    *,
    bind: str = LOOPBACK,
    hosts: tuple[str, ...] = (LOOPBACK, LOOPBACK),
) -> str:
    lines = [f"# Redis {redis_name(index)} (rendered by deploy/stack/redis.py; Sentinel edits it)"]
    settings = server_settings(ports.redis[index], workdir, bind)
    lines += [f"{key} {value}" for key, value in settings]
    if bind != LOOPBACK:  # announce the name the others know this server by
        lines.append(f"replica-announce-ip {hosts[index]}")
    if index > 0:
        lines.append(f"replicaof {hosts[0]} {ports.redis[0]}")
    return "\n".join(lines) + "\n"


def sentinel_conf(
    index: int,
    ports: StackPorts,
    workdir: Path,
    *,
    bind: str = LOOPBACK,
    redis_host: str = LOOPBACK,
    announce: str | None = None,
) -> str:
    names = (
        ["sentinel resolve-hostnames yes", "sentinel announce-hostnames yes"] if announce else []
    )
    if announce:
        names.append(f"sentinel announce-ip {announce}")
    return (
        "\n".join(
            [
                f"# {sentinel_name(index)} (rendered by deploy/stack/redis.py; Sentinel edits it)",
                f"port {ports.sentinels[index]}",
                f"bind {bind}",
                "daemonize no",
                f"dir {workdir}",
                *names,
                f"sentinel monitor {SENTINEL_MASTER} {redis_host} {ports.redis[0]} {QUORUM}",
                f"sentinel down-after-milliseconds {SENTINEL_MASTER} {DOWN_AFTER_MS}",
                f"sentinel failover-timeout {SENTINEL_MASTER} {FAILOVER_TIMEOUT_MS}",
                f"sentinel parallel-syncs {SENTINEL_MASTER} 1",
            ]
        )
        + "\n"
    )


def conf_path(conf_dir: Path, name: str) -> Path:
    return conf_dir / f"{name}.conf"


# -- asking servers and sentinels (RESP over a socket: no client library needed) -----------
def command(port: int, *args: str, timeout: float = 1.0) -> str | list[str] | None:
    """One command; the reply as text (lists flattened to strings). None when unreachable."""
    payload = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
            sock.sendall(payload.encode())
            reader = sock.makefile("rb")
            return _read_reply(reader)
    except (OSError, ValueError):
        return None


def _read_reply(reader: object) -> str | list[str] | None:
    readline = reader.readline  # type: ignore[attr-defined]
    line: bytes = readline()
    if not line:
        raise ValueError("connection closed")
    kind, rest = line[:1], line[1:].rstrip(b"\r\n").decode()
    if kind in (b"+", b":"):
        return rest
    if kind == b"-":
        raise ValueError(rest)
    if kind == b"$":
        if int(rest) < 0:
            return None
        data: bytes = reader.read(int(rest) + 2)  # type: ignore[attr-defined]
        return data[:-2].decode()
    if kind == b"*":
        if int(rest) < 0:
            return None
        items = [_read_reply(reader) for _ in range(int(rest))]
        return [str(item) for item in items]
    raise ValueError(f"unexpected reply {line!r}")


def ping(port: int, timeout: float = 0.5) -> bool:
    return command(port, "PING", timeout=timeout) == "PONG"


def role(port: int) -> str | None:
    reply = command(port, "ROLE")
    return reply[0] if isinstance(reply, list) and reply else None


def sentinel_master(ports: StackPorts) -> int | None:
    """The primary's port as a majority of the Sentinels that answer name it."""
    votes: dict[int, int] = {}
    for port in ports.sentinels:
        reply = command(port, "SENTINEL", "get-master-addr-by-name", SENTINEL_MASTER)
        if isinstance(reply, list) and len(reply) == 2:
            votes[int(reply[1])] = votes.get(int(reply[1]), 0) + 1
    if not votes:
        return None
    best, count = max(votes.items(), key=lambda item: item[1])
    return best if count >= QUORUM else None


def run(index: int, ports: StackPorts, conf: Path, started_marker: Path) -> int:
    """The supervisor's command for server `index`: exec redis-server on its config file, as a
    replica of the Sentinels' primary when this is a restart (see the module docstring)."""
    args = [binary(), str(conf)]
    me = ports.redis[index]
    if started_marker.exists():
        deadline = time.monotonic() + RESTART_WAIT_SECONDS
        primary = sentinel_master(ports)
        others = [port for port in ports.redis if port != me]
        # While the Sentinels still name us (or, mid-failover, no majority names anyone), let
        # them promote the other server first (it may already answer as a primary before they
        # all say so). Only a server that is up holds data worth protecting; with none, start
        # at once.
        while (
            primary in (None, me)
            and time.monotonic() < deadline
            and any(role(port) is not None for port in others)
        ):
            time.sleep(0.5)
            primary = sentinel_master(ports)
        if primary is not None and primary != me:
            print(f"redis-run: restart: replica of :{primary}", file=sys.stderr, flush=True)
            args += ["--replicaof", LOOPBACK, str(primary)]
    else:
        started_marker.parent.mkdir(parents=True, exist_ok=True)
        started_marker.touch()
    os.execv(args[0], args)
    return 0  # not reached
