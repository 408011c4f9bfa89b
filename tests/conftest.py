from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from notestack.app import create_app
from notestack.core.settings import Settings
from notestack.migrations.runner import upgrade_to_head
from tests.support.api import Account, signup
from tests.support.conformance import conforming_client
from tests.support.postgres import fresh_database, postgres_server

TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(scope="session")
def postgres_address() -> Iterator[tuple[str, int]]:
    with postgres_server() as address:
        yield address


@pytest.fixture(scope="session")
def postgres_url(postgres_address: tuple[str, int]) -> Iterator[str]:
    """A fresh, migrated database for this run, dropped afterwards."""
    with fresh_database(*postgres_address) as url:
        upgrade_to_head(Settings(database_url=url, secret_key=TEST_SECRET, environment="test"))
        yield url


@dataclass
class Backend:
    name: str
    settings: Settings


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": TEST_SECRET,
        "environment": "test",
        "log_json": True,
        "log_level": "WARNING",
        "cors_origins": ["https://app.example.com"],
        "frontend_dist": data_dir / "no-frontend",
        # The suites sign many accounts up from one address; tests/auth/test_throttling.py
        # checks the throttles with their defaults.
        "throttle_signup_ip": "100000/hour",
        "throttle_login_ip": "100000/minute",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    data_dir = tmp_path_factory.mktemp(f"data-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{data_dir / 'notestack.db'}"
        settings = make_settings(url, data_dir)
        upgrade_to_head(settings)
    else:
        url = request.getfixturevalue("postgres_url")
        settings = make_settings(url, data_dir)
    return Backend(request.param, settings)


@pytest.fixture(scope="session")
async def app(backend: Backend) -> AsyncIterator[FastAPI]:
    application = create_app(backend.settings)
    yield application
    await application.state.db.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with conforming_client(app) as http:
        yield http


@pytest.fixture
async def account(client: httpx.AsyncClient) -> Account:
    return await signup(client)
