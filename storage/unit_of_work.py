"""One unit of work: one transaction over one pooled connection, every repository on it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

import aiosqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import postgres
from storage.corrections import Corrections
from storage.errors import StorageBusy, StorageConflict
from storage.events import Events
from storage.executor import Executor, SqlAlchemyExecutor, SqliteExecutor
from storage.journal import AuditLog, Outbox
from storage.ledger import Invoices, Lines
from storage.repositories import AddOns, IdempotencyKeys, Subscriptions

UNREACHABLE = "the database cannot be reached; nothing changed, please try again"

if TYPE_CHECKING:
    from storage.database import Database


def is_busy(error: BaseException) -> bool:
    """The database gave up waiting for a lock another connection holds (or, on
    PostgreSQL, ended the transaction as a deadlock or serialization failure)."""
    if postgres.is_busy(error):
        return True
    if isinstance(error, DBAPIError):
        error = error.orig  # type: ignore[assignment]
    message = str(error)
    return isinstance(error, sqlite3.OperationalError) and (
        "locked" in message or "busy" in message
    )


def is_disconnect(error: BaseException) -> bool:
    """The connection to the database is gone (server stopped, connection dropped): the
    transaction changed nothing that was not committed, and a new connection may do."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OSError) or postgres.is_unreachable(error)


def busy_error(error: BaseException) -> StorageBusy:
    """What a busy ``error`` leaves a unit of work as: a Conflict if the use case should
    simply run again (deadlock, serialization failure), else plain StorageBusy."""
    if postgres.is_conflict(error):
        return StorageConflict("the transaction met another one; please try again")
    return StorageBusy("the database is busy; please try again")


@dataclass
class Pooled:
    """A connection of the pool, with the executor its units of work use."""

    conn: AsyncConnection
    executor: Executor
    driver: aiosqlite.Connection | None
    lock_wait_ms: int
    lost: bool = False  # the connection is gone: the next unit of work opens a new one
    epoch: int = 0  # the database's loss count when it was opened (older ones are gone too)

    @classmethod
    async def of(cls, conn: AsyncConnection, fast: bool, lock_wait_ms: int) -> Pooled:
        """The fast path on SQLite (one trip per statement), SQLAlchemy's own elsewhere."""
        if conn.dialect.name == "postgresql":
            return cls(conn, postgres.PostgresExecutor(conn), None, lock_wait_ms)
        if conn.dialect.name != "sqlite":
            return cls(conn, SqlAlchemyExecutor(conn), None, lock_wait_ms)
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, aiosqlite.Connection)
        executor: Executor = (
            SqliteExecutor(driver, conn.dialect) if fast else SqlAlchemyExecutor(conn)
        )
        return cls(conn, executor, driver, lock_wait_ms)

    async def set_lock_wait(self, ms: int) -> None:
        """How long the database waits for a lock on this connection."""
        if self.driver is not None:
            await self.driver.execute_fetchall(f"PRAGMA busy_timeout = {int(ms)}")
        elif self.conn.dialect.name == "postgresql":
            await postgres.set_lock_wait(self.conn, ms)
        self.lock_wait_ms = ms


class SqlUnitOfWork:
    """One transaction over one pooled connection; rolled back unless committed.

    Errors of SQLite leave it as the driver raised them (``sqlite3.Error``), as before
    SQLAlchemy; PostgreSQL's as SQLAlchemy wraps them (``sqlalchemy.exc.DBAPIError``).
    Lock waits over budget leave it as StorageBusy; PostgreSQL's deadlocks and
    serialization failures (after which nothing was changed) as StorageConflict, on a
    statement as on commit.
    """

    subscriptions: Subscriptions
    addons: AddOns
    lines: Lines
    invoices: Invoices
    corrections: Corrections
    idempotency: IdempotencyKeys
    audit: AuditLog
    outbox: Outbox
    events: Events

    def __init__(self, db: Database, write: bool) -> None:
        self._db = db
        self._write = write
        self._pooled: Pooled | None = None
        self._done = False

    async def __aenter__(self) -> SqlUnitOfWork:
        pooled = await self._db._acquire(self._write)
        x = pooled.executor
        try:
            await x.begin(self._write)
        except BaseException as error:
            pooled.lost = is_disconnect(error)
            self._db._release(pooled, self._write)
            if is_busy(error):
                raise busy_error(error) from error
            if pooled.lost:
                raise StorageBusy(UNREACHABLE) from error
            _reraise(error)
            raise
        self._pooled = pooled
        self._done = False
        self.subscriptions = Subscriptions(x)
        self.addons = AddOns(x)
        self.lines = Lines(x)
        self.invoices = Invoices(x)
        self.corrections = Corrections(x)
        self.idempotency = IdempotencyKeys(x)
        self.audit = AuditLog(x)
        self.outbox = Outbox(x)
        self.events = Events(x)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is None:
            return
        pooled.lost = exc is not None and is_disconnect(exc)
        try:
            if not self._done and not pooled.lost:
                await pooled.executor.rollback()
        except Exception as error:
            if not is_disconnect(error):
                raise
            pooled.lost = True
        finally:
            self._db._release(pooled, self._write)
        if pooled.lost:  # nothing was committed: "busy, nothing changed, try again"
            raise StorageBusy(UNREACHABLE) from exc
        if exc is not None and postgres.is_busy(exc):
            raise busy_error(exc) from exc
        if exc is not None:
            _reraise(exc)

    async def commit(self) -> None:
        """Make every change of this unit of work durable at once."""
        assert self._pooled is not None
        try:
            await self._pooled.executor.commit()
        except (DBAPIError, sqlite3.OperationalError, OSError) as error:
            if is_busy(error):
                raise busy_error(error) from error
            if is_disconnect(error):
                self._pooled.lost = True
                raise StorageBusy(UNREACHABLE) from error
            raise
        self._done = True


def _reraise(error: BaseException) -> None:
    """Raise SQLite's own error out of SQLAlchemy's wrapping (as before SQLAlchemy)."""
    if isinstance(error, DBAPIError) and isinstance(error.orig, sqlite3.Error):
        raise error.orig from error
