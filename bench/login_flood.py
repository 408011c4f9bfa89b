"""Worker memory under a flood of bad sign-ins (issue 8): 50 concurrent logins with wrong
passwords against one `notestack serve --workers 1`, the worker's peak RSS sampled meanwhile.

    python -m bench.login_flood [--src DIR] [--loose] [--concurrency 50]

--src runs another checkout's source (e.g. a `git worktree` of an older commit) against the same
environment, for a before/after figure. --loose lifts the sign-in throttles, so every attempt
reaches the password check and only the bound on concurrent hashes keeps memory down.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.env import REPO_ROOT  # also puts deploy/ on sys.path, for `stack`


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", default=str(REPO_ROOT / "src"))
    parser.add_argument("--loose", action="store_true")
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    from stack.proc import free_port, rss_kib

    port = free_port()
    data = Path(tempfile.mkdtemp(prefix="notestack-flood-"))
    env = {
        **os.environ,
        "PYTHONPATH": args.src,
        "NOTESTACK_DATA_DIR": str(data),
        "NOTESTACK_LOG_LEVEL": "ERROR",
    }
    if args.loose:
        env |= {
            "NOTESTACK_THROTTLE_LOGIN_IP": "1000000/minute",
            "NOTESTACK_THROTTLE_LOGIN_ACCOUNT": "1000000/minute",
        }
    subprocess.run([sys.executable, "-m", "notestack.cli", "migrate"], env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "notestack.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        worker = _worker_pid(server.pid)
        httpx.post(f"{base}/api/v1/auth/login", json={"email": "w@x.y", "password": "warm-up-1"})
        idle = rss_kib(worker)
        peak, statuses, done = idle, [], threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_kib(worker))
                time.sleep(0.01)

        def attempt(i: int) -> None:
            response = httpx.post(
                f"{base}/api/v1/auth/login",
                json={"email": f"victim{i % 5}@example.com", "password": f"wrong-guess-{i}"},
                timeout=120,
            )
            statuses.append(response.status_code)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.monotonic()
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(args.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        done.set()
        sampler.join()
        codes = {code: statuses.count(code) for code in sorted(set(statuses))}
        print(
            f"LOGIN-FLOOD src={args.src} loose={args.loose} concurrency={args.concurrency}: "
            f"worker RSS idle {idle / 1024:.0f} MiB, peak {peak / 1024:.0f} MiB "
            f"(+{(peak - idle) / 1024:.0f} MiB); answers {codes} in {elapsed:.1f} s"
        )
    finally:
        server.terminate()
        server.wait(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
