"""PostgreSQL's fast path: a unit of work on the connection's asyncpg object directly,
its statements compiled once (``storage.compiled``), without SQLAlchemy's execution
context and greenlet switch per statement.

The executor runs the whole transaction itself, in plain SQL, as ``PostgresExecutor``
does through SQLAlchemy: BEGIN with the isolation (READ COMMITTED for a writer,
REPEATABLE READ READ ONLY for a reader), the workspace locks and claims, every
statement, COMMIT or ROLLBACK. (SQLAlchemy's asyncpg adapter would begin only with its
own first statement, so statements sent past it before that would run outside any
transaction; asyncpg's transaction objects stay marked open after a cancelled start.)
The lock wait is set the same way, between units of work. asyncpg prepares each
statement once per connection. An INSERT's new key comes back through the RETURNING
clause SQLAlchemy's compiler adds, as on its own path. Errors are asyncpg's own, which
``storage.postgres.translate`` maps; a connection found closed is a
``ConnectionResetError`` (an outage: busy, nothing changed).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert

from storage.compiled import Prepared, compiler_for
from storage.errors import StorageError
from storage.executor import Params, Written
from storage.postgres import LOCK_SPACE, PostgresExecutor
from storage.postgres_batch import Batch, check_counts, mergeable, merged

T = TypeVar("T")

_BEGIN_WRITER = "BEGIN ISOLATION LEVEL READ COMMITTED"
_BEGIN_READER = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
_TEAM_LOCK = "SELECT pg_advisory_xact_lock($1, hashtext($2))"
_TEAM_CLAIM = "SELECT pg_try_advisory_xact_lock($1, hashtext($2))"


def _rowcount(status: str) -> int:
    """Rows a command touched, from its status ("UPDATE 3", "INSERT 0 1")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


def _given_key(statement: Executable, params: Params) -> Any:
    """An INSERT's one-column primary key when the caller gave it (no RETURNING then)."""
    table = getattr(statement, "table", None)
    if not isinstance(statement, Insert) or not isinstance(table, Table):
        return None
    key = list(table.primary_key.columns)
    return params.get(key[0].key) if len(key) == 1 else None


