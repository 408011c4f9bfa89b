"""Live updates at scale: N open event streams (GET /api/v1/events) on one worker process of
one instance, with changes flowing. Reports the worker's memory per open stream and how long a
change takes to reach every stream (from just before the write is sent to the moment each
stream has read its event: the write, its commit, the fan-out and N deliveries).

The instance is `notestack serve` on the embedded default (one worker, SQLite, no Redis: the
fan-out within a process is what one stream costs; Redis only carries an event to the other
processes once). The clients are bare asyncio sockets in this process, so the load generator
costs little next to the server.

    python -m bench.streams [--streams 2000] [--changes 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "deploy"))

from stack.proc import Managed, descendants, free_port, rss_kib, wait_http_ok  # noqa: E402

from bench.stats import percentile  # noqa: E402

VENV_BIN = REPO_ROOT / ".venv" / "bin"
EVENTS_PATH = "/api/v1/events"
CHANGE_INTERVAL_S = 0.2
OPEN_BATCH = 50  # opened at once: a flood of them would meet the pool, not the subject


class Stream:
    """One subscriber: the arrival time of each `note.created` event it reads, in order."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.ready = asyncio.Event()
        self.failed: str | None = None

    async def run(self, port: int, token: str, stop: asyncio.Event) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError as exc:
            self.failed = repr(exc)
            self.ready.set()
            return
        writer.write(
            (
                f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
            ).encode()
        )
        try:
            status = await reader.readline()
            if b" 200 " not in status:
                self.failed = status.decode(errors="replace").strip()
                return
            while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # response headers
            self.ready.set()
            while not stop.is_set():
                line = await reader.readline()
                if not line:
                    break
                if b"event: note.created" in line:
                    self.arrivals.append(time.monotonic())
        except (OSError, asyncio.IncompleteReadError) as exc:
            self.failed = repr(exc)
        finally:
            self.ready.set()
            writer.close()


async def _measure(port: int, token: str, count: int, changes: int, worker: int) -> dict[str, Any]:
    stop = asyncio.Event()
    streams = [Stream() for _ in range(count)]
    tasks: list[asyncio.Task[None]] = []
    rss_before = rss_kib(worker) / 1024
    opened_at = time.monotonic()
    for start in range(0, count, OPEN_BATCH):
        batch = streams[start : start + OPEN_BATCH]
        tasks += [asyncio.create_task(s.run(port, token, stop)) for s in batch]
        await asyncio.gather(*(s.ready.wait() for s in batch))
    open_seconds = time.monotonic() - opened_at
    failed = [s.failed for s in streams if s.failed]
    await asyncio.sleep(1.0)  # let the worker settle before reading its memory
    rss_open = rss_kib(worker) / 1024
    sent: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        for index in range(changes):
            sent.append(time.monotonic())
            answer = await http.post(
                "/api/v1/note/create",
                json={
                    "title": f"stream {index}",
                    "description": "",
                    "status": "Pending",
                    "priority": "Low",
                },
                headers=headers,
            )
            answer.raise_for_status()
            await asyncio.sleep(CHANGE_INTERVAL_S)
    deadline = time.monotonic() + 10
    live = [s for s in streams if not s.failed]
    while time.monotonic() < deadline and any(len(s.arrivals) < changes for s in live):
        await asyncio.sleep(0.1)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    latencies = [
        (stream.arrivals[i] - sent[i]) * 1000
        for stream in live
        for i in range(min(changes, len(stream.arrivals)))
    ]
    delivered = len(latencies)
    return {
        "streams": count,
        "streams_open": len(live),
        "stream_failures": failed[:5],
        "seconds_to_open": round(open_seconds, 2),
        "changes": changes,
        "deliveries_expected": len(live) * changes,
        "deliveries": delivered,
        "delivery_p50_ms": round(percentile(latencies, 50), 1),
        "delivery_p99_ms": round(percentile(latencies, 99), 1),
        "delivery_max_ms": round(max(latencies, default=0.0), 1),
        "worker_rss_mib_before": round(rss_before, 1),
        "worker_rss_mib_open": round(rss_open, 1),
        "kib_per_stream": round((rss_open - rss_before) * 1024 / max(1, len(live)), 1),
    }


def measure(count: int = 2000, changes: int = 20) -> dict[str, Any]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count + 1024)), hard))
    base = Path(tempfile.mkdtemp(prefix="notestack-streams-"))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NOTESTACK_")},
        "NOTESTACK_DATA_DIR": str(base / "data"),
        "NOTESTACK_LOG_LEVEL": "WARNING",
        # One account holds every stream here; the per-account bounds are not the subject.
        "NOTESTACK_EVENTS_MAX_STREAMS_PER_USER": str(count + 10),
        "NOTESTACK_EVENTS_MAX_STREAMS_PER_PROCESS": str(count + 10),
        "NOTESTACK_USER_REQUEST_BUDGET": "100000000/10 seconds",
    }
    server = Managed(
        "streams",
        [
            str(VENV_BIN / "notestack"),
            "serve",
            "--migrate",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env=env,
        log_path=base / "server.log",
    ).start()
    try:
        wait_http_ok(f"http://127.0.0.1:{port}/readyz", 60, server.alive)
        workers = [pid for pid in descendants(server.pid) if pid != server.pid]
        if not workers:
            raise RuntimeError("the server has no worker process")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            account = {
                "username": "streams",
                "email": "streams@example.com",
                "password": "a long bench password 7",
            }
            http.post("/api/v1/auth/register", json=account).raise_for_status()
            login = {"email": account["email"], "password": account["password"]}
            token = http.post("/api/v1/auth/login", json=login).json()["token"]
        result = asyncio.run(_measure(port, token, count, changes, workers[0]))
        result["server"] = "notestack serve, 1 worker, embedded default (SQLite, no Redis)"
        result["change_interval_s"] = CHANGE_INTERVAL_S
        return result
    finally:
        server.send(signal.SIGTERM)
        server.wait(20)
        shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.streams", description=__doc__)
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.streams, args.changes), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
