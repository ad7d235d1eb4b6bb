"""Proration as booking records it: each draft line rounds on its own."""

from __future__ import annotations

from datetime import date

from domain.addons import quote_booking
from domain.catalog import Catalog
from domain.money import Money
from tests.services.workspace import Workspace
from tests.stores import Store

USERS = Catalog()["users"]


async def test_two_lines_on_one_day_are_rounded_separately_not_their_sum(store: Store) -> None:
    ws = await Workspace.open(store, date(2026, 1, 1))
    first = await ws.book("users", 1, date(2026, 2, 22))
    second = await ws.book("users", 1, date(2026, 2, 22))
    assert await ws.total_of(first) == await ws.total_of(second) == Money(148)
    # Each line rounds on its own: 1,48 € + 1,48 € = 2,96 €, not round(2,95 €).
    assert sum(line.amount for line in await ws.lines()) == Money(296)
    both_at_once = quote_booking(USERS, 2, date(2026, 2, 22), ws.schedule)
    assert both_at_once.prorated == Money(295)
