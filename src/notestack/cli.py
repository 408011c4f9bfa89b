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


def _maintain(args: argparse.Namespace) -> int:
    import asyncio

    from notestack.maintenance import maintain, maintain_forever

    settings = get_settings()
    if args.every:
        asyncio.run(maintain_forever(settings, args.every))
        return 0
    tally = asyncio.run(maintain(settings))
    if tally.skipped_locked:
        print("maintain: another run holds the lock; nothing to do")  # noqa: T201
    else:
        print(  # noqa: T201
            f"maintain: {tally.trash_purged} notes purged from the trash, "
            f"{tally.events_dropped} old events and {tally.idempotency_dropped} idempotency "
            "records dropped"
        )
    return 0


def _import_original(args: argparse.Namespace) -> int:
    import asyncio

    from notestack.transfer.original import import_original

    report = asyncio.run(import_original(get_settings(), Path(args.users), Path(args.notes)))
    for problem in report.errors:
        print(f"import-original: {problem}", file=sys.stderr)  # noqa: T201
    print(  # noqa: T201
        f"import-original: users {report.users_created} created, {report.users_skipped} "
        f"already here; notes {report.notes_created} created, {report.notes_skipped} already "
        f"here; {len(report.errors)} records refused"
    )
    return 1 if report.errors else 0


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

    maintain = commands.add_parser(
        "maintain",
        help="purge the trash past its retention, drop old events and idempotency records",
        description=(
            "Housekeeping, safe to run on many instances at once (one runs at a time). Notes "
            "in the trash longer than NOTESTACK_TRASH_RETENTION_DAYS are deleted for good."
        ),
    )
    maintain.add_argument(
        "--every", type=float, default=0, help="run again every this many seconds (0: once)"
    )
    maintain.set_defaults(handler=_maintain)

    original = commands.add_parser(
        "import-original",
        help="migrate an original NoteStack deployment from mongoexport files",
        description=(
            "Users keep their passwords (bcrypt, rehashed to argon2id at their first sign-in) "
            "and their notes, with times and 24-hex ids. A rerun adds nothing; bad records "
            "are reported by line and the rest go on."
        ),
    )
    original.add_argument("--users", required=True, help="mongoexport of the users collection")
    original.add_argument("--notes", required=True, help="mongoexport of the notes collection")
    original.set_defaults(handler=_import_original)

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
