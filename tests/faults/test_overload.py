"""Overload on the real `make stack` topology (FAULT-13, FAULT-14): a burst far above what the
stack can serve gets only 2xx, 429 or 503 answers (never a 500, 502 or 504, never a reset),
and the stack serves normally right after; one account looping on the API from many
addresses is held to its budget while another account is served as usual.

The load comes from wrk (bench/lua/overload.lua): each request as one of a few accounts and
from one of many client addresses (X-Forwarded-For, which this stack believes from 127.0.0.1:
the load generator stands for the proxy in front of nginx). Statuses come from nginx's
access log, socket errors from wrk.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
from stack.cluster import RunningStack

from bench import overload
from tests.faults.faultlib import FAULT_LINES

ALLOWED = {200, 429, 503, 499}  # 499: wrk closing its connections when the run ends
BURST_CONNECTIONS = 1500
BURST_SECONDS = 8.0
WRK_TIMEOUT_SECONDS = 10.0  # every request must be answered well within this


def _tokens(stack: RunningStack, first: int, count: int, directory: Path) -> Path:
    path = directory / f"tokens-{first}.txt"
    tokens = [overload.account(stack.base_url, first + i, notes=5) for i in range(count)]
    path.write_text("\n".join(tokens) + "\n", encoding="utf-8")
    return path


def test_a_burst_far_above_capacity_is_shed_cleanly(stack: RunningStack) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tokens = _tokens(stack, 100, 16, Path(tmp))
        result = overload.run_level(
            stack.base_url,
            tokens,
            BURST_CONNECTIONS,
            BURST_SECONDS,
            stack.nginx_access_log,
            timeout_s=WRK_TIMEOUT_SECONDS,
        )
    statuses = {int(k): v for k, v in result["statuses"].items()}
    FAULT_LINES.append(
        f"FAULT-13 burst of {BURST_CONNECTIONS} clients for {BURST_SECONDS:g}s: "
        f"goodput {result['goodput_rps']}/s, statuses {result['statuses']}, served p99 "
        f"{result['served_p99_ms']} ms, resets {result['resets']}, connect errors "
        f"{result['connect_errors']}, timeouts {result['timeouts']}"
    )
    assert set(statuses) <= ALLOWED, statuses
    assert statuses.get(503, 0) > 0, "the burst was not above capacity: nothing was shed"
    assert statuses.get(200, 0) > 0, "nothing was served during the burst"
    assert result["resets"] == 0 and result["connect_errors"] == 0, result
    assert result["timeouts"] == 0, result
    # Right after: served normally, no warm-up, no errors.
    with httpx.Client(base_url=stack.base_url, timeout=5) as http:
        token = overload.account(stack.base_url, 199, notes=3)
        auth = {"Authorization": f"Bearer {token}"}
        after = [http.get("/api/v1/note?limit=20", headers=auth) for _ in range(20)]
    assert [r.status_code for r in after] == [200] * 20
    assert max(r.elapsed.total_seconds() for r in after) < 1.0


def test_one_account_looping_does_not_starve_another(stack: RunningStack) -> None:
    """The looping account comes from many addresses (per-address limits cannot single it
    out): its budget does, and the other account's requests keep succeeding quickly."""
    with tempfile.TemporaryDirectory() as tmp:
        tokens = _tokens(stack, 200, 1, Path(tmp))
        polite = overload.account(stack.base_url, 201, notes=3)
        latencies: list[float] = []
        statuses: list[int] = []
        done = threading.Event()

        def other_account() -> None:
            transport = httpx.HTTPTransport(local_address="127.0.0.2")
            auth = {"Authorization": f"Bearer {polite}"}
            with httpx.Client(base_url=stack.base_url, transport=transport, timeout=10) as c:
                while not done.is_set():
                    started = time.monotonic()
                    # ?limit=: its own lines in nginx's log, apart from the looping account's.
                    answer = c.get("/api/v1/note?limit=20", headers=auth)
                    statuses.append(answer.status_code)
                    latencies.append(time.monotonic() - started)
                    time.sleep(0.05)

        worker = threading.Thread(target=other_account, daemon=True)
        worker.start()
        try:
            hammer = overload.run_level(
                stack.base_url,
                tokens,
                200,
                BURST_SECONDS,
                stack.nginx_access_log,
                addresses=50,
                timeout_s=WRK_TIMEOUT_SECONDS,
            )
        finally:
            done.set()
            worker.join(15)
    hammered = {int(k): v for k, v in hammer["statuses"].items()}
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 20 else max(latencies)
    FAULT_LINES.append(
        f"FAULT-14 one account on 200 connections from 50 addresses for {BURST_SECONDS:g}s: "
        f"its statuses {hammer['statuses']}; another account: {len(statuses)} requests, "
        f"{statuses.count(200)} served, p95 {p95 * 1000:.0f} ms, max "
        f"{max(latencies) * 1000:.0f} ms"
    )
    assert set(hammered) <= ALLOWED, hammered
    assert hammered.get(429, 0) > hammered.get(200, 0), hammered  # held to its budget
    assert statuses and set(statuses) == {200}, statuses
    assert p95 < 1.0, p95