class PostgresFastExecutor(PostgresExecutor):
    """``PostgresExecutor``'s transactions, locks and statements on asyncpg directly."""

    def __init__(self, conn: AsyncConnection, driver: Any) -> None:
        super().__init__(conn)
        self._driver = driver  # the connection's asyncpg.Connection
        self._compiler = compiler_for(conn.dialect)
        self._batch = Batch()  # writes held to be sent together (storage.postgres_batch)

    async def _guard(self, call: Awaitable[T]) -> T:
        """``call``'s result; a connection found closed is an outage."""
        try:
            return await call
        except Exception as error:
            if self._driver.is_closed():
                raise ConnectionResetError("the connection to PostgreSQL is gone") from error
            raise

    async def begin(self, write: bool) -> None:
        """Start a writer (READ COMMITTED) or a reader (one read-only snapshot)."""
        self._write = write
        self._locked = set()
        self._batch.take()
        if self._driver.is_in_transaction():  # never nest in one left open
            await self._guard(self._driver.execute("ROLLBACK"))
        await self._guard(self._driver.execute(_BEGIN_WRITER if write else _BEGIN_READER))

    async def commit(self) -> None:
        """Commit the transaction (PostgreSQL answers a COMMIT of a transaction that
        failed with ROLLBACK, not with an error: that is one here)."""
        await self._send()
        status = await self._guard(self._driver.execute("COMMIT"))
        if status != "COMMIT":
            raise StorageError("the database rolled the transaction back; nothing changed")

    async def rollback(self) -> None:
        """Roll the transaction back, if one is open (also one whose BEGIN was sent by
        a unit of work cancelled meanwhile); the writes held are dropped."""
        self._batch.take()
        await self._guard(self._driver.execute("ROLLBACK"))

    async def set_lock_wait(self, ms: int) -> None:
        """How long this connection waits for a lock (``lock_timeout``), between units
        of work (outside a transaction, so it holds for the session)."""
        await self._guard(self._driver.execute(f"SET lock_timeout = {int(ms)}"))

    async def lock_workspace(self, team_id: str) -> None:
        """A writer holds the workspace alone until it ends (a reader takes no lock)."""
        if self._write and team_id not in self._locked:
            await self._send()
            await self._guard(self._driver.execute(_TEAM_LOCK, LOCK_SPACE, team_id))
            self._locked.add(team_id)

    async def claim_workspace(self, team_id: str) -> bool:
        """The workspace's lock if no one holds it now (True, held until the transaction
        ends), or False at once; a reader takes no lock and is never refused."""
        if not self._write or team_id in self._locked:
            return True
        await self._send()
        if not await self._guard(self._driver.fetchval(_TEAM_CLAIM, LOCK_SPACE, team_id)):
            return False
        self._locked.add(team_id)
        return True

    async def rows(
        self, statement: Executable, params: Params | None = None
    ) -> list[tuple[Any, ...]]:
        """Every row the statement returns, as tuples of Python values (the writes held
        are sent first if it could see what they wrote, or if it writes)."""
        prepared = self._compiler.prepare(statement, tuple(params or ()))
        if prepared.writes or self._batch.sees(prepared):
            await self._send()
        found = await self._guard(self._driver.fetch(prepared.sql, *prepared.values(params)))
        return prepared.processed(found)

    async def write(self, statement: Executable, params: Params) -> Written:
        """Run a write statement once (an INSERT's new key through its RETURNING), after
        the writes held."""
        await self._send()
        prepared = self._compiler.prepare(statement, tuple(params))
        values = prepared.values(params)
        if prepared.result is not None:
            rows = await self._guard(self._driver.fetch(prepared.sql, *values))
            found = prepared.processed(rows)
            return Written(len(found), found[0][0] if found else None)
        status = await self._guard(self._driver.execute(prepared.sql, *values))
        rowcount = _rowcount(status)
        return Written(rowcount, _given_key(statement, params) if rowcount else None)

    async def write_later(
        self, statement: Executable, params: Params, one: str | None = None
    ) -> None:
        """Hold a write to send with the next ones (see ``storage.postgres_batch``); with
        ``one``, it must touch exactly one row, else StorageError(one) when it is sent."""
        prepared = self._compiler.prepare(statement, tuple(params))
        await self._hold(prepared, prepared.values(params), one)

    async def write_many(self, statement: Executable, params: list[Params]) -> None:
        """Run a write statement for each set of parameters: held as one write each
        where they may be sent together (each reads nothing the others write), else
        after the writes held, by asyncpg's executemany."""
        if not params:
            return
        prepared = self._compiler.prepare(statement, tuple(params[0]))
        values = [prepared.values(p) for p in params]  # a bad one holds nothing
        if len(params) == 1 or prepared.reads.isdisjoint(prepared.writes):
            for one_set in values:
                await self._hold(prepared, one_set, None)
            return
        await self._send()
        await self._guard(self._driver.executemany(prepared.sql, values))

    async def _hold(self, prepared: Prepared, values: tuple[Any, ...], one: str | None) -> None:
        """Hold a write, sending the held ones first if it cannot join them; one that
        cannot be merged at all is sent alone at once."""
        merges = mergeable(prepared)
        if not merges or not self._batch.takes(prepared, values):
            await self._send()
        self._batch.add(prepared, values, one)
        if not merges:
            await self._send()

    async def _send(self) -> None:
        """Send the held writes: one alone as itself, several as one statement."""
        held = self._batch.take()
        if not held:
            return
        if len(held) == 1:
            item = held[0]
            if item.prepared.result is None:
                status = await self._guard(self._driver.execute(item.prepared.sql, *item.values))
                counts = [_rowcount(status)]
            else:
                counts = [
                    len(await self._guard(self._driver.fetch(item.prepared.sql, *item.values)))
                ]
        else:
            sql, values = merged(held)
            counts = list(await self._guard(self._driver.fetchrow(sql, *values)))
        check_counts(held, counts)
