"""Install the Debian packages the stack runs on, only when they are missing."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

APT_LISTS = Path("/var/lib/apt/lists")
REPO_ROOT = Path(__file__).resolve().parents[2]
# Patroni runs from its own venv on Debian's python3 (see requirements/patroni.lock for why
# not Debian's 3.0.2); the postgres user must be able to run it, so not under /root.
PATRONI_VENV = REPO_ROOT / ".venv-patroni"
PATRONI_LOCK = REPO_ROOT / "requirements" / "patroni.lock"
SYSTEM_PYTHON = "/usr/bin/python3"


def missing_packages() -> list[str]:
    missing = []
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        missing.append("nginx")
    if not shutil.which("wrk"):
        missing.append("wrk")
    if not shutil.which("redis-server"):
        missing.append("redis-server")
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        missing.append("postgresql")
    # The high-availability parts (issue 9): Patroni 3.0, etcd 3.4, HAProxy, Redis Sentinel.
    for command, package in (
        ("patroni", "patroni"),
        ("etcd", "etcd-server"),
        ("etcdctl", "etcd-client"),
        ("haproxy", "haproxy"),
        ("redis-sentinel", "redis-sentinel"),
    ):
        if not (shutil.which(command) or Path(f"/usr/sbin/{command}").exists()):
            missing.append(package)
    # The pinned Patroni's venv (ensure_patroni) needs Debian's venv support.
    ensurepip = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import ensurepip"], capture_output=True, check=False
    )
    if ensurepip.returncode != 0:
        missing.append("python3-venv")
    return missing


def pinned_patroni() -> str:
    for line in PATRONI_LOCK.read_text(encoding="utf-8").splitlines():
        if line.startswith("patroni=="):
            return line.split("==", 1)[1].strip()
    raise SystemExit(f"no patroni== line in {PATRONI_LOCK}")


def patroni_ready() -> bool:
    """The pinned Patroni is installed in PATRONI_VENV."""
    exe = PATRONI_VENV / "bin" / "patroni"
    if not exe.exists():
        return False
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    return result.stdout.split()[-1:] == [pinned_patroni()]


def ensure_patroni(quiet: bool = False) -> None:
    if patroni_ready():
        return
    print(f"system-deps: Patroni {pinned_patroni()} into {PATRONI_VENV}", file=sys.stderr)
    subprocess.run(
        [SYSTEM_PYTHON, "-m", "venv", "--system-site-packages", "--clear", str(PATRONI_VENV)],
        check=True,
    )
    pip = [str(PATRONI_VENV / "bin" / "pip"), "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "--quiet", "--no-deps", "-r", str(PATRONI_LOCK)], check=True)
    if not patroni_ready():
        raise SystemExit("system-deps: Patroni did not install")


def _apt(args: list[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for attempt in range(30):  # another apt may hold the lock for a while
        result = subprocess.run(["apt-get", *args], env=env, check=False)
        if result.returncode == 0:
            return
        if attempt < 29:
            time.sleep(5)
    raise SystemExit(f"apt-get {' '.join(args)} failed")


def _lists_fresh() -> bool:
    return any(APT_LISTS.glob("*_Packages*"))


def ensure(quiet: bool = False) -> list[str]:
    """apt-get install what is missing (apt-get update first only without package lists)."""
    missing = missing_packages()
    if not missing:
        ensure_patroni(quiet)
        if not quiet:
            print("system-deps: nginx, wrk, Redis, PostgreSQL, Patroni, etcd, HAProxy are present")
        return []
    if os.geteuid() != 0:
        raise SystemExit(f"system-deps: missing {missing}; run as root: apt-get install {missing}")
    print(f"system-deps: installing {' '.join(missing)}", file=sys.stderr)
    if not _lists_fresh():
        _apt(["update", "-qq"])
    try:
        _apt(["install", "-y", "-qq", "--no-install-recommends", *missing])
    except SystemExit:
        _apt(["update", "-qq"])  # stale lists: refresh once and try again
        _apt(["install", "-y", "-qq", "--no-install-recommends", *missing])
    ensure_patroni(quiet)
    return missing
