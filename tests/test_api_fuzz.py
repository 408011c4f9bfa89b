"""Requests generated from the OpenAPI schema never get a 500 (schemathesis, live server)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.api import new_credentials
from tests.support.server import migrate, running_server

pytestmark = pytest.mark.slow
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


@pytest.mark.parametrize("backend_name", ["sqlite", "postgres"])
def test_generated_requests_never_get_a_server_error(
    tmp_path: Path, backend_name: str, request: pytest.FixtureRequest
) -> None:
    env = {"NOTESTACK_DATA_DIR": str(tmp_path / "data"), "NOTESTACK_LOG_LEVEL": "WARNING"}
    if backend_name == "postgres":
        env["NOTESTACK_DATABASE_URL"] = request.getfixturevalue("postgres_url")
        env["NOTESTACK_SECRET_KEY"] = "fuzzing-secret-key-7c1d9e2f4a6b8c0d1e3f5a7b9c"
    else:
        migrate(env)
    with running_server(env, tmp_path, workers=2) as server:
        credentials = new_credentials()
        httpx.post(f"{server.url}/api/v1/auth/register", json=credentials).raise_for_status()
        login = httpx.post(
            f"{server.url}/api/v1/auth/login",
            json={"email": credentials["email"], "password": credentials["password"]},
        )
        token = login.json()["token"]
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"{server.url}/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--exclude-path",
                "/api/v1/auth/logout",
                "--checks",
                "not_a_server_error",
                "--phases",
                "coverage,fuzzing,stateful",
                "--max-examples",
                "40",
                "--seed",
                "20261128",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=400,
            cwd=tmp_path,
        )
        summary = result.stdout[-3000:]
        print(summary)
        assert result.returncode == 0, summary + result.stderr[-2000:]
        assert '"status": 500' not in server.log()
