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
    return missing


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
    return missing
