"""What an operator's probes ask of the store: is it there and current, what is queued.

Each question opens a connection of its own, read-only, and gives up after a time budget:
a probe never takes a connection a request is waiting for. A SQLite file is read in a
worker thread (never created when missing, never hanging the event loop when the disk
hangs); a PostgreSQL database through a short-lived asyncpg connection whose connect and
statements are bounded by the same budget on the server's side too.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage import migrations
from storage.errors import SchemaTooNew
from storage.tables import events, outbox
from storage.urls import asyncpg_args

if TYPE_CHECKING:
    from storage.database import Database

READY_TIMEOUT_SECONDS = 1.0

T = TypeVar("T")


@dataclass(frozen=True)
class Backlog:
    """Outbox messages neither sent nor given up, and when the oldest was queued."""

    pending: int
    oldest: datetime | None


def _read_only_engine(path: str, timeout: float) -> Engine:
    """A connection-per-use engine that opens the file read-only and never creates it."""
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    return create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False),
        poolclass=NullPool,
    )


def _with_connection(path: str, timeout: float, work: Callable[[Connection], T]) -> T:
    if not Path(path).exists():  # sqlite3 would create an empty database in its place
        raise FileNotFoundError(f"the database file {path} is missing")
    engine = _read_only_engine(path, timeout)
    try:
        with engine.connect() as conn, conn.begin():
            return work(conn)
    finally:
        engine.dispose()


def schema_is_current(conn: Connection) -> str | None:
    """None if the schema is at this app's newest migration, else why not (one line)."""
    try:
        if migrations.is_current(conn):
            return None
        found = migrations.version(conn)
    except SchemaTooNew as error:
        return str(error)
    return migrations.behind(found) if found else "the database is empty: run `addons-bot migrate`"


def _backlog(conn: Connection) -> tuple[Backlog, Backlog]:
    """The pending Slack messages and the pending CloudCRM events."""
    found = []
    for table in (outbox, events):
        pending = table.c.sent_at.is_(None) & table.c.failed_at.is_(None)
        query = select(func.count(), func.min(table.c.created_at)).where(pending)
        row = conn.execute(query).one()
        found.append(Backlog(int(row[0]), row[1]))
    return found[0], found[1]


class Unreachable(Exception):
    """The PostgreSQL server did not let the probe connect (down, refusing, no such db)."""


def _probe_engine(url: URL, budget: float) -> AsyncEngine:
    """A connection-per-use engine whose connect and statements give up after ``budget``."""
    ms = str(max(1, int(budget * 1000)))
    bare, connect_args = asyncpg_args(
        url,
        timeout=budget,
        server_settings={
            "application_name": "addons-probe",
            "default_transaction_read_only": "on",
            "statement_timeout": ms,  # the server stops too, not only our wait
            "lock_timeout": ms,
        },
    )
    # The probe's budget bounds its connect whatever connect_timeout the URL gives.
    connect_args["timeout"] = min(budget, connect_args["timeout"])
    return create_async_engine(bare, poolclass=NullPool, connect_args=connect_args)


async def _on_postgres(url: URL, budget: float, work: Callable[[Connection], T]) -> T:
    engine = _probe_engine(url, budget)
    try:
        try:
            conn = await engine.connect()
        except TimeoutError:  # an OSError too, but it is said as "did not answer"
            raise
        except Exception as error:
            if isinstance(error, SQLAlchemyError | OSError) or _is_asyncpg(error):
                raise Unreachable(_first_line(error)) from error
            raise
        try:
            return await conn.run_sync(_in_transaction, work)
        finally:
            await conn.close()
    finally:
        await engine.dispose()


def _in_transaction(conn: Connection, work: Callable[[Connection], T]) -> T:
    with conn.begin():
        return work(conn)


async def _probe(db: Database, budget: float, work: Callable[[Connection], T]) -> T:
    url = db.target.url
    if url is not None:
        return await asyncio.wait_for(_on_postgres(url, budget, work), budget)
    return await asyncio.wait_for(
        asyncio.to_thread(_with_connection, db.path, budget, work), budget
    )


UNREACHABLE = "database unreachable"


async def ready(db: Database, budget: float = READY_TIMEOUT_SECONDS) -> str | None:
    """None if the database answers within ``budget`` seconds at the current schema; else why."""
    found = await readiness(db, budget)
    return None if found is None else found[1]


async def readiness(db: Database, budget: float = READY_TIMEOUT_SECONDS) -> tuple[str, str] | None:
    """None if ready; else what anyone may be told and the details for the log.

    A schema behind or ahead is said as it is (it names no host); a database that cannot
    be reached or read is "database unreachable" to the world, its host, port and the
    driver's words only in the details.
    """
    try:
        problem = await _probe(db, budget, schema_is_current)
    except FileNotFoundError as error:
        return UNREACHABLE, str(error)
    except TimeoutError:
        return UNREACHABLE, f"the database did not answer within {budget:g} s"
    except Unreachable as error:
        return UNREACHABLE, _without_password(f"the database cannot be reached: {error}", db)
    except (SQLAlchemyError, sqlite3.Error, OSError) as error:
        detail = _without_password(f"the database cannot be read: {_first_line(error)}", db)
        return UNREACHABLE, detail
    return None if problem is None else (problem, problem)


async def outbox_backlog(
    db: Database, budget: float = READY_TIMEOUT_SECONDS
) -> tuple[Backlog, Backlog]:
    """The pending Slack messages and CloudCRM events; TimeoutError after ``budget``
    seconds, Unreachable when PostgreSQL refuses the connection."""
    return await _probe(db, budget, _backlog)


def _first_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None)
    text = str(orig if isinstance(orig, BaseException) else error)
    return text.splitlines()[0] if text else type(error).__name__


def _is_asyncpg(error: BaseException) -> bool:
    return type(error).__module__.startswith("asyncpg")


def _without_password(reason: str, db: Database) -> str:
    """The reason as it may be shown: should a driver ever echo the password, it is not."""
    url = db.target.url
    if url is not None and url.password:
        reason = reason.replace(str(url.password), "***")
    return reason
