"""A running `make stack`, seen from outside: start it with the same launcher (`python -m
stack up`, on other ports and in another directory), look at it, break it, stop it.

This module never starts, restarts or repairs a part itself: supervisord (and Patroni, and
the Sentinels) do that. It only drives what an operator could (signals, `supervisorctl
stop/start`, `patronictl`) and reports what it sees. The fault tests use it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack import patroni, postgres, redis
from stack.proc import StackError, descendants, http_status, wait_until
from stack.status import snapshot
from stack.topology import (
    APP_READY_PATH,
    LOOPBACK,
    PORT_BASE_ENV,
    REPO_ROOT,
    StackPorts,
    instance_name,
    metrics_token,
)
from stack.up import (
    APP_WORKERS_ENV,
    FSYNC_ENV,
    NGINX_WORKERS_ENV,
    STACK_DIR_ENV,
    Stack,
)


@dataclass
class RunningStack:
    base: Path
    port_base: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def launch(
        cls, base: Path, port_base: int, *, workers: int = 1, extra: dict[str, str] | None = None
    ) -> RunningStack:
        """`python -m stack up` in the background, exactly as `make stack` runs it."""
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("NOTESTACK_")},
            STACK_DIR_ENV: str(base),
            PORT_BASE_ENV: str(port_base),
            APP_WORKERS_ENV: str(workers),
            NGINX_WORKERS_ENV: "1",
            FSYNC_ENV: "off",
            "PYTHONPATH": str(REPO_ROOT / "deploy"),
            **(extra or {}),
        }
        base.mkdir(parents=True, exist_ok=True)
        out = (base / "launcher.out").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "stack", "up"],
            env=env,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        return cls(base=base, port_base=port_base, env=env, process=process)

    # -- the layout, as the launcher computes it --------------------------------------
    @property
    def stack(self) -> Stack:
        return Stack(base=self.base, ports=self.ports)

    @property
    def ports(self) -> StackPorts:
        return StackPorts.block(self.port_base)

    @property
    def members(self) -> list[patroni.Member]:
        return patroni.members(self.base, self.ports)

    def member(self, name: str) -> patroni.Member:
        return next(m for m in self.members if m.name == name)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.http}"

    def app_url(self, index: int) -> str:
        return f"http://{LOOPBACK}:{self.ports.apps[index]}"

    def app_address(self, index: int) -> str:
        return f"{LOOPBACK}:{self.ports.apps[index]}"

    @property
    def nginx_access_log(self) -> Path:
        return self.base / "nginx" / "logs" / "access.log"

    def metrics_token(self) -> str:
        """What the instances' /metrics asks for (production hides it otherwise)."""
        return metrics_token(self.stack.secret_key())

    # -- what it looks like ------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        return snapshot(self.stack)

    def processes(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.stack.client().processes()}

    def pid(self, program: str) -> int:
        return self.stack.client().pid(program)

    def leader(self, exclude: str | None = None) -> str | None:
        """The leader; with `exclude`, a leader other than that member, asking only the
        others (a frozen member would make every question wait for its REST API)."""
        found = patroni.leader([m for m in self.members if m.name != exclude])
        return None if found == exclude else found

    def sync_standby(self) -> str | None:
        return patroni.sync_standby(self.members)

    def cluster_members(self) -> list[dict[str, Any]]:
        view = patroni.cluster(self.members) or {}
        members: list[dict[str, Any]] = view.get("members", [])
        return members

    def postmaster_pid(self, name: str) -> int | None:
        return postgres.running_pid(self.member(name).data_dir)

    def redis_primary(self) -> int | None:
        return redis.sentinel_master(self.ports)

    def redis_index(self, port: int) -> int:
        return self.ports.redis.index(port)

    def psql_leader(self, sql: str) -> str:
        """SQL on whichever node HAProxy's leader port reaches now."""
        return postgres.psql(self.ports.pg_leader, sql, database="notestack")

    def healthy(self) -> str:
        """'' when every part is as `make stack` leaves it after starting, else what is not."""
        try:
            procs = self.processes()
        except Exception as exc:
            return f"supervisord: {exc!r}"
        down = [name for name, p in procs.items() if p["statename"] != "RUNNING"]
        if down:
            return f"not running: {down}"
        members = self.cluster_members()
        roles = sorted(str(m.get("role")) for m in members)
        if roles != ["leader", "replica", "sync_standby"]:
            return f"patroni roles {roles}"
        states = {str(m.get("name")): str(m.get("state")) for m in members}
        if any(state not in ("running", "streaming") for state in states.values()):
            return f"patroni states {states}"
        if any(m.get("role") != "leader" and m.get("lag") not in (0, "0") for m in members):
            return f"patroni lag {[m.get('lag') for m in members]}"
        primary = self.redis_primary()
        if primary is None or redis.role(primary) != "master":
            return "no Redis primary"
        replicas = [p for p in self.ports.redis if p != primary]
        if any(redis.role(p) != "slave" for p in replicas):
            return "Redis replica not attached"
        for i in range(len(self.ports.apps)):
            if http_status(self.app_url(i) + APP_READY_PATH) != 200:
                return f"{instance_name(i)} not ready"
        return ""

    def wait_healthy(self, timeout: float) -> float:
        """Wait (never repair) until `healthy()`; returns the seconds it took."""
        started = time.monotonic()
        last = ["?"]

        def ok() -> bool:
            last[0] = self.healthy()
            return not last[0]

        try:
            wait_until(ok, timeout, "the stack to be healthy", interval=0.5)
        except StackError as exc:
            raise StackError(f"{exc}: {last[0]}") from exc
        return time.monotonic() - started

    # -- breaking it (what an operator, or bad luck, does) -----------------------------
    def kill_program(self, program: str, signum: int = signal.SIGKILL) -> int:
        """Signal a supervised program's whole process group; returns the pid it had."""
        pid = self.pid(program)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signum)
        return pid

    def node_pids(self, name: str) -> list[int]:
        """Patroni and every PostgreSQL process of node `name`."""
        pids = [self.pid(name)]
        postmaster = self.postmaster_pid(name)
        if postmaster:
            pids.append(postmaster)
            pids += descendants(postmaster)
        return pids

    def signal_pids(self, pids: list[int], signum: int) -> None:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def stop_program(self, program: str) -> None:
        self.stack.client().stop(program)

    def start_program(self, program: str) -> None:
        self.stack.client().start(program)

    def patronictl(self, *args: str, timeout: float = 60.0) -> str:
        return patroni.patronictl(self.members[0].config, *args, timeout=timeout)

    # -- stopping ----------------------------------------------------------------------
    def stop(self, timeout: float = 120.0) -> int | None:
        """SIGTERM to supervisord (what Ctrl-C does); returns its exit code."""
        if self.process is None:
            return None
        code = None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        else:
            code = self.process.returncode
        for member in self.members:  # nothing may outlive the stack, even after a SIGKILL
            with contextlib.suppress(Exception):
                postgres.kill_hard(member.data_dir)
        return code
