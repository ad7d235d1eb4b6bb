"""The add-on lifecycle through the use cases: book, cancel, withdraw, take back, deactivate."""

from __future__ import annotations

from datetime import date

import pytest

from domain.addons import Outcome, Status, WithdrawalCase
from domain.corrections import Refund
from domain.errors import (
    AlreadyCancelled,
    AlreadyEnded,
    CancellationDateChanged,
    CancellationTookEffect,
    NothingToUndo,
    OutcomeChanged,
)
from domain.invoices import LineKind
from domain.money import Money
from tests.services.workspace import Workspace
from tests.stores import Store

# Periods: 18.03.–17.04.2026 (0), 18.04.–17.05.2026 (1), 18.05.–17.06.2026 (2), ...
ANCHOR = date(2026, 3, 18)


@pytest.fixture
async def ws(store: Store) -> Workspace:
    return await Workspace.open(store, ANCHOR)


# -- booking -----------------------------------------------------------------------------


async def test_a_booking_creates_an_active_add_on_billed_until_the_period_end(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 2, date(2026, 4, 3))
    assert addon.status is Status.ACTIVE
    assert (addon.option, addon.quantity) == ("users", 2)
    assert addon.booked_on == date(2026, 4, 3)
    assert addon.billed_until == date(2026, 4, 17)
    assert addon.in_force_on(date(2026, 4, 3))
    assert not addon.in_force_on(date(2026, 4, 2))
    [line] = await ws.lines_of(addon)
    assert line.kind is LineKind.PRORATION
    assert line.is_draft
    assert line.amount == Money(571)  # 11,80 € × 15 ÷ 31 = 5,7096… -> 5,71 €


# -- the withdrawal window -----------------------------------------------------------------


async def test_withdrawal_on_day_14_removes_the_draft_line(ws: Workspace) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    [draft] = await ws.lines_of(addon)
    assert draft.amount == Money(552)  # 5,90 € × 29 ÷ 31
    quote = await ws.quote_cancellation(addon, date(2026, 4, 3))
    assert quote.outcome is Outcome.WITHDRAWAL
    assert quote.case is WithdrawalCase.REMOVED_FROM_DRAFT
    assert quote.on == date(2026, 4, 3)
    # the whole amount that leaves the Entwurf: the draft and the renewal it would carry
    assert quote.removed_from_drafts == Money(552 + 590)
    assert quote.refunds == ()
    assert quote.credited == Money.zero()
    assert quote.refund == Money(1142)

    withdrawal = await ws.cancel(addon, date(2026, 4, 3), Outcome.WITHDRAWAL)

    assert withdrawal is not None
    assert withdrawal.removed_line_ids == (draft.id,)
    assert withdrawal.credit_lines == ()
    assert await ws.lines_of(addon) == []
    addon = await ws.reload(addon)
    assert addon.status is Status.WITHDRAWN
    assert addon.ended_on == date(2026, 4, 3)
    assert addon.billed_until is None


async def test_withdrawal_on_the_booking_day_itself_removes_the_draft_line(
    ws: Workspace,
) -> None:
    addon = await ws.book("storage", 3, date(2026, 4, 3))
    await ws.cancel(addon, date(2026, 4, 3), Outcome.WITHDRAWAL)
    assert await ws.lines() == []
    assert not (await ws.reload(addon)).in_force_on(date(2026, 4, 3))


async def test_cancelling_on_day_15_schedules_a_cancellation_to_the_period_end(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    quote = await ws.quote_cancellation(addon, date(2026, 4, 4))
    assert quote.outcome is Outcome.CANCELLATION
    assert quote.on == date(2026, 4, 17)
    assert quote.refund == Money.zero()

    assert await ws.cancel(addon, date(2026, 4, 4), Outcome.CANCELLATION) is None

    addon = await ws.reload(addon)
    assert addon.status is Status.CANCELLATION_PENDING
    assert addon.effective_on == date(2026, 4, 17)
    assert await ws.total_of(addon) == Money(552)  # the draft stays: the days were used


async def test_a_quote_changes_nothing(ws: Workspace) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    before = await ws.lines()
    await ws.quote_cancellation(addon, date(2026, 3, 21))
    await ws.quote_cancellation(addon, date(2026, 4, 10))
    addon = await ws.reload(addon)
    assert addon.status is Status.ACTIVE
    assert addon.effective_on is None
    assert await ws.lines() == before


async def test_withdrawal_after_the_draft_was_invoiced_credits_exactly_the_invoiced_amounts(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 4, 15))  # three days before the period end
    [close] = await ws.run_billing(date(2026, 4, 18))
    assert close.invoice is not None
    invoiced = await ws.lines_of(addon)
    assert sorted((line.kind, line.amount) for line in invoiced) == [
        (LineKind.PRORATION, Money(57)),  # 5,90 € × 3 ÷ 31 = 0,5709… -> 0,57 €
        (LineKind.RENEWAL, Money(590)),
    ]
    assert all(line.invoice_number == 1 for line in invoiced)

    quote = await ws.quote_cancellation(addon, date(2026, 4, 29))  # day 14
    assert quote.outcome is Outcome.WITHDRAWAL
    assert quote.case is WithdrawalCase.CORRECTED
    assert quote.refunds == (Refund(1, Money(647)),)
    assert quote.credited == Money(647)
    assert quote.removed_from_drafts == Money(590)  # the renewal the next Entwurf carried

    withdrawal = await ws.cancel(addon, date(2026, 4, 29), Outcome.WITHDRAWAL)

    assert withdrawal is not None
    assert withdrawal.removed_line_ids == ()
    credits = withdrawal.credit_lines
    assert sorted((line.credits_line_id, line.amount) for line in credits) == sorted(
        (line.id, -line.amount) for line in invoiced
    )
    assert all(line.kind is LineKind.CREDIT and not line.is_charge for line in credits)
    [correction] = await ws.corrections()
    assert (correction.number, correction.corrects) == (1, 1)
    assert correction.issued_on == date(2026, 4, 29)
    assert correction.total == Money(-647)
    assert [(c.credits_line_id, c.amount) for c in correction.lines] == [
        (c.credits_line_id, c.amount) for c in credits
    ]
    assert await ws.lines_of(addon) == invoiced  # the invoice stays as it was issued

    [next_close] = await ws.run_billing(date(2026, 5, 18))
    assert next_close.invoice is None  # nothing left to bill: no number is used
    assert [i.number for i in await ws.invoices()] == [1]
    assert await ws.drafts() == []


