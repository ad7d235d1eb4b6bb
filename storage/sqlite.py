"""SQLite: everything that differs on a SQLite file, through ``sqlite+aiosqlite``.

The engine and its pragmas (WAL, synchronous=NORMAL, foreign keys), how a transaction
starts (the driver runs in autocommit mode and the ``begin`` event sends ``BEGIN
IMMEDIATE`` for writers, ``BEGIN`` for readers: SQLAlchemy's documented recipe for
pysqlite and aiosqlite), a pooled connection's executor (the fast path of
``storage.sqlite_fast`` where its internals are there) and how long it waits for the
write lock, and which of SQLite's errors mean what to the ports (``translate``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from storage import sqlite_fast
from storage.errors import StorageBusy, StorageError, one_line
from storage.executor import SqlAlchemyExecutor
from storage.pool import Pooled

logger = logging.getLogger("addons.storage")

# Slack gives an interaction 3 s. Waiting for a free connection and then for SQLite's
# write lock share one budget: after it, a request answers politely ("busy, nothing
# changed") instead of letting Slack time out.
DEFAULT_BUSY_TIMEOUT_MS = 2000

WRITE = "addons_write"  # execution option: this connection's transactions write


@cache
def fast_path_refused() -> str | None:
    """Why this installation cannot take the fast path (logged once); None if it can."""
    reason = sqlite_fast.missing_internals()
    if reason is not None:
        logger.warning("SQLite fast path off, SQLAlchemy's own path instead: %s", reason)
    return reason


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


def create_engine(path: str, pool_size: int, busy_timeout_ms: int) -> AsyncEngine:
    """An engine on the SQLite file ``path`` with ``pool_size`` configured connections.

    The pool never waits (``Database`` lets at most ``pool_size`` units of work in),
    and connections come back without a reset: every unit of work ends its own
    transaction, so the pool's extra ROLLBACK would be one more trip for nothing.
    """

    async def connect() -> aiosqlite.Connection:
        conn = await sqlite_fast.connect(path)
        try:
            await configure(conn, busy_timeout_ms)
        except BaseException:
            await conn.close()
            raise
        return conn

    fast: dict[str, Any] = {}
    if fast_path_refused() is None:
        fast["module"] = sqlite_fast.one_trip_dbapi()
    engine = create_async_engine(
        "sqlite+aiosqlite:///" + path,
        async_creator=connect,
        poolclass=AsyncAdaptedQueuePool,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=busy_timeout_ms / 1000,
        pool_reset_on_return=None,
        **fast,
    )
    event.listen(engine.sync_engine, "begin", _begin)
    return engine


def _begin(conn: Connection) -> None:
    """A writer takes SQLite's write lock at its start; a reader takes none."""
    write = conn.get_execution_options().get(WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class SqliteSqlAlchemyExecutor(SqlAlchemyExecutor):
    """SQLAlchemy's own path on SQLite: the begin event must know whether the transaction
    writes, so a writer takes the write lock at its start (``BEGIN IMMEDIATE``) as on
    the fast path; the pooled connections come from the plain engine, whose option says
    nothing of it."""

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)
        self._mode: bool | None = None  # the mode the connection's option says

    async def begin(self, write: bool) -> None:
        """Start a writer (``BEGIN IMMEDIATE``: the write lock now) or a reader."""
        if self._mode is not write:
            await self._conn.execution_options(**{WRITE: write})
            self._mode = write
        await self._conn.begin()


async def pooled(conn: AsyncConnection, fast: bool, lock_wait_ms: int) -> Pooled:
    """A pooled connection: the fast path's executor if asked for and possible."""
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, aiosqlite.Connection)
    if fast and fast_path_refused() is None and hasattr(driver, "_conn"):
        fast_executor = sqlite_fast.SqliteExecutor(driver, conn.dialect)
        return Pooled(conn, fast_executor, lock_wait_ms, fast_executor.set_lock_wait)

    async def set_lock_wait(ms: int) -> None:
        await driver.execute_fetchall(f"PRAGMA busy_timeout = {int(ms)}")

    return Pooled(conn, SqliteSqlAlchemyExecutor(conn), lock_wait_ms, set_lock_wait)


async def after_failed_open() -> None:
    """aiosqlite stops a connection that failed to open on its worker thread, which then
    reports back to this loop: give it a moment, so the loop may close right after."""
    await asyncio.sleep(0.1)


@asynccontextmanager
async def migrating(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection to migrate on: its begin takes the write lock."""
    async with engine.execution_options(**{WRITE: True}).connect() as conn:
        yield conn


def _driver_error(error: BaseException) -> BaseException:
    if isinstance(error, DBAPIError) and isinstance(error.orig, BaseException):
        return error.orig
    return error


def is_busy(error: BaseException) -> bool:
    """SQLite gave up waiting for a lock another connection holds."""
    error = _driver_error(error)
    message = str(error)
    return isinstance(error, sqlite3.OperationalError) and (
        "locked" in message or "busy" in message
    )


def translate(error: BaseException) -> StorageError | None:
    """What SQLite's ``error`` is to the ports (None: it is not SQLite's)."""
    error = _driver_error(error)
    if not isinstance(error, sqlite3.Error):
        return None
    if is_busy(error):
        return StorageBusy("the database is busy; please try again")
    return StorageError(one_line(error))
