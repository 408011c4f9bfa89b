"""The OpenAPI document says exactly what the server does (issue 8): schemathesis runs every
check it has (status codes, content types, headers, response schemas, negative and positive
data, unsupported methods and Allow, use-after-free, resource availability, ignored auth) over
the coverage, fuzzing and stateful phases, against a live server: 0 failures of any kind.

Two configurations: SQLite without Redis, and PostgreSQL with Redis (the read shortcut
answering). tests/api/schemathesis.toml says how schemathesis signs in and which statuses a
schema-valid request may still get, with the reason for each.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.api import new_credentials
from tests.support.redis import RedisServer, redis_server
from tests.support.server import running_server

pytestmark = pytest.mark.slow
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = "20261129"
# Loosened so the fuzzer is not stopped by the limits it is not testing here.
FUZZ_SETTINGS = {
    "NOTESTACK_LOG_LEVEL": "WARNING",
    "NOTESTACK_THROTTLE_SIGNUP_IP": "1000000/hour",
    "NOTESTACK_THROTTLE_LOGIN_IP": "1000000/minute",
    "NOTESTACK_THROTTLE_LOGIN_ACCOUNT": "1000000/minute",
    "NOTESTACK_MAX_NOTE_BYTES_PER_USER": str(10**10),
}


@pytest.fixture
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.mark.parametrize("configuration", ["sqlite", "postgres+redis"])
def test_schemathesis_finds_nothing(
    tmp_path: Path, configuration: str, request: pytest.FixtureRequest
) -> None:
    env = {**FUZZ_SETTINGS, "NOTESTACK_DATA_DIR": str(tmp_path / "data")}
    if configuration == "postgres+redis":
        env["NOTESTACK_DATABASE_URL"] = request.getfixturevalue("postgres_url")
        env["NOTESTACK_SECRET_KEY"] = "fuzzing-secret-key-7c1d9e2f4a6b8c0d1e3f5a7b9c"
        env["NOTESTACK_REDIS_URL"] = request.getfixturevalue("redis_srv").url
    with running_server(env, tmp_path, workers=2) as server:
        credentials = new_credentials()
        httpx.post(f"{server.url}/api/v1/auth/register", json=credentials).raise_for_status()
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(CONFIG),
                "run",
                f"{server.url}/openapi.json",
                "--checks",
                "all",
                "--phases",
                "coverage,fuzzing,stateful",
                "--max-examples",
                "40",
                "--seed",
                SEED,
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
            env={
                **os.environ,
                "NOTESTACK_FUZZ_EMAIL": credentials["email"],
                "NOTESTACK_FUZZ_PASSWORD": credentials["password"],
            },
        )
        summary = result.stdout[-3500:]
        print(summary)
        generated = re.search(r"(\d+) generated", result.stdout)
        print(f"SCHEMATHESIS[{configuration}]: {generated.group(0) if generated else '?'}")
        assert result.returncode == 0, summary + result.stderr[-2000:]
        assert " passed" in result.stdout and "failed" not in result.stdout.lower()
        assert '"status": 500' not in server.log()
