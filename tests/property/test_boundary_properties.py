"""Every day an add-on is in force is billed exactly once, whatever the order at the
period boundary: bookings, cancellations and withdrawals interleaved with period turns
whose clock runs ahead of the app's (a scheduler a day ahead, or a turn that committed
while a confirmation waited), and confirmations racing the turn for the workspace.

Injected orderings: each admin step acts at the scheduler's day minus a lag of 0 or 1
(the app's clock never runs backwards); a race starts a confirmation and the turn at
midnight in an order hypothesis picks, the confirmation's clock read whenever the use
case reads it (23:59:59 until the turn has begun, 00:00:01 after). Checked on every
store of tests/stores.py: after a last turn, for each add-on,

- every day from its booking through its last day in force (ended: its end; cancelled:
  its effective date; live: the end of the last invoiced period) is covered by exactly
  one charged line that no Rechnungskorrektur reversed;
- no day after that (nor any day of a withdrawn one) is covered by such a line.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import services
from domain.addons import AddOn, Status
from domain.errors import DomainError
from domain.invoices import InvoiceLine, LineKind
from domain.periods import BillingSchedule
from tests.stores import STORES, Store, open_store

TEAM = "T0EDGES01"
ADMIN = "U0EDGES0AD"
BERLIN = ZoneInfo("Europe/Berlin")
ONE_DAY = timedelta(days=1)
ANCHORS = [date(2026, 1, 31), date(2026, 3, 18), date(2025, 12, 29)]


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=BERLIN)


@dataclass
class World:
    ctx: services.Context
    schedule: BillingSchedule
    day: date  # the scheduler's day
    app_day: date  # the app's day: never after the scheduler's, never backwards
    keys: int = 0
    addon_ids: list[int] = field(default_factory=list)

    def key(self) -> str:
        self.keys += 1
        return f"confirmation-{self.keys}"


async def advance(world: World, days: int, lag: int, to_turn: bool = False) -> None:
    """Time passes (``to_turn``: to the first day of the next period); the scheduler
    turns what is due; the app lags ``lag`` days behind."""
    if to_turn:
        world.day = world.schedule.period_containing(world.day).end + ONE_DAY
    world.day += timedelta(days=days)
    await services.billing_run(world.ctx, noon(world.day))
    world.app_day = max(world.app_day, world.day - timedelta(days=lag))


async def book(world: World, option: str, quantity: int) -> None:
    booked = await services.book(
        world.ctx, TEAM, option, quantity, noon(world.app_day), key=world.key(), actor=ADMIN
    )
    world.addon_ids.append(booked.addon.id)


async def cancel(world: World, pick: int) -> None:
    """Kündigen as the quote of the app's day says (a cancellation or a withdrawal)."""
    addon_id = world.addon_ids[pick % len(world.addon_ids)]
    try:
        quote = await services.quote_cancellation(world.ctx, TEAM, addon_id, noon(world.app_day))
        await services.cancel(
            world.ctx, TEAM, addon_id, quote.outcome, noon(world.app_day), actor=ADMIN
        )
    except DomainError:
        pass  # already cancelled or ended: refused, nothing changed


async def race(world: World, option: str, turn_first: bool) -> None:
    """At the last second of a period, a confirmation and the turn go for the workspace."""
    end = world.schedule.period_containing(world.day).end
    last_second = datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=BERLIN)
    after = last_second + timedelta(seconds=2)
    turned = asyncio.Event()

    def clock() -> datetime:
        return after if turned.is_set() else last_second

    async def turn() -> None:
        turned.set()  # midnight has passed for whoever reads a clock from now on
        await services.billing_run(world.ctx, after)

    async def confirm() -> None:
        booked = await services.book(
            world.ctx, TEAM, option, 1, clock, key=world.key(), actor=ADMIN
        )
        world.addon_ids.append(booked.addon.id)

    first, second = (turn, confirm) if turn_first else (confirm, turn)
    task = asyncio.create_task(first())
    await asyncio.sleep(0)
    await asyncio.gather(task, second())
    world.day = world.app_day = end + ONE_DAY


