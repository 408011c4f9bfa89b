"""Client-side helpers for the fault tests: a small API client, timed request records and
bounded worker loops. Every request goes to 127.0.0.1 only."""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

API = "/api/v1"
PASSWORD = "Fault-test-pass-9x!"
TIMEOUT = httpx.Timeout(20.0, connect=3.0)
_counter = itertools.count(1)
FAULT_LINES: list[str] = []


@dataclass
class Record:
    """One request as the client saw it (monotonic times)."""

    op: str
    started: float
    ended: float
    status: int | None
    error: str = ""
    instance: str = ""
    cache: str = ""
    body: Any = None
    request_id: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def server_error(self) -> bool:
        return self.status is None or self.status >= 500


@dataclass
class Log:
    """Thread-safe list of records."""

    records: list[Record] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record) -> Record:
        with self.lock:
            self.records.append(record)
        return record

    def of(self, *ops: str) -> list[Record]:
        with self.lock:
            return [r for r in self.records if r.op in ops]


def note_of(payload: Any) -> dict[str, Any]:
    """The note in a response body: {"note": {...}} per the contract."""
    if isinstance(payload, dict) and isinstance(payload.get("note"), dict):
        note: dict[str, Any] = payload["note"]
        return note
    if isinstance(payload, dict):
        return payload
    raise AssertionError(f"no note in {payload!r}")


class Api:
    """A user's session against one base URL (nginx, or one instance directly)."""

    def __init__(self, base_url: str, token: str = "", pool: int = 4) -> None:
        self.base_url = base_url
        self.token = token
        limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
        self.client = httpx.Client(base_url=base_url, timeout=TIMEOUT, limits=limits)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def clone(self, base_url: str | None = None) -> Api:
        """Same user, own connection pool (one per thread)."""
        return Api(base_url or self.base_url, self.token)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(self, op: str, method: str, path: str, log: Log | None = None, **kw: Any) -> Record:
        request_id = secrets.token_hex(16)  # nginx logs it with the upstream it chose
        headers = {**self.headers, "X-Request-ID": request_id, **kw.pop("headers", {})}
        started = time.monotonic()
        try:
            response = self.client.request(method, path, headers=headers, **kw)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
            record = Record(op, started, time.monotonic(), None, error, request_id=request_id)
        else:
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text[:200]
            record = Record(
                op,
                started,
                time.monotonic(),
                response.status_code,
                "" if response.is_success else str(body)[:200],
                response.headers.get("x-instance", ""),
                response.headers.get("x-cache", ""),
                body,
                request_id,
            )
        if log is not None:
            log.add(record)
        return record

    # -- the contract's endpoints ----------------------------------------------------
    @classmethod
    def new_user(cls, base_url: str) -> Api:
        api = cls(base_url)
        name = f"fault{next(_counter)}{secrets.token_hex(4)}"
        email = f"{name}@example.com"
        reg = api.call(
            "register",
            "POST",
            f"{API}/auth/register",
            json={"username": name, "email": email, "password": PASSWORD},
        )
        assert reg.status == 201, f"register: {reg.status} {reg.error}"
        login = api.call(
            "login", "POST", f"{API}/auth/login", json={"email": email, "password": PASSWORD}
        )
        assert login.status == 200, f"login: {login.status} {login.error}"
        api.token = str(login.body["token"])
        return api

    def create(self, title: str, log: Log | None = None, description: str = "") -> Record:
        payload = {
            "title": title,
            "description": description,
            "status": "Pending",
            "priority": "Low",
        }
        return self.call("create", "POST", f"{API}/note/create", log, json=payload)

    def edit(self, note_id: str, log: Log | None = None, **changes: Any) -> Record:
        return self.call("edit", "PATCH", f"{API}/note/{note_id}/edit", log, json=changes)

    def get(self, note_id: str, log: Log | None = None) -> Record:
        return self.call("get", "GET", f"{API}/note/{note_id}", log)

    def list_notes(self, log: Log | None = None, limit: int = 100) -> Record:
        return self.call("list", "GET", f"{API}/note", log, params={"limit": limit})

    def seed(self, count: int, prefix: str = "seed", description: str = "") -> list[str]:
        ids = []
        for i in range(count):
            record = self.create(f"{prefix}-{i}", description=description)
            assert record.status == 201, f"seed: {record.status} {record.error}"
            ids.append(str(note_of(record.body)["_id"]))
        return ids


def run_workers(
    count: int,
    work: Callable[[int, Callable[[], bool]], None],
    duration: float,
) -> None:
    """Run `work(index, keep_going)` in `count` threads for at most `duration` seconds."""
    deadline = time.monotonic() + duration

    def keep_going() -> bool:
        return time.monotonic() < deadline

    threads = [
        threading.Thread(target=work, args=(i, keep_going), daemon=True) for i in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 60)
    assert not any(t.is_alive() for t in threads), "a worker thread did not stop in time"


