"""The database: an engine with a small pool, migrated when opened, handing out units
of work under one busy budget. A SQLite file or a PostgreSQL database (``storage.urls``)."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AbstractAsyncContextManager
from types import ModuleType

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import migrations, postgres, sqlite
from storage.errors import SchemaTooNew, StorageError, StorageUnavailable
from storage.pool import Pool, Pooled
from storage.sqlite import DEFAULT_BUSY_TIMEOUT_MS, WRITE
from storage.unit_of_work import SqlUnitOfWork
from storage.urls import SETTING, Target, parse, redacted

# Connections of the engine's own pool, beside the units of work's: slack_sdk's
# installation and OAuth state stores borrow them (see ``Database.engine``).
SPARE_CONNECTIONS = 2


def _module(target: Target) -> ModuleType:
    """The module that knows this engine's differences."""
    return postgres if target.is_postgres else sqlite


def _create_engine(target: Target, size: int, busy_timeout_ms: int) -> AsyncEngine:
    if target.url is not None:
        return postgres.create_engine(target.url, size, busy_timeout_ms)
    assert target.path is not None
    return sqlite.create_engine(target.path, size, busy_timeout_ms)


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
        self._module = _module(self._target)
        # SQLite: one writer at a time (the file has one write lock). PostgreSQL: writers
        # of different workspaces run side by side; either way readers never take the
        # last connection.
        writers = max(1, pool_size - 1) if self._target.is_postgres else 1
        self._pool = Pool(pool_size, writers, busy_timeout_ms)

    @property
    def is_postgres(self) -> bool:
        """Whether this is a PostgreSQL database."""
        return self._target.is_postgres

    @property
    def target(self) -> Target:
        """Where the data lives (a PostgreSQL URL still holds its password: never show it)."""
        return self._target

    async def open(self, run_migrations: bool = False, *, create: bool = True) -> list[str]:
        """Connect, check the schema, fill the pool; return the migrations applied.

        Only ``run_migrations`` (``addons-bot migrate``) upgrades a schema that exists;
        otherwise a schema behind or ahead of this app's is refused (``SchemaBehind``,
        ``SchemaTooNew``) and an empty database is created at the newest revision if
        ``create``, else refused (``SchemaMissing``): see ``migrations.prepare``.

        If anything fails, every connection opened so far is closed again: an open
        aiosqlite connection is a running thread that would keep the process alive.
        A PostgreSQL server that cannot be reached or refuses us is StorageUnavailable;
        any other error of the database a one-line StorageError.
        """
        # Spare connections beyond the pool of units of work: slack_sdk's installation
        # and OAuth state stores use the engine directly (OAuth mode).
        size = self._pool_size + SPARE_CONNECTIONS
        self._engine = _create_engine(self._target, size, self._busy_timeout_ms)
        try:
            async with self._migrating(self._engine) as conn:
                if run_migrations:
                    applied = await conn.run_sync(migrations.upgrade)
                else:
                    applied = await conn.run_sync(migrations.prepare, create)
            # Check every connection out of SQLAlchemy's pool once, for good: a unit of
            # work then takes one from this queue, with no pool bookkeeping per request.
            for _ in range(self._pool_size):
                conn = await self._engine.connect().start()
                self._all.append(conn)
                self._pool.add(
                    await self._module.pooled(conn, self.fast_path, self._busy_timeout_ms)
                )
            self._pool.open = True
            self._pool.reconnect = self._reconnect
        except BaseException as error:
            await self.close()
            if not self._target.is_postgres:
                await sqlite.after_failed_open()
            _raise_open_error(error, self._target, self.path)
            raise
        return applied

    async def _reconnect(self, lost: Pooled) -> Pooled:
        """A new connection in place of one that is gone (after an outage)."""
        assert self._engine is not None
        with contextlib.suppress(Exception):
            await lost.conn.invalidate()
        conn = await self._engine.connect().start()
        self._all = [c for c in self._all if c is not lost.conn] + [conn]
        fresh: Pooled = await self._module.pooled(conn, self.fast_path, self._busy_timeout_ms)
        return fresh

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
        self._pool.clear()
        for conn in held:
            await conn.close()
        if engine is not None:
            await engine.dispose()

    def _migrating(self, engine: AsyncEngine) -> AbstractAsyncContextManager[AsyncConnection]:
        migrating: AbstractAsyncContextManager[AsyncConnection] = self._module.migrating(engine)
        return migrating

    def unit_of_work(self, write: bool = True) -> SqlUnitOfWork:
        """A new transaction: a writer takes the write lock at its start."""
        return SqlUnitOfWork(self._pool, self._module.translate, write)

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _raise_open_error(error: BaseException, target: Target, shown: str) -> None:
    """Raise what opening failed with, as storage says it (nothing if it is not ours)."""
    if isinstance(error, StorageError | asyncio.CancelledError):
        return
    if not target.is_postgres:
        mapped = sqlite.translate(error)
        if mapped is not None:
            raise mapped from error
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
    engine = _create_engine(where, 1, DEFAULT_BUSY_TIMEOUT_MS)
    migrating: AbstractAsyncContextManager[AsyncConnection] = _module(where).migrating(engine)
    try:
        async with migrating as conn:
            return await conn.run_sync(migrations.upgrade, target)
    except BaseException as error:
        _raise_open_error(error, where, redacted(database))
        raise
    finally:
        await engine.dispose()


__all__ = ["Database", "SchemaTooNew", "migrate"]
