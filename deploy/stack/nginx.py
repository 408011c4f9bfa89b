"""Render deploy/nginx/nginx.conf.template for given ports, and run nginx as our own process."""

from __future__ import annotations

import grp
import ipaddress
import math
import os
import pwd
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from string import Template
from typing import Any, ClassVar

from stack.proc import StackError
from stack.topology import REPO_ROOT

TEMPLATE_PATH = REPO_ROOT / "deploy" / "nginx" / "nginx.conf.template"


class _ConfTemplate(Template):
    # nginx uses $ for its own variables, so placeholders are @@{name}.
    delimiter = "@@"


@dataclass(frozen=True)
class EdgeLimits:
    """How much one nginx node holds and lets through (docs/operations.md, "Sizing for
    overload"); `make stack` reads them from NOTESTACK_STACK_EDGE_* (see `from_env`)."""

    worker_connections: int = 8192  # per nginx worker process
    backlog: int = 4096  # connections the kernel queues before nginx accepts them
    api_conn_per_ip: int = 128  # API requests in progress at once, per client address
    # API requests in progress at once per credential (bearer token or session cookie): one
    # client looping on many connections cannot hold every instance's slots (max_conns) while
    # the app's per-account budget answers it 429 one request at a time.
    api_conn_per_credential: int = 32
    api_rate_per_ip: str = "200r/s"
    api_burst_per_ip: int = 400
    # Requests nginx sends one instance at once, per worker process of the instance (0: no
    # bound). Past it on every instance, nginx answers 503 itself, at C speed: the instances
    # keep serving what they hold at full speed instead of drowning in connections.
    max_conns_per_worker: int = 48
    upstream_keepalive: int = 64  # idle connections each nginx worker keeps to the instances

    ENV_PREFIX: ClassVar[str] = "NOTESTACK_STACK_EDGE_"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> EdgeLimits:
        """NOTESTACK_STACK_EDGE_WORKER_CONNECTIONS, ..._API_RATE_PER_IP and so on."""
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = environ.get(cls.ENV_PREFIX + item.name.upper())
            if raw is None or not raw.strip():
                continue
            if item.type in (int, "int"):
                if not raw.strip().isdigit():
                    raise StackError(f"{cls.ENV_PREFIX}{item.name.upper()} must be a number")
                values[item.name] = int(raw)
            else:
                values[item.name] = raw.strip()
        limits = cls(**values)
        if not 1 <= limits.api_conn_per_ip < 65536:  # nginx's own bound
            raise StackError(f"{cls.ENV_PREFIX}API_CONN_PER_IP: from 1 to 65535")
        if not 1 <= limits.api_conn_per_credential < 65536:
            raise StackError(f"{cls.ENV_PREFIX}API_CONN_PER_CREDENTIAL: from 1 to 65535")
        if not re.fullmatch(r"[1-9][0-9]*r/[sm]", limits.api_rate_per_ip):
            raise StackError(f"{cls.ENV_PREFIX}API_RATE_PER_IP: a rate such as 200r/s or 600r/m")
        return limits

    @property
    def rlimit_nofile(self) -> int:
        return 2 * self.worker_connections + 1024


@dataclass(frozen=True)
class NginxConfig:
    listen: str  # "127.0.0.1:8080", or "8080" inside a container
    upstreams: tuple[str, ...]  # "host:port" of every app instance
    prefix: Path  # runtime directory: pid, logs, temp files
    app_workers: int = 1  # worker processes of each instance
    trusted_proxies: tuple[str, ...] = ()  # CIDRs allowed to set X-Forwarded-For
    worker_processes: str = "auto"
    auth_rate: str = "30r/m"
    auth_burst: int = 10
    limits: EdgeLimits = field(default_factory=lambda: EdgeLimits())
    max_fails: int = 1
    fail_timeout: str = "5s"
    upstream_keepalive_timeout: str = "4s"
    pid_path: str | None = None  # defaults under prefix
    error_log: str | None = None
    access_log: str | None = None
    temp_dir: str | None = None
    run_user: str | None = None  # worker user when the master runs as root; None = auto

    @property
    def logs_dir(self) -> Path:
        return self.prefix / "logs"

    def resolved_error_log(self) -> str:
        return self.error_log or str(self.logs_dir / "error.log")


