"""The read side: list, entitlements, preview, overview and invoices, newest first."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot import services
from bot.ports import UnitOfWorkSource
from domain.addons import Status
from domain.errors import UnknownWorkspace
from domain.money import Money
from storage import Database
from storage.executor import SqlAlchemyExecutor
from storage.postgres_fast import PostgresFastExecutor
from storage.sqlite_fast import SqliteExecutor
from storage.unit_of_work import SqlUnitOfWork
from tests.storage.helpers import TEAM, at, book, press_kuendigen


async def test_add_ons_are_listed_newest_first_with_every_status(
    ctx: services.Context,
    workspace: str,
) -> None:
    ended = await book(ctx, "2026-03-20")
    withdrawn = await book(ctx, "2026-04-01", "storage", 2)
    active = await book(ctx, "2026-04-03", quantity=3)
    await press_kuendigen(ctx, ended, "2026-04-10")  # Kündigung zum 17.04.
    await press_kuendigen(ctx, withdrawn, "2026-04-10")
    await services.billing_run(ctx, at("2026-04-18", 6))
    addons = await services.list_addons(ctx, TEAM)
    assert [(a.id, a.status) for a in addons] == [
        (active, Status.ACTIVE),
        (withdrawn, Status.WITHDRAWN),
        (ended, Status.ENDED),
    ]
    entitled = await services.get_entitlements(ctx, TEAM, at("2026-04-18"))
    assert (entitled.seats, entitled.gigabytes) == (3, 0)


async def test_the_overview_reads_everything_the_home_tab_shows(
    ctx: services.Context,
    workspace: str,
) -> None:
    await book(ctx, "2026-04-03")
    await services.billing_run(ctx, at("2026-04-18", 6))
    await book(ctx, "2026-04-20", "storage", 1)
    overview = await services.overview(ctx, TEAM, at("2026-04-20"))
    assert overview.today == date(2026, 4, 20)
    assert len(overview.addons) == 2
    assert (overview.entitlements.seats, overview.entitlements.gigabytes) == (1, 10)
    assert overview.upcoming.number is None
    assert overview.upcoming.period.start == date(2026, 5, 18)
    assert [i.number for i in overview.last_invoices] == [1]


async def test_invoices_are_listed_newest_first_with_their_lines_each_issued_the_day_it_was(
    ctx: services.Context,
    workspace: str,
) -> None:
    await book(ctx, "2026-04-03")
    await services.billing_run(ctx, at("2026-06-18", 6))  # catching up two months late
    invoices = await services.list_invoices(ctx, TEAM)
    assert [i.number for i in invoices] == [3, 2, 1]
    first = invoices[-1]
    assert services.invoice_to_json(first) == {
        "type": "invoice",
        "number": 1,
        "team_id": TEAM,
        "customer": None,
        "issued_on": "2026-06-18",  # the day it was really issued, not backdated
        "period_start": "2026-04-18",
        "period_end": "2026-05-17",
        "total": "8.75",
        "currency": "EUR",
        "net": "8.75",
        "vat": "1.66",  # 8.75 × 19 % = 1.6625
        "gross": "10.41",
        "tax": [{"category": "S", "rate": "19.00", "basis": "8.75", "amount": "1.66"}],
        "seller": None,  # this context configures none (a process refuses to start so)
        "buyer": {
            "name": TEAM,  # no company set and no Slack name known: the team id
            "street": None,
            "postcode": None,
            "city": None,
            "country": None,
            "vat_id": None,
            "email": None,
            "reference": None,
        },
        "payment": {
            "method": "transfer",
            "due_on": "2026-07-02",
            "mandate_reference": None,
            "debtor_iban": None,
            "creditor_id": None,
            "iban": None,
            "bic": None,
        },
        "lines": [
            {
                "kind": "proration",
                "addon_id": 1,
                "option": "users",
                "from": "2026-04-03",
                "to": "2026-04-17",
                "quantity": 1,
                "amount": "2.85",
            },
            {
                "kind": "renewal",
                "addon_id": 1,
                "option": "users",
                "from": "2026-04-18",
                "to": "2026-05-17",
                "quantity": 1,
                "amount": "5.90",
            },
        ],
    }
    assert await services.get_invoice(ctx, 1) == first
    assert invoices[0].total == Money(590)


async def test_reading_an_unknown_workspace_is_refused(ctx: services.Context) -> None:
    for read in (
        services.list_addons(ctx, "T_NOBODY"),
        services.list_invoices(ctx, "T_NOBODY"),
        services.audit_log(ctx, "T_NOBODY"),
        services.preview_invoice(ctx, "T_NOBODY", at("2026-04-03")),
        services.get_entitlements(ctx, "T_NOBODY", at("2026-04-03")),
        services.overview(ctx, "T_NOBODY", at("2026-04-03")),
    ):
        with pytest.raises(UnknownWorkspace):
            await read


def test_the_database_is_a_unit_of_work_source_of_the_ports(db: Database) -> None:
    """mypy checks this assignment: the storage satisfies the use cases' ports."""
    source: UnitOfWorkSource = db
    assert isinstance(source.unit_of_work(write=False), SqlUnitOfWork)


async def test_the_last_invoices_come_with_their_lines_in_one_query(
    ctx: services.Context,
    workspace: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await book(ctx, "2026-04-03")
    await book(ctx, "2026-04-05", "storage", 2)
    await services.billing_run(ctx, at("2026-06-18", 6))
    queries: list[object] = []
    for executor in (SqliteExecutor, SqlAlchemyExecutor, PostgresFastExecutor):
        original = executor.rows

        async def counted(self: Any, statement: Any, params: Any = None, _o: Any = original) -> Any:
            queries.append(statement)
            return await _o(self, statement, params)

        monkeypatch.setattr(executor, "rows", counted)
    async with ctx.db.unit_of_work(write=False) as uow:
        newest = await uow.invoices.newest_first(TEAM, limit=2)
        assert len(queries) == 1
        every = await uow.invoices.newest_first(TEAM)
        one = await uow.invoices.get(1, TEAM)
    assert len(queries) == 3
    assert [i.number for i in newest] == [3, 2]
    assert [i.number for i in every] == [3, 2, 1]
    assert every[:2] == newest
    assert one == every[2]
    assert [len(i.lines) for i in every] == [2, 2, 4]  # renewals; drafts and renewals
