"""Booking on a real file: the quote, the add-on and its draft line, and idempotency."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot import services
from domain.errors import QuantityOutOfRange, UnknownOption, UnknownWorkspace
from domain.money import Money
from storage import Database
from tests.storage.helpers import TEAM, at, book


async def test_the_quote_shows_the_help_page_example(
    ctx: services.Context,
    workspace: str,
) -> None:
    quote = await services.quote_booking(ctx, TEAM, "users", 1, at("2026-04-03"))
    assert quote.monthly_price == Money(590)
    assert quote.prorated == Money(285)
    assert quote.billed_until == date(2026, 4, 17)


async def test_booking_creates_an_active_add_on_and_a_draft_line_at_once(
    ctx: services.Context,
    workspace: str,
) -> None:
    booked = await services.book(ctx, TEAM, "users", 1, at("2026-04-03"), key="k1", actor="U_ADMIN")
    assert booked.created
    [addon] = await services.list_addons(ctx, TEAM)
    assert services.addon_to_json(addon) == {
        "id": booked.addon.id,
        "option": "users",
        "quantity": 1,
        "status": "active",
        "booked_on": "2026-04-03",
        "billed_until": "2026-04-17",
        "effective_on": None,
        "ended_on": None,
    }
    preview = await services.preview_invoice(ctx, TEAM, at("2026-04-03"))
    assert [(line.kind.value, line.amount) for line in preview.lines] == [
        ("proration", Money(285)),
        ("renewal", Money(590)),
    ]
    entitled = await services.get_entitlements(ctx, TEAM, at("2026-04-03"))
    assert (entitled.seats, entitled.gigabytes) == (1, 0)


async def test_storage_is_booked_in_ten_gigabyte_packages(
    ctx: services.Context,
    workspace: str,
) -> None:
    await book(ctx, "2026-04-03", "storage", 3)
    await book(ctx, "2026-04-03", "users", 2)
    entitled = await services.get_entitlements(ctx, TEAM, at("2026-04-03"))
    assert (entitled.seats, entitled.gigabytes) == (2, 30)


async def test_the_same_key_books_once(ctx: services.Context, workspace: str) -> None:
    first = await services.book(ctx, TEAM, "users", 1, at("2026-04-03"), key="k", actor="U_ADMIN")
    again = await services.book(
        ctx, TEAM, "users", 1, at("2026-04-03", 13), key="k", actor="U_ADMIN"
    )
    assert not again.created
    assert again.addon.id == first.addon.id
    assert len(await services.list_addons(ctx, TEAM)) == 1
    assert [e.action for e in await services.audit_log(ctx, TEAM)].count("book") == 1


async def test_two_connections_confirming_the_same_key_at_once_book_one_add_on(
    db_path: str,
    workspace: str,
) -> None:
    # Two Database objects are two connection pools, as two app processes would have.
    first, second = Database(db_path), Database(db_path)
    await first.open()
    await second.open()
    try:
        results = await asyncio.gather(
            *(
                services.book(
                    services.Context(db),
                    TEAM,
                    "users",
                    1,
                    at("2026-04-03"),
                    key="double-click",
                    actor="U_ADMIN",
                )
                for db in (first, second, first, second)
            )
        )
        assert sorted(r.created for r in results) == [False, False, False, True]
        assert len({r.addon.id for r in results}) == 1
        ctx = services.Context(first)
        assert len(await services.list_addons(ctx, TEAM)) == 1
        preview = await services.preview_invoice(ctx, TEAM, at("2026-04-03"))
        assert [line.kind.value for line in preview.lines] == ["proration", "renewal"]
    finally:
        await first.close()
        await second.close()


async def test_bad_bookings_are_refused_and_store_nothing(
    ctx: services.Context,
    workspace: str,
) -> None:
    for option, quantity, error in (
        ("users", 0, QuantityOutOfRange),
        ("users", 1001, QuantityOutOfRange),
        ("users", "2", QuantityOutOfRange),
        ("users", 1.5, QuantityOutOfRange),
        ("printer", 1, UnknownOption),
    ):
        with pytest.raises(error):
            await services.book(
                ctx,
                TEAM,
                option,
                quantity,
                at("2026-04-03"),
                key=f"{option}{quantity}",
                actor="U_ADMIN",
            )
    with pytest.raises(UnknownWorkspace):
        await services.book(ctx, "T_NOBODY", "users", 1, at("2026-04-03"), key="x", actor="U_ADMIN")
    assert await services.list_addons(ctx, TEAM) == []
    assert [e.action for e in await services.audit_log(ctx, TEAM)] == ["workspace_set"]


async def test_a_repeated_confirmation_after_midnight_reports_the_first_booking(
    ctx: services.Context,
    workspace: str,
) -> None:
    first = await services.book(
        ctx, TEAM, "users", 1, at("2026-04-03", 23, 59), key="k", actor="U_ADMIN"
    )
    again = await services.book(
        ctx, TEAM, "users", 1, at("2026-04-04", 0, 1), key="k", actor="U_ADMIN"
    )
    assert not again.created
    assert again.quote == first.quote
    assert again.quote.prorated == Money(285)
