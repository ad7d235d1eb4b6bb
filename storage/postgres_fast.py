"""PostgreSQL's fast path: the units of work's statements compiled once
(``storage.compiled``) and sent to asyncpg directly, without SQLAlchemy's execution
context and greenlet switch per statement.

Transactions still begin and end through SQLAlchemy (isolation, read-only), and the
workspace locks and claims go its way too; everything a repository sends in between
goes through the same connection's asyncpg object, one statement at a time. asyncpg
prepares each statement once per connection (its statement cache). An INSERT's new key
comes back through the RETURNING clause SQLAlchemy's compiler adds, as on its own path.
Errors are asyncpg's own; ``storage.postgres.translate`` maps them as it maps them
through SQLAlchemy's wrapping.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert

from storage.compiled import compiler_for
from storage.executor import Params, Written
from storage.postgres import PostgresExecutor


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
    """``PostgresExecutor`` with statements sent to asyncpg directly."""

    def __init__(self, conn: AsyncConnection, driver: Any) -> None:
        super().__init__(conn)
        self._driver = driver  # the connection's asyncpg.Connection
        self._compiler = compiler_for(conn.dialect)

    async def rows(
        self, statement: Executable, params: Params | None = None
    ) -> list[tuple[Any, ...]]:
        """Every row the statement returns, as tuples of Python values."""
        prepared = self._compiler.prepare(statement, tuple(params or ()))
        return prepared.processed(await self._driver.fetch(prepared.sql, *prepared.values(params)))

    async def write(self, statement: Executable, params: Params) -> Written:
        """Run a write statement once (an INSERT's new key through its RETURNING)."""
        prepared = self._compiler.prepare(statement, tuple(params))
        values = prepared.values(params)
        if prepared.result is not None:
            found = prepared.processed(await self._driver.fetch(prepared.sql, *values))
            return Written(len(found), found[0][0] if found else None)
        rowcount = _rowcount(await self._driver.execute(prepared.sql, *values))
        return Written(rowcount, _given_key(statement, params) if rowcount else None)

    async def write_many(self, statement: Executable, params: list[Params]) -> None:
        """Run a write statement for each set of parameters (asyncpg's executemany)."""
        if not params:
            return
        prepared = self._compiler.prepare(statement, tuple(params[0]))
        await self._driver.executemany(prepared.sql, [prepared.values(p) for p in params])
