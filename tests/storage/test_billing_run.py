"""The billing run on real files: consolidated invoices, catching up, reruns and races."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from bot import services
from domain.addons import Status
from domain.money import Money
from storage import Database
from storage.unit_of_work import SqlUnitOfWork
from tests.storage.helpers import ANCHOR, TEAM, at, book, press_kuendigen, snapshot


async def test_the_first_day_of_a_period_issues_the_consolidated_invoice(
    ctx: services.Context,
    workspace: str,
) -> None:
    addon_id = await book(ctx, "2026-04-03")
    assert await services.billing_run(ctx, at("2026-04-17", 23, 59)) == []
    [turn] = await services.billing_run(ctx, at("2026-04-18", 0, 1))
    assert turn.invoice is not None
    assert (turn.invoice.number, turn.invoice.total) == (1, Money(285 + 590))
    assert turn.renewed == 1
    [addon] = await services.list_addons(ctx, TEAM)
    assert (addon.id, addon.billed_until) == (addon_id, date(2026, 5, 17))
    assert (await services.preview_invoice(ctx, TEAM, at("2026-04-18"))).total == Money(590)


async def test_a_rerun_issues_nothing_new(
    ctx: services.Context,
    workspace: str,
    db_path: str,
) -> None:
    await book(ctx, "2026-04-03")
    await services.billing_run(ctx, at("2026-04-18", 6))
    before = snapshot(db_path)
    assert await services.billing_run(ctx, at("2026-04-18", 7)) == []
    assert snapshot(db_path) == before


async def test_a_run_that_was_down_catches_up_period_by_period_in_order(
    ctx: services.Context,
    workspace: str,
) -> None:
    await book(ctx, "2026-04-03")
    turns = await services.billing_run(ctx, at("2026-07-20"))
    assert [(t.period.start, t.invoice.number if t.invoice else None) for t in turns] == [
        (date(2026, 4, 18), 1),
        (date(2026, 5, 18), 2),
        (date(2026, 6, 18), 3),
        (date(2026, 7, 18), 4),
    ]
    assert [t.invoice.total for t in turns if t.invoice] == [Money(875)] + [Money(590)] * 3


async def test_a_cancelled_add_on_ends_with_its_period_and_is_not_renewed(
    ctx: services.Context,
    workspace: str,
) -> None:
    addon_id = await book(ctx, "2026-04-03")
    await services.billing_run(ctx, at("2026-04-18", 6))
    await press_kuendigen(ctx, addon_id, "2026-04-20")  # Kündigung zum 17.05.2026
    [turn] = await services.billing_run(ctx, at("2026-05-18", 6))
    assert turn.deactivated == (addon_id,)
    assert turn.invoice is None  # nothing to bill: no number is used
    [addon] = await services.list_addons(ctx, TEAM)
    assert (addon.status, addon.ended_on) == (Status.ENDED, date(2026, 5, 17))
    assert (await services.get_entitlements(ctx, TEAM, at("2026-05-18"))).seats == 0
    later = await book(ctx, "2026-05-20")
    [turn] = await services.billing_run(ctx, at("2026-06-18", 6))
    assert turn.invoice is not None
    assert turn.invoice.number == 2
    assert {line.addon_id for line in turn.invoice.lines} == {later}


async def _seed(ctx: services.Context, teams: int) -> list[str]:
    ids = [f"T{n:04d}" for n in range(teams)]
    for n, team in enumerate(ids):
        await services.set_workspace(ctx, team, ANCHOR, at("2026-03-18"))
        await book(ctx, "2026-03-20", "users", 1 + n % 3, team_id=team)
        if n % 2:
            await book(ctx, "2026-04-25", "storage", 2, team_id=team)
    return ids


class _PausingUnitOfWork(SqlUnitOfWork):
    async def __aexit__(self, *exc: Any) -> None:
        await super().__aexit__(*exc)
        await asyncio.sleep(0.002)


class PausingDatabase(Database):
    """A real database whose users pause briefly after each transaction.

    SQLite's busy handler polls: a writer that starts its next transaction at once can
    keep another process waiting until it is done. The pause lets the racers alternate.
    """

    def unit_of_work(self, write: bool = True) -> SqlUnitOfWork:
        return _PausingUnitOfWork(self._pool, self._module.translate, write)


@pytest.mark.parametrize("database", [Database, PausingDatabase])
async def test_two_billing_runs_racing_issue_one_invoice_per_workspace_and_period(
    db_path: str,
    database: type[Database],
) -> None:
    first, second = database(db_path), database(db_path)
    await first.open()
    await second.open()
    try:
        teams = await _seed(services.Context(first), 12)
        now = at("2026-07-20")
        # One run walks the workspaces forwards, the other backwards: they meet half-way
        # and contend for the same workspace's periods.
        results = await asyncio.gather(
            services.billing_run(services.Context(first), now),
            services.billing_run(services.Context(second), now, team_ids=teams[::-1]),
        )
    finally:
        await first.close()
        await second.close()
    if database is PausingDatabase:
        assert results[0], "both runs should have issued some invoices"
        assert results[1], "both runs should have issued some invoices"
    turns = results[0] + results[1]
    state = snapshot(db_path)
    numbers = [row[0] for row in state["invoices"]]
    assert numbers == list(range(1, len(numbers) + 1))  # gapless
    assert state["counter"] == [(len(numbers),)]
    per_period = {(row[1], row[3]) for row in state["invoices"]}
    assert len(per_period) == len(numbers) == len(teams) * 4
    # Each period was turned by exactly one of the two runs.
    assert sorted((t.team_id, t.period.start) for t in turns) == sorted(
        (team, start)
        for team in teams
        for start in (date(2026, 4, 18), date(2026, 5, 18), date(2026, 6, 18), date(2026, 7, 18))
    )
    assert all(row[8] is not None for row in state["lines"])  # no draft left behind
    renewals = [row for row in state["lines"] if row[2] == "renewal"]
    assert len(renewals) == len({(row[1], row[4]) for row in renewals})