options = st.sampled_from(["users", "storage"])
step = st.one_of(
    st.tuples(st.just("advance"), st.integers(0, 20), st.integers(0, 1), st.booleans()),
    st.tuples(st.just("advance"), st.just(0), st.integers(0, 1), st.just(True)),
    st.tuples(st.just("book"), options, st.integers(1, 3)),
    st.tuples(st.just("cancel"), st.integers(0, 10)),
    st.tuples(st.just("race"), options, st.booleans()),
)
STEPS: dict[str, Any] = {"advance": advance, "book": book, "cancel": cancel, "race": race}


async def check_every_day_billed_once(store: Store, world: World) -> None:
    ctx = world.ctx
    sub = await services.get_workspace(ctx, TEAM)
    last_invoiced = world.schedule.period_containing(sub.closed_through).end
    reversed_ids = {
        line.credits_line_id
        for correction in await services.list_corrections(ctx, TEAM)
        for line in correction.lines
    }
    async with ctx.db.unit_of_work(write=False) as uow:
        addons = await uow.addons.newest_first(TEAM)
        lines = {a.id: await uow.lines.for_addon(TEAM, a.id) for a in addons}
    for addon in addons:
        billed = Counter(
            day
            for line in lines[addon.id]
            if line.kind is not LineKind.CREDIT and line.id not in reversed_ids
            for day in days_of(line)
        )
        last = last_day_in_force(addon, world.schedule, last_invoiced)
        expected = Counter(days_between(addon.booked_on, last))
        assert billed == expected, (addon, last, sorted(billed.items()))


def last_day_in_force(addon: AddOn, schedule: BillingSchedule, last_invoiced: date) -> date:
    """The last day the add-on is (or was) in force and due to be billed by now."""
    if addon.status is Status.WITHDRAWN:
        return addon.booked_on - ONE_DAY  # nothing at all
    if addon.status is Status.ENDED:
        assert addon.ended_on is not None
        return addon.ended_on
    own_end = schedule.period_containing(addon.booked_on).end
    billed_through = max(own_end, last_invoiced)
    if addon.effective_on is not None:
        assert addon.effective_on >= min(billed_through, addon.effective_on)
        return min(addon.effective_on, billed_through)
    return billed_through


def days_of(line: InvoiceLine) -> list[date]:
    return days_between(line.from_day, line.to_day)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def live_through(
    store_name: str, directory: str, anchor: date, start: int, script: list[tuple[Any, ...]]
) -> None:
    async with open_store(store_name, Path(directory), pool_size=3) as store:
        day = anchor + timedelta(days=start)
        world = World(services.Context(store.db), BillingSchedule(anchor), day, day)
        await services.set_workspace(world.ctx, TEAM, anchor, noon(day))
        for name, *args in script:
            if world.addon_ids or name != "cancel":
                await STEPS[name](world, *args)
        await advance(world, 1, 0)  # a last turn where one is due: the books are closed
        await check_every_day_billed_once(store, world)


EXAMPLES = {"memory": 60, "sqlite": 20, "postgres": 8}


@pytest.mark.parametrize("store_name", STORES)
def test_every_day_in_force_is_billed_exactly_once_whatever_the_order(store_name: str) -> None:
    @settings(
        max_examples=EXAMPLES[store_name],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        anchor=st.sampled_from(ANCHORS),
        start=st.integers(0, 40),
        script=st.lists(step, min_size=1, max_size=12),
    )
    def billed_once(anchor: date, start: int, script: list[tuple[Any, ...]]) -> None:
        with tempfile.TemporaryDirectory() as directory:
            asyncio.run(live_through(store_name, directory, anchor, start, script))

    billed_once()
