"""Real `notestack serve` processes: what only shows with several processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support.api import new_credentials
from tests.support.server import NOTESTACK, migrate, running_server

pytestmark = pytest.mark.slow


def _login(base: str) -> str:
    credentials = new_credentials()
    assert httpx.post(f"{base}/api/v1/auth/register", json=credentials).status_code == 201
    response = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"email": credentials["email"], "password": credentials["password"]},
    )
    assert response.status_code == 200
    token: str = response.json()["token"]
    return token


def _profile_status(base: str, token: str) -> int:
    return httpx.get(
        f"{base}/api/v1/auth/profile", headers={"Authorization": f"Bearer {token}"}
    ).status_code


@pytest.fixture(params=["sqlite", "postgres"])
def server_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    env = {"NOTESTACK_DATA_DIR": str(tmp_path / "data"), "NOTESTACK_LOG_LEVEL": "WARNING"}
    if request.param == "postgres":
        env["NOTESTACK_DATABASE_URL"] = request.getfixturevalue("postgres_url")
        env["NOTESTACK_SECRET_KEY"] = "multi-process-test-key-9f8e7d6c5b4a3928171605"
    else:
        migrate(env)
    return env


def test_logout_on_one_process_is_refused_by_another(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    with (
        running_server(server_env, tmp_path) as first,
        running_server(server_env, tmp_path) as second,
    ):
        token = _login(first.url)
        assert _profile_status(second.url, token) == 200
        logout = httpx.post(
            f"{second.url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}
        )
        assert logout.status_code == 200
        assert _profile_status(first.url, token) == 401
        assert _profile_status(second.url, token) == 401


def test_sqlite_with_several_workers_never_reports_locked(tmp_path: Path) -> None:
    env = {"NOTESTACK_DATA_DIR": str(tmp_path / "data"), "NOTESTACK_LOG_LEVEL": "WARNING"}
    migrate(env)
    with running_server(env, tmp_path, workers=4) as server:
        tokens = [_login(server.url) for _ in range(4)]

        def write(i: int) -> tuple[int, str]:
            headers = {"Authorization": f"Bearer {tokens[i % 4]}"}
            with httpx.Client(base_url=server.url, timeout=60) as http:
                created = http.post("/api/v1/note/create", json={"title": f"w{i}"}, headers=headers)
                if created.status_code != 201:
                    return created.status_code, created.text
                note_id = created.json()["note"]["_id"]
                edited = http.patch(
                    f"/api/v1/note/{note_id}/edit", json={"status": "Done"}, headers=headers
                )
                return edited.status_code, edited.text

        with ThreadPoolExecutor(max_workers=24) as pool:
            results = list(pool.map(write, range(240)))
        failures = [r for r in results if r[0] != 200]
        print(f"SQLITE-CONCURRENCY: writes={len(results) * 2} failures={len(failures)}")
        assert failures == []
        assert "locked" not in server.log().lower()
        counts = [
            len(
                httpx.get(
                    f"{server.url}/api/v1/note", headers={"Authorization": f"Bearer {t}"}
                ).json()["notes"]
            )
            for t in tokens
        ]
        assert sum(counts) == 240


def test_a_killed_worker_is_replaced(tmp_path: Path) -> None:
    env = {"NOTESTACK_DATA_DIR": str(tmp_path / "data"), "NOTESTACK_LOG_LEVEL": "WARNING"}
    migrate(env)
    with running_server(env, tmp_path, workers=2) as server:
        pids = {httpx.get(f"{server.url}/readyz").json()["pid"] for _ in range(20)}
        victim = next(iter(pids))
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 20
        seen: set[int] = set()
        while time.monotonic() < deadline and len(seen - {victim}) < 2:
            with contextlib.suppress(httpx.HTTPError):
                seen.add(httpx.get(f"{server.url}/readyz", timeout=2).json()["pid"])
            time.sleep(0.05)
        assert victim not in seen - (pids - {victim})
        assert len(seen - {victim}) == 2, f"expected 2 live workers, saw {seen}"


def test_restart_keeps_generated_secret_so_nobody_is_logged_out(tmp_path: Path) -> None:
    env = {"NOTESTACK_DATA_DIR": str(tmp_path / "data"), "NOTESTACK_LOG_LEVEL": "WARNING"}
    migrate(env)
    with running_server(env, tmp_path) as server:
        token = _login(server.url)
    with running_server(env, tmp_path) as server:
        assert _profile_status(server.url, token) == 200


def test_sigterm_drains_then_finishes_in_flight_requests(tmp_path: Path) -> None:
    """With a drain period, /readyz turns 503 at once, the server keeps serving (also what was
    still queued in the listen backlog) and every request in flight completes."""
    env = {
        "NOTESTACK_DATA_DIR": str(tmp_path / "data"),
        "NOTESTACK_LOG_LEVEL": "WARNING",
        "NOTESTACK_DRAIN_SECONDS": "1.5",
    }
    migrate(env)
    with running_server(env, tmp_path, workers=1) as server:
        token = _login(server.url)
        headers = {"Authorization": f"Bearer {token}"}
        big = "x" * 90_000
        for i in range(60):
            httpx.post(
                f"{server.url}/api/v1/note/create",
                json={"title": f"b{i}", "description": big},
                headers=headers,
            )

        def fetch(_: int) -> int:
            with httpx.Client(timeout=30) as http:
                return http.get(f"{server.url}/api/v1/note", headers=headers).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(fetch, i) for i in range(8)]
            time.sleep(0.15)
            server.process.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            readiness = httpx.get(f"{server.url}/readyz", timeout=10)
            statuses = [f.result() for f in futures]
        assert readiness.status_code == 503 and readiness.json()["status"] == "draining"
        assert readiness.headers.get("connection") == "close"
        assert server.process.wait(timeout=30) == 0
        assert statuses == [200] * 8


def test_cli_help_explains_each_command() -> None:
    for args in (["--help"], ["serve", "--help"], ["migrate", "--help"]):
        result = subprocess.run([str(NOTESTACK), *args], capture_output=True, text=True, check=True)
        assert "usage: notestack" in result.stdout
    serve_help = subprocess.run(
        [str(NOTESTACK), "serve", "--help"], capture_output=True, text=True
    ).stdout
    for option in ("--host", "--port", "--workers", "SIGTERM"):
        assert option in serve_help


def test_production_without_secret_is_a_clear_error(tmp_path: Path) -> None:
    env = {**os.environ, "NOTESTACK_ENVIRONMENT": "production", "NOTESTACK_DATA_DIR": str(tmp_path)}
    env.pop("NOTESTACK_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "notestack.cli", "migrate"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "NOTESTACK_SECRET_KEY is required" in result.stderr