def at(offset: float, action: Callable[[], None], started: float) -> threading.Thread:
    """Run `action` in a thread `offset` seconds after `started` (monotonic)."""

    def run() -> None:
        time.sleep(max(0.0, started + offset - time.monotonic()))
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


_METRIC = re.compile(r"^notestack_cache_requests_total\{(?P<labels>[^}]*)\}\s+(?P<value>\S+)", re.M)


def cache_hits(instance_urls: list[str], token: str) -> float | None:
    """Sum of notestack_cache_requests_total{result="hit"} over instances (None: no metric)."""
    total, seen = 0.0, False
    for url in instance_urls:
        try:
            headers = {"Authorization": f"Bearer {token}"}
            text = httpx.get(f"{url}/metrics", headers=headers, timeout=5).text
        except httpx.HTTPError:
            continue
        for match in _METRIC.finditer(text):
            if 'result="hit"' in match.group("labels"):
                total += float(match.group("value"))
                seen = True
    return total if seen else None


def upstream_attempts(access_log: Path) -> dict[str, list[str]]:
    """request id -> the instances nginx tried, in order (from its JSON access log)."""
    attempts: dict[str, list[str]] = {}
    for line in access_log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        upstream = str(entry.get("upstream", ""))
        attempts[str(entry.get("request_id", ""))] = [
            a.strip() for a in upstream.replace(" : ", ",").split(",") if a.strip()
        ]
    return attempts


def report(n: int, requests: int, failures: int, violations: int, **extra: object) -> str:
    """Print the one-line figure the CI log shows, and keep it for the session summary."""
    details = " ".join(f"{key}={value}" for key, value in extra.items())
    line = f"FAULT-{n}: requests={requests} failures={failures} violations={violations} {details}"
    line = line.rstrip()
    print(line)
    FAULT_LINES.append(line)
    return line


def summarize(records: list[Record]) -> dict[str, int]:
    by_status: dict[str, int] = {}
    for record in records:
        key = str(record.status) if record.status is not None else "conn-error"
        by_status[key] = by_status.get(key, 0) + 1
    return dict(sorted(by_status.items()))


def instances(records: list[Record]) -> dict[str, int]:
    seen: dict[str, int] = {}
    for record in records:
        if record.instance:
            seen[record.instance] = seen.get(record.instance, 0) + 1
    return dict(sorted(seen.items()))


def cycle(items: list[str]) -> Iterator[str]:
    return itertools.cycle(items)


# -- Jepsen-style bookkeeping: every acknowledged write, checked against the leader --------
@dataclass
class Ledger:
    """Every note the API acknowledged (201 with its id), with the content it acknowledged."""

    notes: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, record: Record, title: str, description: str) -> None:
        if record.status == 201:
            with self.lock:
                self.notes[str(note_of(record.body)["_id"])] = (title, description)

    def __len__(self) -> int:
        return len(self.notes)


def check_on_leader(ledger: Ledger, query: Callable[[str], str]) -> tuple[int, int]:
    """(lost, wrong): acknowledged notes missing on the leader, or with other content.
    `query` runs SQL on the current leader and returns psql's unaligned output."""
    with ledger.lock:
        expected = dict(ledger.notes)
    lost = wrong = 0
    ids = list(expected)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        quoted = ",".join(f"'{note_id}'" for note_id in chunk)
        rows = query(f"SELECT id, title, description FROM notes WHERE id IN ({quoted})")
        found = {}
        for line in rows.splitlines():
            note_id, title, description = line.split("|", 2)
            found[note_id] = (title, description)
        for note_id in chunk:
            if note_id not in found:
                lost += 1
            elif found[note_id] != expected[note_id]:
                wrong += 1
    return lost, wrong


def write_gap(records: list[Record], since: float, until: float) -> float:
    """The longest stretch in [since, until] in which no write was acknowledged: the
    write-unavailability window, as the client loop (which writes all the time) saw it."""
    acks = sorted(r.ended for r in records if r.ok and since <= r.ended <= until)
    if not acks:
        return round(until - since, 2)
    return round(max(b - a for a, b in itertools.pairwise([since, *acks])), 2)


class Watch:
    """Polls a value in the background (every `interval` s) and keeps (time, value)."""

    def __init__(self, probe: Callable[[], object], interval: float = 0.25) -> None:
        self.samples: list[tuple[float, object]] = []
        self._stop = threading.Event()

        def run() -> None:
            while not self._stop.is_set() and len(self.samples) < 2000:
                try:
                    value = probe()
                except Exception as exc:
                    value = f"error: {type(exc).__name__}"
                self.samples.append((time.monotonic(), value))
                self._stop.wait(interval)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def first(self, after: float, predicate: Callable[[object], bool]) -> float | None:
        for t, value in self.samples:
            if t >= after and predicate(value):
                return t
        return None
