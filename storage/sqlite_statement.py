"""One whole SQLite statement, run in aiosqlite's worker thread (the fast path's trip).

Both the fenced fast path (``storage.sqlite_fast``) and SQLAlchemy's one-trip cursor
(``storage.sqlite_one_trip``) run statements with it; it names aiosqlite's private
connection, which ``storage.sqlite_fast.missing_internals`` checks at start-up.
"""

from __future__ import annotations

from typing import Any

import aiosqlite


def run_statement(
    driver: aiosqlite.Connection, operation: str, parameters: Any, many: bool
) -> tuple[Any, list[Any], int, int | None]:
    """One whole statement, in the connection's worker thread."""
    cursor = driver._conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()
