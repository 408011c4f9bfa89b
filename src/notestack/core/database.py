"""Engines and sessions: one write engine (the primary) and read engines (replicas or primary).

The two session classes make the read/write split visible to the type checker: a repository
method that writes takes a ``WriteSession``; one that only reads takes a ``ReadSession``
(a ``WriteSession`` is also a ``ReadSession``, so a write path may read its own writes).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session

from notestack.core.settings import Settings
from notestack.core.text import fold

SQLITE_BUSY_TIMEOUT_MS = 30_000


class ReadSession(AsyncSession):
    """A session whose queries may be served by a read replica."""


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """A change of one of a user's notes, as their other devices hear of it: ``seq`` counts
    the user's events (in commit order), ``data`` is the event's JSON body."""

    type: str  # "note.created", "note.updated", "note.deleted", ...
    seq: int
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Change:
    """What a committed write means beyond the database: whose data changed (their cached
    reads are orphaned, their write position recorded) and, optionally, the event to send."""

    owner: uuid.UUID
    event: ChangeEvent | None = None


class WriteSession(ReadSession):
    """A session on the primary; the only kind that may change data.

    Each write declares what it changed (``record_change``), or registers the effect it needs
    (``after_commit``). The request's unit of work (core/effects.py) carries these out once
    the transaction has committed, and drops them on rollback. A write that declared nothing
    is caught there too: the cache then trusts nothing it holds (never a stale read).
    """

    def record_change(self, owner: uuid.UUID, event: ChangeEvent | None = None) -> None:
        self.info.setdefault(_CHANGES, []).append(Change(owner, event))

    def changes_no_user_data(self) -> None:
        """Declare that this transaction's writes touch nobody's notes or account (the
        service's own housekeeping): no cached read depends on them."""
        self.info[_HOUSEKEEPING] = True

    def after_commit(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run ``hook`` once this request's transaction has committed, before the response."""
        self.info.setdefault(_AFTER_COMMIT, []).append(hook)

    @property
    def wrote(self) -> bool:
        """Whether any INSERT, UPDATE or DELETE ran since the last ``take_effects``."""
        return bool(self.info.get(_WROTE))

    def take_effects(self) -> tuple[list[Change], list[Callable[[], Awaitable[None]]], bool]:
        """The declared changes, hooks and whether anything was written; then forget them."""
        changes = self.info.pop(_CHANGES, [])
        hooks = self.info.pop(_AFTER_COMMIT, [])
        wrote = bool(self.info.pop(_WROTE, False)) and not self.info.pop(_HOUSEKEEPING, False)
        return changes, hooks, wrote

    def discard_effects(self) -> None:
        self.take_effects()


_AFTER_COMMIT = "notestack.after_commit"
_CHANGES = "notestack.changes"
_WROTE = "notestack.wrote"
_HOUSEKEEPING = "notestack.housekeeping"


class _WriteSyncSession(Session):
    """The synchronous session under a ``WriteSession``: notices every write it runs."""


@event.listens_for(_WriteSyncSession, "do_orm_execute")
def _notice_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(_WriteSyncSession, "after_flush")
def _notice_flush(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """SQL functions NoteStack's SQLite schema calls: ``notestack_fold``, which the triggers
    that keep the full-text index in step feed the notes' text through (migration 0005), so
    the index folds text exactly as search words are folded. Every connection that may write
    notes needs it (the app's engines and the migrations'); a plain ``sqlite3`` shell that
    changes a note's text gets "no such function"."""
    dbapi_connection.create_function("notestack_fold", 1, fold, deterministic=True)


def _configure_sqlite(engine: AsyncEngine, *, immediate: bool) -> None:
    """WAL, a busy timeout and (for writers) BEGIN IMMEDIATE.

    A deferred transaction that reads and then writes cannot wait for a concurrent writer: SQLite
    answers "database is locked" at once. Taking the write lock at BEGIN makes writers queue on
    the busy timeout instead, so several worker processes can write at the same time.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        register_sqlite_functions(dbapi_connection)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def prepare_sqlite_file(url: str) -> None:
    """Create a SQLite database file, if the URL names one that does not exist yet, readable
    by its owner only: it holds everyone's notes (SQLite gives its -wal and -shm files the
    same permissions)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    if parsed.database == ":memory:":
        return
    path = Path(parsed.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


# Whether a pool checkout in this task first makes sure the connection is alive. Everything
# pings but the read path (core/reads.py), which instead makes a read again, once, on a new
# connection when its connection turns out dead: a read may run twice, a write may not.
_ping_on_checkout: ContextVar[bool] = ContextVar("notestack_ping_on_checkout", default=True)


def _ping_checkouts(engine: AsyncEngine) -> None:
    """One bare ``;`` on a pooled connection before it is handed out (unless the read path
    asked not to). SQLAlchemy's ``pool_pre_ping`` costs three round trips on asyncpg (BEGIN,
    the ping, ROLLBACK); this is one. A connection that fails it is replaced by the pool."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if not _ping_on_checkout.get():
            return
        try:
            dbapi_connection.run_async(lambda driver_connection: driver_connection.fetchrow(";"))
        except Exception as exc:
            raise DisconnectionError(f"pooled connection failed its ping: {exc!r}") from exc


def create_engine(url: str, settings: Settings, *, writer: bool) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        prepare_sqlite_file(url)
        pooled = parsed.database not in (None, "", ":memory:")  # in memory: one connection
        engine = create_async_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_pre_ping=False,
            **({"pool_timeout": settings.database_pool_timeout_seconds} if pooled else {}),
        )
        _configure_sqlite(engine, immediate=writer)
        return engine
    engine = create_async_engine(
        url,
        # Every connection is kept once opened: an overflow beyond a smaller kept pool was
        # closed at each check-in and opened again under load (a new PostgreSQL backend for
        # one request in twenty of an uncached list, which then served 1.4x fewer).
        pool_size=settings.database_pool_size,
        max_overflow=0,
        pool_timeout=settings.database_pool_timeout_seconds,
        pool_recycle=1800,
        connect_args={
            "timeout": settings.database_connect_timeout_seconds,
            # Bounds every statement, and a commit waiting for the synchronous standby.
            "command_timeout": settings.database_command_timeout_seconds,
        },
    )
    _ping_checkouts(engine)
    return engine


def _reading(engine: AsyncEngine) -> AsyncEngine:
    """The engine read sessions use: on PostgreSQL in autocommit, so a read is its statements
    alone, without a BEGIN and a ROLLBACK round trip around them. Nothing is lost by it: at
    READ COMMITTED, the level reads had, each statement already took its own snapshot. (The
    pool is shared with the writers; the isolation level is the driver's flag, reset at
    checkin.) SQLite keeps its explicit BEGIN: its reads need the one snapshot of the WAL."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


class Database:
    """The process's engines and session factories."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.write_engine = create_engine(settings.database_url, settings, writer=True)
        if settings.is_sqlite:
            self.primary_read_engine = create_engine(settings.database_url, settings, writer=False)
        else:
            self.primary_read_engine = self.write_engine
        self.replica_engines = [
            create_engine(url, settings, writer=False) for url in settings.database_replica_urls
        ]
        self._write_sessions = async_sessionmaker(
            self.write_engine,
            class_=WriteSession,
            sync_session_class=_WriteSyncSession,
            expire_on_commit=False,
        )
        self._read_sessions = {
            id(engine): async_sessionmaker(
                _reading(engine), class_=ReadSession, expire_on_commit=False
            )
            for engine in [self.primary_read_engine, *self.replica_engines]
        }

    def write_session(self) -> WriteSession:
        return self._write_sessions()

    def read_session(self, engine: AsyncEngine | None = None) -> ReadSession:
        return self._read_sessions[id(engine or self.primary_read_engine)]()

    @contextlib.asynccontextmanager
    async def read_session_without_ping(
        self, engine: AsyncEngine | None = None
    ) -> AsyncIterator[ReadSession]:
        """A read session whose connection is handed out without a ping: for a read its caller
        makes again, on a new connection, when the connection turns out dead (core/reads.py).
        (The pool discards every connection as old as a dead one, so the next is new.)"""
        token = _ping_on_checkout.set(False)
        try:
            async with self.read_session(engine) as session:
                yield session
        finally:
            _ping_on_checkout.reset(token)

    async def dispose(self) -> None:
        engines = {id(e): e for e in [self.write_engine, self.primary_read_engine]}
        engines.update({id(e): e for e in self.replica_engines})
        for engine in engines.values():
            await engine.dispose()
