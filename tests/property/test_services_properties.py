"""The real use cases keep the books right on every store, whatever admins do.

``services`` turns a period by loading only the live add-ons and the drafts, marking lines
invoiced, inserting renewals and credit lines, and a withdrawal deletes drafts. This
module drives ``bot.services`` on a fresh store per example (in memory, and a real SQLite
file: tests/stores.py), with a Berlin clock that only moves forward (instants passed as
aware datetimes, sometimes in UTC, at 00:05, 12:00 and 23:55), and reads every row back:

- a withdrawn add-on's lines (invoiced, drafts and credits) sum to exactly zero;
- a cancelled or ended add-on is never renewed past its effective date;
- every day an add-on was in force and not withdrawn, up to the end of the last turned
  period (or of its booking period), is covered by exactly one charged line;
- invoice numbers run 1..N without gaps, each total is the sum of its lines, and no
  workspace gets two invoices for one period;
- every proration line is the domain's ``prorate`` for its days; renewals are whole
  periods at the monthly price; credits reverse exactly one invoiced charge;
- a repeated booking key books nothing, a stale quote either does what it showed or is
  refused without changing anything, and a refused action leaves the file as it was;
- the preview of the next invoice is what the next turn issues.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot import services
from domain.addons import AddOn, CancellationQuote, Outcome, Status, withdrawal_deadline
from domain.catalog import Catalog
from domain.errors import (
    AlreadyCancelled,
    AlreadyEnded,
    BookingQuoteExpired,
    CancellationDateChanged,
    DomainError,
    OutcomeChanged,
)
from domain.invoices import InvoiceLine, LineKind
from domain.money import Money
from domain.periods import BillingSchedule, prorate
from tests.property.rules import expected_undo_refusal
from tests.stores import STORES, Rows, Store, open_store

TEAM = "T0001"
ADMIN = "U_ADMIN"
BERLIN = ZoneInfo("Europe/Berlin")
ONE_DAY = timedelta(days=1)
CATALOG = Catalog()

# Short months pull these anchors back; the periods must return to their day (DESIGN §2).
ANCHORS = [
    date(2024, 1, 31),  # leap February
    date(2024, 1, 29),
    date(2025, 1, 30),
    date(2025, 5, 31),
    date(2025, 12, 29),
    date(2026, 1, 31),
    date(2026, 3, 18),  # the help page's example
    date(2026, 8, 30),
]
# Times of day the clock cycles through; every other instant is passed in UTC, so
# 00:05 Berlin arrives as the previous calendar day in UTC.
TIMES_OF_DAY = [(0, 5), (12, 0), (23, 55)]


# -- the scenario ---------------------------------------------------------------------

options = st.sampled_from(["users", "storage"])
waits = st.one_of(
    st.tuples(st.just("wait"), st.integers(0, 40), st.booleans()),
    st.tuples(st.just("wait"), st.sampled_from([1, 13, 14, 15]), st.booleans()),
    # A few days before the period end: bookings there get invoiced inside the window.
    st.tuples(st.just("to_period_end"), st.integers(0, 3), st.booleans()),
)
books = st.tuples(
    st.just("book"),
    options,
    st.integers(1, 5),
    # None: a fresh key; a number: resubmit an earlier confirmation (its key).
    st.one_of(st.none(), st.none(), st.none(), st.integers(0, 20)),
    # A booking dialog drawn on an earlier day: BookingQuoteExpired.
    st.sampled_from([False, False, False, False, True]),
)
# Booked just before a period end, the turn (maybe) runs, and the window is still open:
# a withdrawal then owes a correction for the invoiced proration and renewal.
late_books = st.tuples(
    st.just("book_late"),
    options,
    st.integers(1, 5),
    st.integers(0, 3),
    st.integers(0, 12),
    st.booleans(),
    st.booleans(),
)
cancels = st.tuples(st.just("cancel"), st.integers(0, 20))
quotes = st.tuples(st.just("quote"), st.integers(0, 20))  # a dialog left open ...
confirms = st.tuples(st.just("confirm"))  # ... and confirmed after other steps
# A dialog confirmed after a pause: across midnight, the window's last day, a period end.
stale_confirms = st.tuples(
    st.just("stale"),
    st.integers(0, 20),
    st.one_of(st.sampled_from([0, 1, 13, 14, 15]), st.just("past_period_end")),
    st.booleans(),
)
undos = st.tuples(st.just("undo"), st.integers(0, 20))
steps = st.lists(
    st.one_of(
        waits,
        waits,
        books,
        books,
        late_books,
        cancels,
        cancels,
        quotes,
        confirms,
        stale_confirms,
        undos,
    ),
    min_size=12,
    max_size=50,
)


@dataclass
class Clock:
    """Berlin calendar days that only move forward; each reading is a new instant."""

    day: date
    ticks: int = 0

    def now(self) -> datetime:
        hour, minute = TIMES_OF_DAY[self.ticks % len(TIMES_OF_DAY)]
        self.ticks += 1
        instant = datetime(self.day.year, self.day.month, self.day.day, hour, minute, tzinfo=BERLIN)
        return instant.astimezone(UTC) if self.ticks % 2 else instant


@dataclass
class World:
    """What the admins did so far: the keys they confirmed, the add-ons they got."""

    ctx: services.Context
    store: Store
    schedule: BillingSchedule
    clock: Clock
    keys: dict[str, int] = field(default_factory=dict)  # confirmation key -> add-on id
    addon_ids: list[int] = field(default_factory=list)
    open_quote: tuple[date, CancellationQuote] | None = None  # (day drawn, quote)

    def pick(self, which: int) -> int:
        """The add-on booked ``which`` bookings ago (0: the newest), wrapping around."""
        return self.addon_ids[-1 - which % len(self.addon_ids)]


async def snapshot(world: World) -> Rows:
    """Every row the use cases write, read past the ports."""
    return await world.store.rows()


def line_rows(state: Rows) -> dict[int, tuple[Any, ...]]:
    return {row[0]: row for row in state["invoice_lines"]}


async def refused(world: World, expected: type[DomainError], action: Any) -> None:
    """``action`` raises ``expected`` and the file is exactly as it was."""
    before = await snapshot(world)
    with pytest.raises(expected):
        await action
    assert await snapshot(world) == before
    event(f"refused: {expected.__name__}")


# -- the steps ------------------------------------------------------------------------


async def book(world: World, option: str, quantity: int, again: int | None, stale: bool) -> None:
    today, now = world.clock.day, world.clock.now()
    if again is not None and world.keys:
        key = list(world.keys)[again % len(world.keys)]
        before = await snapshot(world)
        booked = await services.book(
            world.ctx, TEAM, option, quantity, now, key=key, actor=ADMIN, quoted_on=today
        )
        assert not booked.created
        assert booked.addon.id == world.keys[key]
        assert await snapshot(world) == before, "a repeated confirmation booked again"
        event("repeated confirmation")
        return
    key = f"{TEAM}:confirmation:{len(world.keys)}"
    if stale:
        await refused(
            world,
            BookingQuoteExpired,
            services.book(
                world.ctx,
                TEAM,
                option,
                quantity,
                now,
                key=key,
                actor=ADMIN,
                quoted_on=today - ONE_DAY,
            ),
        )
        return
    booked = await services.book(
        world.ctx, TEAM, option, quantity, now, key=key, actor=ADMIN, quoted_on=today
    )
    assert booked.created
    addon = booked.addon
    period = world.schedule.period_containing(today)
    monthly = CATALOG[option].monthly_price(quantity)
    assert (addon.option, addon.quantity, addon.booked_on, addon.billed_until, addon.status) == (
        option,
        quantity,
        today,
        period.end,
        Status.ACTIVE,
    )
    assert booked.quote.prorated == prorate(monthly, period, today)
    world.keys[key] = addon.id
    world.addon_ids.append(addon.id)


def expected_quote(addon: AddOn, schedule: BillingSchedule, today: date) -> tuple[Outcome, date]:
    """What Kündigen means today, from the rules rather than from the code under test."""
    if today <= addon.booked_on + timedelta(days=14):
        return Outcome.WITHDRAWAL, today
    return Outcome.CANCELLATION, schedule.period_containing(today).end


def refusal_for_cancelling(addon: AddOn) -> type[DomainError] | None:
    if addon.status is Status.CANCELLATION_PENDING:
        return AlreadyCancelled
    if addon.status in (Status.ENDED, Status.WITHDRAWN):
        return AlreadyEnded
    return None


async def check_cancelled(
    world: World,
    before_addon: AddOn,
    quote: CancellationQuote,
    done: services.Cancelled,
    before: Rows,
) -> None:
    """The confirmed outcome happened, and only its line changes."""
    today = world.clock.day
    after = await snapshot(world)
    old, new = line_rows(before), line_rows(after)
    addon = done.addon
    assert done.quote.outcome is quote.outcome
    if quote.outcome is Outcome.CANCELLATION:
        assert (addon.status, addon.effective_on) == (Status.CANCELLATION_PENDING, quote.on)
        assert addon.billed_until == before_addon.billed_until
        assert old == new, "a cancellation changes no amount"
        event("cancellation scheduled")
        return
    assert (addon.status, addon.ended_on, addon.billed_until) == (Status.WITHDRAWN, today, None)
    # Columns: id, team, addon, kind, option, qty, from, to, cents, due, invoice, credits.
    mine = {i: r for i, r in old.items() if r[2] == addon.id}
    drafts = {i for i, r in mine.items() if r[10] is None}
    invoiced = {i: r for i, r in mine.items() if r[10] is not None and r[3] != "credit"}
    assert set(old) - set(new) == drafts, "exactly the add-on's drafts are deleted"
    assert all(new[i] == r for i, r in old.items() if i in new), "nothing else changes"
    credits = [r for i, r in new.items() if i not in old]
    assert sorted(r[11] for r in credits) == sorted(invoiced)
    next_start = (world.schedule.period_containing(today).end + ONE_DAY).isoformat()
    for credit in credits:
        reversed_line = invoiced[credit[11]]
        assert (credit[2], credit[3], credit[10]) == (addon.id, "credit", None)
        assert credit[6:9] == (reversed_line[6], reversed_line[7], -reversed_line[8])
        assert credit[9] == next_start
    assert sum(old[i][8] for i in drafts) == done.quote.removed_from_drafts.cents
    assert -sum(r[8] for r in credits) == done.quote.credited.cents
    event("withdrawal with credits" if credits else "withdrawal of drafts only")


async def cancel(world: World, which: int) -> None:
    """Kündigen: quote, then confirm the outcome shown, on the same day."""
    addon_id = world.pick(which)
    addon = await services.get_addon(world.ctx, TEAM, addon_id)
    refusal = refusal_for_cancelling(addon)
    if refusal is not None:
        await refused(
            world,
            refusal,
            services.quote_cancellation(world.ctx, TEAM, addon_id, world.clock.now()),
        )
        await refused(
            world,
            refusal,
            services.cancel(
                world.ctx, TEAM, addon_id, Outcome.CANCELLATION, world.clock.now(), actor=ADMIN
            ),
        )
        return
    quote = await services.quote_cancellation(world.ctx, TEAM, addon_id, world.clock.now())
    assert (quote.outcome, quote.on) == expected_quote(addon, world.schedule, world.clock.day)
    before = await snapshot(world)
    done = await services.cancel(
        world.ctx,
        TEAM,
        addon_id,
        quote.outcome,
        world.clock.now(),
        actor=ADMIN,
        confirmed_on=quote.on,
    )
    await check_cancelled(world, addon, quote, done, before)


async def open_dialog(world: World, which: int) -> None:
    """Draw the Kündigen dialog now; it may be confirmed days later."""
    addon_id = world.pick(which)
    addon = await services.get_addon(world.ctx, TEAM, addon_id)
    if refusal_for_cancelling(addon) is not None:
        return
    quote = await services.quote_cancellation(world.ctx, TEAM, addon_id, world.clock.now())
    world.open_quote = (world.clock.day, quote)


async def confirm_stale(world: World) -> None:
    """Confirm a dialog drawn earlier: as shown, or refused without a change."""
    if world.open_quote is None:
        return
    quoted_day, quote = world.open_quote
    world.open_quote = None
    today = world.clock.day
    addon = await services.get_addon(world.ctx, TEAM, quote.addon_id)
    action = services.cancel(
        world.ctx,
        TEAM,
        quote.addon_id,
        quote.outcome,
        world.clock.now(),
        actor=ADMIN,
        confirmed_on=quote.on,
    )
    refusal = refusal_for_cancelling(addon)
    outcome, on = expected_quote(addon, world.schedule, today)
    if refusal is None and outcome is not quote.outcome:
        refusal = OutcomeChanged
    elif refusal is None and outcome is Outcome.CANCELLATION and on != quote.on:
        refusal = CancellationDateChanged
    if refusal is not None:
        await refused(world, refusal, action)
        return
    before = await snapshot(world)
    done = await action
    if today != quoted_day:
        event("a stale dialog was confirmed as shown")
    await check_cancelled(world, addon, replace(quote, on=on), done, before)


async def undo(world: World, which: int) -> None:
    """Kündigung zurücknehmen."""
    addon_id = world.pick(which)
    addon = await services.get_addon(world.ctx, TEAM, addon_id)
    today = world.clock.day
    expected = expected_undo_refusal(addon, today)
    action = services.undo_cancellation(world.ctx, TEAM, addon_id, world.clock.now(), actor=ADMIN)
    if expected is not None:
        await refused(world, expected, action)
        return
    before = await snapshot(world)
    after = await action
    assert (after.status, after.effective_on) == (Status.ACTIVE, None)
    assert after.billed_until == addon.billed_until
    assert (await snapshot(world))["invoice_lines"] == before["invoice_lines"]
    event("cancellation taken back")


async def run_billing(world: World) -> None:
    """The billing run: every due period in order; a rerun changes nothing."""
    sub = await services.get_workspace(world.ctx, TEAM)
    due = list(world.schedule.periods_starting_between(sub.closed_through, world.clock.day))
    turns = await services.billing_run(world.ctx, world.clock.now())
    assert [turn.period for turn in turns] == due
    if len(turns) > 1:
        event("the run caught up several periods")
    if any(turn.deactivated for turn in turns):
        event("a turn deactivated a cancelled add-on")
    after = await snapshot(world)
    assert await services.billing_run(world.ctx, world.clock.now()) == []
    assert await snapshot(world) == after
    if due:
        assert (await services.get_workspace(world.ctx, TEAM)).closed_through == due[-1].start


async def preview_is_what_the_next_turn_issues(world: World) -> None:
    """With the run caught up, the preview is the next consolidated invoice."""
    preview = await services.preview_invoice(world.ctx, TEAM, world.clock.now())
    world.clock.day = preview.period.start
    [turn] = await services.billing_run(world.ctx, world.clock.now())
    assert turn.period == preview.period
    issued = [] if turn.invoice is None else turn.invoice.lines
    assert Counter(replace(line, id=None, invoice_number=None) for line in issued) == Counter(
        replace(line, id=None) for line in preview.lines
    )


# -- reading everything back ----------------------------------------------------------


def charged(lines: list[InvoiceLine]) -> list[InvoiceLine]:
    return sorted((line for line in lines if line.is_charge), key=lambda line: line.from_day)


def check_lines_are_sound(
    schedule: BillingSchedule, addon: AddOn, lines: list[InvoiceLine]
) -> None:
    monthly = CATALOG[addon.option].monthly_price(addon.quantity)
    by_id = {line.id: line for line in lines}
    for line in lines:
        assert (line.addon_id, line.option, line.quantity) == (
            addon.id,
            addon.option,
            addon.quantity,
        )
        period = schedule.period_containing(line.from_day)
        if line.kind is LineKind.PRORATION:
            assert (line.from_day, line.to_day) == (addon.booked_on, period.end)
            assert line.amount == prorate(monthly, period, line.from_day)
            assert Money.zero() < line.amount <= monthly
            assert line.due_on == period.end + ONE_DAY
        elif line.kind is LineKind.RENEWAL:
            assert (line.from_day, line.to_day, line.amount) == (period.start, period.end, monthly)
            assert line.due_on == period.start
            assert not line.is_draft, "renewals are created on their invoice"
        else:
            assert addon.status is Status.WITHDRAWN
            reversed_line = by_id[line.credits_line_id]
            assert reversed_line.is_charge
            assert not reversed_line.is_draft
            assert (line.from_day, line.to_day, line.amount) == (
                reversed_line.from_day,
                reversed_line.to_day,
                -reversed_line.amount,
            )


def check_withdrawn(addon: AddOn, lines: list[InvoiceLine]) -> None:
    assert addon.ended_on is not None
    assert addon.ended_on <= withdrawal_deadline(addon.booked_on)
    assert addon.billed_until is None
    assert addon.effective_on is None
    assert sum((line.amount for line in lines), Money.zero()) == Money.zero()
    assert all(not line.is_draft for line in lines if line.is_charge)
    credited = Counter(line.credits_line_id for line in lines if not line.is_charge)
    assert credited == Counter(line.id for line in lines if line.is_charge)


def check_coverage(
    schedule: BillingSchedule, closed_through: date, addon: AddOn, lines: list[InvoiceLine]
) -> None:
    """Charged days run from the booking day, once each, through the last day billed."""
    horizon = max(
        schedule.period_containing(closed_through).end,
        schedule.period_containing(addon.booked_on).end,
    )
    if addon.status is Status.ENDED:
        stop = addon.ended_on
        assert stop is not None
        assert stop < closed_through
    else:
        stop = addon.effective_on
        if addon.status is Status.CANCELLATION_PENDING:
            assert stop is not None
            assert stop >= closed_through, "not deactivated in its turn"
    last = horizon if stop is None else min(stop, horizon)
    days = charged(lines)
    assert days
    assert days[0].from_day == addon.booked_on
    for earlier, later in pairwise(days):
        assert later.from_day == earlier.to_day + ONE_DAY, "a gap or an overlap"
    assert days[-1].to_day == last
    assert addon.billed_until == last
    if stop is not None:
        assert all(line.from_day <= stop for line in days), "renewed past its effective date"


async def check_books(world: World) -> None:
    """Read the file back through the use cases and a unit of work, and check it all."""
    ctx, schedule = world.ctx, world.schedule
    closed_through = (await services.get_workspace(ctx, TEAM)).closed_through
    addons = await services.list_addons(ctx, TEAM)
    assert sorted(a.id for a in addons) == sorted(world.addon_ids)
    async with ctx.db.unit_of_work(write=False) as uow:
        ledger = {a.id: await uow.lines.for_addon(TEAM, a.id) for a in addons}
        drafts = await uow.lines.drafts(TEAM)
    for addon in addons:
        lines = ledger[addon.id]
        check_lines_are_sound(schedule, addon, lines)
        if addon.status is Status.WITHDRAWN:
            check_withdrawn(addon, lines)
        else:
            check_coverage(schedule, closed_through, addon, lines)
    every_line = [line for lines in ledger.values() for line in lines]
    assert sorted(line.id or 0 for line in drafts) == sorted(
        line.id or 0 for line in every_line if line.is_draft
    )
    assert all(line.due_on > closed_through for line in drafts), "a due draft was left behind"

    invoices = sorted(await services.list_invoices(ctx, TEAM), key=lambda i: i.number or 0)
    state = await snapshot(world)
    headers = state["invoices"]  # number, team, index, start, end, total_cents, created
    numbers = [row[0] for row in headers]
    assert numbers == list(range(1, len(numbers) + 1)) == [i.number for i in invoices]
    assert state["counters"] == [("invoice_number", len(numbers))]
    assert len({(row[1], row[3]) for row in headers}) == len(headers)
    for header, invoice in zip(headers, invoices, strict=True):
        period = schedule.period(header[2])
        assert (header[3], header[4]) == (period.start.isoformat(), period.end.isoformat())
        assert invoice.period == period
        assert period.start <= closed_through
        assert invoice.lines, "an invoice with nothing on it used a number"
        assert header[5] == invoice.total.cents == sum(line.amount.cents for line in invoice.lines)
        assert all(line.invoice_number == invoice.number for line in invoice.lines)
        assert all(line.due_on <= invoice.issued_on for line in invoice.lines)
        assert Counter(line.id for line in invoice.lines) == Counter(
            line.id for line in every_line if line.invoice_number == invoice.number
        )
    starts = [invoice.period.start for invoice in invoices]
    assert starts == sorted(starts)


# -- the property ---------------------------------------------------------------------


async def wait(world: World, days: int, run: bool) -> None:
    world.clock.day += timedelta(days=days)
    if run:
        await run_billing(world)


async def to_period_end(world: World, days_before: int, run: bool) -> None:
    end = world.schedule.period_containing(world.clock.day).end
    world.clock.day = max(world.clock.day, end - timedelta(days=days_before))
    if run:
        await run_billing(world)


async def book_late(
    world: World, option: str, quantity: int, before: int, after: int, run: bool, then_cancel: bool
) -> None:
    """Book a few days before a period end; the turn (maybe) runs; Kündigen (maybe)."""
    end = world.schedule.period_containing(world.clock.day).end
    world.clock.day = max(world.clock.day, end - timedelta(days=before))
    await book(world, option, quantity, None, False)
    world.clock.day = end + ONE_DAY + timedelta(days=after)
    if run:
        await run_billing(world)
    if then_cancel:
        await cancel(world, 0)


async def stale(world: World, which: int, pause: int | str, run: bool) -> None:
    """Draw the Kündigen dialog, let time pass (and maybe the turn), then confirm it."""
    await open_dialog(world, which)
    if pause == "past_period_end":
        world.clock.day = world.schedule.period_containing(world.clock.day).end + ONE_DAY
    else:
        assert isinstance(pause, int)
        world.clock.day += timedelta(days=pause)
    if run:
        await run_billing(world)
    await confirm_stale(world)


async def confirm(world: World) -> None:
    await confirm_stale(world)


# Each step by its name; those that pick an add-on wait until one was booked.
STEPS: dict[str, Callable[..., Awaitable[None]]] = {
    "wait": wait,
    "to_period_end": to_period_end,
    "book": book,
    "book_late": book_late,
    "cancel": cancel,
    "quote": open_dialog,
    "confirm": confirm,
    "stale": stale,
    "undo": undo,
}
PICKS_AN_ADDON = {"cancel", "quote", "stale", "undo"}


async def live_through(
    store_name: str, directory: str, anchor: date, start: int, script: list[tuple[Any, ...]]
) -> None:
    async with open_store(store_name, Path(directory), pool_size=2) as store:
        clock = Clock(anchor + timedelta(days=start))
        world = World(services.Context(store.db), store, BillingSchedule(anchor), clock)
        await services.set_workspace(world.ctx, TEAM, anchor, clock.now())
        for name, *args in script:
            if world.addon_ids or name not in PICKS_AN_ADDON:
                await STEPS[name](world, *args)
            await check_books(world)
        await run_billing(world)
        await check_books(world)
        await preview_is_what_the_next_turn_issues(world)
        await check_books(world)


# PostgreSQL runs fewer: each step is several round trips to a server, and the ports'
# behaviour on it is the same as on SQLite (each example still reaches every use case).
EXAMPLES = {"memory": 40, "sqlite": 40, "postgres": 15}


@pytest.mark.parametrize("store_name", STORES)
def test_any_sequence_of_use_cases_on_a_real_file_keeps_the_books_right(store_name: str) -> None:
    @settings(
        max_examples=EXAMPLES[store_name],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(anchor=st.sampled_from(ANCHORS), start=st.integers(0, 40), script=steps)
    def books_stay_right(anchor: date, start: int, script: list[tuple[Any, ...]]) -> None:
        with tempfile.TemporaryDirectory() as directory:
            asyncio.run(live_through(store_name, directory, anchor, start, script))

    books_stay_right()