async def test_withdrawal_ends_the_add_on_at_once_and_it_is_never_renewed(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 4, 15))
    await ws.run_billing(date(2026, 4, 18))
    await ws.cancel(addon, date(2026, 4, 20))
    addon = await ws.reload(addon)
    assert addon.in_force_on(date(2026, 4, 19))
    assert not addon.in_force_on(date(2026, 4, 20))
    closes = await ws.run_billing(date(2026, 8, 1))
    assert all(close.renewals == () for close in closes)
    assert await ws.total_of(addon) == Money.zero()


# -- cancelling ---------------------------------------------------------------------------


async def test_cancellation_on_the_last_day_of_a_period_takes_effect_that_day(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.run_billing(date(2026, 4, 18))  # renewed through 17.05.2026
    await ws.cancel(addon, date(2026, 5, 17), Outcome.CANCELLATION)
    addon = await ws.reload(addon)
    assert addon.effective_on == date(2026, 5, 17)
    assert addon.in_force_on(date(2026, 5, 17))

    [close] = await ws.run_billing(date(2026, 5, 18))

    assert close.deactivated == (addon,)
    assert close.renewals == ()
    assert close.invoice is None  # nothing left to bill: no number used
    addon = await ws.reload(addon)
    assert addon.status is Status.ENDED
    assert addon.ended_on == date(2026, 5, 17)
    assert addon.billed_until == date(2026, 5, 17)
    assert not addon.in_force_on(date(2026, 5, 18))


async def test_a_cancelled_add_on_is_deactivated_at_the_turn_and_not_renewed(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 4, 10))
    [close] = await ws.run_billing(date(2026, 4, 18))
    assert close.deactivated == (addon,)
    assert close.renewals == ()
    assert close.invoice is not None  # still carries the draft of the days used
    assert close.invoice.total == Money(552)
    assert (await ws.run_billing(date(2026, 7, 1)))[-1].invoice is None


async def test_cancelling_twice_raises_already_cancelled(ws: Workspace) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 4, 10))
    with pytest.raises(AlreadyCancelled) as raised:
        await ws.cancel(addon, date(2026, 4, 11), Outcome.CANCELLATION)
    assert raised.value.params() == {"addon_id": addon.id, "date": date(2026, 4, 17)}
    assert (await ws.reload(addon)).effective_on == date(2026, 4, 17)


async def test_cancelling_an_ended_add_on_raises_already_ended(ws: Workspace) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 4, 10))
    await ws.run_billing(date(2026, 4, 18))
    with pytest.raises(AlreadyEnded) as raised:
        await ws.quote_cancellation(addon, date(2026, 4, 20))
    assert raised.value.ended_on == date(2026, 4, 17)
    assert raised.value.withdrawn is False


async def test_cancelling_a_withdrawn_add_on_raises_already_ended(ws: Workspace) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 3, 21))
    with pytest.raises(AlreadyEnded) as raised:
        await ws.cancel(addon, date(2026, 3, 22), Outcome.WITHDRAWAL)
    assert raised.value.withdrawn is True
    assert raised.value.params()["date"] == date(2026, 3, 21)


