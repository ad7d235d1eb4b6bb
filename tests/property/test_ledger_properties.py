"""Any sequence of bookings, cancellations, withdrawals, undos and turns keeps the books right.

A random workspace lives through random days, driven through the real use cases on each
store (tests/stores.py): admins book, press Kündigen (confirming the outcome shown, or a
stale one), take cancellations back, and the billing run either keeps up or is down for
a while and catches up. After every step, reading the store back:

- a withdrawn add-on's lines sum to exactly zero, and it counts no more;
- a cancelled add-on is never renewed past its effective date;
- every day an add-on was in force (and not withdrawn), up to the end of the last closed
  period (or of its booking period), is covered by exactly one charged line, and no other
  day is;
- invoice numbers run 1, 2, 3, … without gaps, and the store keeps every invoiced line;
- an invoice never has a negative total; a withdrawal of invoiced days issues a
  Rechnungskorrektur at once, numbered 1, 2, 3, … in its own sequence, that reverses
  exactly the invoiced lines of one invoice;
- the preview of the next invoice is what the turn then issues;
- whatever the buyer's Rechnungsdaten were when each document was issued (they change
  at random), every invoice and correction has gross = net + VAT and VAT = Σ per
  category round(basis × rate), and a correction keeps its invoice's category.
"""

from __future__ import annotations

import asyncio
import calendar
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.addons import AddOn, Outcome, Status, withdrawal_deadline
from domain.billing import preview_invoice
from domain.corrections import Correction
from domain.errors import (
    AlreadyCancelled,
    AlreadyEnded,
    DomainError,
    OutcomeChanged,
)
from domain.invoices import Invoice, InvoiceLine, LineKind
from domain.money import Money
from domain.parties import BillingDetails
from domain.periods import Period, prorate
from domain.tax import TaxCategory
from tests.property.rules import expected_undo_refusal
from tests.services.workspace import Workspace
from tests.stores import STORES, open_store

ONE_DAY = timedelta(days=1)
# Examples per store: the in-memory store is fast enough for many; a file per example
# costs more, so SQLite runs fewer of the same scenarios.
EXAMPLES = {"memory": 200, "sqlite": 50, "postgres": 15}

anchors = st.one_of(
    st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    st.builds(
        lambda year, month, day: date(year, month, min(day, calendar.monthrange(year, month)[1])),
        st.integers(2024, 2030),
        st.integers(1, 12),
        st.integers(28, 31),
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
    st.tuples(
        st.just("book_late"),
        options,
        st.integers(1, 1000),
        st.integers(0, 3),
        st.integers(1, 12),
    ),
)
cancels = st.tuples(
    st.just("cancel"), st.integers(0, 30), st.one_of(st.none(), st.sampled_from(Outcome))
)
undos = st.tuples(st.just("undo"), st.integers(0, 30))
# The Rechnungsdaten change: a buyer in Germany, unknown, in the EU with or without a
# USt-IdNr, outside the EU (S, S, AE, S, O).
BUYERS = {
    "de": BillingDetails(company="Kunde GmbH", country="DE", vat_id="DE123456788"),
    "unknown": BillingDetails(),
    "eu_with_id": BillingDetails(company="Client SARL", country="AT", vat_id="ATU13585627"),
    "eu_without_id": BillingDetails(company="Client SARL", country="FR"),
    "outside": BillingDetails(company="Client Inc.", country="US"),
}
buyers = st.tuples(st.just("buyer"), st.sampled_from(sorted(BUYERS)))
steps = st.lists(
    st.one_of(waits, waits, books, cancels, cancels, undos, buyers), min_size=5, max_size=50
)


@dataclass
class Ledger:
    """The workspace's books as the store keeps them, read back after a step."""

    ws: Workspace
    issued: list[Invoice]  # every invoice as its turn issued it, in order
    addons: list[AddOn] = field(default_factory=list)  # oldest first
    lines: list[InvoiceLine] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)  # as stored, oldest first
    corrections: list[Correction] = field(default_factory=list)  # oldest first
    last_closed: date = date.min

    async def read(self) -> Ledger:
        """Everything the store holds for the workspace now."""
        self.addons = await self.ws.addons()
        self.lines = await self.ws.lines()
        self.invoices = await self.ws.invoices()
        self.corrections = await self.ws.corrections()
        self.last_closed = await self.ws.closed_through()
        return self

    @property
    def last_closed_period(self) -> Period:
        """The period whose turn ran last (period 0 before any turn)."""
        return self.ws.schedule.period_containing(self.last_closed)

    def lines_of(self, addon: AddOn) -> list[InvoiceLine]:
        """The add-on's invoice lines and the credit lines of its corrections."""
        credits = [line for c in self.corrections for line in c.lines]
        return [line for line in [*self.lines, *credits] if line.addon_id == addon.id]

    def total_of(self, addon: AddOn) -> Money:
        return sum((line.amount for line in self.lines_of(addon)), Money.zero())

    def drafts(self) -> list[InvoiceLine]:
        return [line for line in self.lines if line.is_draft]


