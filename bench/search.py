"""Search and sorted-list figures on one user with many notes (issue 12, "published speed").

Run by ``bench/growth.py`` on its database once the table is at its largest size (1M notes
in a full run, 100k of them one user's). Each query is the one the API runs for the
request: ``ListQuery`` (the route's own query model) turns ``q=`` / ``sort=`` / ``order=``
and ``limit=20`` (the web client's page) into the filters and ordering, and
``notestack.notes.repository.list_statement`` builds the statement, compiled with
SQLAlchemy's asyncpg dialect. Timed like the growth figures: asyncpg prepared statements on
one connection (client on the load core), warm buffers, iterations interleaved round-robin so
drift hits every variant alike; p50/p95/p99 of the SQL round trip, and of the server's own
execution time (``EXPLAIN (ANALYZE, TIMING OFF)``, which leaves out the client, the network
and most instrumentation overhead). The search's highlights are computed afterwards in
Python for the 20 notes of the page (``notes/search.py``): not part of these figures.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from bench.corpus import QUERIES
from bench.stats import percentile
from notestack.notes.ordering import Order, Sort
from notestack.notes.queries import ListQuery
from notestack.notes.repository import list_statement

PAGE_SIZE = 20  # frontend/src/config/limits.ts PAGE_SIZE
SEARCH_TARGET_P95_MS = 50.0
SORT_TARGET_P95_MS = 5.0
SORTS = [s for s in Sort if s is not Sort.POSITION]  # the board's order is not a list sort

Variant = tuple[str, list[Any]]  # compiled SQL and its parameters


def compile_sql(statement: Any) -> Variant:
    """The SQL text and positional parameters the app's asyncpg driver sends."""
    compiled = statement.compile(dialect=asyncpg_dialect.dialect())  # type: ignore[no-untyped-call]
    params = [compiled.params[name] for name in (compiled.positiontup or [])]
    return compiled.string, params


def _query(params: dict[str, Any]) -> ListQuery:
    return ListQuery.model_validate({**params, "limit": PAGE_SIZE})


def _statement(user_id: uuid.UUID, query: ListQuery) -> Any:
    # The service asks for one row more than the page, to know whether a page follows.
    return list_statement(
        "postgresql", user_id, query.filters(), query.ordering(), None, PAGE_SIZE + 1
    )


def _percentiles(values: list[float], prefix: str = "") -> dict[str, float]:
    def at(q: float) -> float:
        return round(percentile(values, q), 4)

    return {
        f"{prefix}p50_ms": at(50),
        f"{prefix}p95_ms": at(95),
        f"{prefix}p99_ms": at(99),
        f"{prefix}mean_ms": round(statistics.fmean(values), 4),
    }


def _on_cpu_ms(schedstat: Path | None) -> float:
    """The backend's time on a CPU so far (ns resolution; 0 when not readable)."""
    if schedstat is None:
        return 0.0
    return int(schedstat.read_text().split()[0]) / 1e6


