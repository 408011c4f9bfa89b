"""The ceilings: bare ASGI routes that do only the I/O a request must do, nothing else.

Served by the same gunicorn master and worker class as NoteStack
(``notestack.server.NoteStackWorker``), with the same worker count, so the gap between one of
these and an API route is the cost of the app itself (routing, auth, admission, ORM,
serialisation detours), not of the server or of the I/O:

* ``GET /``: one fixed JSON body (``BENCH_CEILING_BYTES`` long, the measured list's size):
  the server's own limit.
* ``GET /redis``: one Redis ``GET`` of the list body the cached instance serves (stored by the
  harness under ``BENCH_CEILING_REDIS_KEY``), with the app's client library and connection
  settings (``RedisTarget.connect``: blocking pool sized like the cache's, same timeouts).
* ``GET /db/read``: one prepared asyncpg query for the same page of the same user as the
  list scenario (``BENCH_CEILING_READER``'s live notes, newest first, ``limit`` + 1 rows),
  serialized with orjson into the list response's JSON shape.
* ``POST /db/write``: the request's JSON note, one ``INSERT ... RETURNING`` (autocommit: one
  round trip, one durable commit) for ``BENCH_CEILING_WRITER`` (an account of its own, so
  the create scenario's writer does not gain these notes), serialized like the create
  response.

No token is checked and no cache generation, quota, event or history is kept: these are
lower bounds, not alternatives. The database and Redis routes are there when
``BENCH_CEILING_DSN`` / ``BENCH_CEILING_REDIS_URL`` are set.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

import orjson

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]

_SIZE = max(32, int(os.environ.get("BENCH_CEILING_BYTES", "4096")))
_PREFIX = b'{"success":true,"message":"ceiling","pad":"'
_SUFFIX = b'"}'
BODY = _PREFIX + b"x" * max(0, _SIZE - len(_PREFIX) - len(_SUFFIX)) + _SUFFIX
_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(BODY)).encode()),
    ],
}
_BODY = {"type": "http.response.body", "body": BODY}

REDIS_KEY = os.environ.get("BENCH_CEILING_REDIS_KEY", "bench:ceiling:list")
LIST_LIMIT = int(os.environ.get("BENCH_CEILING_LIMIT", "50"))
NOTE_COLUMNS = (
    "id, user_id, title, description, status, priority, version, position, created_at, updated_at"
)
# The list's page: the same index range scan as the app's default list (ix_notes_live_created).
READ_SQL = (
    f"SELECT {NOTE_COLUMNS} FROM notes WHERE user_id = $1 AND deleted_at IS NULL "
    "ORDER BY created_at DESC, id DESC LIMIT $2"
)
WRITE_SQL = (
    "INSERT INTO notes (id, user_id, title, description, status, priority, version, size_bytes,"
    " created_at, updated_at, status_rank, priority_rank, title_key)"
    " VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8, $9, $10, $11)"
    f" RETURNING {NOTE_COLUMNS}"
)


def _note(row: Any) -> dict[str, Any]:
    """A row in the API's note shape (notes/schemas.py note_json)."""
    return {
        "_id": str(row[0]),
        "userId": str(row[1]),
        "title": row[2],
        "description": row[3],
        "status": row[4],
        "priority": row[5],
        "version": row[6],
        "position": row[7],
        "createdAt": row[8],
        "updatedAt": row[9],
    }


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)


