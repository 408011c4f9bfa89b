"""`make bench` end to end, very briefly: proves the harness works, never judges a speed.

BENCH_SMOKE=1 runs every scenario for about a second, the growth step on a few hundred rows,
and writes into a temporary directory (the committed bench/results are left alone).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ("ceiling", "cached_list", "uncached_list", "create", "nginx_cached_list")
CEILINGS = ("ceiling_redis", "ceiling_db_read", "ceiling_db_write")


def _missing_tools() -> list[str]:
    missing = [name for name in ("wrk", "redis-server", "taskset") if not shutil.which(name)]
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        missing.append("nginx")
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        missing.append("postgresql")
    return missing


@pytest.mark.timeout(120)
def test_bench_harness_end_to_end(tmp_path: Path) -> None:
    missing = _missing_tools()
    if missing:
        pytest.skip(f"needs {missing} (make system-deps / make bench-deps)")
    env = {
        **os.environ,
        "BENCH_SMOKE": "1",
        "BENCH_RESULTS_DIR": str(tmp_path),
        "PYTHONPATH": str(REPO_ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bench.run"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads((tmp_path / "latest.json").read_text())

    for name in SCENARIOS:
        assert data[f"{name}_rps"] > 0, name
        assert data[f"{name}_p50_ms"] > 0, name
        assert data[f"{name}_p99_ms"] >= data[f"{name}_p50_ms"], name
        assert data[f"{name}_errors"] == 0, name
        open_loop = data["open_loop"][name]
        assert open_loop["completed"] > 0, name
        assert open_loop["p99_ms"] >= open_loop["p50_ms"] > 0, name
    for key in ("cached_vs_ceiling", "uncached_vs_ceiling", "nginx_vs_direct"):
        assert data["ratios"][key] > 0, key
    for name in CEILINGS:  # issue 13's ceilings, in the same closed-loop rounds
        assert data[f"{name}_rps"] > 0 and data[f"{name}_errors"] == 0, name
    for key in ("cached_vs_redis_ceiling", "uncached_vs_db_read_ceiling",
                "create_vs_db_write_ceiling"):  # fmt: skip
        assert data["ratios"][key] > 0 and data["ratios_cpu"][key] > 0, key
    assert data["ceilings"]["redis_body_bytes"] == data["list_body_bytes"]

    search = data["search"]  # issue 12: the API's search query on one user with many notes
    assert set(search["kinds"]) == {"one_word", "two_word", "accented"}
    for query, row in search["queries"].items():
        assert row["p95_ms"] >= row["p50_ms"] > 0, query
        assert row["matches"] > 0 or row["kind"] == "two_word", query  # rare in 500 notes
    assert search["queries"]["résumé"]["words"] == ["resume"]
    sorts = data["sorts"]["per_sort"]
    assert len(sorts) == 10 and all(row["server_exec_p95_ms"] > 0 for row in sorts.values())
    assert "ix_notes_live_title" in sorts["title:asc"]["plan_indexes"]

    live = data["streams"]  # issue 11: open event streams with changes flowing
    assert live["streams_open"] == live["streams"] and live["worker_rss_mib_open"] > 0
    assert live["deliveries"] == live["deliveries_expected"] > 0
    assert live["delivery_p99_ms"] >= live["delivery_p50_ms"] > 0

    growth = data["growth"]
    assert len(growth["sizes"]) == 3 and growth["flatness"] > 0
    for size, row in growth["sizes"].items():
        assert row["deep_pages_match"], size
        for variant in ("keyset_first", "keyset_deep", "offset_first", "offset_deep"):
            assert row[f"{variant}_p50_ms"] > 0, (size, variant)
        plan = (tmp_path / f"explain-{size}.txt").read_text()
        assert "Buffers" in plan and "ix_notes_live_created" in plan

    assert "choice" in data["server_choice"] or "skipped" in data["server_choice"]
    assert data["frontend_gzip_kb"] is None or data["frontend_gzip_kb"] > 0
    assert data["machine"]["nproc"] >= 1 and data["versions"]["python"]
    assert set(data["targets"]) >= {
        "cached_vs_ceiling", "flatness", "nginx_vs_direct", "search_p95_ms",
        "sort_first_page_p95_ms", "cached_vs_redis_ceiling", "uncached_vs_db_read_ceiling",
        "create_vs_db_write_ceiling",
    }  # fmt: skip
    assert "## Search and sorted lists" in (tmp_path / "latest.md").read_text()
    assert "| target |" in (tmp_path / "latest.md").read_text()
    assert (tmp_path / "latest.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
