"""What `make bench` measures: the accounts and notes it sets up, the ceilings, and each
scenario's target (URL, wrk script, token, body)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from bench.accounts import add_notes, signed_up
from bench.env import BenchEnv

LIST_PATH = "/api/v1/note?limit=50"
CREATE_PATH = "/api/v1/note/create"
CREATE_BODY = (
    '{"title":"bench note","description":"written by make bench",'
    '"status":"Pending","priority":"Low"}'
)
LIST_NOTES = 50
# The ceilings (bench/ceiling_app.py): the server's own limit (fixed bytes), and each I/O
# path's: one Redis round trip, one read query, one INSERT ... RETURNING.
CEILINGS = ("ceiling", "ceiling_redis", "ceiling_db_read", "ceiling_db_write")
API_SCENARIOS = ("cached_list", "uncached_list", "miss_list", "create", "nginx_cached_list")
SCENARIOS = (*CEILINGS, *API_SCENARIOS)
# The open loop (a latency target for the API's scenarios) leaves out the I/O ceilings,
# which are there for their throughput and CPU per request.
OPEN_LOOP_SCENARIOS = ("ceiling", *API_SCENARIOS)
CEILING_REDIS_KEY = "bench:ceiling:list"  # bench/ceiling_app.py REDIS_KEY
CEILING_WRITER = "bench_ceiling"  # the account the write ceiling's notes go to


def setup_users(base: str) -> dict[str, Any]:
    """A reader with 50 notes (the list scenarios) and a writer (the create scenario)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        reader = signed_up(client, "bench_reader")
        writer = signed_up(client, "bench_writer")
        add_notes(client, reader, LIST_NOTES, "Benchmark note")
        response = client.get(LIST_PATH, headers={"Authorization": f"Bearer {reader}"})
        response.raise_for_status()
        notes = response.json()["notes"]
        if len(notes) != LIST_NOTES:
            raise RuntimeError(f"expected {LIST_NOTES} notes, got {len(notes)}")
        return {
            "reader": reader,
            "writer": writer,
            "list_body": response.content,
            "list_body_bytes": len(response.content),
        }


def setup_ceilings(env: BenchEnv, tokens: dict[str, Any]) -> dict[str, Any]:
    """Start the ceilings, the Redis one's key holding the list body the app serves, and
    check that each answers the same bytes (or the same shape) as the path it bounds."""
    import redis

    list_body: bytes = tokens["list_body"]
    redis_url = env.app_env(cache=True, name="bench-setup")["NOTESTACK_REDIS_URL"]
    client = redis.Redis.from_url(redis_url)
    try:
        client.set(CEILING_REDIS_KEY, list_body)
    finally:
        client.close()
    # The write ceiling's notes go to an account of their own: the create scenario's cost
    # depends on how many notes its writer has, and must not grow with the ceiling's.
    with httpx.Client(base_url=env.url("cached"), timeout=30) as http:
        ceiling_writer = signed_up(http, CEILING_WRITER)
    env.start_ceiling(
        len(list_body), reader="bench_reader", writer=CEILING_WRITER, limit=LIST_NOTES
    )
    base = env.url("ceiling")
    with httpx.Client(timeout=30) as http:
        cached = http.get(base + "/redis")
        read = http.get(base + "/db/read")
        write = http.post(
            base + "/db/write", content=CREATE_BODY, headers={"Content-Type": "application/json"}
        )
        app_write = http.post(
            env.url("cached") + CREATE_PATH,
            content=CREATE_BODY,
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {ceiling_writer}"},
        )  # fmt: skip
    for name, response, status in (("redis", cached, 200), ("db/read", read, 200),
                                   ("db/write", write, 201)):  # fmt: skip
        if response.status_code != status:
            raise RuntimeError(f"ceiling /{name}: {response.status_code} {response.text[:300]}")
    if cached.content != list_body:
        raise RuntimeError("the Redis ceiling does not answer the list body")
    if set(read.json()["notes"][0]) != set(json.loads(list_body)["notes"][0]):
        raise RuntimeError("the database read ceiling's notes are not shaped like the API's")
    return {
        "list_body_bytes": len(list_body),
        "redis_body_bytes": len(cached.content),
        "db_read_body_bytes": len(read.content),
        "db_read_same_bytes": read.content == list_body,
        "db_write_body_bytes": len(write.content),
        "create_body_bytes": len(app_write.content),
        "method": "bench/ceiling_app.py under the same gunicorn master, worker class and count "
        "as the app: /redis one GET with the app's RedisTarget client (pool and timeouts of "
        "the cache), /db/read one prepared asyncpg query for the reader's page (limit + 1 "
        "rows) to orjson in the list's shape, /db/write one INSERT ... RETURNING (autocommit) "
        "of the posted note to orjson in the create response's shape; no token check",
    }


@dataclass
class Target:
    url: str
    script: str
    token: str
    method: str = "GET"
    body: str | None = None
    server: str = "app_cached"  # which of BenchEnv.component_roots serves it (its RSS)


def targets(env: BenchEnv, tokens: dict[str, Any]) -> dict[str, Target]:
    reader, writer = tokens["reader"], tokens["writer"]
    return {
        "ceiling": Target(env.url("ceiling") + "/", "get", reader, server="ceiling"),
        "ceiling_redis": Target(env.url("ceiling") + "/redis", "get", reader, server="ceiling"),
        "ceiling_db_read": Target(env.url("ceiling") + "/db/read", "get", reader, server="ceiling"),
        "ceiling_db_write": Target(
            env.url("ceiling") + "/db/write", "post", writer, "POST", CREATE_BODY, "ceiling"
        ),
        "cached_list": Target(env.url("cached") + LIST_PATH, "get", reader),
        "uncached_list": Target(
            env.url("uncached") + LIST_PATH, "get", reader, server="app_uncached"
        ),
        "miss_list": Target(env.url("miss") + LIST_PATH, "get", reader, server="app_miss"),
        "create": Target(env.url("cached") + CREATE_PATH, "post", writer, "POST", CREATE_BODY),
        "nginx_cached_list": Target(env.url("nginx") + LIST_PATH, "get", reader),
    }
