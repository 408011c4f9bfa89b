"""A PostgreSQL server for tests: the one on 127.0.0.1:5432 when it answers, else a throwaway
cluster started here from Debian's binaries (``make test`` installs them when missing)."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from stack.proc import free_port

SHARED_HOST = "127.0.0.1"
SHARED_PORT = 5432


def answers(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def pg_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (make test installs it)")
    return candidates[0]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def throwaway_cluster() -> Iterator[tuple[str, int]]:
    """initdb + pg_ctl start on a free port in a temp dir; stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="notestack-pg-"))
    data = root / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        root.chmod(0o755)
    subprocess.run(
        _as_postgres(
            [pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} "
        f"-c unix_socket_directories={root} -c fsync=off"
    )
    subprocess.run(
        _as_postgres(
            [
                pg_bin("pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield SHARED_HOST, port
    finally:
        subprocess.run(
            _as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[tuple[str, int]]:
    if answers(SHARED_HOST, SHARED_PORT):
        yield SHARED_HOST, SHARED_PORT
    else:
        with throwaway_cluster() as address:
            yield address


async def _admin(host: str, port: int, statement: str) -> None:
    connection = await asyncpg.connect(host=host, port=port, user="postgres", database="postgres")
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def fresh_database(host: str, port: int) -> Iterator[str]:
    """A new database for one test run, dropped afterwards; yields its SQLAlchemy URL."""
    name = f"notestack_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(host, port, f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@{host}:{port}/{name}"
    finally:
        asyncio.run(_admin(host, port, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