def _user_line(cfg: NginxConfig) -> str:
    if cfg.run_user is not None:
        return f"user {cfg.run_user};" if cfg.run_user else ""
    if os.geteuid() != 0:
        return ""  # the `user` directive only means something to a root master
    for group in ("nogroup", "nobody"):
        try:
            grp.getgrnam(group)
        except KeyError:
            continue
        pwd.getpwnam("nobody")
        return f"user nobody {group};"
    return ""


def _real_ip_block(trusted: tuple[str, ...]) -> str:
    if not trusted:
        return "    # No trusted proxies configured: X-Forwarded-For from clients is ignored."
    lines = []
    for cidr in trusted:
        ipaddress.ip_network(cidr, strict=False)  # refuse garbage before nginx sees it
        lines.append(f"    set_real_ip_from {cidr};")
    lines += ["    real_ip_header X-Forwarded-For;", "    real_ip_recursive on;"]
    return "\n".join(lines)


def _seconds_per_request(rate: str) -> int:
    """The wait nginx's 429 advises: how long the zone takes to let one more request in."""
    count, _, unit = rate.partition("r/")
    per_second = float(count) / (60.0 if unit == "m" else 1.0)
    return max(1, math.ceil(1 / per_second))


def render(cfg: NginxConfig) -> str:
    if not cfg.upstreams:
        raise StackError("nginx needs at least one upstream")
    limits = cfg.limits
    per_instance = limits.max_conns_per_worker * cfg.app_workers
    max_conns = f" max_conns={per_instance}" if per_instance else ""
    servers = "\n".join(
        f"        server {addr} max_fails={cfg.max_fails} fail_timeout={cfg.fail_timeout}"
        f"{max_conns};"
        for addr in cfg.upstreams
    )
    values = {
        "user_line": _user_line(cfg),
        "worker_processes": cfg.worker_processes,
        "pid_path": cfg.pid_path or str(cfg.prefix / "nginx.pid"),
        "error_log": cfg.resolved_error_log(),
        "access_log": cfg.access_log or str(cfg.logs_dir / "access.log"),
        "temp_dir": cfg.temp_dir or str(cfg.prefix / "temp"),
        "real_ip": _real_ip_block(cfg.trusted_proxies),
        "auth_rate": cfg.auth_rate,
        "auth_burst": str(cfg.auth_burst),
        "auth_retry_after": str(_seconds_per_request(cfg.auth_rate)),
        "api_rate": limits.api_rate_per_ip,
        "api_burst": str(limits.api_burst_per_ip),
        "api_conn": str(limits.api_conn_per_ip),
        "api_conn_credential": str(limits.api_conn_per_credential),
        "worker_connections": str(limits.worker_connections),
        "rlimit_nofile": str(limits.rlimit_nofile),
        "backlog": str(limits.backlog),
        "upstream_keepalive": str(limits.upstream_keepalive),
        "upstream_servers": servers,
        "upstream_keepalive_timeout": cfg.upstream_keepalive_timeout,
        "listen": cfg.listen,
    }
    return _ConfTemplate(TEMPLATE_PATH.read_text(encoding="utf-8")).substitute(values)


def write(cfg: NginxConfig, path: Path | None = None) -> Path:
    """Render into `path` (default <prefix>/nginx.conf) and create the runtime directories."""
    for sub in (cfg.prefix, cfg.logs_dir, Path(cfg.temp_dir or cfg.prefix / "temp")):
        sub.mkdir(parents=True, exist_ok=True)
    target = path or cfg.prefix / "nginx.conf"
    target.write_text(render(cfg), encoding="utf-8")
    return target


def binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise StackError("nginx is not installed: run `make system-deps`")
    return found


def argv(cfg: NginxConfig, conf: Path) -> list[str]:
    """nginx in the foreground with everything under its own prefix."""
    return [
        binary(),
        "-p",
        str(cfg.prefix),
        "-c",
        str(conf),
        "-e",
        cfg.resolved_error_log(),
        "-g",
        "daemon off;",
    ]


def check(cfg: NginxConfig, conf: Path) -> str:
    """`nginx -t` on a rendered file; returns nginx's report, raises on a bad config."""
    result = subprocess.run(
        [binary(), "-t", "-p", str(cfg.prefix), "-c", str(conf), "-e", cfg.resolved_error_log()],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    report = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise StackError(f"nginx -t failed:\n{report}")
    return report
