"""A Redis server of our own: no persistence, loopback only, foreground."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from stack.proc import StackError
from stack.topology import LOOPBACK


def binary() -> str:
    found = shutil.which("redis-server")
    if not found:
        raise StackError("redis-server is not installed: run `make system-deps`")
    return found


def argv(port: int, workdir: Path) -> list[str]:
    """A cache, not a store: nothing saved, nothing appended, nothing kept across restarts."""
    return [
        binary(),
        "--port",
        str(port),
        "--bind",
        LOOPBACK,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        "--daemonize",
        "no",
        "--protected-mode",
        "yes",
        "--maxmemory",
        "256mb",
        "--maxmemory-policy",
        "allkeys-lru",
    ]


def ping(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False
