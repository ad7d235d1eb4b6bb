"""Shared helpers for the storage tests: instants in Berlin and the admin's gestures."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import services
from storage.urls import is_url
from tests import postgres
from tests.stores import as_in_sqlite

BERLIN = ZoneInfo("Europe/Berlin")
ANCHOR = date(2026, 3, 18)  # periods 18.03.–17.04., 18.04.–17.05., ... (DESIGN §3)
TEAM = "T0001"
OTHER = "T0002"


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    """An instant on a calendar day in Berlin, where the example workspaces bill."""
    return datetime(*date.fromisoformat(day).timetuple()[:3], hour, minute, tzinfo=BERLIN)


async def book(
    ctx: services.Context,
    day: str,
    option: str = "users",
    quantity: int = 1,
    team_id: str = TEAM,
    key: str | None = None,
) -> int:
    """Book on ``day`` as a Slack admin would; return the add-on id."""
    booked = await services.book(
        ctx,
        team_id,
        option,
        quantity,
        at(day),
        key=key or f"{team_id}:{day}:{option}:{quantity}",
        actor="U_ADMIN",
    )
    return booked.addon.id


async def press_kuendigen(
    ctx: services.Context, addon_id: int, day: str, team_id: str = TEAM
) -> services.Cancelled:
    """Quote, then confirm exactly what the quote said, as the dialog does."""
    quote = await services.quote_cancellation(ctx, team_id, addon_id, at(day))
    return await services.cancel(ctx, team_id, addon_id, quote.outcome, at(day), actor="U_ADMIN")


def query(where: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of one query, read past the app from a SQLite file or a PostgreSQL URL; each
    value as SQLite holds it (dates and instants ISO text), so tests read both alike."""
    if is_url(where):
        return [
            tuple(as_in_sqlite(value) for value in row) for row in postgres.fetch_sync(where, sql)
        ]
    conn = sqlite3.connect(where)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def snapshot(where: str) -> dict[str, Any]:
    """Everything billing decides, read straight from the database (a file path or a
    PostgreSQL URL), ids and numbers included."""
    if not is_url(where):
        return {name: query(where, sql) for name, sql in SNAPSHOT.items()}
    found = postgres.fetch_each_sync(where, list(SNAPSHOT.values()))
    return {
        name: [tuple(as_in_sqlite(value) for value in row) for row in rows]
        for name, rows in zip(SNAPSHOT, found, strict=True)
    }


SNAPSHOT = {
    "invoices": "SELECT number, team_id, period_index, period_start, period_end, "
    "total_cents FROM invoices ORDER BY number",
    "lines": "SELECT team_id, addon_id, kind, quantity, from_day, to_day, "
    "amount_cents, due_on, invoice_number, credits_line_id, id "
    "FROM invoice_lines ORDER BY team_id, addon_id, from_day, kind, id",
    "addons": "SELECT id, team_id, status, billed_until, effective_on, ended_on "
    "FROM addons ORDER BY id",
    "subscriptions": "SELECT team_id, last_closed FROM subscriptions ORDER BY team_id",
    "counter": "SELECT value FROM counters WHERE name = 'invoice_number'",
    "audit": "SELECT id, team_id, at, actor, action, addon_id, before_status, "
    "after_status, detail FROM audit_log ORDER BY id",
    "outbox": "SELECT event_key, kind, payload FROM outbox ORDER BY event_key",
}
