"""Fault tests against the real `make stack` topology (see conftest.py): the first six, on
instances, Redis and replicas. Each prints one line: FAULT-n: requests=... failures=...
violations=...  (failures: any request that did not get a 2xx; violations: failures or stale
reads that the property under test forbids). test_ha_faults.py has FAULT-7 to FAULT-12."""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from stack import postgres
from stack.cluster import RunningStack
from stack.proc import wait_until
from stack.topology import instance_name, redis_name

from tests.faults.faultlib import (
    API,
    Api,
    Log,
    Record,
    at,
    cache_hits,
    instances,
    note_of,
    report,
    run_workers,
    summarize,
    upstream_attempts,
)

pytestmark = [pytest.mark.faults, pytest.mark.timeout(180)]


def _mixed_loop(
    api: Api, note_ids: list[str], log: Log, *, post_every: int = 4, write: bool = True
) -> Callable[[int, Callable[[], bool]], None]:
    """GET one note / GET the list, with a POST every `post_every` requests."""

    def work(index: int, keep_going: Callable[[], bool]) -> None:
        rng = random.Random(index)
        mine = api.clone()
        try:
            n = 0
            while keep_going() and n < 5000:
                n += 1
                if write and n % post_every == 0:
                    mine.create(f"loop-{index}-{n}", log)
                elif n % 3 == 0:
                    mine.list_notes(log, limit=20)
                else:
                    mine.get(rng.choice(note_ids), log)
        finally:
            mine.close()

    return work


@pytest.fixture
def user(stack: RunningStack) -> Iterator[Api]:
    api = Api.new_user(stack.base_url)
    yield api
    api.close()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _restarted(stack: RunningStack, program: str, old_pid: int, since: float) -> float | None:
    """Seconds from `since` (wall clock) until supervisord ran `program` under a new pid
    (None: not within 60 s); supervisord's own start time, so it holds however late we ask."""
    try:
        wait_until(lambda: stack.processes()[program]["pid"] not in (0, old_pid), 60, program, 0.2)
    except Exception:
        return None
    started_at = float(stack.processes()[program]["start"])  # whole seconds
    return round(max(0.0, started_at - since), 1)


# -- FAULT-1 -------------------------------------------------------------------------------
def test_sigkill_one_instance(stack: RunningStack, user: Api) -> None:
    """SIGKILL one of three instances under load: no GET fails; a POST may fail only if it
    was in flight at the kill (nginx never replays a POST that reached an instance): nginx's
    access log, joined on X-Request-ID, must show it was last sent to the killed instance,
    and it must have begun before the kill was over (processes reaped) plus 2 s."""
    note_ids = user.seed(10)
    log = Log()
    kill_window: list[float] = []
    victim = 1

    killed: list[int] = []
    wall: list[float] = []

    def kill() -> None:
        kill_window.append(time.monotonic())
        wall.append(time.time())
        killed.append(stack.kill_program(instance_name(victim)))  # SIGKILL to its group
        wait_until(lambda: _gone(killed[0]), 10, "the killed instance reaped", interval=0.02)
        kill_window.append(time.monotonic())

    started = time.monotonic()
    killer = at(3.0, kill, started)
    run_workers(4, _mixed_loop(user, note_ids, log), duration=10.0)
    killer.join(15)
    assert len(kill_window) == 2, "the kill did not happen"
    k0, k1 = kill_window

    gets = log.of("get", "list")
    posts = log.of("create")
    get_failures = [r for r in gets if not r.ok]
    post_failures = [r for r in posts if not r.ok]
    attempts = upstream_attempts(stack.nginx_access_log)
    victim_addr = stack.app_address(victim)
    in_flight = [
        r
        for r in post_failures
        if attempts.get(r.request_id, [""])[-1] == victim_addr and r.started <= k1 + 2.0
    ]
    restart_seconds = _restarted(stack, instance_name(victim), killed[0], wall[0])
    bad_posts = [r for r in post_failures if r not in in_flight]
    victim_name = f"app{victim + 1}"
    served_after = [r for r in log.records if r.instance == victim_name and r.started > k1 + 0.5]
    violations = len(get_failures) + len(bad_posts)
    report(
        1,
        len(log.records),
        len(get_failures) + len(post_failures),
        violations,
        gets=len(gets),
        get_failures=len(get_failures),
        posts=len(posts),
        post_failures_in_flight=len(in_flight),
        post_failures_other=len(bad_posts),
        served_by_killed_after_kill=len(served_after),
        restarted_by_supervisor_after_s=restart_seconds,
        statuses=summarize(log.records),
    )
    assert not get_failures, [(r.op, r.status, r.error) for r in get_failures[:5]]
    assert not bad_posts, [
        (r.status, r.error[:80], attempts.get(r.request_id), round(r.started - k0, 3))
        for r in bad_posts[:5]
    ]
    assert len(gets) > 100, "too little load to mean anything"
    assert restart_seconds is not None, "supervisord did not restart the instance"


