"""PostgreSQL primary and streaming replicas in our own data directories.

Clusters run as the `postgres` user (PostgreSQL refuses root), listen on 127.0.0.1 only and
have no Unix socket, so they never touch the machine's shared server on 5432.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

from stack.proc import StackError, port_open, wait_until
from stack.topology import DATABASE_NAME, DATABASE_USER, LOOPBACK

OS_USER = "postgres"
SETTINGS_FILE = "notestack.conf"  # shared by primary and replicas (copied by pg_basebackup)
NODE_FILE = "notestack-node.conf"  # per node: port, apply delay
INCLUDE_LINES = (
    f"include_if_exists = '{SETTINGS_FILE}'\n",
    f"include_if_exists = '{NODE_FILE}'\n",
)


def bin_dir() -> Path:
    """The newest installed server's bin directory (NOTESTACK_PG_BIN overrides)."""
    override = os.environ.get("NOTESTACK_PG_BIN")
    if override:
        return Path(override)
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(name) if (name := Path(p).parent.parent.name).isdigit() else 0,
    )
    if not candidates:
        raise StackError("no PostgreSQL server binaries: run `make system-deps`")
    return Path(candidates[-1]).parent


def pg(name: str) -> str:
    return str(bin_dir() / name)


def _as_postgres(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", OS_USER, "--", *argv]
    return argv


def run_as_postgres(argv: list[str], timeout: float = 120.0) -> str:
    result = subprocess.run(
        _as_postgres(argv),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd="/",
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def chown_postgres(path: Path) -> None:
    """Give `path` to postgres (when we are root) so the server can write there."""
    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam(OS_USER)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def make_owned_dir(path: Path, mode: int = 0o755) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(mode)
    chown_postgres(path)
    return path


def psql(port: int, sql: str, database: str = "postgres", timeout: float = 30.0) -> str:
    """Run SQL over TCP and return unaligned, tuples-only output."""
    argv = [
        pg("psql"),
        "-X",
        "-q",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        LOOPBACK,
        "-p",
        str(port),
        "-U",
        DATABASE_USER,
        "-d",
        database,
        "-c",
        sql,
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise StackError(f"psql on {port} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def is_ready(port: int) -> bool:
    if not port_open(port):
        return False
    result = subprocess.run(
        [pg("pg_isready"), "-q", "-h", LOOPBACK, "-p", str(port), "-U", DATABASE_USER],
        capture_output=True,
        timeout=10,
        check=False,
    )
    return result.returncode == 0


def _write_node_conf(datadir: Path, port: int, apply_delay: str | None) -> None:
    lines = [f"port = {port}\n"]
    if apply_delay:
        lines.append(f"recovery_min_apply_delay = '{apply_delay}'\n")
    path = datadir / NODE_FILE
    path.write_text("".join(lines), encoding="utf-8")
    chown_postgres(path)


def _shared_settings(durable: bool) -> str:
    lines = [
        f"listen_addresses = '{LOOPBACK}'",
        "unix_socket_directories = ''",
        "max_connections = 200",
        "wal_level = replica",
        "max_wal_senders = 10",
        "max_replication_slots = 10",
        "max_slot_wal_keep_size = '1GB'",
        "hot_standby = on",
        "hot_standby_feedback = on",
        "wal_receiver_status_interval = '1s'",
        "log_line_prefix = '%m [%p] %q%u@%d '",
        "log_min_messages = warning",
    ]
    if not durable:
        # Throw-away test clusters: no fsync, the rest of the behaviour unchanged.
        lines.append("fsync = off")
    return "\n".join(lines) + "\n"


def init_primary(datadir: Path, port: int, *, durable: bool = True) -> bool:
    """initdb `datadir` if it has no cluster yet. True when a new cluster was made."""
    if (datadir / "PG_VERSION").exists():
        _write_node_conf(datadir, port, None)
        return False
    make_owned_dir(datadir, 0o700)
    run_as_postgres(
        [
            pg("initdb"),
            "-D",
            str(datadir),
            "-U",
            DATABASE_USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-instructions",
        ],
    )
    settings = datadir / SETTINGS_FILE
    settings.write_text(_shared_settings(durable), encoding="utf-8")
    chown_postgres(settings)
    with (datadir / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.writelines(["\n# NoteStack stack settings\n", *INCLUDE_LINES])
    _write_node_conf(datadir, port, None)
    return True


def slot_name(index: int) -> str:
    return f"notestack_replica{index + 1}"


def init_replica(
    datadir: Path,
    primary_port: int,
    port: int,
    slot: str,
    *,
    apply_delay: str | None = None,
) -> bool:
    """pg_basebackup -R from the running primary if `datadir` has no cluster yet."""
    if (datadir / "PG_VERSION").exists():
        _write_node_conf(datadir, port, apply_delay)
        return False
    if datadir.exists():
        shutil.rmtree(datadir)  # a half-made copy from an interrupted run
    make_owned_dir(datadir, 0o700)  # pg_basebackup fills an existing empty directory
    existing = psql(primary_port, f"SELECT 1 FROM pg_replication_slots WHERE slot_name = '{slot}'")
    if existing:
        psql(primary_port, f"SELECT pg_drop_replication_slot('{slot}')")
    run_as_postgres(
        [
            pg("pg_basebackup"),
            "-h",
            LOOPBACK,
            "-p",
            str(primary_port),
            "-U",
            DATABASE_USER,
            "-D",
            str(datadir),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "-C",
            "-S",
            slot,
        ],
        timeout=300,
    )
    datadir.chmod(0o700)
    _write_node_conf(datadir, port, apply_delay)
    return True


def set_apply_delay(datadir: Path, port: int, apply_delay: str | None) -> None:
    """Change a replica's recovery_min_apply_delay and reload it (no restart needed)."""
    _write_node_conf(datadir, port, apply_delay)
    run_as_postgres([pg("pg_ctl"), "reload", "-D", str(datadir), "-s"])
    expected = apply_delay or "0"
    wait_until(
        lambda: psql(port, "SHOW recovery_min_apply_delay") in _delay_spellings(expected),
        10,
        f"replica on {port} to take recovery_min_apply_delay={expected}",
    )


def _delay_spellings(delay: str) -> set[str]:
    compact = delay.replace(" ", "")
    spellings = {delay, compact}
    if compact.endswith("s") and compact[:-1].isdigit():
        spellings.add(f"{compact[:-1]}s")
        spellings.add(f"{int(compact[:-1]) * 1000}ms")
    if compact in {"0", "0s", "0ms"}:
        spellings.update({"0", "0s", "0ms"})
    return spellings


def start(datadir: Path, log_file: Path, timeout: float = 60.0) -> None:
    """pg_ctl start -w (daemonised, tracked through postmaster.pid)."""
    if not log_file.exists():
        log_file.touch()
    chown_postgres(log_file)
    run_as_postgres(
        [
            pg("pg_ctl"),
            "start",
            "-D",
            str(datadir),
            "-l",
            str(log_file),
            "-w",
            "-t",
            str(int(timeout)),
            "-s",
        ],
        timeout=timeout + 10,
    )


def stop(datadir: Path, mode: str = "fast", timeout: float = 60.0) -> None:
    """pg_ctl stop -m MODE; a no-op when the cluster is not running."""
    if not running_pid(datadir):
        return
    run_as_postgres(
        [pg("pg_ctl"), "stop", "-D", str(datadir), "-m", mode, "-w", "-t", str(int(timeout)), "-s"],
        timeout=timeout + 10,
    )


def running_pid(datadir: Path) -> int | None:
    """The postmaster's pid if one runs on `datadir`."""
    pidfile = datadir / "postmaster.pid"
    try:
        pid = int(pidfile.read_text(encoding="utf-8").splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def kill_hard(datadir: Path) -> None:
    """Last resort for clean-up: immediate shutdown, then SIGKILL the postmaster."""
    pid = running_pid(datadir)
    if pid is None:
        return
    try:
        stop(datadir, mode="immediate", timeout=15)
    except (StackError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def current_lsn(port: int) -> str:
    return psql(port, "SELECT pg_current_wal_lsn()")


def replay_lsn(port: int) -> str:
    return psql(port, "SELECT pg_last_wal_replay_lsn()")


def ensure_database(port: int, name: str = DATABASE_NAME) -> None:
    if not psql(port, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        psql(port, f'CREATE DATABASE "{name}"')


def wait_replica_streaming(primary_port: int, timeout: float = 30.0) -> None:
    wait_until(
        lambda: (
            psql(primary_port, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
            not in ("", "0")
        ),
        timeout,
        f"a replica streaming from {primary_port}",
    )


def foreground_argv(datadir: Path) -> list[str]:
    """The postmaster in the foreground, for a process manager (port from NODE_FILE)."""
    return [pg("postgres"), "-D", str(datadir)]


def wait_ready(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    wait_until(lambda: is_ready(port), max(deadline - time.monotonic(), 1), f"postgres on {port}")