def charged(ledger: Ledger, addon: AddOn) -> list[InvoiceLine]:
    return sorted(
        (line for line in ledger.lines_of(addon) if line.is_charge), key=lambda line: line.from_day
    )


def check_lines_are_sound(ledger: Ledger) -> None:
    schedule, catalog = ledger.ws.schedule, ledger.ws.catalog
    for line in ledger.lines:
        assert line.from_day <= line.to_day
        assert line.id is not None
        addon = next(a for a in ledger.addons if a.id == line.addon_id)
        monthly = catalog[addon.option].monthly_price(addon.quantity)
        if line.kind is LineKind.RENEWAL:
            period = schedule.period_containing(line.from_day)
            assert (line.from_day, line.to_day, line.amount) == (period.start, period.end, monthly)
            assert line.due_on == period.start
        elif line.kind is LineKind.PRORATION:
            period = schedule.period_containing(line.from_day)
            assert line.from_day == addon.booked_on
            assert line.to_day == period.end
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
        ledger.last_closed_period.end, ledger.ws.schedule.period_containing(addon.booked_on).end
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
    assert addon.in_force_on(addon.booked_on)
    assert addon.in_force_on(last)
    if stop is not None:
        # A cancelled add-on is never renewed past its effective date.
        assert all(line.to_day <= stop for line in lines)
        assert not addon.in_force_on(stop + ONE_DAY)


def check_invoices(ledger: Ledger) -> None:
    numbers = [invoice.number for invoice in ledger.invoices]
    assert numbers == list(range(1, len(numbers) + 1))
    assert numbers == [invoice.number for invoice in ledger.issued]
    starts = [invoice.period.start for invoice in ledger.invoices]
    assert starts == sorted(set(starts))
    for stored, invoice in zip(ledger.invoices, ledger.issued, strict=True):
        assert invoice.lines
        assert {line.invoice_number for line in invoice.lines} == {invoice.number}
        on_ledger = [line for line in ledger.lines if line.invoice_number == invoice.number]
        # Nothing invoiced is ever lost or changed; the store only adds ids to renewals.
        assert Counter(replace(line, id=None) for line in on_ledger) == Counter(
            replace(line, id=None) for line in invoice.lines
        )
        assert Counter(stored.lines) == Counter(on_ledger)
        assert all(line.due_on <= invoice.issued_on for line in invoice.lines)
    for line in ledger.drafts():
        assert line.due_on > ledger.last_closed
    assert all(invoice.total >= Money.zero() for invoice in ledger.invoices)
    numbers = [correction.number for correction in ledger.corrections]
    assert numbers == list(range(1, len(numbers) + 1))
    by_id = {line.id: line for line in ledger.lines}
    for correction in ledger.corrections:
        assert correction.total < Money.zero()
        for credit in correction.lines:
            reversed_line = by_id[credit.credits_line_id]
            assert reversed_line.invoice_number == correction.corrects
            assert credit.amount == -reversed_line.amount
            assert credit.due_on == correction.issued_on


def expected_vat(basis: Money, rate: Decimal) -> Money:
    """basis × rate %, rounded half-up to the cent, computed apart from domain.tax."""
    exact = Decimal(basis.cents) * rate / 100
    return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def check_taxes(ledger: Ledger) -> None:
    """Every document: gross = net + VAT, VAT = Σ per category round(basis × rate), the
    basis the sum of its lines; a correction keeps its invoice's category and rate."""
    invoices = {invoice.number: invoice for invoice in ledger.invoices}
    documents: list[Invoice | Correction] = [*ledger.invoices, *ledger.corrections]
    for document in documents:
        taxed = document.taxed
        assert taxed is not None
        assert document.terms is not None
        assert taxed.net == document.total
        assert sum((line.basis for line in taxed.lines), Money.zero()) == document.total
        for line in taxed.lines:
            assert line.amount == expected_vat(line.basis, line.rate)
        assert taxed.vat == sum((line.amount for line in taxed.lines), Money.zero())
        assert taxed.gross == taxed.net + taxed.vat
        rate = document.terms.treatment.rate
        assert (rate == 0) == (document.terms.treatment.category is not TaxCategory.STANDARD)
    for correction in ledger.corrections:
        corrected = invoices[correction.corrects].terms
        assert correction.terms is not None
        assert corrected is not None
        assert correction.terms.treatment == corrected.treatment
        assert correction.terms.buyer == corrected.buyer


