"""Open-loop, fixed-rate HTTP/1.1 load: latency from each request's *scheduled* start.

wrk is closed-loop: each connection sends its next request only after the last answer, so when
the server stalls the client stops sending and the slow period is under-sampled ("coordinated
omission"); wrk2 (which fixes that) is not in Debian. This generator schedules request i at
``t0 + i / rate`` whatever happened before, and measures latency = completion - scheduled time.
A request that waits for a free connection, or for the generator itself, is therefore counted
as slow, never dropped. Requests unanswered by the end of the grace period count as errors.

Connections are kept alive and reused (one request in flight per connection, no pipelining),
opened on demand up to ``--max-connections``; beyond that requests queue (and their queueing
time counts). The event loop is uvloop when importable. Run alone, pinned to the load core:

    taskset -c 0 python -m bench.openloop --url http://127.0.0.1:8000/api/v1/note?limit=50 \
        --rate 1000 --duration 10 --token TOKEN

It prints one JSON object: scheduled/achieved rate, p50/p90/p99/p99.9/max (ms), errors, and
``max_send_lag_ms`` (how late the generator itself dispatched a request; large values mean the
generator, not the server, was the bottleneck).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

from bench.stats import percentile


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    non_2xx: int = 0
    max_send_lag_ms: float = 0.0


class _Conn(asyncio.Protocol):
    """One keep-alive connection; parses Content-Length and chunked responses."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.due: float | None = None
        self.closed = False
        self.closing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def send(self, due: float) -> None:
        if self.transport is None:
            raise RuntimeError("send before connection_made")
        self.due = due
        self.transport.write(self.pool.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.due is not None:
            done = self._complete()
            if done is None:
                return
            consumed, status, keep_alive = done
            del self.buffer[:consumed]
            due, self.due = self.due, None
            if not keep_alive:  # e.g. nginx after keepalive_requests: never reuse it
                self.closing = True
            self.pool.finished(self, due, status)
            if self.closing and self.transport is not None:
                self.transport.close()

    def _complete(self) -> tuple[int, int, bool] | None:
        buffer = self.buffer
        head_end = buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return None
        status = int(buffer[9:12])
        head = bytes(buffer[:head_end]).lower()
        keep_alive = b"\r\nconnection: close" not in head
        body_start = head_end + 4
        at = head.find(b"\r\ncontent-length:")
        if at >= 0:
            line_end = head.find(b"\r\n", at + 2)
            length = int(head[at + 17 : line_end if line_end >= 0 else None])
            if len(buffer) - body_start < length:
                return None
            return body_start + length, status, keep_alive
        if b"\r\ntransfer-encoding: chunked" in head:
            end = buffer.find(b"0\r\n\r\n", body_start)
            return (end + 5, status, keep_alive) if end >= 0 else None
        return body_start, status, keep_alive

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.pool.lost(self)


class Pool:
    def __init__(self, host: str, port: int, request: bytes, max_connections: int) -> None:
        self.host, self.port, self.request = host, port, request
        self.max_connections = max_connections
        self.idle: list[_Conn] = []
        self.open = 0
        self.opening = 0
        self.backlog: collections.deque[float] = collections.deque()
        self.stats = Stats()
        self.outstanding = 0
        self.loop = asyncio.get_running_loop()

    def submit(self, due: float) -> None:
        self.outstanding += 1
        while self.idle:
            conn = self.idle.pop()
            if not conn.closed:
                conn.send(due)
                return
        self.backlog.append(due)
        if self.open + self.opening < self.max_connections:
            self.opening += 1
            self.loop.create_task(self._connect())

    async def _connect(self) -> None:
        try:
            _, conn = await self.loop.create_connection(lambda: _Conn(self), self.host, self.port)
        except OSError:
            self.opening -= 1
            if self.backlog:  # the request that asked for this connection fails
                self.backlog.popleft()
                self._record_error()
            return
        self.opening -= 1
        self.open += 1
        self._next(conn)

    def _next(self, conn: _Conn) -> None:
        if conn.closing or conn.closed:
            return  # connection_lost() opens a replacement when requests are waiting
        if self.backlog:
            conn.send(self.backlog.popleft())
        else:
            self.idle.append(conn)

    def finished(self, conn: _Conn, due: float, status: int) -> None:
        now = time.perf_counter()  # uvloop's loop.time() has only millisecond resolution
        self.outstanding -= 1
        if 200 <= status < 400:
            self.stats.latencies_ms.append((now - due) * 1000.0)
        else:
            self.stats.non_2xx += 1
            self.stats.errors += 1
        self._next(conn)

    def _record_error(self) -> None:
        self.outstanding -= 1
        self.stats.errors += 1

    def lost(self, conn: _Conn) -> None:
        self.open -= 1
        if conn.due is not None:  # died with a request in flight
            conn.due = None
            self._record_error()
        if conn in self.idle:
            self.idle.remove(conn)
        if self.backlog and self.open + self.opening < self.max_connections:
            self.opening += 1
            self.loop.create_task(self._connect())


def build_request(method: str, url: str, token: str, body: str | None) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 80
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    payload = body.encode() if body else b""
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return host, port, ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def run(
    url: str,
    *,
    rate: float,
    duration_s: float,
    token: str = "",
    method: str = "GET",
    body: str | None = None,
    max_connections: int = 256,
    grace_s: float = 5.0,
) -> dict[str, Any]:
    host, port, request = build_request(method, url, token, body)
    pool = Pool(host, port, request, max_connections)
    total = max(1, int(rate * duration_s))
    interval = 1.0 / rate
    clock = time.perf_counter
    t0 = clock() + 0.05
    sent = 0
    while sent < total:  # bounded: exactly `total` requests
        now = clock()
        due = t0 + sent * interval
        if due > now:
            await asyncio.sleep(due - now)
            now = clock()
        while sent < total and t0 + sent * interval <= now:
            lag = (now - (t0 + sent * interval)) * 1000.0
            pool.stats.max_send_lag_ms = max(pool.stats.max_send_lag_ms, lag)
            pool.submit(t0 + sent * interval)
            sent += 1
    send_end = clock()
    deadline = send_end + grace_s
    while pool.outstanding > 0 and clock() < deadline:
        await asyncio.sleep(0.01)
    unanswered = pool.outstanding
    for conn in list(pool.idle):
        if conn.transport is not None:
            conn.transport.close()
    stats = pool.stats
    values = sorted(stats.latencies_ms)
    elapsed = send_end - t0
    return {
        "target_rate": rate,
        "duration_s": round(elapsed, 3),
        "scheduled": total,
        "completed": len(values),
        "achieved_rps": round(len(values) / max(elapsed, 1e-9), 1),
        "errors": stats.errors + unanswered,
        "non_2xx": stats.non_2xx,
        "unanswered": unanswered,
        "p50_ms": round(percentile(values, 50), 3),
        "p90_ms": round(percentile(values, 90), 3),
        "p99_ms": round(percentile(values, 99), 3),
        "p999_ms": round(percentile(values, 99.9), 3),
        "max_ms": round(values[-1], 3) if values else 0.0,
        "max_send_lag_ms": round(stats.max_send_lag_ms, 3),
        "connections_opened_max": max_connections,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--duration", type=float, required=True, help="seconds of sending")
    parser.add_argument("--token", default="")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default=None)
    parser.add_argument("--max-connections", type=int, default=256)
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.duration <= 0:
        parser.error("--rate and --duration must be positive")
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    started = time.monotonic()
    result = asyncio.run(
        run(
            args.url,
            rate=args.rate,
            duration_s=args.duration,
            token=args.token,
            method=args.method,
            body=args.body,
            max_connections=args.max_connections,
        )
    )
    result["wall_s"] = round(time.monotonic() - started, 3)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
