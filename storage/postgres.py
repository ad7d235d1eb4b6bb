"""PostgreSQL through asyncpg: everything that differs on PostgreSQL. The engine, how
units of work keep their guarantees there, and what its errors mean to the ports
(``translate``: "busy, try again", a conflict, or a one-line ``StorageError``).

Readers run in REPEATABLE READ READ ONLY: every statement of a reader sees one snapshot.
Writers run in READ COMMITTED and, before their first statement about a workspace, take
that workspace's advisory transaction lock (``pg_advisory_xact_lock``): every repository
method about a workspace asks the unit of work for it by name (``lock_workspace``). A
run over many workspaces (the billing run) may instead claim it first without waiting
(``claim_workspace``: ``pg_try_advisory_xact_lock``, the same key) and pass over a
workspace another process holds. Every write of
the use cases is about one workspace, so a writer holds its workspace alone, like
SQLite's one writer: what it read stays true until it commits, and because each
statement reads the newest committed rows once the lock is held, a concurrent duplicate
(the same confirmation twice) waits and then finds the first booking. The invoice
counter is read ``FOR UPDATE`` (numbers gapless, in the invoice's own transaction) and
the outbox is claimed ``FOR UPDATE SKIP LOCKED``. Locks are always taken in the order
workspace, then counter, so writers do not deadlock; READ COMMITTED writers meet no
serialization failures. Should either happen anyway, ``is_conflict`` says so and the
unit of work ends as ``StorageConflict`` (a ``bot.ports.Conflict``): nothing changed, and
the use case runs again from the start (``bot.services.retry``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import dialect
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from storage.compiled import compiler_internals
from storage.errors import StorageBusy, StorageConflict, StorageError, one_line
from storage.executor import SqlAlchemyExecutor
from storage.pool import Pooled
from storage.urls import asyncpg_args

logger = logging.getLogger("addons.storage")

# Namespaces of our advisory locks (the two-int form keeps them apart from anyone else's).
LOCK_SPACE = 0x0ADD
MIGRATION_LOCK = 1  # held (session level) while migrating: two releases never migrate at once
_ROTATION_LOCK = text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))")
_TEAM_LOCK = text("SELECT pg_advisory_xact_lock(:space, hashtext(:team))")
_TEAM_CLAIM = text("SELECT pg_try_advisory_xact_lock(:space, hashtext(:team))")
_MIGRATION_LOCK = text("SELECT pg_advisory_lock(:space, :key)")
_MIGRATION_UNLOCK = text("SELECT pg_advisory_unlock(:space, :key)")

# SQLSTATEs after which nothing was changed and the whole request may simply run again.
RETRYABLE = {
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "55P03",  # lock_not_available: lock_timeout passed
    "57014",  # query_canceled: statement_timeout passed
}
# ... of which those where PostgreSQL ended the transaction itself to keep writers apart.
CONFLICTS = {"40001", "40P01"}
# ... and those that say the server is gone or refuses connections now (an outage).
UNREACHABLE = {
    "08000",
    "08001",
    "08003",
    "08004",
    "08006",  # connection_exception and its kinds
    "57P01",
    "57P02",
    "57P03",  # admin_shutdown, crash_shutdown, cannot_connect_now
    "55000",  # object_not_in_prerequisite_state: the database refuses connections
}
CONNECT_TIMEOUT_S = 10


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a PostgreSQL error, through SQLAlchemy's wrapping, if any."""
    seen: BaseException | None = error
    for _ in range(4):
        if seen is None:
            return None
        code = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(code, str):
            return code
        seen = seen.orig if isinstance(seen, DBAPIError) else seen.__cause__
    return None


def is_busy(error: BaseException) -> bool:
    """PostgreSQL gave up waiting for a lock, or ended a transaction to retry it."""
    return sqlstate(error) in RETRYABLE


def is_unreachable(error: BaseException) -> bool:
    """The PostgreSQL server is gone or refuses connections (stopped, restarting)."""
    return sqlstate(error) in UNREACHABLE


def is_conflict(error: BaseException) -> bool:
    """PostgreSQL ended the transaction as a deadlock or serialization failure."""
    return sqlstate(error) in CONFLICTS


def create_engine(url: URL, pool_size: int, busy_timeout_ms: int) -> AsyncEngine:
    """An asyncpg engine on ``url``; every lock wait is bounded by the busy budget."""
    bare, connect_args = asyncpg_args(
        url,
        timeout=CONNECT_TIMEOUT_S,
        server_settings={
            "lock_timeout": str(int(busy_timeout_ms)),
            "application_name": "addons-bot",
        },
    )
    return create_async_engine(
        bare,
        poolclass=AsyncAdaptedQueuePool,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=busy_timeout_ms / 1000,
        pool_reset_on_return=None,
        connect_args=connect_args,
    )


async def set_lock_wait(conn: AsyncConnection, ms: int) -> None:
    """How long this connection waits for a lock before giving up (lock_timeout)."""
    await conn.exec_driver_sql(f"SET lock_timeout = {int(ms)}")
    await conn.commit()


