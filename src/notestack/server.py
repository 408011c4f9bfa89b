"""Process supervision: gunicorn as the master, uvicorn workers that drain on SIGTERM.

Why gunicorn + uvicorn workers rather than granian: gunicorn's arbiter is the long-proven
supervisor (restarts a crashed worker, graceful stop with a deadline, SIGHUP reloads), its hooks
let us clean up Prometheus multi-process files and delay shutdown for draining, and uvicorn with
uvloop and httptools serves this app's small JSON responses at a rate close to granian's; the
side-by-side figures are in bench/results (``make bench``).

This module is imported by the master before any worker exists: it must not import the app
(nor prometheus_client), so that each worker loads both after the metrics directory is set.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from gunicorn.app.base import BaseApplication
from uvicorn.server import Server
from uvicorn_worker import UvicornWorker

from notestack.core.settings import Settings

GRACEFUL_TIMEOUT_SECONDS = 30


class DrainingServer(Server):
    """On the first SIGTERM/SIGINT, report 'draining' on /readyz, keep serving for the drain
    period so load balancers move traffic away, then stop accepting and finish in-flight work."""

    drain_seconds: float = 0.0

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        from notestack.core import lifecycle

        if self.should_exit or lifecycle.is_draining() or self.drain_seconds <= 0:
            lifecycle.start_draining()
            super().handle_exit(sig, frame)
            return
        lifecycle.start_draining()
        self._captured_signals.append(sig)
        timer = threading.Timer(self.drain_seconds, self._finish_drain)
        timer.daemon = True
        timer.start()

    def _finish_drain(self) -> None:
        self.should_exit = True


class NoteStackWorker(UvicornWorker):  # type: ignore[misc]
    CONFIG_KWARGS = {
        "loop": "uvloop",
        "http": "httptools",
        "proxy_headers": True,
        "server_header": False,
    }

    async def _serve(self) -> None:
        import sys

        from gunicorn.arbiter import Arbiter

        self.config.app = self.wsgi
        self.config.timeout_graceful_shutdown = GRACEFUL_TIMEOUT_SECONDS
        server = DrainingServer(config=self.config)
        # Other applications served by this worker class (the benchmark's ceiling) never drain.
        server.drain_seconds = float(getattr(self.app, "drain_seconds", 0.0))
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)


def _child_exit(_server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


class _GunicornApp(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], settings: Settings) -> None:
        self.options = options
        self.settings = settings
        self.drain_seconds = settings.drain_seconds
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Runs in each worker, after the fork: the app (and prometheus_client, whose import
        reads PROMETHEUS_MULTIPROC_DIR) is made there, with the master's settings."""
        from notestack.app import create_app

        return create_app(self.settings)


def _with_metrics_dir(settings: Settings, port: int) -> Settings:
    """A fresh directory per server for Prometheus's multi-process files, known to the settings
    every worker gets (so /metrics aggregates all of them) and to prometheus_client (which
    reads it from the environment when imported, in each worker)."""
    path = Path(settings.prometheus_multiproc_dir or settings.data_dir / "metrics" / str(port))
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return settings.model_copy(update={"prometheus_multiproc_dir": str(path)})


def run_server(
    settings: Settings, *, host: str, port: int, workers: int, migrate_first: bool
) -> int:
    if migrate_first:
        from notestack.migrations.runner import upgrade_to_head

        upgrade_to_head(settings)
    settings.resolved_secret_key()
    settings = _with_metrics_dir(settings, port)
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "worker_class": f"{NoteStackWorker.__module__}.{NoteStackWorker.__qualname__}",
        "graceful_timeout": int(GRACEFUL_TIMEOUT_SECONDS + settings.drain_seconds + 5),
        "timeout": 60,
        "keepalive": 75,
        "backlog": 2048,
        "forwarded_allow_ips": ",".join(settings.trusted_proxies),
        "child_exit": _child_exit,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": f"notestack-{settings.instance_name or port}",
    }
    _GunicornApp(options, settings).run()
    return 0