async def _client_timings(
    conn: asyncpg.Connection, variants: dict[str, Variant], iterations: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Round trips of each variant's prepared statement, interleaved, after a warm-up; and
    the server backend's own CPU time for each (from /proc/<pid>/schedstat, read outside
    the timed window): unlike wall time, hardly moved by other work on a shared machine."""
    prepared: dict[str, Any] = {}
    for sql, _ in variants.values():
        if sql not in prepared:
            prepared[sql] = await conn.prepare(sql)
    schedstat: Path | None = Path(
        f"/proc/{await conn.fetchval('SELECT pg_backend_pid()')}/schedstat"
    )
    try:
        _on_cpu_ms(schedstat)
    except (OSError, ValueError, IndexError):  # another host, or no permission
        schedstat = None
    timings: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(max(3, iterations // 10)):
        for sql, params in variants.values():
            await prepared[sql].fetch(*params)
    for _ in range(iterations):
        for name, (sql, params) in variants.items():
            cpu_before = _on_cpu_ms(schedstat)
            started = time.perf_counter()
            await prepared[sql].fetch(*params)
            timings[name].append((time.perf_counter() - started) * 1000.0)
            cpu[name].append(_on_cpu_ms(schedstat) - cpu_before)
    return timings, (cpu if schedstat is not None else {})


def _plan_indexes(node: dict[str, Any]) -> list[str]:
    found = [str(node["Index Name"])] if "Index Name" in node else []
    for child in node.get("Plans", []):
        found += _plan_indexes(child)
    return found


def _plan_nodes(node: dict[str, Any]) -> list[str]:
    found = [str(node["Node Type"])]
    for child in node.get("Plans", []):
        found += _plan_nodes(child)
    return found


async def _server_timings(
    conn: asyncpg.Connection, variants: dict[str, Variant], runs: int
) -> tuple[dict[str, list[float]], dict[str, dict[str, Any]]]:
    """Execution times from EXPLAIN (ANALYZE, TIMING OFF), interleaved; and each plan's shape."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    plans: dict[str, dict[str, Any]] = {}
    for _ in range(runs):
        for name, (sql, params) in variants.items():
            doc = await conn.fetchval("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, *params)
            parsed = json.loads(doc) if isinstance(doc, str) else doc
            samples[name].append(float(parsed[0]["Execution Time"]))
            if name not in plans:
                root = parsed[0]["Plan"]
                plans[name] = {"indexes": _plan_indexes(root), "nodes": _plan_nodes(root)}
    return samples, plans


async def explain_file(conn: asyncpg.Connection, variants: dict[str, Variant], path: Path) -> None:
    """Each variant's SQL, parameters and EXPLAIN (ANALYZE, BUFFERS), one after another."""
    parts = []
    for name, (sql, params) in variants.items():
        rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *params)
        text = "\n".join(r[0] for r in rows)
        parts.append(f"-- {name}\n{sql}\n-- params: {params!r}\n{text}\n")
    path.write_text("\n".join(parts), encoding="utf-8")


@dataclass(frozen=True)
class Timed:
    """Every sample of every variant: round trips, backend CPU, server execution, plans."""

    client: dict[str, list[float]]
    cpu: dict[str, list[float]]  # empty when /proc/<pid>/schedstat could not be read
    server: dict[str, list[float]]
    plans: dict[str, dict[str, Any]]

    def figures(self, names: list[str]) -> dict[str, float]:
        """Percentiles of the samples of ``names`` pooled (one name: that variant's)."""

        def pooled(samples: dict[str, list[float]]) -> list[float]:
            return [value for name in names for value in samples[name]]

        return {
            **_percentiles(pooled(self.client)),
            **_percentiles(pooled(self.server), "server_exec_"),
            **(_percentiles(pooled(self.cpu), "server_cpu_") if self.cpu else {}),
        }


async def _timed(
    conn: asyncpg.Connection,
    variants: dict[str, Variant],
    iterations: int,
    explain_runs: int,
    explain_path: Path | None,
) -> Timed:
    client, cpu = await _client_timings(conn, variants, iterations)
    server, plans = await _server_timings(conn, variants, explain_runs)
    if explain_path is not None:
        await explain_file(conn, variants, explain_path)
    return Timed(client, cpu, server, plans)


async def _sizes(conn: asyncpg.Connection, user_id: uuid.UUID) -> tuple[int, int]:
    """The user's notes and the whole table's rows."""
    user_notes = await conn.fetchval("SELECT count(*) FROM notes WHERE user_id = $1", user_id)
    return int(user_notes), int(await conn.fetchval("SELECT count(*) FROM notes"))