async def hold_token_rotation(conn: AsyncConnection, team_id: str) -> None:
    """Hold the workspace's Slack token rotation until ``conn``'s transaction ends.

    PostgreSQL: an advisory transaction lock of its own key (not the workspace's, which
    units of work take). SQLite: nothing to do, a writing transaction holds the file.
    """
    if conn.dialect.name == "postgresql":
        key = f"slack-token-rotation:{team_id}"
        await conn.execute(_ROTATION_LOCK, {"space": LOCK_SPACE, "key": key})


async def lock_migrations(conn: AsyncConnection) -> None:
    """Wait until no other process migrates this database, then hold it for this one."""
    await conn.execute(text("SET lock_timeout = 0"))  # a release waits as long as needed
    await conn.execute(_MIGRATION_LOCK, {"space": LOCK_SPACE, "key": MIGRATION_LOCK})
    await conn.commit()


async def unlock_migrations(conn: AsyncConnection) -> None:
    """Let the next process migrate."""
    await conn.execute(_MIGRATION_UNLOCK, {"space": LOCK_SPACE, "key": MIGRATION_LOCK})
    await conn.commit()


class PostgresExecutor(SqlAlchemyExecutor):
    """SQLAlchemy's path, with each transaction's isolation and workspace locks."""

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)
        self._mode: bool | None = None  # the mode the connection is set up for
        self._write = False
        self._locked: set[str] = set()

    @property
    def row_locks(self) -> bool:
        """A writer reads the rows it will change FOR UPDATE."""
        return self._write

    async def begin(self, write: bool) -> None:
        """Start a writer (READ COMMITTED) or a reader (one read-only snapshot)."""
        if self._mode is not write:
            # No round trip: asyncpg's adapter applies both when the transaction begins.
            await self._conn.execution_options(
                isolation_level="READ COMMITTED" if write else "REPEATABLE READ",
                postgresql_readonly=not write,
            )
            self._mode = write
        self._write = write
        self._locked = set()
        await self._conn.begin()

    async def lock_workspace(self, team_id: str) -> None:
        """A writer holds the workspace alone until it ends (a reader takes no lock)."""
        if self._write and team_id not in self._locked:
            await self._conn.execute(_TEAM_LOCK, {"space": LOCK_SPACE, "team": team_id})
            self._locked.add(team_id)

    async def claim_workspace(self, team_id: str) -> bool:
        """The workspace's lock if no one holds it now (``pg_try_advisory_xact_lock``,
        the same key): True and held until the transaction ends, or False at once. A
        reader takes no lock and is never refused."""
        if not self._write or team_id in self._locked:
            return True
        result = await self._conn.execute(_TEAM_CLAIM, {"space": LOCK_SPACE, "team": team_id})
        if not result.scalar_one():
            return False
        self._locked.add(team_id)
        return True


@cache
def fast_path_refused() -> str | None:
    """Why this installation cannot take the fast path (logged once); None if it can."""
    probe = dialect()  # type: ignore[no-untyped-call]
    missing = [name for name, there in compiler_internals(probe).items() if not there]
    if not missing:
        return None
    reason = f"missing {', '.join(missing)}"
    logger.warning("PostgreSQL fast path off, SQLAlchemy's own path instead: %s", reason)
    return reason


async def pooled(conn: AsyncConnection, fast: bool, lock_wait_ms: int) -> Pooled:
    """A pooled connection: the fast path's executor (``storage.postgres_fast``) if
    asked for and possible."""

    async def set_wait(ms: int) -> None:
        await set_lock_wait(conn, ms)

    if fast and fast_path_refused() is None:
        from storage.postgres_fast import PostgresFastExecutor

        raw = await conn.get_raw_connection()
        fast_executor = PostgresFastExecutor(conn, raw.driver_connection)
        return Pooled(conn, fast_executor, lock_wait_ms, fast_executor.set_lock_wait)
    return Pooled(conn, PostgresExecutor(conn), lock_wait_ms, set_wait)


@asynccontextmanager
async def migrating(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection holding the migration advisory lock: two releases never migrate at
    once."""
    async with engine.connect() as conn:
        await lock_migrations(conn)
        try:
            yield conn
        finally:
            if not conn.closed and not conn.invalidated:
                await conn.rollback()
                await unlock_migrations(conn)


def _is_driver_error(error: BaseException) -> bool:
    return isinstance(error, DBAPIError) or type(error).__module__.startswith("asyncpg")


def translate(error: BaseException) -> StorageError | None:
    """What PostgreSQL's ``error`` is to the ports (None: it is not PostgreSQL's)."""
    if not _is_driver_error(error):
        return None
    if is_conflict(error):
        return StorageConflict("the transaction met another one; please try again")
    if is_busy(error):
        return StorageBusy("the database is busy; please try again")
    orig = error.orig if isinstance(error, DBAPIError) else error
    line = one_line(orig if isinstance(orig, BaseException) else error)
    # SQLAlchemy's asyncpg adapter says "<class 'asyncpg.exceptions.X'>: message".
    return StorageError(line.split("'>: ", 1)[-1] if line.startswith("<class '") else line)