async def set_buyer(ws: Workspace, details: BillingDetails) -> None:
    """The workspace's Rechnungsdaten as an admin would set them (the next document's)."""
    async with ws.ctx.db.unit_of_work() as uow:
        sub = await uow.subscriptions.get(ws.team_id)
        assert sub is not None
        await uow.subscriptions.save(replace(sub, details=details))
        await uow.commit()


async def check(ledger: Ledger) -> None:
    await ledger.read()
    check_lines_are_sound(ledger)
    for addon in ledger.addons:
        if addon.status is Status.WITHDRAWN:
            check_withdrawn(ledger, addon)
        else:
            check_coverage(ledger, addon)
    check_invoices(ledger)
    check_taxes(ledger)


async def run_billing(ledger: Ledger, today: date) -> None:
    """Run the turn, checking that the first invoice issued is what the preview showed."""
    await ledger.read()
    schedule = ledger.ws.schedule
    upcoming = next(schedule.periods_starting_between(ledger.last_closed, today), None)
    preview = None
    if upcoming is not None:
        preview = preview_invoice(
            ledger.ws.team_id, upcoming, ledger.addons, ledger.lines, ledger.ws.catalog
        )
    closes = await ledger.ws.run_billing(today)
    ledger.issued.extend(close.invoice for close in closes if close.invoice is not None)
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


async def cancel(ledger: Ledger, addon: AddOn, today: date, confirmed: Outcome | None) -> None:
    ws = ledger.ws
    before = (addon.status, addon.effective_on, list(ledger.lines))
    expected: type[DomainError] | None = None
    if addon.status is Status.CANCELLATION_PENDING:
        expected = AlreadyCancelled
    elif addon.status in (Status.ENDED, Status.WITHDRAWN):
        expected = AlreadyEnded
    else:
        quote = await ws.quote_cancellation(addon, today)
        in_window = today <= addon.booked_on + timedelta(days=14)
        assert quote.outcome is (Outcome.WITHDRAWAL if in_window else Outcome.CANCELLATION)
        if confirmed is not None and confirmed is not quote.outcome:
            expected = OutcomeChanged
    if expected is not None:
        with pytest.raises(expected):
            await ws.cancel(addon, today, confirmed)
        addon = await ws.reload(addon)
        assert (addon.status, addon.effective_on, await ws.lines()) == before
        event(f"cancel refused: {expected.__name__}")
        return
    drafts_before = {line.id: line for line in ledger.lines_of(addon) if line.is_draft}
    withdrawal = await ws.cancel(addon, today, confirmed)
    addon = await ws.reload(addon)
    if quote.outcome is Outcome.CANCELLATION:
        event("cancellation scheduled")
        assert withdrawal is None
        assert addon.status is Status.CANCELLATION_PENDING
        assert addon.effective_on == ws.schedule.period_containing(today).end
        return
    assert withdrawal is not None
    removed = sum((drafts_before[i].amount for i in withdrawal.removed_line_ids), Money.zero())
    credited = -sum((line.amount for line in withdrawal.credit_lines), Money.zero())
    # The Entwurf loses the deleted drafts and the renewal it would have carried.
    monthly = ws.catalog[addon.option].monthly_price(addon.quantity)
    assert (removed + monthly, credited) == (quote.removed_from_drafts, quote.credited)
    assert all(line.due_on == today for line in withdrawal.credit_lines)
    assert [r.invoice_number for r in quote.refunds] == [n for n, _ in withdrawal.reversed_lines]
    event("withdrawal with credits" if credited else "withdrawal of drafts only")


async def undo(ledger: Ledger, addon: AddOn, today: date) -> None:
    ws = ledger.ws
    expected = expected_undo_refusal(addon, today)
    if expected is None:
        addon = await ws.undo(addon, today)
        assert addon.status is Status.ACTIVE
        assert addon.effective_on is None
        event("cancellation taken back")
        return
    before = (addon.status, addon.effective_on, addon.ended_on)
    with pytest.raises(expected):
        await ws.undo(addon, today)
    addon = await ws.reload(addon)
    assert (addon.status, addon.effective_on, addon.ended_on) == before
    event(f"undo refused: {expected.__name__}")


def newest(ledger: Ledger, which: int) -> AddOn:
    """The add-on booked ``which`` bookings ago (0: the newest), wrapping around."""
    return ledger.addons[-1 - which % len(ledger.addons)]


async def admin_step(ledger: Ledger, step: tuple[object, ...], today: date) -> None:
    """Kündigen, taking a cancellation back, or new Rechnungsdaten."""
    match step:
        case ("cancel", int(which), confirmed) if ledger.addons:
            assert confirmed is None or isinstance(confirmed, Outcome)
            await cancel(ledger, newest(ledger, which), today, confirmed)
        case ("undo", int(which)) if ledger.addons:
            await undo(ledger, newest(ledger, which), today)
        case ("buyer", str(name)):
            await set_buyer(ledger.ws, BUYERS[name])


