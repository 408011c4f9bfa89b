"""One real `make stack` for the whole fault suite, started by its own launcher (`python -m
stack up`: supervisord, Patroni + etcd, HAProxy, Redis + Sentinel, three instances, nginx) on
a free block of loopback ports in a temporary directory.

Nothing here repairs anything: before each test the suite only *waits* (bounded) until the
stack is as `make stack` leaves it after starting (every program RUNNING, a leader, a sync
standby and a replica, a Redis primary with its replica, every instance ready). Whatever a
test broke must have been put back by supervisord, Patroni or the Sentinels. The stack is
stopped by SIGTERM to supervisord (what Ctrl-C does) and its directory removed at the end.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack.cluster import RunningStack
from stack.system import missing_packages
from stack.topology import free_port_block

from tests.faults.faultlib import FAULT_LINES

STARTUP_SECONDS = 240.0
HEALTHY_BETWEEN_TESTS_SECONDS = 120.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "faults: kills, stops and freezes real servers (tests/faults, ~4-5 min)"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FAULT_LINES:
        terminalreporter.section("fault-test figures")
        for line in FAULT_LINES:
            terminalreporter.write_line(line)


def _logs_tail(base: Path, lines: int = 25) -> str:
    parts = []
    for path in sorted((base / "logs").glob("*.log")):
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        parts.append(f"--- {path.name} ---\n" + "\n".join(text))
    return "\n".join(parts)


# Package scope: the stack (three PostgreSQL nodes, etcd, Patroni, nginx, three instances, Redis
# and Sentinel) starts to stop when the fault tests end, not at the end of the session, so the
# tests after them do not run beside a whole idle topology.
@pytest.fixture(scope="package")
def stack() -> Iterator[RunningStack]:
    missing = missing_packages()
    if missing:
        pytest.fail(f"fault tests need {missing}: run `make system-deps`")
    base = Path(tempfile.mkdtemp(prefix="notestack-faults-"))
    base.chmod(0o755)  # Patroni runs as postgres, nginx workers as nobody
    # Every test signs a user up from 127.0.0.1 (through nginx): the production sign-up and
    # sign-in throttles would refuse most of them.
    extra = {
        "NOTESTACK_THROTTLE_SIGNUP_IP": "100000/hour",
        "NOTESTACK_THROTTLE_LOGIN_IP": "100000/minute",
        # The overload tests' load generator stands for the proxy in front of nginx: its
        # X-Forwarded-For names the many clients it carries (tests/faults/test_overload.py).
        "NOTESTACK_STACK_TRUSTED_PROXIES": "127.0.0.1/32",
        # The other fault tests' clients all come from 127.0.0.1: nginx's per-address limits
        # (tests/deploy/test_nginx_config.py checks them) must not be what they measure.
        "NOTESTACK_STACK_EDGE_API_RATE_PER_IP": "100000r/s",
        "NOTESTACK_STACK_EDGE_API_CONN_PER_IP": "60000",
        # Their loops run one account at up to ~450 requests a second; the looping account of
        # FAULT-14 makes far more than this (tests/faults/test_overload.py).
        "NOTESTACK_USER_REQUEST_BUDGET": "6000/10 seconds",
    }
    running = RunningStack.launch(base / "stack", free_port_block(), extra=extra)
    atexit.register(running.stop)  # even if the session dies before the finalizer runs
    started = time.monotonic()
    try:
        running.wait_healthy(STARTUP_SECONDS)
    except BaseException:  # pytest-timeout's Failed too: never leave a stack behind
        print(_logs_tail(running.base))
        running.stop()
        shutil.rmtree(base, ignore_errors=True)
        raise
    print(f"stack healthy {time.monotonic() - started:.1f}s after `python -m stack up`")
    try:
        yield running
    finally:
        # Stopped as Ctrl-C stops it, in the background: a graceful stop takes 20 s to a
        # minute (each instance drains, each node checkpoints what the tests wrote), and the
        # tests after these need none of it. A non-daemon thread: the session waits for it
        # before it ends, so nothing outlives the run.
        threading.Thread(target=_stop_and_remove, args=(running, base), daemon=False).start()


def _stop_and_remove(running: RunningStack, base: Path) -> None:
    running.stop()
    if os.environ.get("NOTESTACK_FAULTS_KEEP") != "1":  # keep it to read the logs
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(autouse=True)
def healthy(stack: RunningStack) -> None:
    """Wait (never repair) until the stack is whole again after the previous test."""
    try:
        stack.wait_healthy(HEALTHY_BETWEEN_TESTS_SECONDS)
    except Exception:
        print(_logs_tail(stack.base))
        raise
