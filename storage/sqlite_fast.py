"""SQLite's fast path: a unit of work's statements without a trip to aiosqlite's worker
thread each.

SQLAlchemy's execution path (greenlet, execution context, result objects, four trips to
aiosqlite's thread per statement) costs about as much per statement as SQLite itself on
this app's small statements, and a booking is a dozen statements. So on SQLite:
- ``SqliteExecutor`` runs each Core statement compiled once (``storage.compiled``) on
  the event loop's thread; only what may wait crosses to aiosqlite's thread (a
  writer's COMMIT, and its BEGIN IMMEDIATE when another connection holds the lock);
- ``one_trip_dbapi`` gives SQLAlchemy's own path (migrations, slack_sdk's stores) a
  cursor that also runs a statement in one trip.

Both use private internals of aiosqlite (``Connection._execute``, ``._conn``) and of
SQLAlchemy (its aiosqlite adapter classes, compiled statements' ``_result_columns``,
types' cached processors). They are fenced: the versions are pinned in pyproject.toml
(``TESTED`` says which), and ``missing_internals`` checks at start-up that what is used
is there; if anything is missing, ``storage.sqlite`` (and ``storage.postgres``) fall
back to SQLAlchemy's own path (slower, same results) and log why once. What a fast path
refuses to run: ``storage.compiled``.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy import Dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.sql import Executable

from storage.compiled import compiler_for, compiler_internals
from storage.errors import StorageError
from storage.executor import Params, Written, exactly_one
from storage.sqlite_statement import run_statement

# The versions the fast path was tested with (pyproject.toml pins the same ranges):
# (lowest, first version not allowed), as tuples of ints.
TESTED = {"sqlalchemy": ((2, 1), (2, 2)), "aiosqlite": ((0, 20), (0, 23))}


def _version(package: str) -> tuple[int, ...]:
    text = importlib.metadata.version(package)
    parts = []
    for part in text.split(".")[:3]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def missing_internals() -> str | None:
    """What the fast path needs and does not find here, in a few words; None if all is
    there (the versions tested, and every private name it uses)."""
    for package, (low, high) in TESTED.items():
        found = _version(package)
        if not low <= found < high:
            return f"{package} {'.'.join(map(str, found))} is not a tested version"
    try:
        from sqlalchemy.dialects.sqlite import aiosqlite as adapter
        from sqlalchemy.util import concurrency
    except ImportError as error:
        return f"SQLAlchemy's aiosqlite adapter changed ({error})"
    needed = {
        "aiosqlite.Connection._execute": hasattr(aiosqlite.Connection, "_execute"),
        "await_": hasattr(concurrency, "await_"),
        "AsyncAdapt_aiosqlite_connection._cursor_cls": hasattr(
            getattr(adapter, "AsyncAdapt_aiosqlite_connection", None), "_cursor_cls"
        ),
        "AsyncAdapt_aiosqlite_connection._handle_exception": hasattr(
            getattr(adapter, "AsyncAdapt_aiosqlite_connection", None), "_handle_exception"
        ),
        "AsyncAdapt_aiosqlite_cursor": hasattr(adapter, "AsyncAdapt_aiosqlite_cursor"),
        "AsyncAdapt_aiosqlite_dbapi": hasattr(adapter, "AsyncAdapt_aiosqlite_dbapi"),
    }
    needed.update(compiler_internals(sqlite_dialect.dialect()))
    missing = [name for name, there in needed.items() if not there]
    return f"missing {', '.join(missing)}" if missing else None


async def connect(path: str) -> aiosqlite.Connection:
    """A connection in autocommit mode (the executor sends BEGIN itself) that statements
    may use from the event loop's thread as well as from aiosqlite's: ``SqliteExecutor``
    needs one of these."""
    return await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)


def one_trip_dbapi() -> Any:
    """aiosqlite as SQLAlchemy's dialect sees it, with a cursor that runs a statement in
    one trip (call only after ``missing_internals()`` found nothing missing: the module
    it comes from imports SQLAlchemy's private adapter classes)."""
    from storage.sqlite_one_trip import OneTripDbapi

    return OneTripDbapi(aiosqlite, sqlite3)


class SqliteExecutor:
    """Statements compiled once and run on the event loop's thread, at most two trips to
    aiosqlite's thread per unit of work: a writer's BEGIN IMMEDIATE when another
    connection holds the write lock (it may wait for it; a free lock is taken here,
    without waiting) and its COMMIT (it may checkpoint the write-ahead log, which
    flushes to disk). Everything between runs here: the writer holds the write
    lock, so none of it waits, and a reader in WAL mode takes no lock (only while another
    connection recovers the log after a crash could a reader's statement wait, up to the
    lock wait). The connection must come from ``connect``."""

    def __init__(self, driver: aiosqlite.Connection, dialect: Dialect) -> None:
        self._driver = driver
        self._compiler = compiler_for(dialect)
        self.dialect_name = dialect.name
        self._writing = False
        self._in_flight = False
        self._closed = False
        self._lock_wait_ms: int | None = None  # the busy handler's wait, once read

    def close(self) -> None:
        """Run nothing more here: the database is closing this connection in aiosqlite's
        thread, and a statement on this thread meanwhile would use it as it closes."""
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("the database is closed")

    @property
    def row_locks(self) -> bool:
        """SQLite locks the whole file for a writer: no row locks."""
        return False

    async def _there(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` in aiosqlite's thread. A trip whose waiting was cancelled
        still runs there, so until one completes, everything queues behind it."""
        self._check_open()
        self._in_flight = True
        try:
            found = await _trip(self._driver, fn, *args)
        except asyncio.CancelledError:
            raise
        except BaseException:
            self._in_flight = False
            raise
        self._in_flight = False
        return found

    async def _run(
        self, sql: str, values: Any, many: bool = False
    ) -> tuple[Any, list[Any], int, int | None]:
        """One statement: here, or behind a trip still running in aiosqlite's thread."""
        self._check_open()
        if self._in_flight:
            found: tuple[Any, list[Any], int, int | None] = await self._there(
                run_statement, self._driver, sql, values, many
            )
            return found
        return run_statement(self._driver, sql, values, many)

    async def begin(self, write: bool) -> None:
        """Start the transaction. A writer takes SQLite's write lock now: here if no
        other connection holds it, else in aiosqlite's thread, where it may wait for
        it (another process); a reader's BEGIN takes no lock."""
        self._writing = write
        if not write:
            await self._run("BEGIN", None)
        elif self._in_flight or not self._begin_here():
            await self._there(run_statement, self._driver, "BEGIN IMMEDIATE", None, False)

    def _begin_here(self) -> bool:
        """A writer's BEGIN IMMEDIATE on this thread with the busy handler off, so it
        never waits here: True if it took the write lock, False (nothing begun) if
        another connection holds it."""
        self._check_open()
        conn: sqlite3.Connection = self._driver._conn
        if self._lock_wait_ms is None:
            self._lock_wait_ms = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # any busy variant
                raise
            return False
        finally:
            conn.execute(f"PRAGMA busy_timeout = {self._lock_wait_ms}")
        return True

    async def commit(self) -> None:
        """Commit the transaction: a writer's in aiosqlite's thread (the commit may
        checkpoint the write-ahead log, which flushes to disk), a reader's here."""
        if self._writing:
            await self._there(run_statement, self._driver, "COMMIT", None, False)
        else:
            await self._run("COMMIT", None)

    async def rollback(self) -> None:
        """Roll the transaction back, if one is open (nothing to flush: here, unless a
        cancelled trip still runs)."""
        if self._closed:
            return  # closing rolls back
        if self._in_flight:
            await self._there(_rollback, self._driver)
        else:
            _rollback(self._driver)

    async def set_lock_wait(self, ms: int) -> None:
        """How long SQLite's busy handler waits for another connection's lock (here,
        behind a trip still running, like every statement)."""
        await self._run(f"PRAGMA busy_timeout = {int(ms)}", None)
        self._lock_wait_ms = int(ms)

    async def lock_workspace(self, team_id: str) -> None:
        """Nothing: a SQLite writer holds the whole file from its first statement."""

    async def claim_workspace(self, team_id: str) -> bool:
        """True: a SQLite writer holds the whole file, so no one else holds the workspace."""
        return True

    async def rows(
        self, statement: Executable, params: Params | None = None
    ) -> list[tuple[Any, ...]]:
        """Every row the statement returns, as tuples of Python values."""
        prepared = self._compiler.prepare(statement, tuple(params or ()))
        _, rows, _, _ = await self._run(prepared.sql, prepared.values(params))
        return prepared.processed(rows)

    async def write(self, statement: Executable, params: Params) -> Written:
        """Run a write statement once."""
        prepared = self._compiler.prepare(statement, tuple(params))
        _, _, rowcount, lastrowid = await self._run(prepared.sql, prepared.values(params))
        return Written(rowcount, lastrowid)

    async def write_later(
        self, statement: Executable, params: Params, one: str | None = None
    ) -> None:
        """Run a write statement now (no round trip to save: see ``Executor.write_later``)."""
        exactly_one(await self.write(statement, params), one)

    async def write_many(self, statement: Executable, params: list[Params]) -> None:
        """Run a write statement for each set of parameters, at once."""
        if not params:
            return
        prepared = self._compiler.prepare(statement, tuple(params[0]))
        await self._run(prepared.sql, [prepared.values(p) for p in params], True)


async def _trip(driver: aiosqlite.Connection, fn: Any, *args: Any) -> Any:
    """Run ``fn(*args)`` in the connection's worker thread: one trip."""
    return await driver._execute(fn, *args)  # type: ignore[no-untyped-call]


def _rollback(driver: aiosqlite.Connection) -> None:
    conn: sqlite3.Connection = driver._conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
