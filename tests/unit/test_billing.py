"""The turn of a period, the invoice preview, catch-up runs and entitlements."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.addons import Outcome
from domain.billing import Entitlements, close_period, entitlements, preview_invoice
from domain.catalog import Catalog
from domain.invoices import Invoice, InvoiceLine, LineKind, lines_due
from domain.money import Money
from domain.workspace import Subscription
from tests.unit.ledger import Ledger

# Periods: 18.03.–17.04.2026 (0), 18.04.–17.05.2026 (1), 18.05.–17.06.2026 (2), ...
ANCHOR = date(2026, 3, 18)
CATALOG = Catalog()


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(anchor=ANCHOR)


def unnumbered(invoice: Invoice) -> list[InvoiceLine]:
    return [replace(line, invoice_number=None) for line in invoice.lines]


def busy_ledger() -> Ledger:
    """A workspace on 17.05.2026 with one add-on in each state the turn must handle."""
    ledger = Ledger(anchor=ANCHOR)
    ledger.book("users", 2, date(2026, 3, 20))  # renewed on 18.04., renews again
    ledger.book("storage", 3, date(2026, 3, 25))  # cancelled to 17.05.
    withdrawn = ledger.book("users", 1, date(2026, 4, 16))  # invoiced, then withdrawn
    ledger.run_billing(date(2026, 4, 18))
    ledger.cancel(ledger.addons[1], date(2026, 5, 2), Outcome.CANCELLATION)
    ledger.cancel(withdrawn, date(2026, 4, 30), Outcome.WITHDRAWAL)
    ledger.book("storage", 1, date(2026, 5, 10))  # a fresh draft
    return ledger


# -- the turn ---------------------------------------------------------------------------


def test_the_first_turn_invoices_the_draft_and_renews_in_advance(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 4, 3))
    [close] = ledger.run_billing(date(2026, 4, 18))
    invoice = close.invoice
    assert invoice is not None
    assert (invoice.number, invoice.team_id) == (1, ledger.team_id)
    assert invoice.issued_on == date(2026, 4, 18)
    assert [(line.kind, line.amount) for line in invoice.lines] == [
        (LineKind.PRORATION, Money(285)),
        (LineKind.RENEWAL, Money(590)),
    ]
    assert invoice.total == Money(875)
    [renewal] = close.renewals
    assert (renewal.from_day, renewal.to_day) == (date(2026, 4, 18), date(2026, 5, 17))
    assert renewal.due_on == date(2026, 4, 18)
    assert addon.billed_until == date(2026, 5, 17)
    assert ledger.drafts() == []


def test_an_add_on_booked_on_the_first_day_of_a_period_is_not_renewed_for_that_period(
    ledger: Ledger,
) -> None:
    addon = ledger.book("users", 1, date(2026, 4, 18))  # before the turn of that day ran
    [close] = ledger.run_billing(date(2026, 4, 18))
    assert close.invoice is None
    [draft] = ledger.lines_of(addon)
    assert draft.amount == Money(590) and draft.is_draft
    [next_close] = ledger.run_billing(date(2026, 5, 18))
    assert next_close.invoice is not None
    assert [line.kind for line in next_close.invoice.lines] == [
        LineKind.PRORATION, LineKind.RENEWAL,
    ]


def test_a_turn_with_nothing_to_bill_issues_no_invoice_and_uses_no_number(
    ledger: Ledger,
) -> None:
    [empty] = ledger.run_billing(date(2026, 4, 18))
    assert empty.invoice is None
    ledger.book("users", 1, date(2026, 5, 1))
    [close] = ledger.run_billing(date(2026, 5, 18))
    assert close.invoice is not None and close.invoice.number == 1


def test_close_period_takes_the_number_it_is_given() -> None:
    ledger = busy_ledger()
    period = ledger.schedule.period(2)
    close = close_period("T1", period, ledger.addons, ledger.lines, CATALOG, next_number=41)
    assert close.invoice is not None
    assert {line.invoice_number for line in close.invoice.lines} == {41}


def test_drafts_not_yet_due_stay_off_the_invoice() -> None:
    ledger = Ledger(anchor=ANCHOR)
    ledger.book("users", 1, date(2026, 4, 3))
    assert lines_due(ledger.lines, date(2026, 4, 17)) == []
    assert len(lines_due(ledger.lines, date(2026, 4, 18))) == 1


def test_the_turn_deactivates_renews_and_consolidates_everything_due() -> None:
    ledger = busy_ledger()
    renewing, cancelled, withdrawn, fresh = ledger.addons
    [close] = ledger.run_billing(date(2026, 5, 18))
    assert close.deactivated == (cancelled,)
    assert [line.addon_id for line in close.renewals] == [renewing.id, fresh.id]
    assert close.invoice is not None
    assert [(line.addon_id, line.kind, line.amount) for line in close.invoice.lines] == [
        (withdrawn.id, LineKind.CREDIT, Money(-38)),  # 5,90 € × 2 ÷ 31 = 0,3806… -> 0,38 €
        (withdrawn.id, LineKind.CREDIT, Money(-590)),
        (fresh.id, LineKind.PRORATION, Money(157)),  # 5,90 € × 8 ÷ 30 = 1,5733… -> 1,57 €
        (renewing.id, LineKind.RENEWAL, Money(1180)),
        (fresh.id, LineKind.RENEWAL, Money(590)),
    ]
    assert close.invoice.total == Money(1299)
    assert ledger.total_of(withdrawn) == Money.zero()
    assert cancelled.billed_until == date(2026, 5, 17)


# -- the preview ---------------------------------------------------------------------------


def test_preview_invoice_agrees_with_close_period() -> None:
    ledger = busy_ledger()
    period = ledger.schedule.period(2)
    preview = preview_invoice(ledger.team_id, period, ledger.addons, ledger.lines, CATALOG)
    assert preview.number is None

    [close] = ledger.run_billing(period.start)

    assert close.invoice is not None
    assert sorted(unnumbered(close.invoice), key=repr) == sorted(preview.lines, key=repr)
    assert preview.total == close.invoice.total
    assert preview.period == close.invoice.period


def test_preview_invoice_changes_nothing() -> None:
    ledger = busy_ledger()
    state = [(a.status, a.effective_on, a.ended_on, a.billed_until) for a in ledger.addons]
    lines = list(ledger.lines)
    preview_invoice(ledger.team_id, ledger.schedule.period(2), ledger.addons, ledger.lines,
                    CATALOG)
    assert [(a.status, a.effective_on, a.ended_on, a.billed_until)
            for a in ledger.addons] == state
    assert ledger.lines == lines


def test_preview_of_a_quiet_period_is_empty(ledger: Ledger) -> None:
    preview = preview_invoice(ledger.team_id, ledger.schedule.period(1), [], [], CATALOG)
    assert preview.lines == ()
    assert preview.total == Money.zero()


# -- catching up ---------------------------------------------------------------------------


def test_a_billing_run_that_was_down_catches_up_period_by_period(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 4, 3))
    closes = ledger.run_billing(date(2026, 7, 20))
    assert [close.period.start for close in closes] == [
        date(2026, 4, 18), date(2026, 5, 18), date(2026, 6, 18), date(2026, 7, 18),
    ]
    assert [invoice.number for invoice in ledger.invoices] == [1, 2, 3, 4]
    assert addon.billed_until == date(2026, 8, 17)
    renewals = [line for line in ledger.lines_of(addon) if line.kind is LineKind.RENEWAL]
    assert [line.from_day for line in renewals] == [
        date(2026, 4, 18), date(2026, 5, 18), date(2026, 6, 18), date(2026, 7, 18),
    ]


def test_running_billing_twice_issues_nothing_twice(ledger: Ledger) -> None:
    ledger.book("users", 1, date(2026, 4, 3))
    ledger.run_billing(date(2026, 5, 20))
    lines = list(ledger.lines)
    assert ledger.run_billing(date(2026, 5, 20)) == []
    assert ledger.run_billing(date(2026, 6, 17)) == []
    assert ledger.lines == lines
    assert [invoice.number for invoice in ledger.invoices] == [1, 2]


def test_catch_up_deactivates_a_cancellation_at_the_right_turn(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.run_billing(date(2026, 4, 18))
    ledger.cancel(addon, date(2026, 5, 1))  # effective 17.05.2026
    closes = ledger.run_billing(date(2026, 8, 1))
    assert closes[0].deactivated == (addon,)
    assert addon.ended_on == date(2026, 5, 17)
    assert all(line.to_day <= date(2026, 5, 17) for line in ledger.lines_of(addon))


# -- entitlements ----------------------------------------------------------------------------


def test_storage_quantity_3_gives_30_gb_and_users_give_seats(ledger: Ledger) -> None:
    ledger.book("storage", 3, date(2026, 4, 3))
    ledger.book("users", 2, date(2026, 4, 5))
    assert entitlements(ledger.addons, CATALOG, date(2026, 4, 2)) == Entitlements(0, 0)
    assert entitlements(ledger.addons, CATALOG, date(2026, 4, 3)) == Entitlements(0, 30)
    assert entitlements(ledger.addons, CATALOG, date(2026, 4, 5)) == Entitlements(2, 30)


def test_a_pending_cancellation_counts_through_its_effective_date(ledger: Ledger) -> None:
    addon = ledger.book("users", 4, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 4, 10))
    assert entitlements(ledger.addons, CATALOG, date(2026, 4, 17)).seats == 4
    assert entitlements(ledger.addons, CATALOG, date(2026, 4, 18)).seats == 0
    ledger.run_billing(date(2026, 4, 18))
    assert entitlements(ledger.addons, CATALOG, date(2026, 4, 17)).seats == 4
    assert entitlements(ledger.addons, CATALOG, date(2026, 4, 18)).seats == 0


def test_a_withdrawn_add_on_stops_counting_on_the_withdrawal_day(ledger: Ledger) -> None:
    addon = ledger.book("storage", 2, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 3, 30))
    assert entitlements(ledger.addons, CATALOG, date(2026, 3, 29)).gigabytes == 20
    assert entitlements(ledger.addons, CATALOG, date(2026, 3, 30)).gigabytes == 0


# -- the subscription -----------------------------------------------------------------------


def test_today_is_the_calendar_date_in_the_billing_time_zone() -> None:
    subscription = Subscription("T1", ANCHOR)
    late_utc = datetime(2026, 4, 17, 22, 30, tzinfo=UTC)  # 00:30 CEST on 18.04.
    assert subscription.today(late_utc) == date(2026, 4, 18)
    winter = datetime(2026, 1, 31, 23, 0, tzinfo=UTC)  # 00:00 CET on 01.02.
    assert subscription.today(winter) == date(2026, 2, 1)
    new_york = Subscription("T1", ANCHOR, timezone="America/New_York")
    assert new_york.today(late_utc) == date(2026, 4, 17)
    assert subscription.today(datetime(2026, 4, 18, 1, tzinfo=timezone(timedelta(hours=5)))) \
        == date(2026, 4, 17)


def test_today_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError):
        Subscription("T1", ANCHOR).today(datetime(2026, 4, 18, 12))


def test_a_new_subscription_has_closed_nothing_before_its_anchor() -> None:
    subscription = Subscription("T1", ANCHOR)
    assert subscription.closed_through == ANCHOR
    assert subscription.schedule.period(0).start == ANCHOR
    later = replace(subscription, last_closed=date(2026, 4, 18))
    assert later.closed_through == date(2026, 4, 18)
