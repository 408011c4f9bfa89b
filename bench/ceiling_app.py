"""The ceiling: a bare ASGI app that answers every request with one fixed JSON body.

Served by the same gunicorn master and worker class as NoteStack
(``notestack.server.NoteStackWorker``), so the gap between this and an API route is the cost of
the app itself (routing, auth, cache or database, serialisation), not of the server.
``BENCH_CEILING_BYTES`` sets the body size, so it matches the measured list response.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

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


async def app(
    scope: Scope,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    await send(_START)
    await send(_BODY)


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
