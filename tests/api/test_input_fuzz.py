"""No input is answered 500 (issue 8): hypothesis throws random bytes at every header, query
parameter and path segment the code parses, straight into the ASGI app (no HTTP client
cleans them first), on SQLite and PostgreSQL, with Redis on so the read shortcut parses
them too. Each request must get a response, and it must not be a 5xx."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notestack.app import create_app, shutdown
from tests.conftest import Backend
from tests.support.redis import RedisServer, redis_server

pytestmark = pytest.mark.slow

PARSED_HEADERS = [
    b"authorization",
    b"cookie",
    b"if-match",
    b"if-none-match",
    b"x-request-id",
    b"origin",
    b"sec-fetch-site",
    b"content-type",
    b"content-length",
    b"host",
    b"x-forwarded-host",
    b"accept-encoding",
]
QUERY_NAMES = [b"limit", b"cursor", b"status", b"priority", b"q", b"other"]
METHODS = ["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS", "PUT"]


@pytest.fixture
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


# Each route with its own method (most requests), plus any method on any of them.
ROUTES = [
    ("GET", b"/api/v1/note"),
    ("GET", b"/api/v1/note/{}"),
    ("PATCH", b"/api/v1/note/{}/edit"),
    ("DELETE", b"/api/v1/note/{}/delete"),
    ("POST", b"/api/v1/note/create"),
    ("POST", b"/api/v1/auth/login"),
    ("POST", b"/api/v1/auth/register"),
    ("GET", b"/api/v1/auth/profile"),
    ("POST", b"/api/v1/auth/logout"),
    ("GET", b"/{}"),
    ("GET", b"/assets/{}"),
]


header_values = st.one_of(
    st.binary(max_size=120),
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"Bearer ", b"Bearer x.y.z", b'"1"', b"*", b"W/", b"AccessToken=", b"1e9"]),
)
requests = st.fixed_dictionaries(
    {
        "route": st.sampled_from(ROUTES),
        "other_method": st.one_of(st.none(), st.none(), st.none(), st.sampled_from(METHODS)),
        "segment": st.binary(min_size=1, max_size=60),
        "query": st.lists(
            st.tuples(st.sampled_from(QUERY_NAMES), st.binary(max_size=60)), max_size=5
        ),
        "headers": st.lists(st.tuples(st.sampled_from(PARSED_HEADERS), header_values), max_size=6),
        "body": st.binary(max_size=200),
        "authenticated": st.booleans(),
    }
)


async def _call(app: Any, request: dict[str, Any], token: str) -> list[dict[str, Any]]:
    method, template = request["route"]
    raw_path = template.replace(b"{}", request["segment"])
    query = b"&".join(
        name + b"=" + quote_from_bytes(value).encode() for name, value in request["query"]
    )
    headers = list(request["headers"])
    if request["authenticated"]:
        headers.append((b"authorization", b"Bearer " + token.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request["other_method"] or method,
        "scheme": "http",
        "path": raw_path.decode("latin-1"),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("203.0.113.9", 5555),
        "server": ("testserver", 80),
        "state": {},
    }
    body_sent = False

    async def receive() -> dict[str, Any]:
        nonlocal body_sent
        if body_sent:
            await asyncio.sleep(3600)
        body_sent = True
        return {"type": "http.request", "body": request["body"], "more_body": False}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    return sent


def test_random_bytes_anywhere_never_get_a_server_error(
    backend: Backend, redis_srv: RedisServer, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"  # a built web client, so the catch-all route serves pages too
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>NoteStack</title>")
    (dist / "assets" / "app-1234.js").write_text("console.log(1)")
    loop = asyncio.new_event_loop()
    app = create_app(
        backend.settings.model_copy(update={"redis_url": redis_srv.url, "frontend_dist": dist})
    )
    token = loop.run_until_complete(_account_token(app))
    seen: dict[int, int] = {}

    @settings(
        max_examples=1500,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(request=requests)
    def check(request: dict[str, Any]) -> None:
        sent = loop.run_until_complete(_call(app, request, token))
        starts = [m for m in sent if m["type"] == "http.response.start"]
        assert len(starts) == 1, request
        status = starts[0]["status"]
        seen[status] = seen.get(status, 0) + 1
        assert status < 500, (status, request)

    try:
        check()
    finally:
        loop.run_until_complete(shutdown(app))
        loop.close()
    print(f"INPUT-FUZZ[{backend.name}]: statuses {dict(sorted(seen.items()))}")
    assert len(seen) > 3  # the generator reached more than one kind of answer


async def _account_token(app: Any) -> str:
    import httpx

    from tests.support.api import signup

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        account = await signup(client)
    return account.token