# -- FAULT-2 -------------------------------------------------------------------------------
def _trickle(payload: bytes, seconds: float, pieces: int = 10) -> Iterator[bytes]:
    """A request body sent slowly: the request stays in flight for `seconds`."""
    step = max(1, len(payload) // pieces)
    for i in range(0, len(payload), step):
        yield payload[i : i + step]
        time.sleep(seconds / pieces)


def test_sigterm_drains_in_flight(stack: RunningStack, user: Api) -> None:
    """SIGTERM to an instance while requests are in flight on it: every one completes.

    In flight, for real: (a) slow uploads (a note body trickled over ~2 s) and (b) 24
    concurrent 100-note list requests on pre-opened connections, both sent straight to the
    instance's port (one worker, so they queue). The last burst requests are sent 100 ms
    before the SIGTERM to the gunicorn master, so the server has read them all: each one
    begun before the SIGTERM must complete. Meanwhile a loop through nginx: no GET may fail;
    a POST may fail only if nginx had sent it to this instance as it shut down (nginx's
    access log shows the attempt; nginx never replays a POST; same rule as FAULT-1)."""
    victim = 2
    big = "x" * 2000
    user.seed(100, prefix="big", description=big)
    note_ids = [str(n["_id"]) for n in user.list_notes(limit=20).body["notes"]]
    direct = Log()
    edge = Log()
    term_at: list[float] = []
    term_wall: list[float] = []
    url = stack.app_url(victim)
    old_pid = stack.pid(instance_name(victim))

    slow_clients = [user.clone(url) for _ in range(12)]
    burst_clients = [user.clone(url) for _ in range(24)]
    edit_ids = user.seed(6, prefix="slow-edit")
    for api in slow_clients + burst_clients:  # open (and get accepted) each connection first
        assert api.call("warm", "GET", "/healthz").ok

    def slow_upload(api: Api, i: int) -> None:
        """Half create a note, half edit one; the body takes ~2 s to arrive either way."""
        note = {"title": f"slow-{i}", "description": "y" * 4000}
        if i % 2 == 0:
            note |= {"status": "Pending", "priority": "Low"}
            op, method, path = "slow-create", "POST", f"{API}/note/create"
        else:
            op, method, path = "slow-edit", "PATCH", f"{API}/note/{edit_ids[i // 2]}/edit"
        api.call(
            op,
            method,
            path,
            direct,
            content=_trickle(json.dumps(note).encode(), 2.0),
            headers={"Content-Type": "application/json"},
        )

    stop_burst = threading.Event()

    def burst(api: Api) -> None:
        # A 100-note list request outstanding on each connection until `stop_burst`.
        for _ in range(200):
            if stop_burst.is_set():
                break
            api.call("burst-list", "GET", f"{API}/note", direct, params={"limit": 100})

    threads = [
        threading.Thread(target=slow_upload, args=(api, i), daemon=True)
        for i, api in enumerate(slow_clients)
    ]
    threads += [threading.Thread(target=burst, args=(api,), daemon=True) for api in burst_clients]

    def sigterm() -> None:
        stop_burst.set()  # no new direct requests from here on
        time.sleep(0.1)
        term_at.append(time.monotonic())
        term_wall.append(time.time())
        os.kill(old_pid, signal.SIGTERM)  # to the gunicorn master, as supervisord would

    def edge_loop(index: int, keep_going: Callable[[], bool]) -> None:
        _mixed_loop(user, note_ids, edge)(index, keep_going)

    started = time.monotonic()
    edge_thread = threading.Thread(target=run_workers, args=(2, edge_loop, 8.0), daemon=True)
    edge_thread.start()
    time.sleep(1.0)
    for thread in threads:
        thread.start()
    at(0.5, sigterm, time.monotonic()).join(5)
    for thread in threads:
        thread.join(60)
    edge_thread.join(30)
    wait_until(lambda: _gone(old_pid), 40, "the instance exited after draining", interval=0.05)
    t_exit = time.monotonic()
    restart_seconds = _restarted(stack, instance_name(victim), old_pid, term_wall[0])
    exit_code = stack.processes()[instance_name(victim)]["exitstatus"]
    for api in slow_clients + burst_clients:
        api.close()

    assert term_at, "SIGTERM was not sent"
    t_term = term_at[0]
    in_flight = [r for r in direct.records if r.started < t_term < r.ended]
    direct_failures = [r for r in direct.records if r.started < t_term and not r.ok]
    begun_after = [r for r in direct.records if r.started >= t_term]
    edge_failed = [r for r in edge.records if not r.ok]
    attempts = upstream_attempts(stack.nginx_access_log)
    victim_addr = stack.app_address(victim)
    at_close = [
        r
        for r in edge_failed
        if r.op == "create"
        and attempts.get(r.request_id, [""])[-1] == victim_addr
        and t_term - 0.1 <= r.started <= t_exit
    ]
    edge_failures = [r for r in edge_failed if r not in at_close]
    report(
        2,
        len(direct.records) + len(edge.records),
        len(direct_failures) + len(edge_failed),
        len(direct_failures) + len(edge_failures),
        in_flight_at_sigterm=len(in_flight),
        slow_uploads_ok=sum(r.ok for r in direct.of("slow-create", "slow-edit")),
        begun_after_sigterm=len(begun_after),
        direct_statuses=summarize(direct.records),
        edge_requests=len(edge.records),
        edge_post_502_at_close=len(at_close),
        edge_statuses=summarize(edge.records),
        instance_exit=exit_code,
        restarted_by_supervisor_after_s=restart_seconds,
        seconds=round(time.monotonic() - started, 1),
    )
    assert len(in_flight) >= len(slow_clients), "the test did not catch requests in flight"
    assert not direct_failures, [
        (r.op, r.status, r.error, f"began {t_term - r.started:.3f}s before SIGTERM")
        for r in direct_failures[:5]
    ]
    assert not edge_failures, [(r.op, r.status, r.error) for r in edge_failures[:5]]
    assert exit_code == 0, "the instance did not exit cleanly after draining"
    assert restart_seconds is not None, "supervisord did not start the instance again"


# -- FAULT-3 -------------------------------------------------------------------------------
def test_redis_outage(stack: RunningStack, user: Api) -> None:
    """Both Redis servers stopped mid-loop (supervisorctl stop), then started again: no 5xx;
    cache hits come back afterwards."""
    note_ids = user.seed(10)
    log = Log()
    marks: dict[str, float] = {}
    urls = [stack.app_url(i) for i in range(len(stack.ports.apps))]
    primary = stack.redis_primary()
    assert primary is not None
    order = sorted(range(len(stack.ports.redis)), key=lambda i: stack.ports.redis[i] != primary)
    names = [redis_name(i) for i in order]  # the primary first

    def stop() -> None:
        for name in names:
            stack.stop_program(name)
        marks["stopped"] = time.monotonic()

    def start() -> None:
        for name in names:
            stack.start_program(name)
        marks["restarted"] = time.monotonic()
        marks["hits_at_restart"] = cache_hits(urls, stack.metrics_token()) or 0.0

    started = time.monotonic()
    timers = [at(3.0, stop, started), at(6.0, start, started)]
    run_workers(3, _mixed_loop(user, note_ids, log, post_every=10), duration=14.0)
    for timer in timers:
        timer.join(20)
    hits_end = cache_hits(urls, stack.metrics_token())
    t_stop, t_back = marks["stopped"], marks["restarted"]

    errors = [r for r in log.records if r.server_error]
    reads = log.of("get", "list")
    after = [r for r in reads if r.started > t_back]
    header_hits_after = sum(r.cache == "hit" for r in after)
    during = [r for r in log.records if t_stop < r.started < t_back]
    metric_rise = None if hits_end is None else hits_end - marks["hits_at_restart"]
    hits_resumed = header_hits_after > 0 or (metric_rise or 0) > 0
    report(
        3,
        len(log.records),
        sum(not r.ok for r in log.records),
        len(errors) + (not hits_resumed),
        requests_while_down=len(during),
        statuses=summarize(log.records),
        cache_hit_headers_after_restart=header_hits_after,
        cache_hit_metric_rise=metric_rise,
    )
    assert not errors, [(r.op, r.status, r.error) for r in errors[:5]]
    assert during, "no requests ran while Redis was down"
    assert hits_resumed, "no cache hits after Redis came back (X-Cache or metrics)"


# -- FAULT-4 -------------------------------------------------------------------------------
def test_replica_outage(stack: RunningStack, user: Api) -> None:
    """The synchronous standby stopped mid-loop (supervisorctl stop: Patroni shuts its
    PostgreSQL down), started again at the end: no 5xx; reads carry on (the other replica or
    the leader); Patroni makes the other replica the synchronous standby meanwhile."""
    note_ids = user.seed(10)
    victim = stack.sync_standby()
    assert victim is not None
    reader = Api.new_user(stack.base_url)  # writes nothing during the loop
    reader_ids = reader.seed(5)
    log = Log()
    marks: dict[str, float] = {}

    def stop() -> None:
        time.sleep(1.2)  # let the replica's backends flush their statistics
        marks["replica_xacts"] = _replica_transactions(stack) - xacts_before
        stack.stop_program(victim)
        marks["stopped"] = time.monotonic()

    def work(index: int, keep_going: Callable[[], bool]) -> None:
        if index == 0:
            mine = reader.clone()
            try:
                n = 0
                while keep_going() and n < 5000:
                    n += 1
                    mine.get(reader_ids[n % len(reader_ids)], log)
            finally:
                mine.close()
        else:
            _mixed_loop(user, note_ids, log)(index, keep_going)

    xacts_before = _replica_transactions(stack)
    started = time.monotonic()
    timer = at(2.0, stop, started)
    run_workers(3, work, duration=9.0)
    timer.join(20)
    reader.close()
    new_sync = stack.sync_standby()
    stack.start_program(victim)  # the operator brings it back; Patroni rejoins it
    t_stop = marks["stopped"]
    errors = [r for r in log.records if r.server_error]
    reads_after = [r for r in log.of("get", "list") if r.started > t_stop]
    failed_reads_after = [r for r in reads_after if not r.ok]
    report(
        4,
        len(log.records),
        sum(not r.ok for r in log.records),
        len(errors) + len(failed_reads_after),
        reads_after_stop=len(reads_after),
        replica_transactions_before_stop=int(marks["replica_xacts"]),
        stopped=victim,
        sync_standby_meanwhile=new_sync,
        statuses=summarize(log.records),
    )
    assert not errors, [(r.op, r.status, r.error) for r in errors[:5]]
    assert len(reads_after) > 50 and not failed_reads_after


# -- FAULT-5 -------------------------------------------------------------------------------
def test_lagging_replica_read_your_writes(stack: RunningStack, user: Api) -> None:
    """Replicas 2 s behind (recovery_min_apply_delay through `patronictl edit-config`): 200
    write-then-read pairs through nginx; no read misses its write."""
    _set_apply_delay(stack, "2s")
    try:
        _lagging_pairs(stack, user)
    finally:
        _set_apply_delay(stack, "0")


def _set_apply_delay(stack: RunningStack, delay: str) -> None:
    stack.patronictl("edit-config", "--force", "-q", "-p", f"recovery_min_apply_delay={delay}")
    expected = {"0": {"0", "0ms", "0s"}, "2s": {"2s", "2000ms"}}[delay]

    def applied() -> bool:
        for member in stack.cluster_members():
            if member.get("role") == "leader":
                continue
            port = stack.member(str(member["name"])).pg_port
            if postgres.psql(port, "SHOW recovery_min_apply_delay") not in expected:
                return False
        return True

    wait_until(applied, 20, f"replicas to take recovery_min_apply_delay={delay}", interval=0.3)


def _replica_transactions(stack: RunningStack) -> int:
    """Transactions the replicas have run on the app database (reads routed to them)."""
    sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'notestack'"
    total = 0
    for member in stack.cluster_members():
        if member.get("role") != "leader" and member.get("state") in ("running", "streaming"):
            port = stack.member(str(member["name"])).pg_port
            total += int(postgres.psql(port, sql) or 0)
    return total


def _lagging_pairs(stack: RunningStack, user: Api) -> None:
    xacts_before = _replica_transactions(stack)
    pairs = 200
    threads = 4
    log = Log()
    missing: list[str] = []
    lock = threading.Lock()
    note_ids = user.seed(threads, prefix="ryw")

    def work(index: int, keep_going: Callable[[], bool]) -> None:
        mine = user.clone()
        try:
            for i in range(pairs // threads):
                if not keep_going():
                    break
                problem = ""
                if i % 2 == 0:  # create, then read it back by id and in the list
                    made = mine.create(f"ryw-{index}-{i}", log)
                    if made.status != 201:
                        continue
                    note_id = str(note_of(made.body)["_id"])
                    got = mine.get(note_id, log) if i % 4 == 0 else mine.list_notes(log, limit=10)
                    if got.op == "get" and got.status != 200:
                        problem = f"created {note_id}, GET said {got.status}"
                    elif got.op == "list" and note_id not in _ids(got):
                        problem = f"created {note_id}, list did not show it ({got.status})"
                else:  # edit, then read the new version back
                    note_id = note_ids[index]
                    edited = mine.edit(note_id, log, title=f"ryw-{index}-{i}")
                    if edited.status != 200:
                        continue
                    version = int(note_of(edited.body)["version"])
                    got = mine.get(note_id, log)
                    seen = int(note_of(got.body)["version"]) if got.ok else -1
                    if seen < version:
                        problem = f"edited {note_id} to v{version}, read v{seen}"
                if problem:
                    with lock:
                        missing.append(f"{problem} via {got.instance}")
        finally:
            mine.close()

    run_workers(threads, work, duration=60.0)
    writes = log.of("create", "edit")
    reads = log.of("get", "list")
    write_failures = [r for r in writes if not r.ok]
    report(
        5,
        len(log.records),
        sum(not r.ok for r in log.records),
        len(missing) + len(write_failures),
        pairs=len(reads),
        reads_missing_write=len(missing),
        replica_transactions=_replica_xacts(stack, xacts_before),
        write_failures=len(write_failures),
        instances=instances(reads),
    )
    assert len(reads) == pairs, f"only {len(reads)} of {pairs} pairs ran"
    assert not missing, missing[:5]
    assert not write_failures


def _replica_xacts(stack: RunningStack, before: int) -> int:
    """How many transactions the replicas ran since `before` (did any read go there?)."""
    time.sleep(1.2)  # backends flush their statistics about once a second
    return _replica_transactions(stack) - before


def _ids(record: Record) -> set[str]:
    if not record.ok or not isinstance(record.body, dict):
        return set()
    return {str(n.get("_id")) for n in record.body.get("notes", [])}


# -- FAULT-6 -------------------------------------------------------------------------------
def test_no_stale_reads_under_concurrency(stack: RunningStack, user: Api) -> None:
    """Writers bump versions of a user's notes while readers read them through nginx (so
    through every instance). Every read must show at least the version of the last write
    acknowledged before the read began. The replica is not delayed here: it catches up within
    milliseconds, so reads do go to it and the LSN check is what keeps them fresh (with a
    2 s delay every read would go to the primary; FAULT-5 covers that case)."""
    xacts_before = _replica_transactions(stack)
    notes = user.seed(3, prefix="stale")
    acked: dict[str, list[tuple[float, int]]] = {n: [(0.0, 0)] for n in notes}
    lock = threading.Lock()
    log = Log()
    stale: list[str] = []

    def floor(note_id: str, began: float) -> int:
        with lock:
            return max(v for t, v in acked[note_id] if t < began)

    def work(index: int, keep_going: Callable[[], bool]) -> None:
        mine = user.clone()
        try:
            n = 0
            if index < len(notes):  # one writer per note: versions only go up
                note_id = notes[index]
                while keep_going() and n < 2000:
                    n += 1
                    edited = mine.edit(note_id, log, title=f"w{index}-{n}")
                    if edited.ok:
                        version = int(note_of(edited.body)["version"])
                        with lock:
                            acked[note_id].append((edited.ended, version))
                return
            rng = random.Random(index)
            while keep_going() and n < 4000:
                n += 1
                if n % 4 == 0:
                    got = mine.list_notes(log, limit=10)
                    seen = (
                        {
                            str(x["_id"]): int(x["version"])
                            for x in got.body.get("notes", [])
                            if str(x.get("_id")) in acked
                        }
                        if got.ok
                        else {}
                    )
                else:
                    note_id = rng.choice(notes)
                    got = mine.get(note_id, log)
                    seen = {note_id: int(note_of(got.body)["version"])} if got.ok else {}
                for note_id, version in seen.items():
                    need = floor(note_id, got.started)
                    if version < need:
                        with lock:
                            stale.append(
                                f"{got.op} {note_id} v{version} < v{need} via {got.instance}"
                            )
        finally:
            mine.close()

    run_workers(len(notes) + 4, work, duration=8.0)
    reads = log.of("get", "list")
    failures = [r for r in log.records if not r.ok]
    writes = sum(len(v) - 1 for v in acked.values())
    report(
        6,
        len(log.records),
        len(failures),
        len(stale) + len(failures),
        writes=writes,
        reads=len(reads),
        stale_reads=len(stale),
        replica_transactions=_replica_xacts(stack, xacts_before),
        instances=instances(reads),
        statuses=summarize(log.records),
    )
    assert not stale, stale[:5]
    assert not failures, [(r.op, r.status, r.error) for r in failures[:5]]
    assert writes > 50 and len(reads) > 100
