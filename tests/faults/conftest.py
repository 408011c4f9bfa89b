"""One real topology for the whole fault suite: PostgreSQL primary + streaming replica,
Redis, three app instances and nginx, all on free loopback ports in a temporary directory.

Each test breaks a piece; the autouse `restore` fixture puts it back before the next test.
Everything is stopped and the directory removed at the end, also when a test fails.
"""

from __future__ import annotations

import atexit
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DEPLOY = HERE.parents[1] / "deploy"
if str(DEPLOY) not in sys.path:
    sys.path.insert(0, str(DEPLOY))

from stack.cluster import Topology, TopologySpec  # noqa: E402
from stack.system import missing_packages  # noqa: E402

from tests.faults.faultlib import FAULT_LINES  # noqa: E402

STARTUP_SECONDS = 150.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "faults: kills, stops and slows real servers (tests/faults, ~3 min)"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FAULT_LINES:
        terminalreporter.section("fault-test figures")
        for line in FAULT_LINES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def topology() -> Iterator[Topology]:
    missing = missing_packages()
    if missing:
        pytest.fail(f"fault tests need {missing}: run `make system-deps`")
    base = Path(tempfile.mkdtemp(prefix="notestack-faults-"))
    spec = TopologySpec.on_free_ports(base)
    # Every test signs a user up from 127.0.0.1 (through nginx): the production sign-up and
    # sign-in throttles would refuse most of them.
    spec.extra_env.update(
        {
            "NOTESTACK_THROTTLE_SIGNUP_IP": "100000/hour",
            "NOTESTACK_THROTTLE_LOGIN_IP": "100000/minute",
        }
    )
    topo = Topology(spec)
    atexit.register(topo.stop)  # even if the session dies before the finalizer runs
    try:
        topo.start(timeout=STARTUP_SECONDS)
    except Exception:
        print(topo.logs_tail(30))
        topo.stop()
        topo.remove()
        raise
    try:
        yield topo
    finally:
        topo.stop()
        topo.remove()


@pytest.fixture(autouse=True)
def restore(topology: Topology) -> Iterator[None]:
    """After each test: every instance, Redis and the replica back, replica not delayed."""
    yield
    if not topology.redis_proc.alive():
        topology.start_redis()
    for i, _port in enumerate(topology.ports.pg_replicas):
        from stack import postgres

        if postgres.running_pid(topology.replica_dirs[i]) is None:
            topology.start_replica(i)
        topology.set_replica_delay(None, i)
    for i, proc in enumerate(topology.apps):
        if not proc.alive():
            proc.stop()  # reap and close the old log handle
            topology.start_app(i)