async def live_through(
    store_name: str, directory: Path, anchor: date, start: int, script: list[tuple[object, ...]]
) -> None:
    async with open_store(store_name, directory, pool_size=2) as store:
        ledger = Ledger(await Workspace.open(store, anchor), [])
        today = anchor + timedelta(days=start)
        await run_billing(ledger, today)
        for step in script:
            await ledger.read()
            match step:
                case ("wait", int(days), bool(run)):
                    today += timedelta(days=days)
                    if run:
                        await run_billing(ledger, today)
                case ("to_period_end", int(days_before), bool(run)):
                    end = ledger.ws.schedule.period_containing(today).end
                    today = max(today, end - timedelta(days=days_before))
                    if run:
                        await run_billing(ledger, today)
                case ("book", str(option), int(quantity)):
                    await ledger.ws.book(option, quantity, today)
                case ("book_late", str(option), int(quantity), int(days_before), int(days_after)):
                    end = ledger.ws.schedule.period_containing(today).end
                    today = max(today, end - timedelta(days=days_before))
                    await ledger.ws.book(option, quantity, today)
                    today = end + timedelta(days=days_after)
                    await run_billing(ledger, today)
                case _:
                    await admin_step(ledger, step, today)
            await check(ledger)
        await run_billing(ledger, today)
        await check(ledger)


@pytest.mark.parametrize("store_name", STORES)
def test_any_sequence_of_actions_and_turns_keeps_the_books_right(store_name: str) -> None:
    @settings(
        max_examples=EXAMPLES[store_name],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(anchor=anchors, start=st.integers(0, 40), script=steps)
    def books_stay_right(anchor: date, start: int, script: list[tuple[object, ...]]) -> None:
        with tempfile.TemporaryDirectory() as directory:
            asyncio.run(live_through(store_name, Path(directory), anchor, start, script))

    books_stay_right()


async def withdraw_after_the_turn(
    store_name: str,
    directory: Path,
    anchor: date,
    option: str,
    quantity: int,
    days_before_end: int,
    days_into_next: int,
    turn_runs: bool,
) -> None:
    async with open_store(store_name, directory, pool_size=2) as store:
        ledger = Ledger(await Workspace.open(store, anchor), [])
        ws = ledger.ws
        end = ws.schedule.period(2).end
        booked_on = end - timedelta(days=days_before_end)
        today = min(end + ONE_DAY + timedelta(days=days_into_next), withdrawal_deadline(booked_on))
        addon = await ws.book(option, quantity, booked_on)
        if turn_runs:
            await run_billing(ledger, today)
        await ledger.read()
        invoiced = [line for line in ledger.lines_of(addon) if not line.is_draft]
        drafts = [line for line in ledger.lines_of(addon) if line.is_draft]
        assert len(invoiced) == (2 if turn_runs else 0)  # the proration and the renewal
        quote = await ws.quote_cancellation(addon, today)
        assert quote.outcome is Outcome.WITHDRAWAL
        assert quote.credited == sum((line.amount for line in invoiced), Money.zero())
        monthly = ws.catalog[option].monthly_price(quantity)
        drafted = sum((line.amount for line in drafts), Money.zero())
        assert quote.removed_from_drafts == drafted + monthly

        withdrawal = await ws.cancel(addon, today, Outcome.WITHDRAWAL)

        assert withdrawal is not None
        assert Counter(withdrawal.removed_line_ids) == Counter(line.id for line in drafts)
        assert sorted((c.credits_line_id, c.amount) for c in withdrawal.credit_lines) == sorted(
            (line.id, -line.amount) for line in invoiced
        )
        assert await ws.total_of(addon) == Money.zero()
        await run_billing(ledger, today + timedelta(days=70))
        assert await ws.total_of(addon) == Money.zero()
        assert await ws.drafts() == []
        await check(ledger)


@pytest.mark.parametrize("store_name", STORES)
def test_a_withdrawal_after_the_turn_credits_exactly_what_was_invoiced(store_name: str) -> None:
    @settings(
        max_examples=EXAMPLES[store_name],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        anchor=anchors,
        option=options,
        quantity=st.integers(1, 1000),
        days_before_end=st.integers(0, 13),
        days_into_next=st.integers(0, 13),
        turn_runs=st.booleans(),
    )
    def credits_match(
        anchor: date,
        option: str,
        quantity: int,
        days_before_end: int,
        days_into_next: int,
        turn_runs: bool,
    ) -> None:
        with tempfile.TemporaryDirectory() as directory:
            asyncio.run(
                withdraw_after_the_turn(
                    store_name,
                    Path(directory),
                    anchor,
                    option,
                    quantity,
                    days_before_end,
                    days_into_next,
                    turn_runs,
                )
            )

    credits_match()
