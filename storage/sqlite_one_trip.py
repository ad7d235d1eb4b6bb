"""SQLAlchemy's aiosqlite adapter with a cursor that runs a statement in one trip to
aiosqlite's worker thread, rows included (four trips otherwise: open a cursor, execute,
fetch, close). Built on SQLAlchemy's private adapter classes: imported only once
``storage.sqlite_fast.missing_internals`` found them (see that module)."""

from __future__ import annotations

import collections
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import immutabledict
from sqlalchemy.util.concurrency import await_

from storage.sqlite_statement import run_statement


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A DBAPI cursor whose execute is one trip to aiosqlite's thread, rows included."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor is opened here: that alone would be a trip.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = immutabledict()
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        try:
            found = await_(
                self._connection._execute(
                    run_statement, self._connection, operation, parameters, many
                )
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid = found
        self._rows = collections.deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._trip(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._trip(operation, seq_of_parameters, many=True)


class _OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _OneTripCursor  # type: ignore[assignment]


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite as SQLAlchemy's dialect sees it, with the one-trip cursor."""

    def connect(self, *arg: Any, **kw: Any) -> _OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return _OneTripConnection(self, adapted._connection)
