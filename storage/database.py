"""The database: an engine with a small pool, migrated when opened, handing out units
of work under one busy budget. A SQLite file or a PostgreSQL database (``storage.urls``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import migrations, postgres
from storage.engine import DEFAULT_BUSY_TIMEOUT_MS, WRITE, create_engine
from storage.errors import SchemaTooNew, StorageBusy, StorageError, StorageUnavailable
from storage.unit_of_work import Pooled, SqlUnitOfWork
from storage.urls import SETTING, Target, parse, redacted

MIN_LOCK_WAIT_MS = 50
# Connections of the engine's own pool, beside the units of work's: slack_sdk's
# installation and OAuth state stores borrow them (see ``Database.engine``).
SPARE_CONNECTIONS = 2


class Database:
    """A SQLite file or a PostgreSQL database with a small pool, migrated when opened.

    ``database`` is a file path or a ``postgresql://`` URL (UnsupportedDatabase for any
    other scheme); ``path`` is how it may be shown (a URL without its password).
    """

    def __init__(
        self,
        database: str,
        pool_size: int = 4,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        *,
        fast_path: bool = True,
    ) -> None:
        self._target = parse(database)
        self.path = redacted(database)
        # False: every statement through SQLAlchemy's execution path (the tests run both)
        self.fast_path = fast_path
        self._pool_size = pool_size
        self._busy_timeout_ms = busy_timeout_ms
        self._engine: AsyncEngine | None = None
        self._all: list[AsyncConnection] = []  # every connection open now (tests read it)
        self._idle: asyncio.Queue[Pooled] = asyncio.Queue()
        self._losses = 0  # how often a connection was found gone (an outage)
        # SQLite: one writer at a time (the file has one write lock). PostgreSQL: writers
        # of different workspaces run side by side; either way readers never take the
        # last connection.
        writers = max(1, pool_size - 1) if self._target.is_postgres else 1
        self._writer = asyncio.Semaphore(writers)
        self._readers = asyncio.Semaphore(max(1, pool_size - 1))

    @property
    def is_postgres(self) -> bool:
        """Whether this is a PostgreSQL database."""
        return self._target.is_postgres

    @property
    def target(self) -> Target:
        """Where the data lives (a PostgreSQL URL still holds its password: never show it)."""
        return self._target

    def _create_engine(self) -> AsyncEngine:
        # Spare connections beyond the pool of units of work: slack_sdk's installation
        # and OAuth state stores use the engine directly (OAuth mode).
        size = self._pool_size + SPARE_CONNECTIONS
        if self._target.url is not None:
            return postgres.create_engine(self._target.url, size, self._busy_timeout_ms)
        assert self._target.path is not None
        return create_engine(self._target.path, size, self._busy_timeout_ms)

    async def open(self, run_migrations: bool = True) -> list[str]:
        """Connect, apply pending migrations, fill the pool; return the migrations applied.

        If anything fails, every connection opened so far is closed again: an open
        aiosqlite connection is a running thread that would keep the process alive.
        Errors of SQLite come out as the driver raised them (``sqlite3.Error``); a
        PostgreSQL server that cannot be reached or refuses us as StorageUnavailable.
        """
        self._engine = self._create_engine()
        try:
            async with _migrating(self._engine, self._target) as conn:
                if run_migrations:
                    applied = await conn.run_sync(migrations.upgrade)
                else:
                    applied = []
                    if not await conn.run_sync(_is_current):
                        raise StorageError("the database needs migrating: run `addons-bot migrate`")
            # Check every connection out of SQLAlchemy's pool once, for good: a unit of
            # work then takes one from this queue, with no pool bookkeeping per request.
            for _ in range(self._pool_size):
                conn = await self._engine.connect().start()
                self._all.append(conn)
                self._idle.put_nowait(await Pooled.of(conn, self.fast_path, self._busy_timeout_ms))
        except BaseException as error:
            await self.close()
            _raise_open_error(error, self._target, self.path)
            raise
        return applied

    @property
    def engine(self) -> AsyncEngine:
        """The open engine, for stores that bring their own SQL (slack_sdk's OAuth stores).

        They borrow the engine's spare connections; their writers take the write lock at
        the start of the transaction like every unit of work (``writing``).
        """
        if self._engine is None:
            raise StorageError("the database is not open")
        return self._engine

    @property
    def writing_engine(self) -> AsyncEngine:
        """The same engine, its transactions starting with the write lock."""
        return self.engine.execution_options(**{WRITE: True})

    async def close(self) -> None:
        """Close every connection of the pool."""
        engine, self._engine = self._engine, None
        held, self._all = self._all, []
        self._idle = asyncio.Queue()
        for conn in held:
            await conn.close()
        if engine is not None:
            await engine.dispose()

    async def _acquire(self, write: bool) -> Pooled:
        """A pooled connection whose lock wait is what is left of the budget.

        Writers queue on one lock, first come first served, and readers may hold at most
        all connections but one: a booking never waits behind a crowd of overview reads,
        and this process's writers never spin in SQLite's busy handler against each other
        (other processes still meet the busy timeout).
        """
        if self._engine is None:
            raise StorageError("the database is not open")
        loop = asyncio.get_running_loop()
        started = loop.time()
        gate = self._writer if write else self._readers
        budget = self._busy_timeout_ms / 1000
        try:
            await asyncio.wait_for(gate.acquire(), budget)
        except TimeoutError:
            raise StorageBusy("the database is busy; please try again") from None
        try:
            pooled = await asyncio.wait_for(
                self._idle.get(), max(0.001, budget - (loop.time() - started))
            )
        except BaseException as error:
            gate.release()
            if isinstance(error, TimeoutError):
                raise StorageBusy("every database connection is busy; please try again") from None
            raise
        if pooled.lost or pooled.epoch < self._losses:  # gone, or opened before a loss
            try:
                pooled = await asyncio.wait_for(self._reconnect(pooled), budget)
            except Exception as error:  # still down: keep the lost one for the next try
                self._release(pooled, write)
                raise StorageBusy("the database cannot be reached; please try again") from error
        waited_ms = int((loop.time() - started) * 1000)
        wanted = max(MIN_LOCK_WAIT_MS, self._busy_timeout_ms - waited_ms)
        if waited_ms < MIN_LOCK_WAIT_MS:
            wanted = self._busy_timeout_ms
        if pooled.lock_wait_ms != wanted:  # one extra trip, only after a wait
            try:
                await pooled.set_lock_wait(wanted)
            except BaseException:
                self._release(pooled, write)
                raise
        return pooled

    async def _reconnect(self, lost: Pooled) -> Pooled:
        """A new connection in place of one that is gone (after an outage)."""
        assert self._engine is not None
        with contextlib.suppress(Exception):
            await lost.conn.invalidate()
        conn = await self._engine.connect().start()
        self._all = [c for c in self._all if c is not lost.conn] + [conn]
        fresh = await Pooled.of(conn, self.fast_path, self._busy_timeout_ms)
        fresh.epoch = self._losses
        return fresh

    def _release(self, pooled: Pooled, write: bool) -> None:
        if pooled.lost and pooled.epoch == self._losses:
            # A connection that was lost says the server went away: every connection
            # opened before is gone too, so each is opened anew on its next use.
            self._losses += 1
        self._idle.put_nowait(pooled)
        (self._writer if write else self._readers).release()

    def unit_of_work(self, write: bool = True) -> SqlUnitOfWork:
        """A new transaction: a writer takes the write lock at its start."""
        return SqlUnitOfWork(self, write)

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _is_current(conn: Connection) -> bool:
    with conn.begin():
        return migrations.is_current(conn)


@asynccontextmanager
async def _migrating(engine: AsyncEngine, target: Target) -> AsyncIterator[AsyncConnection]:
    """A connection to migrate on: SQLite's begin takes the write lock; on PostgreSQL the
    connection holds the migration advisory lock, so two releases never migrate at once."""
    async with engine.execution_options(**{WRITE: True}).connect() as conn:
        if not target.is_postgres:
            yield conn
            return
        await postgres.lock_migrations(conn)
        try:
            yield conn
        finally:
            if not conn.closed and not conn.invalidated:
                await conn.rollback()
                await postgres.unlock_migrations(conn)


def _raise_open_error(error: BaseException, target: Target, shown: str) -> None:
    """Raise what opening failed with, as storage says it (nothing if it is not ours)."""
    if isinstance(error, StorageError | asyncio.CancelledError):
        return
    if not target.is_postgres:
        if isinstance(error, DBAPIError) and isinstance(error.orig, Exception):
            raise error.orig from error
        return
    if isinstance(error, DBAPIError | OSError | TimeoutError) or _is_asyncpg(error):
        reason = " ".join(str(getattr(error, "orig", None) or error).split())
        raise StorageUnavailable(
            f"cannot use the PostgreSQL database {shown} ({SETTING}): "
            f"{reason or type(error).__name__}"
        ) from None


def _is_asyncpg(error: BaseException) -> bool:
    return type(error).__module__.startswith("asyncpg")


async def migrate(database: str, target: int | None = None) -> list[str]:
    """Bring the database (a file path or URL) to revision number ``target`` (default: the
    newest)."""
    where = parse(database)
    engine = (
        postgres.create_engine(where.url, 1, DEFAULT_BUSY_TIMEOUT_MS)
        if where.url is not None
        else create_engine(database, 1, DEFAULT_BUSY_TIMEOUT_MS)
    )
    try:
        async with _migrating(engine, where) as conn:
            return await conn.run_sync(migrations.upgrade, target)
    except BaseException as error:
        _raise_open_error(error, where, redacted(database))
        raise
    finally:
        await engine.dispose()


__all__ = ["Database", "SchemaTooNew", "migrate"]
