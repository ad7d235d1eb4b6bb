"""The stores the use-case tests run on, by name: the same scenarios on each prove the
ports interchangeable. Add a name here (and a branch in ``open_store``) to run them all
on another database as well. "postgres" runs on a database of its own on the server
``tests.postgres`` finds (skipped, or failed under ADDONS_REQUIRE_POSTGRES, without one).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.ports import StorageError, UnitOfWorkSource
from storage import Database
from storage.executor import ReadOnlyError
from storage.types import utc_text
from tests import postgres
from tests.fakes.memory import IntegrityError, MemoryStore, NotInTransaction
from tests.sqlite_template import migrated_copy

STORES = ("memory", "sqlite", "postgres")

Rows = dict[str, list[tuple[Any, ...]]]

# Each table in its key order, as the rows of the in-memory store come.
TABLES = {
    "subscriptions": "team_id",
    "addons": "id",
    "invoices": "number",
    "invoice_lines": "id",
    "corrections": "number",
    "correction_lines": "id",
    "counters": "name",
    "idempotency_keys": "team_id, key",
    "audit_log": "id",
    "outbox": "id",
}


@dataclass(frozen=True)
class Store:
    """A store under test: where units of work come from, and every row it holds."""

    name: str
    db: UnitOfWorkSource
    rows: Callable[[], Awaitable[Rows]]  # what is committed, read past the ports
    # what a broken key or reference raises (storage: a one-line StorageError)
    integrity_error: type[Exception]
    refused_write: type[Exception]  # what a write in a reading unit of work raises


def sqlite_rows(path: str) -> Rows:
    """Every row of every table, read straight from the file."""
    conn = sqlite3.connect(path)
    try:
        return {
            table: [tuple(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY {key}")]
            for table, key in TABLES.items()
        }
    finally:
        conn.close()


def as_in_sqlite(value: Any) -> Any:
    """A value as SQLite stores it: dates ISO text, instants UTC ISO text."""
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


async def postgres_rows(url: str) -> Rows:
    """Every row of every table, read straight from the PostgreSQL database, each value
    as SQLite would hold it (so the tests read both the same way)."""
    queries = [f"SELECT * FROM {table} ORDER BY {key}" for table, key in TABLES.items()]
    found = await postgres.fetch_each(url, queries)
    return {
        table: [tuple(as_in_sqlite(v) for v in row) for row in rows]
        for table, rows in zip(TABLES, found, strict=True)
    }


@asynccontextmanager
async def open_store(name: str, directory: Path, pool_size: int = 4) -> AsyncIterator[Store]:
    """A fresh, empty store of the kind ``name``; files go to ``directory``."""
    if name == "memory":
        memory = MemoryStore()

        async def memory_rows() -> Rows:
            return memory.rows()

        yield Store(name, memory, memory_rows, IntegrityError, NotInTransaction)
    elif name == "sqlite":
        path = str(migrated_copy(directory / "addons.db"))
        async with Database(path, pool_size=pool_size) as db:

            async def file_rows() -> Rows:
                return sqlite_rows(path)

            yield Store(name, db, file_rows, StorageError, ReadOnlyError)
    elif name == "postgres":
        with postgres.fresh_database() as url:
            async with Database(url, pool_size=pool_size) as db:

                async def server_rows() -> Rows:
                    return await postgres_rows(url)

                yield Store(name, db, server_rows, StorageError, ReadOnlyError)
    else:
        raise ValueError(f"no store called {name!r}; known: {', '.join(STORES)}")
