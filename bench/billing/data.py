"""The benchmark's data: N workspaces whose March turn is due, set up in bulk SQL, and
what the run must produce from them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from bench.common import checkpoint, create_schema, plain_connect

ANCHOR = date(2026, 1, 1)
LAST_CLOSED = date(2026, 2, 1)  # the February turn is done
OLD_BOOKING = date(2026, 1, 10)  # add-ons without a draft: renewed on 1 February
NEW_BOOKING = date(2026, 2, 15)  # add-ons with a draft, due on 1 March
BILLED_UNTIL = date(2026, 2, 28)
NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)  # 07:00 in Berlin: period 2 is due
CREATED_AT = datetime(2026, 2, 15, 9, 0, tzinfo=UTC).isoformat()
TIMEZONE = "Europe/Berlin"
ADMINS = 2  # Slack users who booked in each workspace: each is told of the new invoice

FULL = {"workspaces": 10_000, "small": 2_000, "addons": 10, "drafts": 2}
QUICK = {"workspaces": 300, "small": 100, "addons": 4, "drafts": 1}


def team_id(i: int) -> str:
    """The team id of workspace i."""
    return f"T{i:07d}"


def option_of(j: int) -> str:
    """The option of add-on j of every workspace: users and storage by turns."""
    return "users" if j % 2 == 0 else "storage"


def quantity_of(i: int, j: int) -> int:
    """The quantity of add-on j of workspace i: 1 to 5."""
    return 1 + (i + j) % 5


def admin(i: int, j: int) -> str:
    """The Slack user who booked add-on j of workspace i: each workspace has ADMINS."""
    return f"U{i:07d}{j % ADMINS}"


def has_draft(j: int, addons: int, drafts: int) -> bool:
    """Whether add-on j was booked this period and carries its draft."""
    return j >= addons - drafts  # the last D add-ons of each workspace


def subscription_rows(workspaces: int) -> Iterator[tuple[Any, ...]]:
    """The rows of ``subscriptions``, as the migrated schema takes them."""
    for i in range(workspaces):
        yield (
            team_id(i),
            ANCHOR.isoformat(),
            TIMEZONE,
            "de",
            LAST_CLOSED.isoformat(),
            CREATED_AT,
        )


def addon_rows(workspaces: int, addons: int, drafts: int) -> Iterator[tuple[Any, ...]]:
    """The rows of ``addons``: every add-on active, billed until 28 February."""
    for i in range(workspaces):
        for j in range(addons):
            booked = NEW_BOOKING if has_draft(j, addons, drafts) else OLD_BOOKING
            yield (
                i * addons + j + 1,
                team_id(i),
                option_of(j),
                quantity_of(i, j),
                booked.isoformat(),
                BILLED_UNTIL.isoformat(),
                "active",
                None,
                None,
                CREATED_AT,
            )


def audit_rows(workspaces: int, addons: int, drafts: int) -> Iterator[tuple[Any, ...]]:
    """One "book" audit entry per add-on, by one of its workspace's ADMINS."""
    for i in range(workspaces):
        for j in range(addons):
            booked = NEW_BOOKING if has_draft(j, addons, drafts) else OLD_BOOKING
            shape = {"option": option_of(j), "quantity": quantity_of(i, j)}
            detail = json.dumps(shape, sort_keys=True)
            yield (
                team_id(i),
                f"{booked.isoformat()}T09:00:00+00:00",
                admin(i, j),
                "book",
                i * addons + j + 1,
                None,
                "active",
                detail,
            )


def draft_rows(
    workspaces: int,
    addons: int,
    drafts: int,
    draft_line: Any,
    draft_cents: dict[tuple[str, int], int],
) -> Iterator[tuple[Any, ...]]:
    """The draft lines (proration) of the add-ons booked this period."""
    for i in range(workspaces):
        for j in range(addons - drafts, addons):
            option, quantity = option_of(j), quantity_of(i, j)
            yield (
                team_id(i),
                i * addons + j + 1,
                "proration",
                option,
                quantity,
                draft_line.from_day.isoformat(),
                draft_line.to_day.isoformat(),
                draft_cents[option, quantity],
                draft_line.due_on.isoformat(),
            )


def build(path: str, workspaces: int, addons: int, drafts: int) -> dict[str, int]:
    """Create the database at ``path`` in bulk; return what the run must produce.

    The schema comes from the app's migrations; the rows go in with one executemany per
    table in one transaction, from generators (nothing is held in memory): subscriptions,
    add-ons, the drafts, and one "book" audit entry per add-on by one of the workspace's
    ADMINS Slack users (the billing run tells them of the invoice). Draft amounts are
    priced by the domain (``quote_booking(...).draft_line``), as a booking would.
    """
    from domain.addons import quote_booking
    from domain.catalog import Catalog
    from domain.periods import BillingSchedule

    create_schema(path)
    catalog = Catalog()
    schedule = BillingSchedule(ANCHOR)
    draft_cents: dict[tuple[str, int], int] = {}
    for option in catalog:
        for quantity in range(1, 6):
            quote = quote_booking(option, quantity, NEW_BOOKING, schedule)
            draft_cents[option.key, quantity] = quote.draft_line(0).amount.cents
    draft_line = quote_booking(catalog["users"], 1, NEW_BOOKING, schedule).draft_line(0)

    conn = plain_connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO subscriptions (team_id, anchor, timezone, locale, last_closed, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            subscription_rows(workspaces),
        )
        conn.executemany(
            "INSERT INTO addons (id, team_id, option, quantity, booked_on, billed_until, "
            "status, effective_on, ended_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            addon_rows(workspaces, addons, drafts),
        )
        conn.executemany(
            "INSERT INTO invoice_lines (team_id, addon_id, kind, option, quantity, from_day, "
            "to_day, amount_cents, due_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            draft_rows(workspaces, addons, drafts, draft_line, draft_cents),
        )
        conn.executemany(
            "INSERT INTO audit_log (team_id, at, actor, action, addon_id, before_status, "
            "after_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            audit_rows(workspaces, addons, drafts),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    checkpoint(path)

    unit = {o.key: o.unit_price.cents for o in catalog}
    renewal_cents = sum(
        unit[option_of(j)] * quantity_of(i, j) for i in range(workspaces) for j in range(addons)
    )
    carried_cents = sum(
        draft_cents[option_of(j), quantity_of(i, j)]
        for i in range(workspaces)
        for j in range(addons - drafts, addons)
    )
    return {
        "workspaces": workspaces,
        "invoices": workspaces,
        "renewals": workspaces * addons,
        "carried": workspaces * drafts,
        "lines": workspaces * (addons + drafts),
        "total_cents": renewal_cents + carried_cents,
    }
