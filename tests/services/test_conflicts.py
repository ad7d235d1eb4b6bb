"""A transaction the store ends as a Conflict (a deadlock, a serialization failure) is run
again from its start: the admin sees the booking, the Kündigung, the invoice, exactly once."""

from __future__ import annotations

from datetime import date

import pytest

from bot import services
from bot.ports import Busy
from bot.services import retry
from domain.addons import Outcome, Status
from tests.fakes.memory import MemoryStore, NotInTransaction
from tests.services.workspace import ADMIN, TEAM, Workspace, at
from tests.stores import Rows, Store

ANCHOR = date(2026, 3, 18)


@pytest.fixture
def memory() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
async def ws(memory: MemoryStore) -> Workspace:
    async def rows() -> Rows:
        return memory.rows()

    return await Workspace.open(Store("memory", memory, rows, Exception, NotInTransaction), ANCHOR)


async def test_a_booking_that_meets_two_conflicts_is_booked_once(
    ws: Workspace, memory: MemoryStore
) -> None:
    memory.conflict_next(2)
    addon = await ws.book("users", 2, date(2026, 4, 3))
    assert memory.conflicts_raised == 2
    assert [a.id for a in await ws.addons()] == [addon.id]
    assert len(await ws.lines_of(addon)) == 1
    booked = [e for e in await services.audit_log(ws.ctx, TEAM) if e.action == "book"]
    assert len(booked) == 1


async def test_a_kuendigung_that_meets_a_conflict_is_recorded_once(
    ws: Workspace, memory: MemoryStore
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    memory.conflict_next(1)
    await ws.cancel(addon, date(2026, 4, 10))
    assert memory.conflicts_raised == 1
    assert (await ws.reload(addon)).status is Status.CANCELLATION_PENDING
    entries = await services.audit_log(ws.ctx, TEAM)
    assert [e.action for e in entries].count(Outcome.CANCELLATION.value) == 1


async def test_a_billing_turn_that_meets_conflicts_issues_one_invoice_with_the_next_number(
    ws: Workspace, memory: MemoryStore
) -> None:
    await ws.book("users", 1, date(2026, 3, 20))
    memory.conflict_next(3)
    turns = await ws.run_billing(date(2026, 4, 18))
    assert memory.conflicts_raised == 3
    assert [t.invoice.number for t in turns if t.invoice is not None] == [1]
    assert [i.number for i in await ws.invoices()] == [1]


async def test_after_the_last_try_the_conflict_is_the_polite_busy_and_nothing_changed(
    ws: Workspace, memory: MemoryStore
) -> None:
    before = memory.rows()
    memory.conflict_next(retry.ATTEMPTS)
    with pytest.raises(Busy):
        await services.book(ws.ctx, TEAM, "users", 1, at(date(2026, 4, 3)), key="k", actor=ADMIN)
    assert memory.conflicts_raised == retry.ATTEMPTS
    assert memory.rows() == before
    # the next confirmation of the same key books it, once
    booked = await services.book(
        ws.ctx, TEAM, "users", 1, at(date(2026, 4, 3)), key="k", actor=ADMIN
    )
    assert booked.created
    assert len(await ws.addons()) == 1


async def test_plain_busy_is_not_retried_only_a_conflict_is() -> None:
    calls: list[str] = []

    @retry.retrying
    async def waits_too_long() -> None:
        calls.append("try")
        raise Busy("locked elsewhere")

    with pytest.raises(Busy):
        await waits_too_long()
    assert calls == ["try"]


def test_the_pauses_grow_and_are_jittered_below_their_ceiling() -> None:
    ceilings = [retry.BASE_PAUSE_S * 2**n for n in range(retry.ATTEMPTS - 1)]
    for attempt, ceiling in enumerate(ceilings):
        pauses = {retry.pause(attempt) for _ in range(50)}
        assert all(0 <= p <= ceiling for p in pauses)
        assert len(pauses) > 1