async def test_a_confirmed_withdrawal_after_the_window_closed_raises_outcome_changed(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    lines_before = await ws.lines()
    with pytest.raises(OutcomeChanged) as raised:
        await ws.cancel(addon, date(2026, 4, 4), Outcome.WITHDRAWAL)
    assert (raised.value.confirmed, raised.value.actual) == ("withdrawal", "cancellation")
    addon = await ws.reload(addon)
    assert addon.status is Status.ACTIVE
    assert addon.effective_on is None
    assert await ws.lines() == lines_before


async def test_a_confirmed_cancellation_inside_the_window_raises_outcome_changed(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    with pytest.raises(OutcomeChanged):
        await ws.cancel(addon, date(2026, 4, 3), Outcome.CANCELLATION)
    assert (await ws.reload(addon)).status is Status.ACTIVE


async def test_a_cancellation_confirmed_for_last_period_end_is_refused_after_the_turn(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    shown = await ws.quote_cancellation(addon, date(2026, 4, 17))
    assert shown.on == date(2026, 4, 17)
    with pytest.raises(CancellationDateChanged) as raised:
        await ws.cancel(addon, date(2026, 4, 18), Outcome.CANCELLATION, confirmed_on=shown.on)
    assert (raised.value.confirmed_on, raised.value.actual_on) == (
        date(2026, 4, 17),
        date(2026, 5, 17),
    )
    addon = await ws.reload(addon)
    assert addon.status is Status.ACTIVE
    assert addon.effective_on is None


async def test_the_confirmed_outcome_may_arrive_as_its_plain_string_value(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    assert await ws.cancel(addon, date(2026, 4, 4), "cancellation") is None  # type: ignore[arg-type]
    assert (await ws.reload(addon)).status is Status.CANCELLATION_PENDING


# -- taking a cancellation back -----------------------------------------------------------


async def test_undo_of_a_scheduled_cancellation_makes_it_active_and_changes_no_amount(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 4, 10))
    lines_before = await ws.lines()
    addon = await ws.undo(addon, date(2026, 4, 17))  # the effective day itself is in time
    assert addon.status is Status.ACTIVE
    assert addon.effective_on is None
    assert await ws.lines() == lines_before
    [close] = await ws.run_billing(date(2026, 4, 18))
    assert [line.amount for line in close.renewals] == [Money(590)]
    assert (await ws.reload(addon)).billed_until == date(2026, 5, 17)


async def test_undo_after_the_cancellation_took_effect_raises_cancellation_took_effect(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 4, 10))
    await ws.run_billing(date(2026, 4, 18))
    with pytest.raises(CancellationTookEffect) as raised:
        await ws.undo(addon, date(2026, 4, 18))
    assert raised.value.effective_on == date(2026, 4, 17)
    assert (await ws.reload(addon)).status is Status.ENDED


async def test_undo_after_the_effective_day_raises_even_before_the_billing_turn_ran(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 4, 10))
    with pytest.raises(CancellationTookEffect):
        await ws.undo(addon, date(2026, 4, 18))
    assert (await ws.reload(addon)).status is Status.CANCELLATION_PENDING


async def test_undo_without_a_scheduled_cancellation_raises_nothing_to_undo(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    with pytest.raises(NothingToUndo):
        await ws.undo(addon, date(2026, 4, 10))


async def test_undo_of_a_withdrawal_raises_already_ended(ws: Workspace) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 3, 25))
    with pytest.raises(AlreadyEnded) as raised:
        await ws.undo(addon, date(2026, 3, 25))
    assert raised.value.withdrawn is True


async def test_a_cancellation_taken_back_can_be_made_again(ws: Workspace) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 4, 10))
    await ws.undo(addon, date(2026, 4, 11))
    await ws.cancel(addon, date(2026, 4, 12))
    assert (await ws.reload(addon)).effective_on == date(2026, 4, 17)


# -- the turn, one add-on at a time -------------------------------------------------------


async def test_an_add_on_is_not_deactivated_before_the_day_after_its_last_day(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 4, 10))
    addon = await ws.reload(addon)
    assert not addon.deactivate_if_due(date(2026, 4, 17))
    assert addon.status is Status.CANCELLATION_PENDING
    assert addon.deactivate_if_due(date(2026, 4, 18))
    assert (addon.status, addon.ended_on) == (Status.ENDED, date(2026, 4, 17))
    assert not addon.deactivate_if_due(date(2026, 5, 18))  # only once


async def test_renew_refuses_a_period_after_a_pending_cancellation_takes_effect(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 1, date(2026, 3, 20))
    await ws.cancel(addon, date(2026, 4, 10))
    addon = await ws.reload(addon)
    # Even if asked before the deactivation, no renewal past the effective date.
    assert addon.renew(ws.schedule.period(1), Money(590)) is None
    assert addon.billed_until == date(2026, 4, 17)


async def test_renew_bills_a_whole_period_in_advance_and_moves_billed_until(
    ws: Workspace,
) -> None:
    addon = await ws.book("users", 3, date(2026, 3, 20))
    line = addon.renew(ws.schedule.period(1), Money(1770))
    assert line is not None
    assert (line.kind, line.from_day, line.to_day) == (
        LineKind.RENEWAL,
        date(2026, 4, 18),
        date(2026, 5, 17),
    )
    assert (line.amount, line.due_on, line.quantity) == (Money(1770), date(2026, 4, 18), 3)
    assert addon.billed_until == date(2026, 5, 17)


async def test_renew_skips_the_period_the_add_on_was_booked_in(ws: Workspace) -> None:
    addon = await ws.book("users", 1, date(2026, 4, 18))
    assert addon.renew(ws.schedule.period(1), Money(590)) is None
