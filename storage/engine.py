"""The engine: SQLite files through ``sqlite+aiosqlite``, one thread trip per statement.

SQLAlchemy's aiosqlite adapter makes four trips to the connection's worker thread per
statement (open a cursor, execute, fetch, close). A use case mostly waits for those
trips, not for SQLite, so the adapter here does the whole statement in one trip, as
the app did before SQLAlchemy. Transactions are ours: the driver runs in autocommit
mode and the ``begin`` event sends ``BEGIN IMMEDIATE`` for writers, ``BEGIN`` for
readers (SQLAlchemy's documented recipe for pysqlite and aiosqlite).
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import immutabledict
from sqlalchemy.util.concurrency import await_

# Slack gives an interaction 3 s. Waiting for a free connection and then for SQLite's
# write lock share one budget: after it, a request answers politely ("busy, nothing
# changed") instead of letting Slack time out.
DEFAULT_BUSY_TIMEOUT_MS = 2000

WRITE = "addons_write"  # execution option: this connection's transactions write


async def configure(conn: aiosqlite.Connection, busy_timeout_ms: int) -> None:
    """The pragmas of every connection: WAL, synchronous=NORMAL, foreign keys on."""
    await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    await _write_ahead_log(conn, busy_timeout_ms)
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA foreign_keys = ON")


async def _write_ahead_log(conn: aiosqlite.Connection, busy_timeout_ms: int) -> None:
    """Switch the file to WAL. SQLite answers "locked" at once, without its busy handler,
    while another connection is switching it too (two processes opening a new file),
    so wait here for as long as the busy timeout would."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + busy_timeout_ms / 1000
    while True:
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or loop.time() > deadline:
                raise
            await asyncio.sleep(0.02)


def run_statement(
    driver: aiosqlite.Connection, operation: str, parameters: Any, many: bool
) -> tuple[Any, list[Any], int, int | None]:
    """One whole statement, in the connection's worker thread."""
    cursor = driver._conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A DBAPI cursor whose execute is one trip to aiosqlite's thread, rows included."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor is opened here: that alone would be a trip.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = immutabledict()
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        try:
            found = await_(
                self._connection._execute(
                    run_statement, self._connection, operation, parameters, many
                )
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid = found
        self._rows = collections.deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._trip(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._trip(operation, seq_of_parameters, many=True)


class _OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _OneTripCursor  # type: ignore[assignment]


class _OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite as SQLAlchemy's dialect sees it, with the one-trip cursor."""

    def connect(self, *arg: Any, **kw: Any) -> _OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return _OneTripConnection(self, adapted._connection)


def create_engine(path: str, pool_size: int, busy_timeout_ms: int) -> AsyncEngine:
    """An engine on the SQLite file ``path`` with ``pool_size`` configured connections.

    The pool never waits (``Database`` lets at most ``pool_size`` units of work in),
    and connections come back without a reset: every unit of work ends its own
    transaction, so the pool's extra ROLLBACK would be one more trip for nothing.
    """

    async def connect() -> aiosqlite.Connection:
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            await configure(conn, busy_timeout_ms)
        except BaseException:
            await conn.close()
            raise
        return conn

    engine = create_async_engine(
        "sqlite+aiosqlite:///" + path,
        module=_OneTripDbapi(aiosqlite, sqlite3),
        async_creator=connect,
        poolclass=AsyncAdaptedQueuePool,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=busy_timeout_ms / 1000,
        pool_reset_on_return=None,
    )
    event.listen(engine.sync_engine, "begin", _begin)
    return engine


def _begin(conn: Connection) -> None:
    """A writer takes SQLite's write lock at its start; a reader takes none."""
    write = conn.get_execution_options().get(WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