async def measure_search(
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    iterations: int,
    explain_runs: int,
    explain_path: Path | None,
) -> dict[str, Any]:
    """``GET /api/v1/note?q=...&limit=20`` (relevance order) for each query of each kind."""
    user_notes, table_rows = await _sizes(conn, user_id)
    queries = {q: (kind, _query({"q": q})) for kind, qs in QUERIES.items() for q in qs}
    variants = {q: compile_sql(_statement(user_id, query)) for q, (_, query) in queries.items()}
    timed = await _timed(conn, variants, iterations, explain_runs, explain_path)
    per_query: dict[str, Any] = {}
    for q, (kind, query) in queries.items():
        whole = _statement(user_id, query).limit(None).order_by(None).subquery()
        sql, params = compile_sql(select(func.count()).select_from(whole))
        matches = int(await conn.fetchval(sql, *params))
        if matches == 0 and user_notes >= 10_000:  # a few hundred notes may hold none
            raise RuntimeError(f"search {q!r} matched no note: the seeded text is wrong")
        per_query[q] = {
            "kind": kind,
            "words": query.filters().words(),
            "matches": matches,
            "match_share": round(matches / max(user_notes, 1), 4),
            **timed.figures([q]),
            "plan_nodes": timed.plans[q]["nodes"],
            "plan_indexes": timed.plans[q]["indexes"],
        }
    kinds = {kind: {"queries": list(qs), **timed.figures(list(qs))} for kind, qs in QUERIES.items()}
    worst = max(k["p95_ms"] for k in kinds.values())
    worst_cpu = max((k["server_cpu_p95_ms"] for k in kinds.values() if timed.cpu), default=None)
    return {
        "method": "the API's search query (ListQuery q=..., limit=20, relevance order; "
        "repository.list_statement compiled for asyncpg), prepared, on one connection, warm "
        "buffers, interleaved; *_ms: SQL round trip on loopback; server_exec_*: EXPLAIN "
        "(ANALYZE, TIMING OFF) execution time; server_cpu_*: the backend's CPU time per "
        "execution (/proc/<pid>/schedstat), which other work on the machine hardly moves",
        "user_notes": user_notes,
        "table_rows": table_rows,
        "page_size": PAGE_SIZE,
        "iterations_per_query": iterations,
        "explain_runs_per_query": explain_runs,
        "kinds": kinds,
        "queries": per_query,
        "p95_ms_worst_kind": worst,
        "server_cpu_p95_ms_worst_kind": worst_cpu,
        "target_p95_ms": SEARCH_TARGET_P95_MS,
        "met": worst < SEARCH_TARGET_P95_MS,
        "met_cpu": None if worst_cpu is None else worst_cpu < SEARCH_TARGET_P95_MS,
    }


async def measure_sorts(
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    iterations: int,
    explain_runs: int,
    explain_path: Path | None,
) -> dict[str, Any]:
    """The first page of ``GET /api/v1/note?sort=...&order=...&limit=20`` for every list sort."""
    user_notes, table_rows = await _sizes(conn, user_id)
    variants: dict[str, Variant] = {}
    for sort in SORTS:
        for order in Order:
            query = _query({"sort": sort.value, "order": order.value})
            variants[query.ordering().name] = compile_sql(_statement(user_id, query))
    timed = await _timed(conn, variants, iterations, explain_runs, explain_path)
    per_sort = {
        name: {
            **timed.figures([name]),
            "plan_nodes": timed.plans[name]["nodes"],
            "plan_indexes": timed.plans[name]["indexes"],
        }
        for name in variants
    }
    worst = max(s["server_exec_p95_ms"] for s in per_sort.values())
    return {
        "method": "the API's first page for each sort and order (ListQuery sort=, order=, "
        "limit=20; repository.list_statement compiled for asyncpg), prepared, one connection, "
        "warm buffers, interleaved; *_ms: SQL round trip; server_exec_*: EXPLAIN (ANALYZE, "
        "TIMING OFF) execution time (the target's measure); server_cpu_*: the backend's CPU "
        "time per execution (/proc/<pid>/schedstat)",
        "user_notes": user_notes,
        "table_rows": table_rows,
        "page_size": PAGE_SIZE,
        "iterations": iterations,
        "explain_runs": explain_runs,
        "per_sort": per_sort,
        "server_exec_p95_ms_worst": worst,
        "server_cpu_p95_ms_worst": max(
            (s["server_cpu_p95_ms"] for s in per_sort.values() if "server_cpu_p95_ms" in s),
            default=None,
        ),
        "p95_ms_worst": max(s["p95_ms"] for s in per_sort.values()),
        "target_server_exec_p95_ms": SORT_TARGET_P95_MS,
        "met": worst < SORT_TARGET_P95_MS,
    }
