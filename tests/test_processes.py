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
from stack.proc import rss_kib

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


def test_metrics_count_every_request_whichever_worker_answers(tmp_path: Path) -> None:
    env = {"NOTESTACK_DATA_DIR": str(tmp_path / "data"), "NOTESTACK_LOG_LEVEL": "WARNING"}
    with running_server(env, tmp_path, workers=2) as server:
        close = {"Connection": "close"}  # a new connection each time: either worker answers
        # /healthz: nothing else calls it here (running_server's start-up probes of /readyz
        # may still be counted late when the machine is slow).
        with httpx.Client(base_url=server.url, timeout=10) as http:
            pids = {http.get("/readyz", headers=close).json()["pid"] for _ in range(10)}
            before = _requests_to(http.get("/metrics", headers=close).text, "/healthz")
            for _ in range(40):
                assert http.get("/healthz", headers=close).status_code == 200
            totals = {
                _requests_to(http.get("/metrics", headers=close).text, "/healthz") - before
                for _ in range(6)
            }
        assert len(pids) == 2, "both workers answered"
        assert totals == {40.0}, totals


def _requests_to(metrics_text: str, route: str) -> float:
    total = 0.0
    for line in metrics_text.splitlines():
        if line.startswith("notestack_http_requests_total{") and f'route="{route}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_the_embedded_default_migrates_itself_on_serve(tmp_path: Path) -> None:
    env = {"NOTESTACK_DATA_DIR": str(tmp_path / "data"), "NOTESTACK_LOG_LEVEL": "WARNING"}
    with running_server(env, tmp_path) as server:  # no `notestack migrate` beforehand
        _login(server.url)
    database = tmp_path / "data" / "notestack.db"
    assert database.stat().st_mode & 0o777 == 0o600


def test_a_database_behind_on_migrations_gets_503_not_500(
    tmp_path: Path, postgres_address: tuple[str, int]
) -> None:
    from tests.support.postgres import fresh_database

    with fresh_database(*postgres_address) as url:
        env = {
            "NOTESTACK_DATA_DIR": str(tmp_path / "data"),
            "NOTESTACK_DATABASE_URL": url,
            "NOTESTACK_SECRET_KEY": "unmigrated-database-test-key-5c4b3a2918f7e6d5",
            "NOTESTACK_LOG_LEVEL": "WARNING",
        }
        with running_server(env, tmp_path, wait=False) as server:
            ready = httpx.get(f"{server.url}/readyz", timeout=10)
            assert ready.status_code == 503
            assert ready.json()["status"] == "migrations pending"
            signup = httpx.post(f"{server.url}/api/v1/auth/register", json=new_credentials())
            assert signup.status_code == 503
            assert "notestack migrate" in signup.json()["message"]
            migrate(env)
            time.sleep(1.2)  # the server looks again at most once a second
            assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200
            again = httpx.post(f"{server.url}/api/v1/auth/register", json=new_credentials())
            assert again.status_code == 201
        assert '"status": 500' not in server.log()


def test_a_refused_secret_key_is_never_echoed(tmp_path: Path) -> None:
    secret = "WeakKeyThatMustNotLeak"
    env = {
        **os.environ,
        "NOTESTACK_ENVIRONMENT": "production",
        "NOTESTACK_SECRET_KEY": secret,
        "NOTESTACK_DATA_DIR": str(tmp_path),
    }
    for args in (["migrate"], ["serve", "--port", "1"]):
        result = subprocess.run(
            [sys.executable, "-m", "notestack.cli", *args], env=env, capture_output=True, text=True
        )
        assert result.returncode == 2
        assert "too weak" in result.stderr and "NOTESTACK_COOKIE_SECURE" in result.stderr
        for part in (secret, secret[:8], secret[-8:]):
            assert part not in result.stderr + result.stdout


def test_a_login_flood_keeps_worker_memory_bounded(tmp_path: Path) -> None:
    """50 concurrent wrong passwords (throttles lifted, so each one is hashed): at most a few
    argon2 hashes (46 MiB each) run at once. Unbounded, the worker grew by ~550 MiB."""
    env = {
        "NOTESTACK_DATA_DIR": str(tmp_path / "data"),
        "NOTESTACK_LOG_LEVEL": "WARNING",
        "NOTESTACK_THROTTLE_LOGIN_IP": "1000000/minute",
        "NOTESTACK_THROTTLE_LOGIN_ACCOUNT": "1000000/minute",
        "NOTESTACK_PASSWORD_HASH_CONCURRENCY": "2",
        # Every attempt must reach the hasher (admission control would answer some of them
        # 503 after its 1 s wait on a slow machine): memory is what this measures.
        "NOTESTACK_ADMISSION_WAIT_SECONDS": "30",
    }
    with running_server(env, tmp_path, workers=1) as server:
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        worker = int(children.read_text().split()[0])
        body = {"email": "nobody@example.com", "password": "wrong-guess-0"}
        assert httpx.post(f"{server.url}/api/v1/auth/login", json=body).status_code == 401
        idle, peak = rss_kib(worker) / 1024, 0.0

        def attempt(i: int) -> int:
            guess = {"email": f"victim{i % 5}@example.com", "password": f"wrong-guess-{i}"}
            with httpx.Client(timeout=120) as http:
                return http.post(f"{server.url}/api/v1/auth/login", json=guess).status_code

        with ThreadPoolExecutor(max_workers=50) as pool:
            futures = [pool.submit(attempt, i) for i in range(50)]
            while not all(f.done() for f in futures):
                peak = max(peak, rss_kib(worker) / 1024)
                time.sleep(0.01)
        assert [f.result() for f in futures] == [401] * 50
        print(f"LOGIN-FLOOD: worker RSS idle {idle:.0f} MiB, peak {peak:.0f} MiB")
        assert peak - idle < 200, f"grew {peak - idle:.0f} MiB under 50 concurrent logins"
