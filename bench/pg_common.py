"""What the PostgreSQL benchmarks share: the server, scratch databases, plain asyncpg.

The server is ``--database URL`` (a user that may create databases), else
``$ADDONS_BENCH_POSTGRES_URL``, else the local server at 127.0.0.1:5432 as user
``postgres``. Each benchmark works in databases of its own (``bench_<pid>_<n>``): one is
migrated by the app and filled in bulk, the others are copies of it
(``CREATE DATABASE ... TEMPLATE``), and all are dropped at the end.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy.engine import make_url

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
_names = itertools.count(1)


def server_url(given: str | None) -> str:
    """The server's maintenance URL from the option, the environment or the default."""
    return given or os.environ.get("ADDONS_BENCH_POSTGRES_URL") or DEFAULT_SERVER


def with_database(url: str, name: str) -> str:
    """``url`` naming another database on the same server."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def plain(url: str) -> str:
    """The URL asyncpg itself takes (no ``+asyncpg`` driver suffix)."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def admin(server: str, *statements: str) -> None:
    """Run statements outside a transaction on the maintenance database."""
    conn = await asyncpg.connect(plain(server))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def new_database(server: str, template: str | None = None) -> str:
    """Create an empty database (or a copy of ``template``'s); its URL."""
    name = f"bench_{os.getpid()}_{next(_names)}"
    copy = f" TEMPLATE {make_url(template).database}" if template else ""
    await admin(server, f"CREATE DATABASE {name}{copy}")
    return with_database(server, name)


async def drop_database(server: str, url: str) -> None:
    """Drop a database ``new_database`` made, closing what still uses it."""
    name = make_url(url).database
    assert name is not None
    assert name.startswith("bench_")
    await admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextlib.asynccontextmanager
async def scratch(server: str) -> AsyncIterator[list[str]]:
    """A list to which created databases are appended; all of them dropped afterwards."""
    made: list[str] = []
    try:
        yield made
    finally:
        for url in made:
            await drop_database(server, url)


async def migrated_database(server: str) -> str:
    """A new database with the app's schema, made by the app's own migrations."""
    from storage import Database

    url = await new_database(server)
    db = Database(url)
    await db.open()
    await db.close()
    return url


async def server_version(server: str) -> str:
    """The server's version string, for the report."""
    conn = await asyncpg.connect(plain(server))
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def typed(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row of ISO text (as the SQLite benchmarks build them) with real dates/instants."""
    out: list[Any] = []
    for value in row:
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            out.append(date.fromisoformat(value))
        elif isinstance(value, str) and len(value) > 18 and value[10] == "T" and value[4] == "-":
            out.append(datetime.fromisoformat(value))
        else:
            out.append(value)
    return tuple(out)


async def fix_sequences(conn: Any, *tables: str) -> None:
    """After rows with explicit ids: move each serial id on past the largest one."""
    for table in tables:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )
