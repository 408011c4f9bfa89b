"""List latency against data size: the app's own list query, measured in SQL with asyncpg.

The notes table is filled with COPY (asyncpg ``copy_records_to_table``) in steps (e.g. 10k, 100k,
1M rows over many users; schema by ``notestack migrate``). One target user keeps the same notes
at every size. At each size we time, on one connection with prepared statements and warm
buffers, the query that ``notestack.notes.repository.list_statement`` builds (compiled with the
asyncpg dialect, so it is the SQL the app runs):

* keyset first page: ``list_statement(user, ListFilter(), None, page + 1)``
* keyset deep page: the same with the cursor of the note at ``deep_offset``
* OFFSET first/deep page: ``list_statement(...).offset(n)`` with n = 0 / ``deep_offset``

Iterations are interleaved round-robin so drift hits every variant alike. The figures are
server + driver round trip on loopback (no HTTP, no ORM row building). ``EXPLAIN (ANALYZE,
BUFFERS)`` of each variant goes to ``explain-<size>.txt``.

Notes carry text from ``bench/corpus.py`` (a task vocabulary, some words accented) and the
sort keys the app stores. The last step also gives one more user ``search_user_notes`` notes
(within the step's size: 100k of the 1M in a full run); once the table is at its largest,
``bench/search.py`` measures the search and the sorted first pages on that user.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench import search
from bench.corpus import Corpus
from bench.search import compile_sql
from bench.stats import percentile
from notestack.notes.cursor import Cursor
from notestack.notes.ordering import PRIORITY_RANK, STATUS_RANK, Order, Sort
from notestack.notes.repository import ListFilter, Ordering, list_statement

NOTE_COLUMNS = [
    "id", "user_id", "title", "description", "status", "priority", "version",
    "created_at", "updated_at", "size_bytes", "title_key", "status_rank", "priority_rank",
]  # fmt: skip
USER_COLUMNS = [
    "id", "username", "username_key", "email", "name", "role", "password_hash", "created_at",
    "updated_at",
]  # fmt: skip
STATUSES = ("Pending", "InProgress", "Done")
PRIORITIES = ("Low", "Medium", "High")
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class GrowthPlan:
    sizes: tuple[int, ...]
    target_notes: int
    deep_offset: int
    page_size: int
    iterations: int
    notes_per_user: int = 100
    explain_runs: int = 25
    # One user with this many notes, added in the last step (within its size): the search
    # and sorted-list figures (bench/search.py) are measured on that user. 0: not measured.
    search_user_notes: int = 0
    search_iterations: int = 100  # per query / per sort (sorts: `iterations`)
    search_explain_runs: int = 50  # EXPLAIN ANALYZE runs per query and per sort
    text_pool: int = 8192  # distinct titles and descriptions drawn (bench/corpus.py)


def label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


class Seeder:
    def __init__(self, conn: asyncpg.Connection, rng: random.Random, text_pool: int = 8192) -> None:
        self.conn = conn
        self.rng = rng
        self.corpus = Corpus(rng, text_pool)
        self.rows = 0
        self.users = 0

    async def add_users(self, ids: list[uuid.UUID]) -> None:
        records = []
        for user_id in ids:
            self.users += 1
            tag = user_id.hex[:24]
            records.append(
                (
                    user_id,
                    f"g{tag}",
                    f"g{tag}",
                    f"{tag}@growth.example",
                    "Growth",
                    "user",
                    "x",
                    EPOCH,
                    EPOCH,
                )
            )
        await self.conn.copy_records_to_table("users", records=records, columns=USER_COLUMNS)

    def _note(self, user_id: uuid.UUID, n: int) -> tuple[Any, ...]:
        """A note with text from bench/corpus.py and the sort keys the app would store."""
        rng = self.rng
        created = EPOCH + timedelta(seconds=rng.randrange(SPAN_SECONDS), microseconds=n % 997)
        updated = created  # half the notes were edited after, within a month
        if rng.random() < 0.5:
            updated += timedelta(seconds=rng.randrange(30 * 24 * 3600))
        text = self.corpus.draw()
        status, priority = STATUSES[n % 3], PRIORITIES[rng.randrange(3)]
        return (
            uuid.UUID(int=rng.getrandbits(128), version=4),
            user_id,
            text.title,
            text.description,
            status,
            priority,
            1,
            created,
            updated,
            text.size_bytes,
            text.title_key,
            STATUS_RANK[status],
            PRIORITY_RANK[priority],
        )

    async def add_notes(self, owners: list[tuple[uuid.UUID, int]], batch: int = 50_000) -> None:
        """COPY `count` notes for each (user, count), in batches."""
        records: list[tuple[Any, ...]] = []
        for user_id, count in owners:
            for _ in range(count):
                records.append(self._note(user_id, self.rows))
                self.rows += 1
                if len(records) >= batch:
                    await self.conn.copy_records_to_table(
                        "notes", records=records, columns=NOTE_COLUMNS
                    )
                    records = []
        if records:
            await self.conn.copy_records_to_table("notes", records=records, columns=NOTE_COLUMNS)


async def _secondary_indexes(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = 'notes' AND i.schemaname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.indexname
        """
    )
    return [(row["indexname"], row["indexdef"]) for row in rows]


