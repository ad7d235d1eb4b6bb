"""What the use cases rely on of every store: a unit of work is one transaction.

Each test runs on the in-memory store, a real SQLite file and a PostgreSQL database (the
``store`` fixture), so the fake is held to what the databases do.
"""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot import services
from domain.addons import AddOn
from domain.invoices import Invoice, InvoiceLine, LineKind
from domain.money import Money
from domain.periods import BillingSchedule
from domain.workspace import Subscription
from tests.fakes.memory import MemoryStore, NotInTransaction
from tests.services.workspace import ADMIN, TEAM, at
from tests.stores import Store

ANCHOR = date(2026, 3, 18)
OTHER = "T0002"
PERIOD = BillingSchedule(ANCHOR).period(1)


def workspace(team_id: str = TEAM) -> Subscription:
    return Subscription(team_id, ANCHOR, last_closed=ANCHOR)


def addon() -> AddOn:
    return AddOn(0, "users", 1, date(2026, 3, 20), billed_until=date(2026, 4, 17))


def draft(addon_id: int) -> InvoiceLine:
    return InvoiceLine(LineKind.PRORATION, addon_id, "users", 1, date(2026, 3, 20),
                       date(2026, 4, 17), Money(552), date(2026, 4, 18))  # fmt: skip


async def test_changes_are_dropped_unless_committed(store: Store) -> None:
    async with store.db.unit_of_work() as uow:
        await uow.subscriptions.add(workspace(), at(ANCHOR))

    async def add_then_fail() -> None:
        async with store.db.unit_of_work() as uow:
            await uow.subscriptions.add(workspace(), at(ANCHOR))
            raise RuntimeError("half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        await add_then_fail()
    async with store.db.unit_of_work(write=False) as uow:
        assert await uow.subscriptions.get(TEAM) is None
    before = await store.rows()
    async with store.db.unit_of_work() as uow:
        await uow.subscriptions.add(workspace(), at(ANCHOR))
        await uow.commit()
    async with store.db.unit_of_work(write=False) as uow:
        assert await uow.subscriptions.get(TEAM) == workspace()
    assert (await store.rows())["subscriptions"] != before["subscriptions"]


async def test_a_reading_unit_of_work_cannot_change_anything(store: Store) -> None:
    async with store.db.unit_of_work() as uow:
        await uow.subscriptions.add(workspace(), at(ANCHOR))
        await uow.commit()
    before = await store.rows()
    async with store.db.unit_of_work(write=False) as uow:
        with pytest.raises(store.refused_write):
            await uow.subscriptions.add(workspace(OTHER), at(ANCHOR))
        with pytest.raises(store.refused_write):
            await uow.subscriptions.save(Subscription(TEAM, ANCHOR, last_closed=PERIOD.start))
        await uow.commit()  # nothing to make durable
    assert await store.rows() == before


async def test_a_reader_keeps_its_snapshot_while_a_writer_commits(store: Store) -> None:
    async with store.db.unit_of_work(write=False) as reader:
        assert await reader.subscriptions.get(TEAM) is None
        async with store.db.unit_of_work() as writer:
            await writer.subscriptions.add(workspace(), at(ANCHOR))
            await writer.commit()
        assert await reader.subscriptions.get(TEAM) is None
    async with store.db.unit_of_work(write=False) as later:
        assert await later.subscriptions.get(TEAM) == workspace()


async def test_a_writer_waits_for_the_writer_before_it_and_sees_what_it_committed(
    store: Store,
) -> None:
    first_read = asyncio.Event()

    async def first() -> None:
        async with store.db.unit_of_work() as uow:
            # What a writer has read stays true until it commits (SQLite locks the file
            # at the start, PostgreSQL the workspace at its first statement about it).
            assert await uow.subscriptions.get(TEAM) is None
            first_read.set()
            await asyncio.sleep(0.05)  # the second writer is waiting now
            await uow.subscriptions.add(workspace(), at(ANCHOR))
            await uow.commit()

    async def second() -> Subscription | None:
        await first_read.wait()
        async with store.db.unit_of_work() as uow:
            return await uow.subscriptions.get(TEAM)

    _, seen = await asyncio.gather(first(), second())
    # The first's row exists only once it committed: seeing it, the second waited.
    assert seen == workspace()


async def test_the_invoice_counter_advances_only_in_the_committing_transaction(
    store: Store,
) -> None:
    async with store.db.unit_of_work() as uow:
        await uow.subscriptions.add(workspace(), at(ANCHOR))
        await uow.commit()
    async with store.db.unit_of_work() as uow:
        assert await uow.invoices.next_number() == 1
        await uow.invoices.add(Invoice(1, TEAM, PERIOD, ()), at(PERIOD.start))
        assert await uow.invoices.next_number() == 2
    async with store.db.unit_of_work() as uow:  # the first was rolled back: no gap
        assert await uow.invoices.next_number() == 1
        await uow.invoices.add(Invoice(1, TEAM, PERIOD, ()), at(PERIOD.start))
        await uow.commit()
    async with store.db.unit_of_work(write=False) as uow:
        assert await uow.invoices.next_number() == 2
        assert [i.number for i in await uow.invoices.newest_first(TEAM)] == [1]
    assert ("invoice_number", 1) in (await store.rows())["counters"]


async def test_ids_are_the_stores_and_a_line_keeps_the_one_it_was_given(store: Store) -> None:
    async with store.db.unit_of_work() as uow:
        await uow.subscriptions.add(workspace(), at(ANCHOR))
        first = await uow.addons.add(TEAM, addon(), at(ANCHOR))
        second = await uow.addons.add(TEAM, addon(), at(ANCHOR))
        line_id = await uow.lines.add(TEAM, draft(first))
        await uow.commit()
    assert 0 < first < second
    async with store.db.unit_of_work(write=False) as uow:
        stored = await uow.addons.get(TEAM, second)
        [line] = await uow.lines.for_addon(TEAM, first)
    assert stored is not None
    assert stored.id == second
    assert line.id == line_id


async def _put_and_commit(store: Store, key: str, addon_id: int) -> None:
    async with store.db.unit_of_work() as uow:
        await uow.idempotency.put(TEAM, key, addon_id, at(ANCHOR))
        await uow.commit()


async def test_an_idempotency_key_is_unique_within_a_workspace_only(store: Store) -> None:
    async with store.db.unit_of_work() as uow:
        for team_id in (TEAM, OTHER):
            await uow.subscriptions.add(workspace(team_id), at(ANCHOR))
            addon_id = await uow.addons.add(team_id, addon(), at(ANCHOR))
            await uow.idempotency.put(team_id, "click", addon_id, at(ANCHOR))
        await uow.commit()
    with pytest.raises(store.integrity_error):  # at the latest when committing
        await _put_and_commit(store, "click", 1)
    async with store.db.unit_of_work(write=False) as uow:
        assert await uow.idempotency.get(TEAM, "click") != await uow.idempotency.get(OTHER, "click")


async def test_the_outbox_queues_an_event_key_once_however_often_it_is_added(
    store: Store,
) -> None:
    for kind in ("invoice_issued", "invoice_issued_again"):
        async with store.db.unit_of_work() as uow:
            await uow.outbox.add(TEAM, "invoice:1:U1", kind, {"number": 1}, at(PERIOD.start))
            await uow.outbox.add(TEAM, "invoice:1:U1", kind, {"number": 2}, at(PERIOD.start))
            await uow.commit()
    async with store.db.unit_of_work(write=False) as uow:
        [message] = await uow.outbox.due(at(PERIOD.start))
        assert [row["event_key"] for row in await uow.outbox.all(TEAM)] == ["invoice:1:U1"]
    assert (message.kind, message.payload) == ("invoice_issued", {"number": 1})


# -- the use cases, racing ----------------------------------------------------------------


async def test_confirmations_racing_with_one_key_book_once(store: Store) -> None:
    ctx = services.Context(store.db)
    await services.set_workspace(ctx, TEAM, ANCHOR, at(ANCHOR))
    results = await asyncio.gather(*(
        services.book(ctx, TEAM, "users", 1, at(date(2026, 4, 3)), key="double-click",
                      actor=ADMIN)
        for _ in range(4)
    ))  # fmt: skip
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert len({r.addon.id for r in results}) == 1
    assert len(await services.list_addons(ctx, TEAM)) == 1


async def test_billing_runs_racing_issue_each_invoice_once(store: Store) -> None:
    ctx = services.Context(store.db)
    await services.set_workspace(ctx, TEAM, ANCHOR, at(ANCHOR))
    await services.set_workspace(ctx, OTHER, ANCHOR, at(ANCHOR))
    for team_id in (TEAM, OTHER):
        await services.book(ctx, team_id, "users", 1, at(date(2026, 4, 3)), key="k",
                            actor=ADMIN)  # fmt: skip
    runs = await asyncio.gather(*(services.billing_run(ctx, at(date(2026, 6, 1)))
                                  for _ in range(3)))  # fmt: skip
    turns = [turn for run in runs for turn in run]
    issued = sorted(t.invoice.number for t in turns if t.invoice is not None and t.invoice.number)
    assert issued == [1, 2, 3, 4]  # two periods for each of two workspaces, once each
    assert sorted((t.team_id, t.period.index) for t in turns) == [
        (TEAM, 1), (TEAM, 2), (OTHER, 1), (OTHER, 2),
    ]  # fmt: skip
    for team_id in (TEAM, OTHER):
        invoices = await services.list_invoices(ctx, team_id)
        assert [i.period.index for i in invoices] == [2, 1]


async def test_a_writer_claims_a_workspace_no_other_transaction_holds(store: Store) -> None:
    async with store.db.unit_of_work() as uow:
        assert await uow.claim_workspace(TEAM)
        await uow.subscriptions.add(workspace(), at(ANCHOR))  # held already: no waiting
        assert await uow.claim_workspace(TEAM)
        await uow.commit()
    async with store.db.unit_of_work() as uow:
        assert await uow.claim_workspace(TEAM)  # the first writer's claim ended with it
    async with store.db.unit_of_work(write=False) as uow:
        assert await uow.claim_workspace(TEAM)  # a reader holds nothing and waits for none


# -- only in memory: what another process would do ----------------------------------------


async def _two_due_workspaces(store: MemoryStore) -> services.Context:
    ctx = services.Context(store)
    for team_id in (TEAM, OTHER):
        await services.set_workspace(ctx, team_id, ANCHOR, at(ANCHOR))
        await services.book(ctx, team_id, "users", 1, at(date(2026, 4, 3)), key="k",
                            actor=ADMIN)  # fmt: skip
    return ctx


async def test_the_run_over_all_workspaces_passes_over_one_held_elsewhere_till_released() -> None:
    store = MemoryStore()
    ctx = await _two_due_workspaces(store)
    due = at(date(2026, 4, 18))
    store.held_elsewhere.add(TEAM)
    assert [t.team_id for t in await services.billing_run(ctx, due)] == [OTHER]
    assert await services.billing_run(ctx, due) == []  # still held: still passed over
    store.held_elsewhere.clear()
    turns = await services.billing_run(ctx, due)
    assert [(t.team_id, t.invoice.number if t.invoice else None) for t in turns] == [(TEAM, 2)]


async def test_a_run_over_given_workspaces_does_not_claim_them() -> None:
    store = MemoryStore()
    ctx = await _two_due_workspaces(store)
    store.held_elsewhere.add(TEAM)  # a real store would make the run wait for it
    turns = await services.billing_run(ctx, at(date(2026, 4, 18)), team_ids=[TEAM])
    assert [t.team_id for t in turns] == [TEAM]


# -- only in memory: misuse the database would forgive ------------------------------------


async def test_a_committed_unit_of_work_cannot_be_used_again() -> None:
    async with MemoryStore().unit_of_work() as uow:
        await uow.commit()
        with pytest.raises(NotInTransaction):
            await uow.subscriptions.get(TEAM)
