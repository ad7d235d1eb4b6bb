"""How the repositories run their Core statements: the ``Executor`` each unit of work
hands them, and the one every engine can use, SQLAlchemy's own execution path.

The engines' own executors live with their engine: ``storage.postgres`` (isolation and
the workspace lock) and ``storage.sqlite_fast`` (SQLite's fast path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert

from storage.errors import StorageError

Params = dict[str, Any]


@dataclass(frozen=True)
class Written:
    """What a write statement did."""

    rowcount: int
    lastrowid: int | None


def exactly_one(written: Written, one: str | None) -> None:
    """``StorageError(one)`` if asked (``one``) and the write did not touch one row."""
    if one is not None and written.rowcount != 1:
        raise StorageError(one)


class Executor(Protocol):
    """Runs Core statements inside one transaction of one connection."""

    @property
    def dialect_name(self) -> str: ...

    @property
    def row_locks(self) -> bool:
        """Whether this transaction locks rows it reads to change (PostgreSQL writers)."""
        ...

    async def begin(self, write: bool) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    async def lock_workspace(self, team_id: str) -> None:
        """A writer holds the workspace ``team_id`` alone until its transaction ends."""
        ...

    async def claim_workspace(self, team_id: str) -> bool:
        """As ``lock_workspace``, without waiting: False at once if another transaction
        holds the workspace (then nothing is held)."""
        ...

    async def rows(
        self, statement: Executable, params: Params | None = None
    ) -> list[tuple[Any, ...]]: ...

    async def write(self, statement: Executable, params: Params) -> Written: ...

    async def write_later(
        self, statement: Executable, params: Params, one: str | None = None
    ) -> None:
        """Run a write statement whose result the caller does not read: now, or with
        the transaction's next statements (PostgreSQL's fast path sends such writes
        together, ``storage.postgres_batch``), always before anything that could see
        what it wrote and before the commit. With ``one``, it must touch exactly one
        row, else ``StorageError(one)`` (then or at the latest on commit)."""
        ...

    async def write_many(self, statement: Executable, params: list[Params]) -> None:
        """Run a write statement for each set of parameters (also sent later, as
        ``write_later``)."""
        ...

    def close(self) -> None:
        """Run nothing more: the database is closing this connection."""
        ...


class SqlAlchemyExecutor:
    """Statements through SQLAlchemy's own execution path (any database)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self.dialect_name = conn.dialect.name

    @property
    def row_locks(self) -> bool:
        """SQLite locks the whole file for a writer: no row locks."""
        return False

    async def begin(self, write: bool) -> None:
        """Start the transaction (the engine's begin event takes the lock for writers)."""
        await self._conn.begin()

    async def commit(self) -> None:
        """Commit the transaction."""
        await self._conn.commit()

    async def rollback(self) -> None:
        """Roll the transaction back."""
        await self._conn.rollback()

    async def lock_workspace(self, team_id: str) -> None:
        """Nothing: a SQLite writer holds the whole file from its first statement."""

    async def claim_workspace(self, team_id: str) -> bool:
        """True: a SQLite writer holds the whole file, so no one else holds the workspace."""
        return True

    async def rows(
        self, statement: Executable, params: Params | None = None
    ) -> list[tuple[Any, ...]]:
        """Every row the statement returns, as tuples."""
        return [tuple(r) for r in (await self._conn.execute(statement, params)).all()]

    async def write(self, statement: Executable, params: Params) -> Written:
        """Run a write statement once."""
        result = await self._conn.execute(statement, params)
        if self.dialect_name == "sqlite":
            return Written(result.rowcount, result.lastrowid)
        if not isinstance(statement, Insert):
            return Written(result.rowcount, None)
        # PostgreSQL has no last row id: the new key comes back through RETURNING.
        key = result.inserted_primary_key if result.rowcount else None
        return Written(result.rowcount, key[0] if key else None)

    async def write_later(
        self, statement: Executable, params: Params, one: str | None = None
    ) -> None:
        """Run a write statement now (see ``Executor.write_later``)."""
        exactly_one(await self.write(statement, params), one)

    async def write_many(self, statement: Executable, params: list[Params]) -> None:
        """Run a write statement for each set of parameters."""
        await self._conn.execute(statement, params)

    def close(self) -> None:
        """Nothing to stop: every statement goes through the driver, which refuses any
        after its connection closed."""


class ReadOnlyError(StorageError):
    """A reading unit of work (``write=False``) was asked to change data."""


class Reading:
    """An executor for a reading unit of work: it runs reads, and refuses every write
    before it reaches the database (PostgreSQL would refuse it too, in a read-only
    transaction; SQLite would quietly take the write lock and write)."""

    def __init__(self, inner: Executor) -> None:
        self._inner = inner
        self.dialect_name = inner.dialect_name

    @property
    def row_locks(self) -> bool:
        """A reader locks nothing."""
        return False

    async def begin(self, write: bool) -> None:
        """Start the transaction."""
        await self._inner.begin(write)

    async def commit(self) -> None:
        """End the transaction (a reader has nothing to make durable)."""
        await self._inner.commit()

    async def rollback(self) -> None:
        """Roll the transaction back."""
        await self._inner.rollback()

    async def lock_workspace(self, team_id: str) -> None:
        """As the inner executor does (a reader holds no lock of its own)."""
        await self._inner.lock_workspace(team_id)

    async def claim_workspace(self, team_id: str) -> bool:
        """As the inner executor does (a reader holds no lock of its own)."""
        return await self._inner.claim_workspace(team_id)

    async def rows(
        self, statement: Executable, params: Params | None = None
    ) -> list[tuple[Any, ...]]:
        """Every row a reading statement returns; a changing one is refused."""
        if getattr(statement, "is_dml", False):
            raise _refused()
        return await self._inner.rows(statement, params)

    async def write(self, statement: Executable, params: Params) -> Written:
        """Refused: a reader changes nothing."""
        raise _refused()

    async def write_later(
        self, statement: Executable, params: Params, one: str | None = None
    ) -> None:
        """Refused: a reader changes nothing."""
        raise _refused()

    async def write_many(self, statement: Executable, params: list[Params]) -> None:
        """Refused: a reader changes nothing."""
        raise _refused()

    def close(self) -> None:
        """As the inner executor does."""
        self._inner.close()


def _refused() -> ReadOnlyError:
    return ReadOnlyError("a reading unit of work (write=False) cannot change data")
