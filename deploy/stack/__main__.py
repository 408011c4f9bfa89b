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
        static_root=Path(args.static_root),
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
    commands.add_parser("up", help="prepare data/stack and run the topology under honcho")
    commands.add_parser("system-deps", help="apt-get install what the stack needs, if missing")
    pg_run = commands.add_parser("pg-run", help="(Procfile) a postmaster in the foreground")
    pg_run.add_argument("datadir")
    app_run = commands.add_parser("app-run", help="(Procfile) one app instance")
    app_run.add_argument("index", type=int)
    commands.add_parser("compose-nginx", help="rewrite deploy/docker/nginx.conf")
    render = commands.add_parser("render-nginx", help="print the nginx config for given ports")
    render.add_argument("--listen", default="127.0.0.1:8080")
    render.add_argument("--upstream", action="append", required=True, help="host:port, repeat")
    render.add_argument("--prefix", required=True, help="runtime dir: pid, logs, temp")
    render.add_argument("--static-root", default=str(Path("frontend/dist").resolve()))
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
        if args.command == "compose-nginx":
            from stack.compose import write_nginx

            print(write_nginx())
            return 0
        from stack import up

        if args.command == "up":
            return up.up()
        if args.command == "pg-run":
            return up.pg_run(Path(args.datadir))
        if args.command == "app-run":
            return up.app_run(args.index)
    except StackError as exc:
        print(f"stack: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
