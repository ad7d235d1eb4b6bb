"""How the repositories run their Core statements: through SQLAlchemy, or compiled once
and sent to aiosqlite's thread directly.

SQLAlchemy's execution path (greenlet, execution context, result objects) costs about
as much per statement as SQLite itself on this app's small statements, and a booking
is eight statements. On SQLite the statements are therefore compiled once per
statement object and parameter keys (with SQLAlchemy's own compiler, bind and result
processors) and run in one trip each, as the app did before SQLAlchemy. Any other
database goes through ``SqlAlchemyExecutor``, with the same statements.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import aiosqlite
from sqlalchemy import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert

from storage.engine import run_statement
from storage.errors import StorageError

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

    async def write_many(self, statement: Executable, params: list[Params]) -> None:
        """Refused: a reader changes nothing."""
        raise _refused()


def _refused() -> ReadOnlyError:
    return ReadOnlyError("a reading unit of work (write=False) cannot change data")


@dataclass(frozen=True)
class _Prepared:
    sql: str
    names: tuple[str, ...]
    fixed: dict[str, Any]
    bind: tuple[Any, ...]  # a processor (or None) per name
    result: tuple[Any, ...] | None  # a processor (or None) per column; None: no rows


class SqliteExecutor:
    """Statements compiled once, each run in one trip to aiosqlite's thread."""

    _cache: ClassVar[dict[tuple[int, tuple[str, ...]], tuple[Executable, _Prepared]]] = {}

    def __init__(self, driver: aiosqlite.Connection, dialect: Dialect) -> None:
        self._driver = driver
        self._dialect = dialect
        self.dialect_name = dialect.name

    @property
    def row_locks(self) -> bool:
        """SQLite locks the whole file for a writer: no row locks."""
        return False

    async def _sql(self, sql: str) -> None:
        await _trip(self._driver, run_statement, self._driver, sql, None, False)

    async def begin(self, write: bool) -> None:
        """Start the transaction; a writer takes SQLite's write lock now."""
        await self._sql("BEGIN IMMEDIATE" if write else "BEGIN")

    async def commit(self) -> None:
        """Commit the transaction."""
        await self._sql("COMMIT")

    async def rollback(self) -> None:
        """Roll the transaction back, if one is open."""
        await _trip(self._driver, _rollback, self._driver)

    def _prepare(self, statement: Executable, keys: tuple[str, ...]) -> _Prepared:
        cache_key = (id(statement), keys)
        found = self._cache.get(cache_key)
        if found is not None and found[0] is statement:
            return found[1]
        compiled = statement.compile(  # type: ignore[attr-defined]
            dialect=self._dialect,
            column_keys=list(keys) if isinstance(statement, Insert) else None,
        )
        if any(b.expanding for b in compiled.binds.values()):
            raise ValueError("an IN list cannot be compiled once: write it with or_()")
        names = tuple(compiled.positiontup or ())
        fixed = {
            n: b.effective_value for n, b in compiled.binds.items() if n not in keys and n in names
        }
        bind = tuple(compiled.binds[n].type._cached_bind_processor(self._dialect) for n in names)
        result = None
        if compiled._result_columns:
            result = tuple(
                c.type._cached_result_processor(self._dialect, None)
                for c in compiled._result_columns
            )
        prepared = _Prepared(compiled.string, names, fixed, bind, result)
        if len(self._cache) > 1000:  # statements are module constants: this is a safeguard
            self._cache.clear()
        self._cache[cache_key] = (statement, prepared)
        return prepared

    def _values(self, prepared: _Prepared, params: Params | None) -> tuple[Any, ...]:
        given = prepared.fixed if not params else {**prepared.fixed, **params}
        return tuple(
            given[n] if proc is None else proc(given[n])
            for n, proc in zip(prepared.names, prepared.bind, strict=True)
        )

    async def rows(
        self, statement: Executable, params: Params | None = None
    ) -> list[tuple[Any, ...]]:
        """Every row the statement returns, as tuples of Python values."""
        prepared = self._prepare(statement, tuple(params or ()))
        _, rows, _, _ = await _trip(
            self._driver,
            run_statement,
            self._driver,
            prepared.sql,
            self._values(prepared, params),
            False,
        )
        procs = prepared.result
        if procs is None or not any(procs):
            return [tuple(r) for r in rows]
        return [
            tuple(v if p is None else p(v) for p, v in zip(procs, r, strict=True)) for r in rows
        ]

    async def write(self, statement: Executable, params: Params) -> Written:
        """Run a write statement once."""
        prepared = self._prepare(statement, tuple(params))
        _, _, rowcount, lastrowid = await _trip(
            self._driver,
            run_statement,
            self._driver,
            prepared.sql,
            self._values(prepared, params),
            False,
        )
        return Written(rowcount, lastrowid)

    async def write_many(self, statement: Executable, params: list[Params]) -> None:
        """Run a write statement for each set of parameters, in one trip."""
        if not params:
            return
        prepared = self._prepare(statement, tuple(params[0]))
        await _trip(
            self._driver,
            run_statement,
            self._driver,
            prepared.sql,
            [self._values(prepared, p) for p in params],
            True,
        )


async def _trip(driver: aiosqlite.Connection, fn: Any, *args: Any) -> Any:
    """Run ``fn(*args)`` in the connection's worker thread: one trip."""
    return await driver._execute(fn, *args)  # type: ignore[no-untyped-call]


def _rollback(driver: aiosqlite.Connection) -> None:
    conn: sqlite3.Connection = driver._conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