class _Io:
    """This worker's Redis client and database pool, opened at lifespan start."""

    redis: Any = None
    pool: Any = None
    reader: uuid.UUID | None = None
    writer: uuid.UUID | None = None

    async def open(self) -> None:
        redis_url = os.environ.get("BENCH_CEILING_REDIS_URL")
        if redis_url:
            from notestack.core.cache import SOCKET_TIMEOUT_SECONDS, SPARE_CONNECTIONS
            from notestack.core.redis_client import RedisTarget
            from notestack.core.settings import Settings

            # The cache's own sizing: the requests one worker serves at once, plus spares.
            in_flight = Settings.model_fields["max_requests_in_flight"].default
            self.redis, _ = RedisTarget(url=redis_url).connect(
                timeout=SOCKET_TIMEOUT_SECONDS, max_connections=in_flight + SPARE_CONNECTIONS
            )
        dsn = os.environ.get("BENCH_CEILING_DSN")
        if dsn:
            import asyncpg

            from notestack.core.settings import Settings

            fields = Settings.model_fields
            size = int(fields["database_pool_size"].default)
            # The app's pool: up to pool_size connections, kept, same timeouts.
            self.pool = await asyncpg.create_pool(
                dsn,
                min_size=size,
                max_size=size,
                timeout=float(fields["database_connect_timeout_seconds"].default),
                command_timeout=float(fields["database_command_timeout_seconds"].default),
            )
            names = [os.environ.get("BENCH_CEILING_READER"), os.environ.get("BENCH_CEILING_WRITER")]
            rows = await self.pool.fetch(
                "SELECT username, id FROM users WHERE username = ANY($1::text[])",
                [n for n in names if n],
            )
            ids = {row["username"]: row["id"] for row in rows}
            self.reader, self.writer = ids.get(names[0] or ""), ids.get(names[1] or "")

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        if self.pool is not None:
            await self.pool.close()

    async def cached_body(self) -> bytes:
        body = await self.redis.get(REDIS_KEY)
        return bytes(body)

    async def read_body(self) -> bytes:
        rows = await self.pool.fetch(READ_SQL, self.reader, LIST_LIMIT + 1)
        notes = [_note(row) for row in rows[:LIST_LIMIT]]
        # The reader's page is the whole list: no cursor (the app's page is the same).
        next_cursor = None if len(rows) <= LIST_LIMIT else str(rows[LIST_LIMIT - 1][0])
        return _dumps(
            {"success": True, "message": "Notes fetched", "notes": notes, "nextCursor": next_cursor}
        )

    async def write_body(self, request: bytes) -> bytes:
        from notestack.notes.ordering import sort_keys

        data = orjson.loads(request)
        title, description = str(data["title"]), str(data.get("description", ""))
        status, priority = str(data.get("status", "Pending")), str(data.get("priority", "Low"))
        keys = sort_keys(title=title, status=status, priority=priority)
        size = len(title.encode("utf-8")) + len(description.encode("utf-8"))
        row = await self.pool.fetchrow(
            WRITE_SQL,
            uuid.uuid4(),
            self.writer,
            title,
            description,
            status,
            priority,
            size,
            datetime.now(UTC),
            keys["status_rank"],
            keys["priority_rank"],
            keys["title_key"],
        )
        return _dumps({"success": True, "message": "Note created", "note": _note(row)})


IO = _Io()


async def _respond(send: Callable[[Message], Awaitable[None]], status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _request_body(receive: Callable[[], Awaitable[Message]]) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def app(
    scope: Scope,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await IO.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await IO.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/":
        await send(_START)
        await send(_BODY)
    elif path == "/redis" and IO.redis is not None:
        await _respond(send, 200, await IO.cached_body())
    elif path == "/db/read" and IO.pool is not None:
        await _respond(send, 200, await IO.read_body())
    elif path == "/db/write" and IO.pool is not None and scope["method"] == "POST":
        await _respond(send, 201, await IO.write_body(await _request_body(receive)))
    else:
        await _respond(send, 404, b'{"success":false}')


def serve() -> None:
    """`python -m bench.ceiling_app HOST PORT WORKERS`: gunicorn + NoteStackWorker."""
    import sys

    from gunicorn.app.base import BaseApplication

    from notestack.server import NoteStackWorker

    host, port, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

    class _Ceiling(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": f"{NoteStackWorker.__module__}.{NoteStackWorker.__qualname__}",
                "keepalive": 75,
                "backlog": 2048,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": f"notestack-ceiling-{port}",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    _Ceiling().run()


if __name__ == "__main__":
    serve()
