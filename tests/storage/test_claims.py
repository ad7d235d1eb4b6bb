"""Claiming a workspace without waiting: how schedulers share the due workspaces.

On PostgreSQL a writer's claim tries the workspace's advisory lock: refused at once while
another transaction holds the workspace, granted once that one has ended. On SQLite a
writer holds the whole file, so its claim is always granted (a second writer waits for
the file before it can claim anything). The billing run over every due workspace passes
over a workspace another process holds, and the next run bills it; a run over given
workspaces waits for them as before.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bot import services
from storage import Database, StorageBusy
from tests.sqlite_template import migrated_copy
from tests.storage.helpers import ANCHOR, OTHER, TEAM, at, book, snapshot

PATIENT_MS = 10_000  # a writer that waited for the lock would wait this long
AT_ONCE_S = 1.0  # far below PATIENT_MS: the claim did not wait
DUE = "2026-04-18"  # the second period of ANCHOR's workspaces begins


@pytest.fixture
async def two_processes(postgres_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two processes' databases on one PostgreSQL database, both patient lock waiters."""
    first, second = (Database(postgres_url, busy_timeout_ms=PATIENT_MS) for _ in range(2))
    await first.open()
    await second.open()
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def _claim(db: Database, team_id: str) -> tuple[bool, float]:
    """Whether a new writer of ``db`` gets ``team_id``, and how long it took to answer."""
    async with db.unit_of_work() as uow:
        started = time.perf_counter()
        claimed = await uow.claim_workspace(team_id)
        return claimed, time.perf_counter() - started


async def test_on_postgres_a_claim_of_a_held_workspace_is_refused_at_once_until_it_is_released(
    two_processes: tuple[Database, Database],
) -> None:
    first, second = two_processes
    async with first.unit_of_work() as holder:
        assert await holder.claim_workspace(TEAM)
        assert await holder.claim_workspace(TEAM)  # its own claim again: still its own

        refused, seconds = await _claim(second, TEAM)
        assert not refused
        assert seconds < AT_ONCE_S
        claimed, seconds = await _claim(second, OTHER)  # another workspace is free
        assert claimed
        assert seconds < AT_ONCE_S
        await holder.commit()
    claimed, _ = await _claim(second, TEAM)
    assert claimed


async def test_on_postgres_a_claimed_workspace_is_held_as_any_statement_about_it_holds_it(
    postgres_url: str,
) -> None:
    impatient = Database(postgres_url, busy_timeout_ms=150)
    holder = Database(postgres_url)
    await impatient.open()
    await holder.open()
    ctx = services.Context(impatient)
    try:
        await services.set_workspace(ctx, TEAM, ANCHOR, at("2026-03-18"))
        async with holder.unit_of_work() as held:
            assert await held.claim_workspace(TEAM)
            with pytest.raises(StorageBusy):  # a booking waits for the same lock
                await book(ctx, "2026-03-20")
        async with holder.unit_of_work() as held:
            assert await held.subscriptions.get(TEAM) is not None  # locked by a statement
            refused, _ = await _claim(impatient, TEAM)
            assert not refused
    finally:
        await impatient.close()
        await holder.close()


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "sqlalchemy-path"])
async def test_on_sqlite_a_claim_is_granted_as_the_writer_holds_the_whole_file(
    sqlite_path: str, fast_path: bool
) -> None:
    migrated_copy(sqlite_path)
    first = Database(sqlite_path, fast_path=fast_path, busy_timeout_ms=PATIENT_MS)
    second = Database(sqlite_path, fast_path=fast_path, busy_timeout_ms=PATIENT_MS)
    await first.open()
    await second.open()
    try:
        async with first.unit_of_work() as holder:
            assert await holder.claim_workspace(TEAM)
            waiting = asyncio.create_task(_claim(second, TEAM))
            await asyncio.sleep(0.3)
            assert not waiting.done()  # the second writer waits for the file itself
            await holder.commit()
        claimed, _ = await waiting
        assert claimed
    finally:
        await first.close()
        await second.close()


async def _two_due_workspaces(db: Database) -> services.Context:
    ctx = services.Context(db)
    for team in (TEAM, OTHER):
        await services.set_workspace(ctx, team, ANCHOR, at("2026-03-18"))
        await book(ctx, "2026-03-20", team_id=team)
    return ctx


async def test_the_run_over_every_workspace_passes_over_a_held_one_and_the_next_run_bills_it(
    two_processes: tuple[Database, Database], postgres_url: str
) -> None:
    first, second = two_processes
    ctx = await _two_due_workspaces(first)
    async with second.unit_of_work() as click:
        await click.subscriptions.get(TEAM)  # another process holds TEAM for a moment
        started = time.perf_counter()
        turns = await services.billing_run(ctx, at(DUE))
        assert time.perf_counter() - started < PATIENT_MS / 1000 / 2  # not waited for
        assert [t.team_id for t in turns] == [OTHER]
    again = await services.billing_run(ctx, at(DUE))
    assert [t.team_id for t in again] == [TEAM]
    assert await services.billing_run(ctx, at(DUE)) == []
    invoices = snapshot(postgres_url)["invoices"]
    assert [(row[0], row[1]) for row in invoices] == [(1, OTHER), (2, TEAM)]


async def test_a_run_over_given_workspaces_waits_for_a_held_one(
    two_processes: tuple[Database, Database],
) -> None:
    first, second = two_processes
    ctx = await _two_due_workspaces(first)
    async with second.unit_of_work() as click:
        await click.subscriptions.get(TEAM)
        run = asyncio.create_task(services.billing_run(ctx, at(DUE), team_ids=[TEAM]))
        await asyncio.sleep(0.3)
        assert not run.done()  # it waits for the click's transaction
    turns = await run
    assert [t.team_id for t in turns] == [TEAM]
