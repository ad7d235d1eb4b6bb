"""The entitlements CloudCRM hears of are read as sums per group of add-ons that count on
the same days: the same totals as summing every live add-on, on every store."""

from __future__ import annotations

from datetime import date, timedelta

from domain.billing import entitlements
from tests.services.workspace import Workspace
from tests.stores import Store

ANCHOR = date(2026, 3, 18)


async def test_grouped_totals_equal_the_sum_over_every_live_add_on(store: Store) -> None:
    ws = await Workspace.open(store, ANCHOR)
    day = date(2026, 4, 3)
    await ws.book("users", 2, day)
    await ws.book("users", 3, day)  # the same day: one group of 5
    await ws.book("storage", 1, day)
    later = await ws.book("users", 4, day + timedelta(days=5))
    pending = await ws.book("storage", 2, day + timedelta(days=5))
    withdrawn = await ws.book("users", 7, day + timedelta(days=6))
    await ws.run_billing(date(2026, 4, 18))
    await ws.cancel(await ws.reload(pending), date(2026, 4, 25))  # to 17.05.: pending
    await ws.cancel(await ws.reload(withdrawn), date(2026, 4, 18))  # within 14 days
    async with ws.ctx.db.unit_of_work(write=False) as uow:
        every = await uow.addons.live(ws.team_id)
        grouped = await uow.addons.live_totals(ws.team_id)
    assert later.id in {a.id for a in every}
    assert len(grouped) == 4 < len(every) == 5  # users 5 + users 4, storage 1 + storage 2
    assert sum(a.quantity for a in grouped) == sum(a.quantity for a in every) == 12
    for offset in range(0, 70, 3):  # before, during and after the pending cancellation
        on = day + timedelta(days=offset)
        assert entitlements(grouped, ws.catalog, on) == entitlements(every, ws.catalog, on)
    assert entitlements(grouped, ws.catalog, date(2026, 5, 18)).gigabytes == 10