async def grow_to(
    seeder: Seeder,
    size: int,
    notes_per_user: int,
    owners_first: list[tuple[uuid.UUID, int]] | None = None,
) -> dict[str, float]:
    """Add filler users and notes until the table has `size` rows; indexes rebuilt after COPY.
    `owners_first`: existing users given that many notes first, within the same `size`."""
    conn = seeder.conn
    started = time.perf_counter()
    missing = size - seeder.rows
    if missing <= 0:
        return {"seconds": 0.0, "copy_seconds": 0.0, "index_seconds": 0.0}
    indexes = await _secondary_indexes(conn)
    for name, _ in indexes:  # bulk-load practice: COPY first, build the same indexes after
        await conn.execute(f'DROP INDEX "{name}"')
    for _, count in owners_first or []:
        if count > missing:
            raise ValueError(f"{count} notes for one user do not fit in the {size} rows step")
        missing -= count
    await seeder.add_notes(owners_first or [])
    users = [uuid.UUID(int=seeder.rng.getrandbits(128), version=4)
             for _ in range(-(-missing // notes_per_user))]  # fmt: skip
    if users:
        await seeder.add_users(users)
    owners = []
    left = missing
    for user_id in users:
        count = min(notes_per_user, left)
        owners.append((user_id, count))
        left -= count
    await seeder.add_notes(owners)
    copied = time.perf_counter()
    await conn.execute("SET maintenance_work_mem = '256MB'")
    for _, definition in indexes:
        await conn.execute(definition)
    await conn.execute("VACUUM ANALYZE notes")
    await conn.execute("VACUUM ANALYZE users")
    done = time.perf_counter()
    return {
        "seconds": round(done - started, 2),
        "copy_seconds": round(copied - started, 2),
        "index_seconds": round(done - copied, 2),
    }


def _ms(values: list[float], q: float) -> float:
    return round(percentile(values, q), 4)


async def measure(
    conn: asyncpg.Connection, user_id: uuid.UUID, plan: GrowthPlan, explain_path: Path | None
) -> dict[str, Any]:
    row = await conn.fetchrow(
        "SELECT created_at, id FROM notes WHERE user_id = $1 "
        "ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1",
        user_id,
        plan.deep_offset - 1,
    )
    if row is None:
        raise RuntimeError("target user has fewer notes than deep_offset")
    newest = Ordering(Sort.CREATED, Order.DESC)
    cursor = Cursor(newest.name, (row["created_at"],), row["id"])
    limit = plan.page_size + 1  # the service asks for one more row to know if a page follows
    first = list_statement("postgresql", user_id, ListFilter(), newest, None, limit)
    variants = {
        "keyset_first": first,
        "keyset_deep": list_statement("postgresql", user_id, ListFilter(), newest, cursor, limit),
        "offset_first": first.offset(0),
        "offset_deep": first.offset(plan.deep_offset),
    }
    compiled = {name: compile_sql(stmt) for name, stmt in variants.items()}
    prepared = {name: await conn.prepare(sql) for name, (sql, _) in compiled.items()}
    # The keyset deep page and the OFFSET deep page must return the same rows.
    keyset_ids = [r["id"] for r in await prepared["keyset_deep"].fetch(*compiled["keyset_deep"][1])]
    offset_ids = [r["id"] for r in await prepared["offset_deep"].fetch(*compiled["offset_deep"][1])]
    same_rows = keyset_ids == offset_ids
    timings: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(max(3, plan.iterations // 10)):  # warm the buffers and the plan cache
        for name, stmt in prepared.items():
            await stmt.fetch(*compiled[name][1])
    for _ in range(plan.iterations):
        for name, stmt in prepared.items():
            params = compiled[name][1]
            started = time.perf_counter()
            rows = await stmt.fetch(*params)
            timings[name].append((time.perf_counter() - started) * 1000.0)
            if len(rows) == 0:
                raise RuntimeError(f"{name} returned no rows")
    # Server-side execution time (EXPLAIN ANALYZE's "Execution Time"), free of client and
    # scheduling noise: the median of several runs per variant.
    server_ms: dict[str, float] = {}
    for name, (sql, params) in compiled.items():
        samples = []
        for _ in range(plan.explain_runs):
            doc = await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *params)
            parsed = json.loads(doc) if isinstance(doc, str) else doc
            samples.append(float(parsed[0]["Execution Time"]))
        server_ms[name] = round(statistics.median(samples), 4)
    if explain_path is not None:
        await search.explain_file(conn, compiled, explain_path)
    result: dict[str, Any] = {}
    for name, values in timings.items():
        result[f"{name}_p50_ms"] = _ms(values, 50)
        result[f"{name}_p99_ms"] = _ms(values, 99)
        result[f"{name}_mean_ms"] = round(statistics.fmean(values), 4)
        result[f"{name}_server_exec_ms"] = server_ms[name]
    result["deep_pages_match"] = same_rows
    result["iterations"] = plan.iterations
    return result


async def run(
    dsn: str,
    plan: GrowthPlan,
    results_dir: Path,
    seed: int = 5,
    load_cpus: set[int] | None = None,
) -> dict[str, Any]:
    """Seed step by step and measure at each size. `dsn` is a plain postgresql:// URL."""
    if load_cpus:  # the client on the load core, away from PostgreSQL's
        os.sched_setaffinity(0, load_cpus)
    conn = await asyncpg.connect(dsn)
    try:
        seeder = Seeder(conn, random.Random(seed), plan.text_pool)
        target = uuid.UUID(int=seeder.rng.getrandbits(128), version=4)
        await seeder.add_users([target])
        await seeder.add_notes([(target, plan.target_notes)])
        searcher = uuid.UUID(int=seeder.rng.getrandbits(128), version=4)
        if plan.search_user_notes:  # its notes come with the last step
            await seeder.add_users([searcher])
        out: dict[str, Any] = {
            "method": "SQL round trip with asyncpg prepared statements on loopback (client on "
            "the load core), warm buffers; *_server_exec_ms: median EXPLAIN ANALYZE execution "
            "time on the server",
            "page_size": plan.page_size,
            "deep_offset": plan.deep_offset,
            "target_user_notes": plan.target_notes,
            "notes_per_filler_user": plan.notes_per_user,
            "sizes": {},
        }
        for size in plan.sizes:
            heavy = size == plan.sizes[-1] and plan.search_user_notes
            load = await grow_to(
                seeder,
                size,
                plan.notes_per_user,
                [(searcher, plan.search_user_notes)] if heavy else None,
            )
            rows = await conn.fetchval("SELECT count(*) FROM notes")
            measured = await measure(conn, target, plan, results_dir / f"explain-{label(size)}.txt")
            table_mb = await conn.fetchval("SELECT pg_total_relation_size('notes') / 1048576.0")
            measured.update(
                {"rows": rows, "users": seeder.users, "load": load,
                 "table_total_mb": round(float(table_mb), 1)}
            )  # fmt: skip
            out["sizes"][label(size)] = measured
            print(
                f"growth {label(size):>5}: keyset first {measured['keyset_first_p50_ms']:.3f} ms,"
                f" deep {measured['keyset_deep_p50_ms']:.3f} ms; offset deep "
                f"{measured['offset_deep_p50_ms']:.3f} ms (load {load['seconds']} s)",
                flush=True,
            )
        labels = list(out["sizes"])
        small, large = out["sizes"][labels[0]], out["sizes"][labels[-1]]
        out["flatness"] = round(large["keyset_first_p50_ms"] / small["keyset_first_p50_ms"], 3)
        out["flatness_sizes"] = [labels[0], labels[-1]]
        out["flatness_server_exec"] = round(
            large["keyset_first_server_exec_ms"] / small["keyset_first_server_exec_ms"], 3
        )
        if plan.search_user_notes:
            out["search"] = await search.measure_search(
                conn,
                searcher,
                plan.search_iterations,
                plan.search_explain_runs,
                results_dir / "explain-search.txt",
            )
            out["sorts"] = await search.measure_sorts(
                conn,
                searcher,
                plan.iterations,
                plan.search_explain_runs,
                results_dir / "explain-sorts.txt",
            )
            for kind, row in out["search"]["kinds"].items():
                print(
                    f"search {kind:>9}: p50 {row['p50_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms,"
                    f" p99 {row['p99_ms']:.2f} ms",
                    flush=True,
                )
            print(
                f"sorts: worst first-page server p95 "
                f"{out['sorts']['server_exec_p95_ms_worst']:.3f} ms",
                flush=True,
            )
        return out
    finally:
        await conn.close()
        if load_cpus:
            os.sched_setaffinity(0, range(os.cpu_count() or 1))
