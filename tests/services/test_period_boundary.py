"""The period boundary: a booking or Kündigung that commits after the next period was
invoiced (the billing run's clock ahead, or the turn committed while the confirmation
waited for the workspace) is billed and ended exactly as the invoices say, on every store."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest

from bot import services
from domain.addons import Outcome, Status
from domain.errors import CancellationDateChanged
from domain.invoices import InvoiceLine, LineKind
from domain.money import Money
from tests.services.workspace import ADMIN, BERLIN, TEAM, Workspace, at
from tests.stores import Store

# Periods: 18.03.–17.04.2026 (0), 18.04.–17.05.2026 (1), 18.05.–17.06.2026 (2), ...
ANCHOR = date(2026, 3, 18)
LAST_DAY = date(2026, 4, 17)
TURN = date(2026, 4, 18)


@pytest.fixture
async def ws(store: Store) -> Workspace:
    return await Workspace.open(store, ANCHOR)


def days_charged(lines: list[InvoiceLine], start: date, end: date) -> dict[date, int]:
    """How many charged lines cover each day from ``start`` through ``end``."""
    count: dict[date, int] = {}
    for line in lines:
        if line.kind is LineKind.CREDIT:
            continue
        day = line.from_day
        while day <= line.to_day:
            count[day] = count.get(day, 0) + 1
            day = date.fromordinal(day.toordinal() + 1)
    span = (end - start).days + 1
    return {date.fromordinal(start.toordinal() + i): 0 for i in range(span)} | {
        d: n for d, n in count.items() if start <= d <= end
    }


async def test_a_booking_confirmed_after_the_next_period_was_invoiced_is_billed_for_it(
    ws: Workspace,
) -> None:
    await ws.run_billing(TURN)  # the schedule's clock is a day ahead of the app's
    addon = await ws.book("users", 1, LAST_DAY)
    assert addon.billed_until == date(2026, 5, 17)
    drafts = await ws.drafts()
    assert [(line.kind, line.from_day, line.to_day, line.due_on) for line in drafts] == [
        (LineKind.PRORATION, LAST_DAY, LAST_DAY, TURN),
        (LineKind.RENEWAL, TURN, date(2026, 5, 17), date(2026, 5, 18)),
    ]
    [turn] = await ws.run_billing(date(2026, 5, 18))
    assert turn.invoice is not None
    assert sorted((line.from_day, line.amount) for line in turn.invoice.lines) == [
        (LAST_DAY, Money(19)),  # 5,90 € × 1 ÷ 31
        (TURN, Money(590)),  # the period invoiced before the booking, now
        (date(2026, 5, 18), Money(590)),  # the period just begun, in advance
    ]
    covered = days_charged(await ws.lines_of(addon), LAST_DAY, date(2026, 6, 17))
    assert set(covered.values()) == {1}, "every day in force is billed exactly once"


async def test_a_kuendigung_confirmed_after_the_next_period_was_invoiced_ends_with_it(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.run_billing(TURN)  # renewed and invoiced through 17.05.
    quote = await ws.quote_cancellation(addon, LAST_DAY)
    assert (quote.outcome, quote.on) == (Outcome.CANCELLATION, date(2026, 5, 17))
    await ws.cancel(addon, LAST_DAY, Outcome.CANCELLATION)
    cancelled = await ws.reload(addon)
    assert (cancelled.status, cancelled.effective_on) == (
        Status.CANCELLATION_PENDING,
        date(2026, 5, 17),
    )
    seats = await services.get_entitlements(ws.ctx, TEAM, at(date(2026, 5, 1)))
    assert seats.seats == 1, "the month invoiced is the month received"
    [turn] = await ws.run_billing(date(2026, 5, 18))
    assert [a.id for a in turn.deactivated] == [addon.id]
    assert turn.renewals == ()
    covered = days_charged(await ws.lines_of(addon), date(2026, 3, 20), date(2026, 5, 17))
    assert set(covered.values()) == {1}


async def test_a_kuendigung_confirmed_for_the_old_date_after_the_turn_is_refused_with_the_new(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.run_billing(TURN)
    with pytest.raises(CancellationDateChanged) as refused:
        await ws.cancel(addon, LAST_DAY, Outcome.CANCELLATION, confirmed_on=LAST_DAY)
    assert refused.value.params()["actual"] == date(2026, 5, 17)
    assert (await ws.reload(addon)).status is Status.ACTIVE


async def test_a_confirmation_reads_the_clock_only_once_it_holds_the_workspace(
    ws: Workspace,
) -> None:
    """The confirmation arrives at 23:59:58 on the period's last day and waits for the
    workspace; it gets it after midnight, so it books on the new period's first day."""
    instants = [datetime(2026, 4, 17, 23, 59, 58, tzinfo=BERLIN)]
    read: list[datetime] = []

    def clock() -> datetime:
        read.append(instants[-1])
        return instants[-1]

    async with ws.ctx.db.unit_of_work() as holder:  # someone else holds the workspace
        await holder.subscriptions.get(TEAM)

        async def confirm() -> services.Booked:
            return await services.book(ws.ctx, TEAM, "users", 1, clock, key="late", actor=ADMIN)

        booking = asyncio.create_task(confirm())
        await asyncio.sleep(0.2)
        instants.append(datetime(2026, 4, 18, 0, 0, 1, tzinfo=BERLIN))
    booked = await booking
    assert read == [datetime(2026, 4, 18, 0, 0, 1, tzinfo=BERLIN)]
    assert (booked.addon.booked_on, booked.addon.billed_until) == (TURN, date(2026, 5, 17))
