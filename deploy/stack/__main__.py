"""`python -m stack COMMAND` (with deploy/ on PYTHONPATH); see deploy/stack/up.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from stack.proc import StackError


def _render_nginx(args: argparse.Namespace) -> int:
    from stack import nginx

    cfg = nginx.NginxConfig(
        listen=args.listen,
        upstreams=tuple(args.upstream),
        prefix=Path(args.prefix),
        trusted_proxies=tuple(args.trusted_proxy),
    )
    text = nginx.render(cfg)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="render the configs and run the topology under supervisord")
    commands.add_parser("status", help="every process, the Patroni leader, the Redis primary")
    commands.add_parser("system-deps", help="apt-get install what the stack needs, if missing")
    app_run = commands.add_parser("app-run", help="(supervisor) one app instance")
    app_run.add_argument("index", type=int)
    redis_run = commands.add_parser("redis-run", help="(supervisor) one Redis server")
    redis_run.add_argument("index", type=int)
    commands.add_parser("compose-nginx", help="rewrite deploy/docker/nginx.conf")
    commands.add_parser("compose-configs", help="rewrite deploy/docker's rendered configs")
    render = commands.add_parser("render-nginx", help="print the nginx config for given ports")
    render.add_argument("--listen", default="127.0.0.1:8080")
    render.add_argument("--upstream", action="append", required=True, help="host:port, repeat")
    render.add_argument("--prefix", required=True, help="runtime dir: pid, logs, temp")
    render.add_argument("--trusted-proxy", action="append", default=[], help="CIDR, repeat")
    render.add_argument("--output")
    args = parser.parse_args(argv)

    try:
        if args.command == "system-deps":
            from stack.system import ensure

            ensure()
            return 0
        if args.command == "render-nginx":
            return _render_nginx(args)
        if args.command in ("compose-nginx", "compose-configs"):
            from stack.compose import write_all

            for path in write_all():
                print(path)
            return 0
        if args.command == "status":
            from stack.status import status

            return status()
        from stack import up

        if args.command == "up":
            return up.up()
        if args.command == "app-run":
            return up.app_run(args.index)
        if args.command == "redis-run":
            return up.redis_run(args.index)
    except StackError as exc:
        print(f"stack: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
