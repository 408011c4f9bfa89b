"""The ``notestack`` command: serve the API, apply migrations."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from notestack.core.settings import Settings, get_settings

DESCRIPTION = """NoteStack: a notes-and-tasks service.

Configuration comes only from NOTESTACK_* environment variables (see README). Without any, it
runs on the embedded default: SQLite in ./data, a secret key generated once in ./data."""


def _serve(args: argparse.Namespace) -> int:
    from notestack.server import run_server

    settings = get_settings()
    return run_server(
        settings,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # The embedded default (SQLite under ./data) keeps its own schema up to date.
        migrate_first=args.migrate or settings.is_embedded_default,
    )


def _migrate(_args: argparse.Namespace) -> int:
    from notestack.migrations.runner import upgrade_to_head

    settings = get_settings()
    upgrade_to_head(settings)
    print(f"database is at the latest schema: {_redact(settings)}")  # noqa: T201
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from notestack.app import openapi_document

    text = json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _redact(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="notestack",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve the API and web client with a supervising master and N worker processes",
        description=(
            "Serve NoteStack with gunicorn: a master process that restarts crashed workers, and N "
            "uvicorn worker processes. On SIGTERM, /readyz turns to 503 ('draining'), the "
            "listening socket closes after NOTESTACK_DRAIN_SECONDS, in-flight requests finish, "
            "then the process exits."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.add_argument(
        "--workers",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="worker processes (default: CPU count, at most 4)",
    )
    serve.add_argument(
        "--migrate",
        action="store_true",
        help="apply database migrations before serving",
    )
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser(
        "migrate",
        help="apply database migrations up to the latest schema",
        description="Apply every Alembic migration not yet applied to NOTESTACK_DATABASE_URL.",
    )
    migrate.set_defaults(handler=_migrate)

    openapi = commands.add_parser(
        "openapi",
        help="print the OpenAPI document of the API (the web client's types are generated from it)",
        description="Write the OpenAPI document as JSON, without a database or a running server.",
    )
    openapi.add_argument("--output", help="write to this file instead of standard output")
    openapi.set_defaults(handler=_openapi)
    return parser


def _describe(exc: ValueError) -> str:
    """A configuration error in words, never echoing the value refused (a secret key)."""
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'settings'}: "
            f"{error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors(include_input=False, include_url=False)
        )
    return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except ValueError as exc:
        print(f"notestack: configuration error: {_describe(exc)}", file=sys.stderr)  # noqa: T201
        return 2
    return result


if __name__ == "__main__":
    raise SystemExit(main())
