"""Transitional: the names ``storage.sqlite`` had, for callers not yet moved.

Delete this module once bot/services.py, bot/cli.py, bot/console/session.py and the
tests import from ``storage``, ``storage.migrations`` and ``bot.ports`` instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiosqlite

from bot.ports import UnitOfWork as SqliteUnitOfWork
from bot.ports import UnitOfWorkSource
from domain.workspace import Subscription
from storage import database
from storage.database import Database
from storage.engine import DEFAULT_BUSY_TIMEOUT_MS
from storage.errors import SchemaTooNew, StorageBusy, StorageError
from storage.journal import AuditLog, Outbox
from storage.migrations import revisions
from storage.repositories import AddOns, IdempotencyKeys, Invoices, Lines, Subscriptions

__all__ = [
    "DEFAULT_BUSY_TIMEOUT_MS",
    "AddOns",
    "AuditLog",
    "Database",
    "IdempotencyKeys",
    "Invoices",
    "Lines",
    "Outbox",
    "SchemaTooNew",
    "SqliteUnitOfWork",
    "StorageBusy",
    "StorageError",
    "Subscriptions",
    "UnitOfWorkSource",
    "migrate",
    "migrations",
    "stream_subscriptions",
]


async def migrate(conn: aiosqlite.Connection, target: int | None = None) -> list[str]:
    """Bring the file ``conn`` is open on to revision number ``target`` (default: head)."""
    rows = await conn.execute_fetchall("PRAGMA database_list")
    path = next(str(r[2]) for r in rows if r[1] == "main")
    return await database.migrate(path, target)


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, "") of every revision: ``len()`` of it is the schema version."""
    return [(r.number, r.name, "") for r in revisions()]


async def stream_subscriptions(
    db: UnitOfWorkSource, page: int = 500
) -> AsyncIterator[Subscription]:
    """Every subscription in team-id order, a page at a time, no transaction held open."""
    after = ""
    while True:
        async with db.unit_of_work(write=False) as uow:
            subs = await uow.subscriptions.page_after(after, page)
        if not subs:
            return
        for sub in subs:
            yield sub
        after = subs[-1].team_id
