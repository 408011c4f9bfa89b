"""supervisord: the one process that starts, restarts and stops every part of the stack.

A program that exits is started again (`autorestart`); one that dies again before it has run
`startsecs` is retried with a back-off of 1, 2, 3... seconds (supervisord's BACKOFF state);
the others keep running meanwhile. SIGTERM or Ctrl-C to supervisord stops every program, in
the reverse order of `priority` (nginx first, etcd last).
"""

from __future__ import annotations

import shlex
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RPC_TIMEOUT_SECONDS = 10.0


@dataclass
class Program:
    name: str
    command: list[str]
    priority: int
    user: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    directory: str | None = None
    startsecs: int = 3
    startretries: int = 10
    stopsignal: str = "TERM"
    stopwaitsecs: int = 15
    stopasgroup: bool = True  # signal the whole process group (a program and its children)


def _env_line(env: dict[str, str]) -> str:
    # supervisord's syntax: KEY="value",KEY2="value2" (quotes and % escaped)
    def quote(value: str) -> str:
        return '"' + value.replace("%", "%%").replace('"', '\\"') + '"'

    return ",".join(f"{key}={quote(value)}" for key, value in sorted(env.items()))


def render(programs: list[Program], *, run_dir: Path, logs_dir: Path, log_to_stdout: bool) -> str:
    socket = run_dir / "supervisor.sock"
    main_log = "/dev/stdout" if log_to_stdout else str(logs_dir / "supervisord.log")
    lines = [
        "; supervisord for the NoteStack stack (rendered by deploy/stack/supervisor.py).",
        "[unix_http_server]",
        f"file={socket}",
        "chmod=0700",
        "",
        "[supervisord]",
        "nodaemon=true",
        f"logfile={main_log}",
        "logfile_maxbytes=0" if log_to_stdout else "logfile_maxbytes=10MB",
        f"pidfile={run_dir / 'supervisord.pid'}",
        f"childlogdir={logs_dir}",
        "loglevel=info",
        "minfds=4096",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{socket}",
    ]
    for program in programs:
        lines += [
            "",
            f"[program:{program.name}]",
            "command=" + shlex.join(program.command).replace("%", "%%"),
            f"priority={program.priority}",
            "autostart=true",
            "autorestart=true",
            f"startsecs={program.startsecs}",
            f"startretries={program.startretries}",
            f"stopsignal={program.stopsignal}",
            f"stopwaitsecs={program.stopwaitsecs}",
            f"stopasgroup={'true' if program.stopasgroup else 'false'}",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={logs_dir / (program.name + '.log')}",
            "stdout_logfile_maxbytes=20MB",
            "stdout_logfile_backups=2",
        ]
        if program.user:
            lines.append(f"user={program.user}")
        if program.directory:
            lines.append(f"directory={program.directory}")
        if program.environment:
            lines.append("environment=" + _env_line(program.environment))
    return "\n".join(lines) + "\n"


# -- a client of the running supervisord (what `supervisorctl` does) -----------------------
class Client:
    """XML-RPC over supervisord's Unix socket."""

    def __init__(self, socket: Path) -> None:
        from supervisor.xmlrpc import SupervisorTransport

        transport = SupervisorTransport(None, None, serverurl=f"unix://{socket}")
        transport.timeout = RPC_TIMEOUT_SECONDS
        self._proxy = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)

    @property
    def rpc(self) -> Any:
        return self._proxy.supervisor

    def state(self) -> str:
        return str(self.rpc.getState()["statename"])

    def processes(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.rpc.getAllProcessInfo()
        return result

    def process(self, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self.rpc.getProcessInfo(name)
        return result

    def pid(self, name: str) -> int:
        return int(self.process(name)["pid"])

    def stop(self, name: str) -> None:
        self.rpc.stopProcess(name, True)

    def start(self, name: str) -> None:
        self.rpc.startProcess(name, True)
