"""Sign-in and sign-up throttles (issue 8): per account and per client address, 429 with
Retry-After, the same answer whether or not the account exists, shared through Redis."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from notestack.app import create_app, shutdown
from notestack.core.settings import Settings
from tests.conftest import Backend
from tests.support.api import new_credentials
from tests.support.conformance import check_response
from tests.support.redis import RedisServer, redis_server

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
DEFAULTS = Settings.model_fields


def _client(app: FastAPI, address: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 4711))
    return httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver",
        event_hooks={"response": [check_response]},
    )


@pytest.fixture
async def default_app(backend: Backend) -> AsyncIterator[FastAPI]:
    """The throttles as a real deployment has them (the suite's settings loosen them)."""
    settings = backend.settings.model_copy(
        update={
            name: DEFAULTS[name].default
            for name in ("throttle_signup_ip", "throttle_login_ip", "throttle_login_account")
        }
    )
    app = create_app(settings)
    yield app
    await shutdown(app)


async def _register(client: httpx.AsyncClient) -> dict[str, str]:
    credentials = new_credentials()
    response = await client.post(REGISTER, json=credentials)
    assert response.status_code == 201, response.text
    return credentials


async def test_five_failures_lock_the_account_and_unknown_emails_look_the_same(
    default_app: FastAPI,
) -> None:
    async with _client(default_app, "198.51.100.1") as setup:
        credentials = await _register(setup)
    known, unknown = credentials["email"], "nobody-" + credentials["email"]
    answers: dict[str, list[httpx.Response]] = {known: [], unknown: []}
    # A different address each time: the per-account brake, not the per-address one.
    for attempt in range(7):
        for email in (known, unknown):
            async with _client(default_app, f"192.0.2.{attempt + 10}") as client:
                response = await client.post(LOGIN, json={"email": email, "password": "Wrong-1x"})
            answers[email].append(response)
    for email, responses in answers.items():
        assert [r.status_code for r in responses] == [401] * 5 + [429] * 2, email
        throttled = responses[-1]
        retry = int(throttled.headers["retry-after"])
        assert 1 <= retry <= 15 * 60
        assert throttled.json()["success"] is False
        assert "sign-in attempts" in throttled.json()["message"]
    # The same answer (the seconds may differ by one: the two were asked a moment apart).
    same = [re.sub(r"\d+", "N", r.text) for r in (answers[known][-1], answers[unknown][-1])]
    assert same[0] == same[1]
    # Even the right password is refused while the account is throttled.
    async with _client(default_app, "192.0.2.99") as client:
        right = await client.post(LOGIN, json={"email": known, "password": credentials["password"]})
    assert right.status_code == 429


async def test_signing_in_works_again_when_the_throttle_lifts(backend: Backend) -> None:
    app = create_app(backend.settings.model_copy(update={"throttle_login_account": "2/2 seconds"}))
    try:
        async with _client(app) as client:
            credentials = await _register(client)
            wrong = {"email": credentials["email"], "password": "Wrong-pass-1x"}
            right = {"email": credentials["email"], "password": credentials["password"]}
            codes = [(await client.post(LOGIN, json=wrong)).status_code for _ in range(3)]
            assert codes == [401, 401, 429]
            retry = int((await client.post(LOGIN, json=right)).headers["retry-after"])
            await asyncio.sleep(retry + 0.2)
            assert (await client.post(LOGIN, json=right)).status_code == 200
            # A success clears the failures: two more wrong guesses are answered 401 again.
            codes = [(await client.post(LOGIN, json=wrong)).status_code for _ in range(2)]
            assert codes == [401, 401]
    finally:
        await shutdown(app)


async def test_sign_ups_are_limited_per_address(default_app: FastAPI) -> None:
    async with _client(default_app, "198.51.100.20") as client:
        codes = [
            (await client.post(REGISTER, json=new_credentials())).status_code for _ in range(6)
        ]
    assert codes == [201] * 5 + [429]
    async with _client(default_app, "198.51.100.21") as other:
        assert (await other.post(REGISTER, json=new_credentials())).status_code == 201


async def test_sign_ins_are_limited_per_address(backend: Backend) -> None:
    app = create_app(backend.settings.model_copy(update={"throttle_login_ip": "4/minute"}))
    try:
        async with _client(app, "198.51.100.30") as client:
            credentials = await _register(client)
            body = {"email": credentials["email"], "password": credentials["password"]}
            codes = [(await client.post(LOGIN, json=body)).status_code for _ in range(5)]
        assert codes == [200] * 4 + [429]
        async with _client(app, "198.51.100.31") as other:
            assert (await other.post(LOGIN, json=body)).status_code == 200
    finally:
        await shutdown(app)


@pytest.fixture
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


async def test_every_instance_sees_the_same_counts_through_redis(
    backend: Backend, redis_srv: RedisServer
) -> None:
    settings = backend.settings.model_copy(
        update={"redis_url": redis_srv.url, "throttle_login_account": "3/hour"}
    )
    first, second = create_app(settings), create_app(settings)
    try:
        async with _client(first) as a, _client(second) as b:
            credentials = await _register(a)
            wrong = {"email": credentials["email"], "password": "Wrong-pass-1x"}
            codes = [(await (a, b)[i % 2].post(LOGIN, json=wrong)).status_code for i in range(4)]
        assert codes == [401, 401, 401, 429]
        assert list(redis_srv.client().scan_iter(match="ns:v1:throttle*"))
    finally:
        await shutdown(first)
        await shutdown(second)


async def test_a_redis_outage_falls_back_to_counting_in_the_process(
    backend: Backend, redis_srv: RedisServer
) -> None:
    settings = backend.settings.model_copy(
        update={"redis_url": redis_srv.url, "throttle_login_account": "2/hour"}
    )
    app = create_app(settings)
    try:
        async with _client(app) as client:
            credentials = await _register(client)
            redis_srv.stop()
            wrong = {"email": credentials["email"], "password": "Wrong-pass-1x"}
            codes = [(await client.post(LOGIN, json=wrong)).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
    finally:
        await shutdown(app)
