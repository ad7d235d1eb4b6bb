"""Kündigen on a real file: cancellation, withdrawal, the confirmed outcome, undo, audit."""

from __future__ import annotations

from datetime import date

import pytest

from bot import services
from domain.addons import Outcome, Status
from domain.errors import AlreadyCancelled, AlreadyEnded, NothingToUndo, OutcomeChanged
from domain.money import Money
from tests.storage.helpers import TEAM, at, book, press_kuendigen, query, snapshot


async def test_cancelling_after_the_window_schedules_the_end_of_the_period(
    ctx: services.Context,
    workspace: str,
) -> None:
    addon_id = await book(ctx, "2026-04-03")
    done = await press_kuendigen(ctx, addon_id, "2026-04-20")
    assert done.quote.outcome is Outcome.CANCELLATION
    assert done.quote.on == date(2026, 5, 17)  # Kündigung zum 17.05.2026
    [addon] = await services.list_addons(ctx, TEAM)
    assert (addon.status, addon.effective_on) == (Status.CANCELLATION_PENDING, date(2026, 5, 17))
    # Still usable until then.
    entitled = await services.get_entitlements(ctx, TEAM, at("2026-05-17"))
    assert entitled.seats == 1


async def test_a_withdrawal_deletes_the_draft_and_the_preview_no_longer_shows_it(
    ctx: services.Context,
    workspace: str,
    db_path: str,
) -> None:
    kept = await book(ctx, "2026-04-02", "storage", 1)
    addon_id = await book(ctx, "2026-04-03")
    done = await press_kuendigen(ctx, addon_id, "2026-04-17")  # day 14: still a withdrawal
    assert done.quote.outcome is Outcome.WITHDRAWAL
    assert done.quote.refund == Money(285)
    assert done.addon.status is Status.WITHDRAWN
    preview = await services.preview_invoice(ctx, TEAM, at("2026-04-17"))
    assert {line.addon_id for line in preview.lines} == {kept}
    assert (await services.get_entitlements(ctx, TEAM, at("2026-04-17"))).seats == 0
    assert [row for row in snapshot(db_path)["lines"] if row[1] == addon_id] == []


async def test_a_withdrawal_after_an_issued_invoice_puts_a_correction_on_the_next_one(
    ctx: services.Context,
    workspace: str,
) -> None:
    addon_id = await book(ctx, "2026-04-17")  # the last day of the period
    [turn] = await services.billing_run(ctx, at("2026-04-18", 6))
    assert turn.invoice is not None
    assert turn.invoice.total == Money(19 + 590)
    done = await press_kuendigen(ctx, addon_id, "2026-04-20")
    assert done.quote.outcome is Outcome.WITHDRAWAL
    assert done.quote.credited == Money(609)
    preview = await services.preview_invoice(ctx, TEAM, at("2026-04-20"))
    assert [(line.kind.value, line.amount) for line in preview.lines] == [
        ("credit", Money(-19)),
        ("credit", Money(-590)),
    ]
    [turn] = await services.billing_run(ctx, at("2026-05-18", 6))
    assert turn.invoice is not None
    assert turn.invoice.total == Money(-609)


async def test_a_confirmed_outcome_that_no_longer_holds_is_refused_and_nothing_changes(
    ctx: services.Context,
    workspace: str,
    db_path: str,
) -> None:
    addon_id = await book(ctx, "2026-04-03")
    quote = await services.quote_cancellation(ctx, TEAM, addon_id, at("2026-04-17", 23, 59))
    assert quote.outcome is Outcome.WITHDRAWAL
    before = snapshot(db_path)
    audit_before = await services.audit_log(ctx, TEAM)
    # The admin confirms one minute after midnight: the window has closed.
    with pytest.raises(OutcomeChanged):
        await services.cancel(
            ctx, TEAM, addon_id, quote.outcome, at("2026-04-18", 0, 1), actor="U_ADMIN"
        )
    assert snapshot(db_path) == before
    assert await services.audit_log(ctx, TEAM) == audit_before
    assert query(db_path, "SELECT COUNT(*) FROM outbox") == [(0,)]


async def test_cancelling_twice_changes_nothing_and_says_so(
    ctx: services.Context,
    workspace: str,
) -> None:
    addon_id = await book(ctx, "2026-04-03")
    await press_kuendigen(ctx, addon_id, "2026-04-20")
    with pytest.raises(AlreadyCancelled):
        await press_kuendigen(ctx, addon_id, "2026-04-21")
    withdrawn = await book(ctx, "2026-04-20", quantity=2)
    await press_kuendigen(ctx, withdrawn, "2026-04-21")
    with pytest.raises(AlreadyEnded):
        await press_kuendigen(ctx, withdrawn, "2026-04-22")


async def test_a_scheduled_cancellation_can_be_taken_back_and_the_add_on_renews(
    ctx: services.Context,
    workspace: str,
) -> None:
    addon_id = await book(ctx, "2026-04-03")
    await services.billing_run(ctx, at("2026-04-18", 6))  # the draft goes on invoice 1
    await press_kuendigen(ctx, addon_id, "2026-04-20")
    before = await services.preview_invoice(ctx, TEAM, at("2026-04-20"))
    assert before.lines == ()
    addon = await services.undo_cancellation(ctx, TEAM, addon_id, at("2026-04-21"), actor="U_ADMIN")
    assert (addon.status, addon.effective_on) == (Status.ACTIVE, None)
    after = await services.preview_invoice(ctx, TEAM, at("2026-04-21"))
    assert [line.kind.value for line in after.lines] == ["renewal"]
    with pytest.raises(NothingToUndo):
        await services.undo_cancellation(ctx, TEAM, addon_id, at("2026-04-21"), actor="U_ADMIN")


async def test_the_audit_log_records_who_changed_what_with_before_and_after(
    ctx: services.Context,
    workspace: str,
) -> None:
    addon_id = await book(ctx, "2026-04-03")
    await press_kuendigen(ctx, addon_id, "2026-04-20")
    await services.undo_cancellation(ctx, TEAM, addon_id, at("2026-04-21"), actor="U_OTHER")
    await press_kuendigen(ctx, addon_id, "2026-04-22")
    await services.billing_run(ctx, at("2026-05-18", 6))
    entries = await services.audit_log(ctx, TEAM)
    assert [
        (e.actor, e.action, e.addon_id, e.before_status, e.after_status)
        for e in entries
        if e.addon_id is not None
    ] == [
        ("billing-run", "deactivate", addon_id, "cancellation_pending", "ended"),
        ("U_ADMIN", "cancellation", addon_id, "active", "cancellation_pending"),
        ("U_OTHER", "undo_cancellation", addon_id, "cancellation_pending", "active"),
        ("U_ADMIN", "cancellation", addon_id, "active", "cancellation_pending"),
        ("U_ADMIN", "book", addon_id, None, "active"),
    ]
    assert entries[-1].action == "workspace_set"
    book_entry = entries[-2]
    assert book_entry.detail == {"option": "users", "quantity": 1, "prorated": "2.85"}
    assert book_entry.at == at("2026-04-03")
    [ended] = await services.list_addons(ctx, TEAM)
    assert (ended.status, ended.ended_on) == (Status.ENDED, date(2026, 5, 17))
