"""One workspace can neither see nor change another's add-ons, invoices or audit log."""

from __future__ import annotations

import pytest

from bot import services
from domain.addons import Outcome
from domain.errors import UnknownAddOn, UnknownInvoice
from tests.storage.helpers import ANCHOR, OTHER, TEAM, at, book, snapshot


@pytest.fixture
async def two_workspaces(ctx: services.Context, workspace: str) -> int:
    """TEAM with one add-on (returned) and one issued invoice; OTHER with nothing."""
    await services.set_workspace(ctx, OTHER, ANCHOR, at("2026-03-18"))
    addon_id = await book(ctx, "2026-04-03")
    await services.billing_run(ctx, at("2026-04-18", 6))
    return addon_id


async def test_another_workspace_cannot_cancel_or_undo_an_add_on_it_does_not_own(
    ctx: services.Context,
    two_workspaces: int,
    db_path: str,
) -> None:
    before = snapshot(db_path)
    assert (await services.get_addon(ctx, TEAM, two_workspaces)).id == two_workspaces
    with pytest.raises(UnknownAddOn):
        await services.get_addon(ctx, OTHER, two_workspaces)
    with pytest.raises(UnknownAddOn):
        await services.quote_cancellation(ctx, OTHER, two_workspaces, at("2026-04-20"))
    for outcome in Outcome:
        with pytest.raises(UnknownAddOn):
            await services.cancel(
                ctx, OTHER, two_workspaces, outcome, at("2026-04-20"), actor="U_INTRUDER"
            )
    with pytest.raises(UnknownAddOn):
        await services.undo_cancellation(
            ctx, OTHER, two_workspaces, at("2026-04-20"), actor="U_INTRUDER"
        )
    assert snapshot(db_path) == before


async def test_another_workspace_sees_none_of_the_add_ons_invoices_or_audit(
    ctx: services.Context,
    two_workspaces: int,
) -> None:
    [invoice] = await services.list_invoices(ctx, TEAM)
    assert invoice.number is not None
    assert await services.list_addons(ctx, OTHER) == []
    assert await services.list_invoices(ctx, OTHER) == []
    assert (await services.preview_invoice(ctx, OTHER, at("2026-04-20"))).lines == ()
    assert (await services.get_entitlements(ctx, OTHER, at("2026-04-20"))).seats == 0
    assert [e.action for e in await services.audit_log(ctx, OTHER)] == ["workspace_set"]
    overview = await services.overview(ctx, OTHER, at("2026-04-20"))
    assert (overview.addons, overview.last_invoices) == ([], [])


async def test_an_invoice_shown_for_a_workspace_must_belong_to_it(
    ctx: services.Context,
    two_workspaces: int,
) -> None:
    [invoice] = await services.list_invoices(ctx, TEAM)
    assert invoice.number is not None
    assert (await services.get_invoice(ctx, invoice.number, TEAM)) == invoice
    with pytest.raises(UnknownInvoice):
        await services.get_invoice(ctx, invoice.number, OTHER)
    with pytest.raises(UnknownInvoice):
        await services.get_invoice(ctx, invoice.number + 1)


async def test_the_same_idempotency_key_in_two_workspaces_books_twice(
    ctx: services.Context,
    two_workspaces: int,
) -> None:
    mine = await book(ctx, "2026-04-20", team_id=TEAM, key="same")
    theirs = await book(ctx, "2026-04-20", team_id=OTHER, key="same")
    assert mine != theirs
    assert [a.id for a in await services.list_addons(ctx, OTHER)] == [theirs]
