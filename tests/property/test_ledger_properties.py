"""Any sequence of bookings, cancellations, withdrawals, undos and turns keeps the books right.

A random workspace lives through random days: admins book, press Kündigen (confirming the
outcome shown, or a stale one), take cancellations back, and the billing run either keeps
up or is down for a while and catches up. After every step:

- a withdrawn add-on's lines sum to exactly zero, and it counts no more;
- a cancelled add-on is never renewed past its effective date;
- every day an add-on was in force (and not withdrawn), up to the end of the last closed
  period (or of its booking period), is covered by exactly one charged line, and no other
  day is;
- invoice numbers run 1, 2, 3, … without gaps, and the ledger keeps every invoiced line;
- the preview of the next invoice is what the turn then issues.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

from hypothesis import event, given, settings
from hypothesis import strategies as st

from domain.addons import AddOn, Outcome, Status, withdrawal_deadline
from domain.billing import preview_invoice
from domain.errors import (
    AlreadyCancelled,
    AlreadyEnded,
    DomainError,
    OutcomeChanged,
)
from domain.invoices import InvoiceLine, LineKind
from domain.money import Money
from domain.periods import prorate
from tests.property.rules import expected_undo_refusal
from tests.unit.ledger import Ledger

ONE_DAY = timedelta(days=1)

anchors = st.one_of(
    st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    st.builds(
        lambda year, month, day: date(year, month, min(day, calendar.monthrange(year, month)[1])),
        st.integers(2024, 2030), st.integers(1, 12), st.integers(28, 31),
    ),
)

waits = st.one_of(
    # Let days pass; run the billing turn afterwards, or leave it down for now.
    st.tuples(st.just("wait"), st.integers(0, 40), st.booleans()),
    st.tuples(st.just("wait"), st.sampled_from([1, 13, 14, 15]), st.booleans()),
    # Jump to a few days before the period end: bookings there get invoiced in the window.
    st.tuples(st.just("to_period_end"), st.integers(0, 3), st.booleans()),
)
options = st.sampled_from(["users", "storage"])
books = st.one_of(
    st.tuples(st.just("book"), options, st.integers(1, 1000)),
    # Booked just before a period end, then the turn runs: invoiced inside the window.
    st.tuples(st.just("book_late"), options, st.integers(1, 1000), st.integers(0, 3),
              st.integers(1, 12)),
)
cancels = st.tuples(
    st.just("cancel"), st.integers(0, 30), st.one_of(st.none(), st.sampled_from(Outcome))
)
undos = st.tuples(st.just("undo"), st.integers(0, 30))
steps = st.lists(st.one_of(waits, waits, books, cancels, cancels, undos), min_size=5, max_size=50)


def charged(ledger: Ledger, addon: AddOn) -> list[InvoiceLine]:
    return sorted(
        (line for line in ledger.lines_of(addon) if line.is_charge), key=lambda line: line.from_day
    )


def check_lines_are_sound(ledger: Ledger) -> None:
    for line in ledger.lines:
        assert line.from_day <= line.to_day
        assert line.id is not None
        addon = next(a for a in ledger.addons if a.id == line.addon_id)
        monthly = ledger.catalog[addon.option].monthly_price(addon.quantity)
        if line.kind is LineKind.RENEWAL:
            period = ledger.schedule.period_containing(line.from_day)
            assert (line.from_day, line.to_day, line.amount) == (period.start, period.end, monthly)
            assert line.due_on == period.start
        elif line.kind is LineKind.PRORATION:
            period = ledger.schedule.period_containing(line.from_day)
            assert line.from_day == addon.booked_on and line.to_day == period.end
            assert line.amount == prorate(monthly, period, addon.booked_on)
            assert Money.zero() < line.amount <= monthly
        else:
            assert addon.status is Status.WITHDRAWN
            assert line.amount < Money.zero()
    ids = [line.id for line in ledger.lines]
    assert len(ids) == len(set(ids))


def check_withdrawn(ledger: Ledger, addon: AddOn) -> None:
    assert addon.ended_on is not None
    assert ledger.total_of(addon) == Money.zero()
    assert all(not line.is_draft for line in ledger.lines_of(addon) if line.is_charge)
    lines = ledger.lines_of(addon)
    credited = Counter(line.credits_line_id for line in lines if not line.is_charge)
    assert credited == Counter(line.id for line in lines if line.is_charge)
    assert not addon.in_force_on(addon.ended_on)
    assert addon.ended_on <= withdrawal_deadline(addon.booked_on)
    assert addon.billed_until is None


def check_coverage(ledger: Ledger, addon: AddOn) -> None:
    """Charged days run from the booking day, once each, through the last day billed."""
    horizon = max(
        ledger.last_closed_period.end, ledger.schedule.period_containing(addon.booked_on).end
    )
    stop = addon.ended_on if addon.status is Status.ENDED else addon.effective_on
    last = horizon if stop is None else min(stop, horizon)
    lines = charged(ledger, addon)
    assert lines, "an add-on in force is always charged for its booking day"
    assert lines[0].from_day == addon.booked_on
    for earlier, later in pairwise(lines):
        assert later.from_day == earlier.to_day + ONE_DAY  # no gap, no overlap
    assert lines[-1].to_day == last
    assert addon.billed_until == last
    assert addon.in_force_on(addon.booked_on) and addon.in_force_on(last)
    if stop is not None:
        # A cancelled add-on is never renewed past its effective date.
        assert all(line.to_day <= stop for line in lines)
        assert not addon.in_force_on(stop + ONE_DAY)


def check_invoices(ledger: Ledger) -> None:
    numbers = [invoice.number for invoice in ledger.invoices]
    assert numbers == list(range(1, len(numbers) + 1))
    starts = [invoice.period.start for invoice in ledger.invoices]
    assert starts == sorted(set(starts))
    for invoice in ledger.invoices:
        assert invoice.lines
        assert {line.invoice_number for line in invoice.lines} == {invoice.number}
        on_ledger = [line for line in ledger.lines if line.invoice_number == invoice.number]
        # Nothing invoiced is ever lost or changed; the store only adds ids to renewals.
        assert Counter(replace(line, id=None) for line in on_ledger) == Counter(
            replace(line, id=None) for line in invoice.lines
        )
        assert all(line.due_on <= invoice.issued_on for line in invoice.lines)
    for line in ledger.drafts():
        assert ledger.last_closed is not None and line.due_on > ledger.last_closed


def check(ledger: Ledger) -> None:
    check_lines_are_sound(ledger)
    for addon in ledger.addons:
        if addon.status is Status.WITHDRAWN:
            check_withdrawn(ledger, addon)
        else:
            check_coverage(ledger, addon)
    check_invoices(ledger)


def run_billing(ledger: Ledger, today: date) -> None:
    """Run the turn, checking that the first invoice issued is what the preview showed."""
    assert ledger.last_closed is not None
    upcoming = next(ledger.schedule.periods_starting_between(ledger.last_closed, today), None)
    preview = None
    if upcoming is not None:
        preview = preview_invoice(
            ledger.team_id, upcoming, ledger.addons, ledger.lines, ledger.catalog
        )
    closes = ledger.run_billing(today)
    if len(closes) > 1:
        event("the run caught up several periods")
    if any(close.deactivated for close in closes):
        event("a turn deactivated a cancelled add-on")
    if preview is None:
        assert closes == []
        return
    first = closes[0].invoice
    issued = [] if first is None else [replace(line, invoice_number=None) for line in first.lines]
    assert Counter(issued) == Counter(preview.lines)
    assert preview.total == (Money.zero() if first is None else first.total)


def cancel(ledger: Ledger, addon: AddOn, today: date, confirmed: Outcome | None) -> None:
    before = (addon.status, addon.effective_on, list(ledger.lines))
    expected: type[DomainError] | None = None
    if addon.status is Status.CANCELLATION_PENDING:
        expected = AlreadyCancelled
    elif addon.status in (Status.ENDED, Status.WITHDRAWN):
        expected = AlreadyEnded
    else:
        quote = ledger.quote_cancellation(addon, today)
        in_window = today <= addon.booked_on + timedelta(days=14)
        assert quote.outcome is (Outcome.WITHDRAWAL if in_window else Outcome.CANCELLATION)
        if confirmed is not None and confirmed is not quote.outcome:
            expected = OutcomeChanged
    if expected is not None:
        try:
            ledger.cancel(addon, today, confirmed)
        except expected:
            assert (addon.status, addon.effective_on, list(ledger.lines)) == before
            event(f"cancel refused: {expected.__name__}")
            return
        raise AssertionError(f"expected {expected.__name__}")
    drafts_before = {line.id: line for line in ledger.lines_of(addon) if line.is_draft}
    withdrawal = ledger.cancel(addon, today, confirmed)
    if quote.outcome is Outcome.CANCELLATION:
        event("cancellation scheduled")
        assert withdrawal is None
        assert addon.status is Status.CANCELLATION_PENDING
        assert addon.effective_on == ledger.schedule.period_containing(today).end
        return
    assert withdrawal is not None
    removed = sum((drafts_before[i].amount for i in withdrawal.removed_line_ids), Money.zero())
    credited = -sum((line.amount for line in withdrawal.credit_lines), Money.zero())
    assert (removed, credited) == (quote.removed_from_drafts, quote.credited)
    next_start = ledger.schedule.period_containing(today).end + ONE_DAY
    assert all(line.due_on == next_start for line in withdrawal.credit_lines)
    event("withdrawal with credits" if credited else "withdrawal of drafts only")


def undo(addon: AddOn, today: date) -> None:
    expected = expected_undo_refusal(addon, today)
    if expected is None:
        addon.undo_cancellation(today)
        assert addon.status is Status.ACTIVE and addon.effective_on is None
        event("cancellation taken back")
        return
    before = (addon.status, addon.effective_on, addon.ended_on)
    try:
        addon.undo_cancellation(today)
    except expected:
        assert (addon.status, addon.effective_on, addon.ended_on) == before
        event(f"undo refused: {expected.__name__}")
        return
    raise AssertionError(f"expected {expected.__name__}")


def newest(ledger: Ledger, which: int) -> AddOn:
    """The add-on booked ``which`` bookings ago (0: the newest), wrapping around."""
    return ledger.addons[-1 - which % len(ledger.addons)]


@settings(max_examples=200, deadline=None)
@given(anchor=anchors, start=st.integers(0, 40), script=steps)
def test_any_sequence_of_actions_and_turns_keeps_the_books_right(
    anchor: date, start: int, script: list[tuple[object, ...]]
) -> None:
    ledger = Ledger(anchor=anchor)
    today = anchor + timedelta(days=start)
    run_billing(ledger, today)
    for step in script:
        match step:
            case ("wait", int(days), bool(run)):
                today += timedelta(days=days)
                if run:
                    run_billing(ledger, today)
            case ("to_period_end", int(days_before), bool(run)):
                end = ledger.schedule.period_containing(today).end
                today = max(today, end - timedelta(days=days_before))
                if run:
                    run_billing(ledger, today)
            case ("book", str(option), int(quantity)):
                ledger.book(option, quantity, today)
            case ("book_late", str(option), int(quantity), int(days_before), int(days_after)):
                end = ledger.schedule.period_containing(today).end
                today = max(today, end - timedelta(days=days_before))
                ledger.book(option, quantity, today)
                today = end + timedelta(days=days_after)
                run_billing(ledger, today)
            case ("cancel", int(which), confirmed) if ledger.addons:
                assert confirmed is None or isinstance(confirmed, Outcome)
                cancel(ledger, newest(ledger, which), today, confirmed)
            case ("undo", int(which)) if ledger.addons:
                undo(newest(ledger, which), today)
        check(ledger)
    run_billing(ledger, today)
    check(ledger)


@settings(max_examples=200, deadline=None)
@given(
    anchor=anchors,
    option=options,
    quantity=st.integers(1, 1000),
    days_before_end=st.integers(0, 13),
    days_into_next=st.integers(0, 13),
    turn_runs=st.booleans(),
)
def test_a_withdrawal_after_the_turn_credits_exactly_what_was_invoiced(
    anchor: date, option: str, quantity: int, days_before_end: int, days_into_next: int,
    turn_runs: bool,
) -> None:
    ledger = Ledger(anchor=anchor)
    end = ledger.schedule.period(2).end
    booked_on = end - timedelta(days=days_before_end)
    today = min(end + ONE_DAY + timedelta(days=days_into_next), withdrawal_deadline(booked_on))
    addon = ledger.book(option, quantity, booked_on)
    if turn_runs:
        run_billing(ledger, today)
    invoiced = [line for line in ledger.lines_of(addon) if not line.is_draft]
    drafts = [line for line in ledger.lines_of(addon) if line.is_draft]
    assert len(invoiced) == (2 if turn_runs else 0)  # the proration and the renewal
    quote = ledger.quote_cancellation(addon, today)
    assert quote.outcome is Outcome.WITHDRAWAL
    assert quote.credited == sum((line.amount for line in invoiced), Money.zero())
    assert quote.removed_from_drafts == sum((line.amount for line in drafts), Money.zero())

    withdrawal = ledger.cancel(addon, today, Outcome.WITHDRAWAL)

    assert withdrawal is not None
    assert Counter(withdrawal.removed_line_ids) == Counter(line.id for line in drafts)
    assert sorted((c.credits_line_id, c.amount) for c in withdrawal.credit_lines) == sorted(
        (line.id, -line.amount) for line in invoiced
    )
    assert ledger.total_of(addon) == Money.zero()
    run_billing(ledger, today + timedelta(days=70))
    assert ledger.total_of(addon) == Money.zero()
    assert ledger.drafts() == []
    check(ledger)
