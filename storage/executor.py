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

Params = dict[str, Any]


@dataclass(frozen=True)
class Written:
    """What a write statement did."""

    rowcount: int
    lastrowid: int | None


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

    async def rows(
        self, statement: Executable, params: Params | None = None
    ) -> list[tuple[Any, ...]]: ...

    async def write(self, statement: Executable, params: Params) -> Written: ...

    async def write_many(self, statement: Executable, params: list[Params]) -> None: ...


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

    async def write_many(self, statement: Executable, params: list[Params]) -> None:
        """Run a write statement for each set of parameters."""
        await self._conn.execute(statement, params)
