"""The turn of a period, the invoice preview, catch-up runs and entitlements, through the
use cases (the billing run, booking, cancelling) on every store."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.addons import Outcome
from domain.billing import Entitlements, close_period, entitlements, preview_invoice
from domain.catalog import Catalog
from domain.invoices import Invoice, InvoiceLine, LineKind, lines_due
from domain.money import Money
from tests.services.workspace import Workspace
from tests.stores import Store

# Periods: 18.03.–17.04.2026 (0), 18.04.–17.05.2026 (1), 18.05.–17.06.2026 (2), ...
ANCHOR = date(2026, 3, 18)
CATALOG = Catalog()


@pytest.fixture
async def ws(store: Store) -> Workspace:
    return await Workspace.open(store, ANCHOR)


def unnumbered(invoice: Invoice) -> list[InvoiceLine]:
    return [replace(line, invoice_number=None) for line in invoice.lines]


async def busy(ws: Workspace) -> Workspace:
    """A workspace on 17.05.2026 with one add-on in each state the turn must handle."""
    await ws.book("users", 2, date(2026, 3, 20))  # renewed on 18.04., renews again
    await ws.book("storage", 3, date(2026, 3, 25))  # cancelled to 17.05.
    withdrawn = await ws.book("users", 1, date(2026, 4, 16))  # invoiced, then withdrawn
    await ws.run_billing(date(2026, 4, 18))
    await ws.cancel((await ws.addons())[1], date(2026, 5, 2), Outcome.CANCELLATION)
    await ws.cancel(withdrawn, date(2026, 4, 30), Outcome.WITHDRAWAL)
    await ws.book("storage", 1, date(2026, 5, 10))  # a fresh draft
    return ws


# -- the turn ---------------------------------------------------------------------------


async def test_the_first_turn_invoices_the_draft_and_renews_in_advance(ws: Workspace) -> None:
    addon = await ws.book("users", 1, date(2026, 4, 3))
    [close] = await ws.run_billing(date(2026, 4, 18))
    invoice = close.invoice
    assert invoice is not None
    assert (invoice.number, invoice.team_id) == (1, ws.team_id)
    assert invoice.issued_on == date(2026, 4, 18)
    assert [(line.kind, line.amount) for line in invoice.lines] == [
        (LineKind.PRORATION, Money(285)),
        (LineKind.RENEWAL, Money(590)),
    ]
    assert invoice.total == Money(875)
    [renewal] = close.renewals
    assert (renewal.from_day, renewal.to_day) == (date(2026, 4, 18), date(2026, 5, 17))
    assert renewal.due_on == date(2026, 4, 18)
    assert (await ws.reload(addon)).billed_until == date(2026, 5, 17)
    assert await ws.drafts() == []


async def test_an_add_on_booked_on_the_first_day_of_a_period_is_not_renewed_for_that_period(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 4, 18))  # before the turn of that day ran
    [close] = await ws.run_billing(date(2026, 4, 18))
    assert close.invoice is None
    [draft] = await ws.lines_of(addon)
    assert draft.amount == Money(590)
    assert draft.is_draft
    [next_close] = await ws.run_billing(date(2026, 5, 18))
    assert next_close.invoice is not None
    assert [line.kind for line in next_close.invoice.lines] == [
        LineKind.PRORATION,
        LineKind.RENEWAL,
    ]


async def test_a_turn_with_nothing_to_bill_issues_no_invoice_and_uses_no_number(
    ws: Workspace,
) -> None:
    [empty] = await ws.run_billing(date(2026, 4, 18))
    assert empty.invoice is None
    await ws.book("users", 1, date(2026, 5, 1))
    [close] = await ws.run_billing(date(2026, 5, 18))
    assert close.invoice is not None
    assert close.invoice.number == 1


async def test_close_period_takes_the_number_it_is_given(ws: Workspace) -> None:
    await busy(ws)
    period = ws.schedule.period(2)
    close = close_period("T1", period, await ws.addons(), await ws.lines(), CATALOG, next_number=41)
    assert close.invoice is not None
    assert {line.invoice_number for line in close.invoice.lines} == {41}


async def test_a_close_numbered_later_is_the_close_given_that_number(ws: Workspace) -> None:
    await busy(ws)
    period = ws.schedule.period(2)
    unnumbered = close_period("T1", period, await ws.addons(), await ws.lines(), CATALOG, None)
    assert unnumbered.invoice is not None
    assert unnumbered.invoice.number is None
    assert {line.invoice_number for line in unnumbered.invoice.lines} == {None}
    given = close_period("T1", period, await ws.addons(), await ws.lines(), CATALOG, 41)
    assert unnumbered.numbered(41) == given


async def test_drafts_not_yet_due_stay_off_the_invoice(ws: Workspace) -> None:
    await ws.book("users", 1, date(2026, 4, 3))
    assert lines_due(await ws.lines(), date(2026, 4, 17)) == []
    assert len(lines_due(await ws.lines(), date(2026, 4, 18))) == 1


async def test_the_turn_deactivates_renews_and_consolidates_everything_due(
    ws: Workspace,
) -> None:
    await busy(ws)
    renewing, cancelled, withdrawn, fresh = await ws.addons()
    [close] = await ws.run_billing(date(2026, 5, 18))
    assert close.deactivated == (cancelled,)
    assert [line.addon_id for line in close.renewals] == [renewing.id, fresh.id]
    assert close.invoice is not None
    # The withdrawal was refunded at once with a correction: no credit on this invoice.
    assert [(line.addon_id, line.kind, line.amount) for line in close.invoice.lines] == [
        (fresh.id, LineKind.PRORATION, Money(157)),  # 5,90 € × 8 ÷ 30 = 1,5733… -> 1,57 €
        (renewing.id, LineKind.RENEWAL, Money(1180)),
        (fresh.id, LineKind.RENEWAL, Money(590)),
    ]
    assert close.invoice.total == Money(1927)
    [correction] = await ws.corrections()
    assert (correction.corrects, correction.issued_on) == (1, date(2026, 4, 30))
    # 5,90 € × 2 ÷ 31 = 0,3806… -> 0,38 €, and the renewal 18.04.–17.05.
    assert [line.amount for line in correction.lines] == [Money(-38), Money(-590)]
    assert await ws.total_of(withdrawn) == Money.zero()
    assert (await ws.reload(cancelled)).billed_until == date(2026, 5, 17)


# -- the preview ---------------------------------------------------------------------------


async def test_preview_invoice_agrees_with_close_period(ws: Workspace) -> None:
    await busy(ws)
    period = ws.schedule.period(2)
    preview = preview_invoice(ws.team_id, period, await ws.addons(), await ws.lines(), CATALOG)
    assert preview.number is None

    [close] = await ws.run_billing(period.start)

    assert close.invoice is not None
    assert sorted(unnumbered(close.invoice), key=repr) == sorted(preview.lines, key=repr)
    assert preview.total == close.invoice.total
    assert preview.period == close.invoice.period


async def test_preview_invoice_changes_nothing(ws: Workspace) -> None:
    await busy(ws)
    addons, lines = await ws.addons(), await ws.lines()
    state = [(a.status, a.effective_on, a.ended_on, a.billed_until) for a in addons]
    preview_invoice(ws.team_id, ws.schedule.period(2), addons, lines, CATALOG)
    assert [(a.status, a.effective_on, a.ended_on, a.billed_until) for a in addons] == state
    assert await ws.lines() == lines


# -- catching up ---------------------------------------------------------------------------


async def test_a_billing_run_that_was_down_catches_up_period_by_period(ws: Workspace) -> None:
    addon = await ws.book("users", 1, date(2026, 4, 3))
    closes = await ws.run_billing(date(2026, 7, 20))
    assert [close.period.start for close in closes] == [
        date(2026, 4, 18),
        date(2026, 5, 18),
        date(2026, 6, 18),
        date(2026, 7, 18),
    ]
    assert [invoice.number for invoice in await ws.invoices()] == [1, 2, 3, 4]
    assert (await ws.reload(addon)).billed_until == date(2026, 8, 17)
    lines = await ws.lines_of(addon)
    renewals = [line for line in lines if line.kind is LineKind.RENEWAL]
    assert [line.from_day for line in renewals] == [
        date(2026, 4, 18),
        date(2026, 5, 18),
        date(2026, 6, 18),
        date(2026, 7, 18),
    ]


async def test_running_billing_twice_issues_nothing_twice(ws: Workspace) -> None:
    await ws.book("users", 1, date(2026, 4, 3))
    await ws.run_billing(date(2026, 5, 20))
    lines = await ws.lines()
    assert await ws.run_billing(date(2026, 5, 20)) == []
    assert await ws.run_billing(date(2026, 6, 17)) == []
    assert await ws.lines() == lines
    assert [invoice.number for invoice in await ws.invoices()] == [1, 2]


async def test_catch_up_deactivates_a_cancellation_at_the_right_turn(ws: Workspace) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.run_billing(date(2026, 4, 18))
    await ws.cancel(addon, date(2026, 5, 1))  # effective 17.05.2026
    closes = await ws.run_billing(date(2026, 8, 1))
    assert closes[0].deactivated == (addon,)
    assert (await ws.reload(addon)).ended_on == date(2026, 5, 17)
    assert all(line.to_day <= date(2026, 5, 17) for line in await ws.lines_of(addon))


# -- entitlements ----------------------------------------------------------------------------


async def test_storage_quantity_3_gives_30_gb_and_users_give_seats(ws: Workspace) -> None:
    await ws.book("storage", 3, date(2026, 4, 3))
    await ws.book("users", 2, date(2026, 4, 5))
    addons = await ws.addons()
    assert entitlements(addons, CATALOG, date(2026, 4, 2)) == Entitlements(0, 0)
    assert entitlements(addons, CATALOG, date(2026, 4, 3)) == Entitlements(0, 30)
    assert entitlements(addons, CATALOG, date(2026, 4, 5)) == Entitlements(2, 30)


async def test_a_pending_cancellation_counts_through_its_effective_date(ws: Workspace) -> None:
    addon = await ws.book("users", 4, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 4, 10))
    assert entitlements(await ws.addons(), CATALOG, date(2026, 4, 17)).seats == 4
    assert entitlements(await ws.addons(), CATALOG, date(2026, 4, 18)).seats == 0
    await ws.run_billing(date(2026, 4, 18))
    assert entitlements(await ws.addons(), CATALOG, date(2026, 4, 17)).seats == 4
    assert entitlements(await ws.addons(), CATALOG, date(2026, 4, 18)).seats == 0


async def test_a_withdrawn_add_on_stops_counting_on_the_withdrawal_day(ws: Workspace) -> None:
    addon = await ws.book("storage", 2, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 3, 30))
    assert entitlements(await ws.addons(), CATALOG, date(2026, 3, 29)).gigabytes == 20
    assert entitlements(await ws.addons(), CATALOG, date(2026, 3, 30)).gigabytes == 0
