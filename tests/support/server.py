"""Real ``notestack serve`` processes for tests that need several processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from stack.proc import free_port

NOTESTACK = Path(sys.executable).parent / "notestack"


@dataclass
class RunningServer:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_ready(
    url: str,
    timeout: float = 30.0,
    process: subprocess.Popen[bytes] | None = None,
    *,
    any_status: bool = False,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            status = httpx.get(f"{url}/readyz", timeout=1.0).status_code
            if status == 200 or any_status:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} not ready after {timeout}s")


def migrate(env: Mapping[str, str]) -> None:
    subprocess.run(
        [str(NOTESTACK), "migrate"], env={**os.environ, **env}, check=True, capture_output=True
    )


@contextmanager
def running_server(
    env: Mapping[str, str], log_dir: Path, workers: int = 1, *, wait: bool = True
) -> Iterator[RunningServer]:
    """``notestack serve`` on a free port; ``wait`` for /readyz to answer 200 first (else only
    for the port to accept connections)."""
    port = free_port()
    log_path = log_dir / f"server-{port}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                str(NOTESTACK),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env={**os.environ, **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = RunningServer(process, port, log_path)
    try:
        wait_ready(server.url, process=process, any_status=not wait)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
