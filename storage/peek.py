"""A look into a database before anything opens (or migrates) it: read-only, writes
nothing, and says 0 for whatever it cannot read (opening it for real says what is wrong).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import asyncpg

from storage.urls import UnsupportedDatabase, asyncpg_args, parse

PEEK_TIMEOUT_S = 5


def count_subscriptions(database: str, team_id: str, *, other: bool = False) -> int:
    """Subscriptions of ``team_id`` (with ``other``: of every other workspace) in the
    database the setting names, a SQLite file or a PostgreSQL URL."""
    try:
        target = parse(database)
    except UnsupportedDatabase:
        return 0
    sql = f"SELECT COUNT(*) FROM subscriptions WHERE team_id {'<>' if other else '='} "
    if target.url is None:
        return _sqlite(database, sql + "?", team_id)
    bare, args = asyncpg_args(target.url, timeout=PEEK_TIMEOUT_S, server_settings={})
    args.update(
        host=bare.host,
        port=bare.port,
        user=bare.username,
        password=bare.password,
        database=bare.database,
    )  # as SQLAlchemy's dialect hands them over; a libpq DSN in args for the TLS ones
    return _in_thread(args, sql + "$1", team_id)


def _sqlite(path: str, sql: str, team_id: str) -> int:
    if not os.path.isfile(path):
        return 0
    # Without a write-ahead log the file holds everything: read it as immutable, which
    # creates no -wal and -shm beside it. With one, its pages count: read-only, then.
    mode = "mode=ro" if os.path.exists(path + "-wal") else "immutable=1"
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?{mode}", uri=True)
    except sqlite3.Error:
        return 0
    try:
        return int(conn.execute(sql, (team_id,)).fetchone()[0])
    except sqlite3.Error:
        return 0  # not migrated yet, or not a database: nothing of the demo in it
    finally:
        conn.close()


def _in_thread(args: dict[str, Any], sql: str, team_id: str) -> int:
    """Run the PostgreSQL look in a thread of its own: callers may be in an event loop."""
    found: list[int] = [0]

    def look() -> None:
        found[0] = asyncio.run(_postgres(args, sql, team_id))

    thread = threading.Thread(target=look, name="peek", daemon=True)
    thread.start()
    thread.join()
    return found[0]


async def _postgres(args: dict[str, Any], sql: str, team_id: str) -> int:
    try:
        conn = await asyncpg.connect(**args)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
        return 0
    try:
        async with conn.transaction(readonly=True):
            return int(await conn.fetchval(sql, team_id))
    except asyncpg.PostgresError:
        return 0  # not migrated yet: nothing of the demo in it
    finally:
        await conn.close()
