"""latest.md (tables, targets met or not) and latest.png (throughput; latency vs data size)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TARGETS = (
    ("cached_vs_ceiling", ">=", 0.7),
    ("uncached_vs_ceiling", ">=", 0.35),
    ("flatness", "<=", 1.15),
    ("nginx_vs_direct", ">=", 0.85),
    ("open_loop_p99_le_3x_p50", "all", 3.0),
    ("open_loop_p99_ms", "all", 10.0),
    ("overload_goodput", ">=", 0.8),
    # Issue 13: each path against the ceiling of the I/O it must do.
    ("cached_vs_redis_ceiling", ">=", 0.7),
    ("uncached_vs_db_read_ceiling", ">=", 0.6),
    ("miss_vs_db_read_ceiling", ">=", 0.5),
    ("create_vs_db_write_ceiling", ">=", 0.5),
    # Issue 12: search p95 (worst query kind, SQL round trip) on the user with 100k notes,
    # and every sorted first page's server execution p95 at 1M notes.
    ("search_p95_ms", "<", 50.0),
    ("sort_first_page_p95_ms", "<", 5.0),
)
LABELS = {
    "ceiling": "(1) ceiling: bare ASGI app, same server",
    "ceiling_redis": "(1r) ceiling: one Redis GET of the list body",
    "ceiling_db_read": "(1d) ceiling: one asyncpg query for the page, orjson",
    "ceiling_db_write": "(1w) ceiling: one INSERT ... RETURNING, orjson",
    "cached_list": "(2) GET /api/v1/note, cache warm",
    "uncached_list": "(3) GET /api/v1/note, cache off (PostgreSQL)",
    "miss_list": "(3m) GET /api/v1/note, cache on, every read a miss",
    "create": "(4) POST /api/v1/note/create",
    "nginx_cached_list": "(5) (2) through nginx",
}


def _met(value: float | None, op: str, bound: float) -> bool | None:
    if value is None:
        return None
    return {">=": value >= bound, "<=": value <= bound, "<": value < bound}[op]


def targets(result: dict[str, Any]) -> dict[str, Any]:
    ratios = result["ratios"]
    ratios_cpu = result.get("ratios_cpu", {})
    flatness = result.get("growth", {}).get("flatness")
    open_loop = result.get("open_loop", {})
    worst = max((r["p99_over_p50"] for r in open_loop.values()), default=None)
    out: dict[str, Any] = {}
    for name, op, bound in TARGETS:
        cpu_value: float | None = None
        if name == "flatness":
            value = flatness
        elif name == "open_loop_p99_le_3x_p50":
            value = worst
            met = all(r["target_p99_le_3x_p50"] for r in open_loop.values()) if open_loop else None
            out[name] = {
                "value": value,
                "target": "p99 <= 3 x p50 for every scenario",
                "met": met,
                "per_scenario": {k: r["p99_over_p50"] for k, r in open_loop.items()},
            }
            continue
        elif name == "open_loop_p99_ms":
            api = {k: r["p99_ms"] for k, r in open_loop.items() if k != "ceiling"}
            out[name] = {
                "value": max(api.values(), default=None),
                "target": f"p99 <= {bound} ms at half of peak for every API scenario",
                "met": all(v <= bound for v in api.values()) if api else None,
                "per_scenario": api,
            }
            continue
        elif name == "search_p95_ms":
            value = result.get("search", {}).get("p95_ms_worst_kind")
            cpu_value = result.get("search", {}).get("server_cpu_p95_ms_worst_kind")
        elif name == "sort_first_page_p95_ms":
            value = result.get("sorts", {}).get("server_exec_p95_ms_worst")
            cpu_value = result.get("sorts", {}).get("server_cpu_p95_ms_worst")
        else:
            value = ratios.get(name)
        out[name] = {"value": value, "target": f"{op} {bound}", "met": _met(value, op, bound)}
        if name in ("search_p95_ms", "sort_first_page_p95_ms") and cpu_value is not None:
            out[name]["value_cpu"] = cpu_value  # the database backend's CPU time per query
            out[name]["met_cpu"] = _met(cpu_value, op, bound)
        if name in ratios_cpu:  # what decides when the machine is noisy (issue 13)
            out[name]["value_cpu"] = ratios_cpu[name]
            out[name]["met_cpu"] = _met(ratios_cpu[name], op, bound)
    return out


def _yes(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "NOT met")


def table(result: dict[str, Any]) -> str:
    lines = [
        "| scenario | req/s (closed loop) | p50 ms | p99 ms | errors | open-loop rate | "
        "open p50 ms | open p99 ms | open errors | foreign CPU closed / open |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, label in LABELS.items():
        closed = result["closed_loop"][name]
        ol = result["open_loop"].get(name)
        open_cells = (
            f"{ol['target_rate']:.0f}/s | {ol['p50_ms']:.2f} | {ol['p99_ms']:.2f} | "
            f"{ol['errors']} | {closed.get('server_core_foreign_share')} / "
            f"{ol.get('server_core_foreign_share')}"
            if ol
            else f"not run | | | | {closed.get('server_core_foreign_share')}"
        )
        lines.append(
            f"| {label} | {closed['rps']:.0f} | {closed['p50_ms']:.2f} | {closed['p99_ms']:.2f} | "
            f"{closed['errors']} | {open_cells} |"
        )
    return "\n".join(lines)


def markdown(result: dict[str, Any]) -> str:
    m, s = result["machine"], result["settings"]
    parts = [
        "# `make bench` results",
        "",
        f"Generated {result['generated_at']} by `make bench` (mode **{result['mode']}**, "
        f"{result['duration_s']} s). Machine: {m['nproc']} CPUs ({m['cpu_model']}), "
        f"{m['memory_gib']} GiB. Servers (PostgreSQL, Redis, nginx, app) pinned to CPU(s) "
        f"{s['server_cpus']}, load generators to CPU {s['load_cpus']}; "
        f"{s['workers_per_instance']} worker per instance. Cache active in the app: "
        f"**{result['cache_active']}** (list-cache hit ratio during (2), from the instance's "
        f"metrics: {result['cache_hit_ratio']}).",
        "",
        "## Throughput and latency",
        "",
        f"Closed loop: wrk, 1 thread, {s['wrk']['connections']} connections, "
        f"{s['wrk']['rounds']} alternating rounds of {s['wrk']['duration_s']:.0f} s (medians). "
        "Open loop: `bench/openloop.py` at half the closed-loop peak, "
        f"{s['wrk']['rounds']} alternating rounds of {s['open_loop']['duration_s']:.0f} s "
        "(medians of each round's percentiles), latency measured from the "
        "scheduled send time (no coordinated omission). "
        f"List body: {result['list_body_bytes']} bytes (the ceiling returns the same size). "
        "'foreign CPU' is the share of the server core used by processes that are not the "
        "benchmark's (other work on this shared machine; 0 is a clean run).",
        "",
        table(result),
        "",
        "## Targets",
        "",
        "Ratios from measured req/s (the targets), and the same ratios from CPU per request "
        "(1000 / server-side CPU-ms per request, all components: what one core would serve "
        "with no other work on it; much less sensitive to this shared machine's load). "
        "search_p95_ms and sort_first_page_p95_ms are milliseconds (see their section); their "
        "CPU value is the database backend's CPU time per query.",
        "",
        "| target | value (req/s) | value (CPU-implied) | bound | | by CPU |",
        "|---|---:|---:|---|---|---|",
    ]
    cpu_ratios = result.get("ratios_cpu", {})
    for name, t in result["targets"].items():
        by_cpu = _yes(t["met_cpu"]) if "met_cpu" in t else ""
        parts.append(
            f"| {name} | {t['value']} | {t.get('value_cpu', cpu_ratios.get(name, ''))} | "
            f"{t['target']} | "
            f"{_yes(t['met'])} | {by_cpu} |"
        )
    noise = result.get("noise", {})
    implied = result.get("cpu_implied_rps_per_core", {})
    parts += [
        "",
        "CPU-implied req/s per core: "
        + ", ".join(f"{k} {v:.0f}" for k, v in implied.items())
        + ". Other work on the server core during the closed-loop rounds: median "
        f"{noise.get('median_foreign_share_of_server_core')}, max "
        f"{noise.get('max_foreign_share_of_server_core')} (the harness waited "
        f"{noise.get('waited_for_quiet_s')} s in all for quiet moments, budget "
        f"{noise.get('quiet_budget_s')} s).",
        "",
        "Resident memory of each worker after each scenario (MiB): "
        + ", ".join(
            f"{k} {'/'.join(f'{kib / 1024:.0f}' for kib in v) or '?'}"
            for k, v in result.get("worker_rss_kib", {}).items()
        )
        + ". (3m) is a NoteStack instance with the cache on whose entry limit is below the "
        "list page: every read is a miss (the Redis look-up, then the query), as the read "
        "right after a write is, without the fill's SET.",
    ]
    parts += ceilings_section(result.get("ceilings"))
    parts += search_section(result.get("search"), result.get("sorts"))
    g = result.get("growth", {})
    if "sizes" in g:
        parts += [
            "",
            "## Growth: list query latency against table size",
            "",
            f"{g['method']}; page of {g['page_size']}, deep page at offset {g['deep_offset']} "
            f"of the target user's {g['target_user_notes']} notes. p50 in ms "
            f"(flatness = keyset first page {g['flatness_sizes'][1]} / "
            f"{g['flatness_sizes'][0]} = **{g['flatness']}**; by server execution time "
            f"{g.get('flatness_server_exec')}).",
            "",
            "| notes | users | keyset first | keyset deep | OFFSET first | OFFSET deep | "
            "server exec: keyset first / keyset deep / OFFSET deep | table MB | load s |",
            "|---|---:|---:|---:|---:|---:|---|---:|---:|",
        ]
        for size, row in g["sizes"].items():
            parts.append(
                f"| {size} | {row['users']} | {row['keyset_first_p50_ms']:.3f} | "
                f"{row['keyset_deep_p50_ms']:.3f} | {row['offset_first_p50_ms']:.3f} | "
                f"{row['offset_deep_p50_ms']:.3f} | "
                f"{row.get('keyset_first_server_exec_ms')} / "
                f"{row.get('keyset_deep_server_exec_ms')} / "
                f"{row.get('offset_deep_server_exec_ms')} | {row['table_total_mb']} | "
                f"{row['load']['seconds']} |"
            )
        parts.append("")
        parts.append("Plans: `explain-<size>.txt` beside this file.")
    parts += overload_section(result.get("overload"))
    parts += streams_section(result.get("streams"))
    sc = result.get("server_choice", {})
    parts += ["", "## Server choice", ""]
    if "choice" in sc:
        parts.append(
            f"(2) under gunicorn+uvicorn workers: {sc['gunicorn_uvicorn']['rps']:.0f} req/s "
            f"(p99 {sc['gunicorn_uvicorn']['p99_ms']:.2f} ms); granian {sc['granian_version']}: "
            f"{sc['granian']['rps']:.0f} req/s (p99 {sc['granian']['p99_ms']:.2f} ms); "
            f"ratio {sc['granian_vs_gunicorn']}. Choice: **{sc['choice']}**: {sc['reason']}."
        )
    else:
        parts.append(f"Skipped: {sc.get('skipped')}")
    fe = result.get("frontend", {})
    parts += ["", "## Front end (first load)", ""]
    if "files" in fe:
        parts.append(
            f"JS {fe['js_gzip_kb']} KB + CSS {fe['css_gzip_kb']} KB = **{fe['total_gzip_kb']} KB** "
            f"gzip ({fe['total_raw_kb']} KB raw): " + ", ".join(fe["files"]) + "."
        )
    else:
        parts.append(str(fe.get("error")))
    v = result["versions"]
    parts += [
        "",
        "## Versions",
        "",
        f"Python {v['python']}; {v['postgres_server'] and 'PostgreSQL ' + v['postgres_server']}; "
        f"{v['redis']}; {v['nginx']}; {v['wrk']}.",
        "",
        ", ".join(f"{k} {val}" for k, val in v["packages"].items() if val),
        "",
    ]
    return "\n".join(parts)


def streams_section(st: dict[str, Any] | None) -> list[str]:
    if not st:
        return []
    return [
        "",
        "## Live updates: open event streams on one worker",
        "",
        f"{st['server']}; {st['streams_open']} of {st['streams']} streams of one account open "
        f"(in {st['seconds_to_open']} s), then {st['changes']} notes created "
        f"{st['change_interval_s']} s apart (`bench/streams.py`). Worker RSS "
        f"{st['worker_rss_mib_before']} MiB before, {st['worker_rss_mib_open']} MiB with the "
        f"streams open: **{st['kib_per_stream']} KiB per stream**. Delivery (write sent -> "
        f"event read on each stream): {st['deliveries']} of {st['deliveries_expected']}, "
        f"p50 {st['delivery_p50_ms']} ms, **p99 {st['delivery_p99_ms']} ms**, max "
        f"{st['delivery_max_ms']} ms.",
    ]


def overload_section(ov: dict[str, Any] | None) -> list[str]:
    if not ov:
        return []
    cpus = ov.get("cpus")
    where = (
        f"the whole stack on CPU(s) {cpus['server']}, wrk on CPU {cpus['load']}"
        if cpus
        else "stack and wrk sharing every CPU"
    )
    parts = [
        "",
        "## Overload: the production topology through nginx",
        "",
        f"`make stack`'s launcher (nginx, 3 instances x 2 workers, Redis + Sentinel, Patroni); "
        f"{ov['users']} accounts of {ov['notes_per_user']} notes, the cached list, each client "
        f"its own address; wrk {ov['wrk']['threads']} threads, {ov['wrk']['duration_s']:g} s "
        f"per level, timeout {ov['wrk']['timeout_s']} s; {where}; medians of the rounds. "
        f"Goodput at the highest level / at the lowest: **{ov['overload_goodput']}**.",
        "",
        "| clients | goodput (2xx/s) | answered/s | served p50 ms | served p99 ms | statuses "
        "(all rounds) | other 5xx | resets | timeouts |",
        "|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for level, row in ov["levels"].items():
        statuses = ", ".join(f"{k}: {v}" for k, v in row["statuses_all_rounds"].items())
        parts.append(
            f"| {level} | {row['goodput_rps']:.0f} | {row['answered_rps']:.0f} | "
            f"{row['served_p50_ms']} | {row['served_p99_ms']} | {statuses} | "
            f"{row['other_5xx']} | {row['resets']} | {row['timeouts']} |"
        )
    return parts


def ceilings_section(ceilings: dict[str, Any] | None) -> list[str]:
    if not ceilings:
        return []
    same = "the same bytes" if ceilings["db_read_same_bytes"] else "the same shape"
    return [
        "",
        "## Ceilings (issue 13)",
        "",
        f"{ceilings['method']}. Bodies: list {ceilings['list_body_bytes']} bytes; the Redis "
        f"ceiling answers the same bytes; the read ceiling {ceilings['db_read_body_bytes']} "
        f"bytes ({same} as the list); the write ceiling {ceilings['db_write_body_bytes']} "
        f"bytes (create: {ceilings['create_body_bytes']}). Each ratio compares a path with "
        "the ceiling of the I/O it must do: (2) / (1r), (3) / (1d), (4) / (1w).",
    ]


def _pair(row: dict[str, Any], prefix: str, digits: int = 2) -> str:
    if f"{prefix}p50_ms" not in row:
        return "n/a"
    return f"{row[f'{prefix}p50_ms']:.{digits}f} / {row[f'{prefix}p95_ms']:.{digits}f}"


def _plan(indexes: list[str]) -> str:
    return ", ".join(dict.fromkeys(indexes)) or "no index"


def search_section(search: dict[str, Any] | None, sorts: dict[str, Any] | None) -> list[str]:
    parts = ["", "## Search and sorted lists (issue 12)", ""]
    if not search or "kinds" not in search:
        return [*parts, f"Not measured: {(search or {}).get('skipped')}"]
    parts += [
        f"One user with {search['user_notes']:,} notes in a table of {search['table_rows']:,}; "
        f"{search['method']}. Target: p95 < {search['target_p95_ms']:g} ms for every kind: "
        f"**{_yes(search['met'])}** (worst kind p95 {search['p95_ms_worst_kind']} ms; by the "
        f"backend's CPU time: {_yes(search.get('met_cpu'))}, "
        f"{search.get('server_cpu_p95_ms_worst_kind')} ms). "
        "Times in ms.",
        "",
        "| kind | p50 | p95 | p99 | server exec p50 / p95 | server CPU p50 / p95 |",
        "|---|---:|---:|---:|---|---|",
    ]
    for kind, row in search["kinds"].items():
        parts.append(
            f"| {kind} ({', '.join(row['queries'])}) | {row['p50_ms']:.2f} | "
            f"{row['p95_ms']:.2f} | {row['p99_ms']:.2f} | {row['server_exec_p50_ms']:.2f} / "
            f"{row['server_exec_p95_ms']:.2f} | {_pair(row, 'server_cpu_')} |"
        )
    parts += [
        "",
        "| query | words | matches (share of the user's notes) | p50 | p95 | p99 | "
        "server exec p95 | indexes in the plan |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for query, row in search["queries"].items():
        parts.append(
            f"| {query} | {' '.join(row['words'])} | {row['matches']:,} "
            f"({100 * row['match_share']:.2f} %) | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} | "
            f"{row['p99_ms']:.2f} | {row['server_exec_p95_ms']:.2f} | "
            f"{_plan(row['plan_indexes'])} |"
        )
    if sorts and "per_sort" in sorts:
        parts += [
            "",
            f"Sorted first pages, the same user ({sorts['user_notes']:,} notes, table "
            f"{sorts['table_rows']:,}): {sorts['method']}. Target: server execution p95 < "
            f"{sorts['target_server_exec_p95_ms']:g} ms for every sort: "
            f"**{_yes(sorts['met'])}** (worst {sorts['server_exec_p95_ms_worst']} ms).",
            "",
            "| sort:order | p50 | p95 | p99 | server exec p50 | server exec p95 | "
            "server CPU p50 / p95 | index |",
            "|---|---:|---:|---:|---:|---:|---|---|",
        ]
        for name, row in sorts["per_sort"].items():
            parts.append(
                f"| {name} | {row['p50_ms']:.3f} | {row['p95_ms']:.3f} | {row['p99_ms']:.3f} | "
                f"{row['server_exec_p50_ms']:.3f} | {row['server_exec_p95_ms']:.3f} | "
                f"{_pair(row, 'server_cpu_', 3)} | {_plan(row['plan_indexes'])} |"
            )
    parts += ["", "Plans: `explain-search.txt`, `explain-sorts.txt` beside this file."]
    return parts


def chart(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 5))
    names = list(LABELS)
    rps = [result["closed_loop"][n]["rps"] for n in names]
    short = ["ceiling", "Redis ceil.", "DB read ceil.", "DB write ceil.", "cached list",
             "uncached list", "miss list", "create", "nginx cached"]  # fmt: skip
    colors = ["#888", "#aaa", "#aaa", "#aaa", "#2a7", "#27a", "#57a", "#a72", "#7a2"]
    bars = left.bar(short, rps, color=colors)
    for bar, value in zip(bars, rps, strict=True):
        left.annotate(
            f"{value:.0f}",
            (bar.get_x() + bar.get_width() / 2, value),
            ha="center",
            va="bottom",
            fontsize=9,
        )
    left.set_ylabel("requests/s (closed loop, median of rounds)")
    left.set_title(
        f"Throughput, {result['settings']['workers_per_instance']} worker, 1 server core"
    )
    left.set_yscale("log")
    left.tick_params(axis="x", rotation=30)
    g = result.get("growth", {})
    if "sizes" in g:
        sizes = list(g["sizes"])
        rows = [g["sizes"][s]["rows"] for s in sizes]
        for key, label in (
            ("keyset_first", "keyset first page"),
            ("keyset_deep", f"keyset page at {g['deep_offset']}"),
            ("offset_first", "OFFSET 0"),
            ("offset_deep", f"OFFSET {g['deep_offset']}"),
        ):
            right.plot(
                rows, [g["sizes"][s][f"{key}_p50_ms"] for s in sizes], marker="o", label=label
            )
        right.set_xscale("log")
        right.minorticks_off()
        right.set_xticks(rows, sizes)
        right.set_xlabel("notes in the table")
        right.set_ylabel("p50 ms (SQL round trip)")
        right.set_ylim(bottom=0)
        right.set_title(f"List query latency vs data size (flatness {g['flatness']})")
        right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
