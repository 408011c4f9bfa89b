"""Prebuilt statements run as the driver's own SQL, compiled once per process.

Executing a Core statement, SQLAlchemy computes the statement's cache key, finds its compiled
form and builds a result that runs each value through its column's type, on every call: for a
page of 50 notes that was a third of an uncached list's CPU. The hottest reads use statements
built once per process (the list's, one per shape; the revocation check); ``fetch_rows``
compiles each once and runs it with ``exec_driver_sql``. That is the same SQL and the same
error handling (a dead connection is still invalidated and raised as a ``DBAPIError``, which
core/reads.py retries on), without the per-call work.

Values on the way in still go through their types' bind processors (a naive datetime is still
refused). Values on the way out are the driver's: on PostgreSQL, asyncpg's are what the types
would give (``uuid.UUID``, timezone-aware UTC datetimes, ``str``, ``int``, ``float``). SQLite's
are not (naive datetimes), so there a statement runs the usual way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

from notestack.core.database import ReadSession

DRIVER_SQL_DIALECTS = frozenset({"postgresql"})


@dataclass(frozen=True, slots=True)
class _DriverStatement:
    sql: str
    compiled: SQLCompiler
    names: tuple[str, ...]  # the bind parameters, in the order of the SQL's placeholders
    processors: tuple[Callable[[Any], Any] | None, ...]

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional values; a parameter without a value is an error (SQLAlchemy's)."""
        given = self.compiled.construct_params(values)
        return tuple(
            given[name] if process is None else process(given[name])
            for name, process in zip(self.names, self.processors, strict=True)
        )


@functools.lru_cache(maxsize=1024)
def _driver_statement(statement: Select[Any], dialect: Dialect) -> _DriverStatement:
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    if compiled.post_compile_params or compiled.literal_execute_params:
        raise ValueError("a statement with values rendered per call cannot be prebuilt")
    names = tuple(compiled.positiontup or ())
    processors = tuple(compiled.binds[name].type.bind_processor(dialect) for name in names)
    return _DriverStatement(str(compiled), compiled, names, processors)


async def fetch_rows(
    session: ReadSession, statement: Select[Any], values: Mapping[str, Any]
) -> Sequence[Row[Any]]:
    """Every row of ``statement`` (built once per process, not per call: compiled forms are
    kept by the statement's identity) with ``values``."""
    dialect = session.get_bind().dialect
    if dialect.name not in DRIVER_SQL_DIALECTS:
        usual: Sequence[Row[Any]] = (await session.execute(statement, values)).all()
        return usual
    prepared = _driver_statement(statement, dialect)
    connection = await session.connection()
    result = await connection.exec_driver_sql(prepared.sql, prepared.parameters(values))
    rows: Sequence[Row[Any]] = result.all()
    return rows
