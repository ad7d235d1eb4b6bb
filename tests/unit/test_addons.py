"""The add-on lifecycle: book, cancel, withdraw, take a cancellation back, deactivate."""

from __future__ import annotations

from datetime import date

import pytest

from domain.addons import AddOn, Outcome, Status, quote_booking, withdrawal_deadline
from domain.catalog import Catalog
from domain.errors import (
    AlreadyCancelled,
    AlreadyEnded,
    CancellationDateChanged,
    CancellationTookEffect,
    DomainError,
    NothingToUndo,
    OutcomeChanged,
)
from domain.invoices import LineKind
from domain.money import Money
from domain.periods import BillingSchedule
from tests.unit.ledger import Ledger

# Periods: 18.03.–17.04.2026 (0), 18.04.–17.05.2026 (1), 18.05.–17.06.2026 (2), ...
ANCHOR = date(2026, 3, 18)


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(anchor=ANCHOR)


# -- booking -----------------------------------------------------------------------------


def test_a_booking_creates_an_active_add_on_billed_until_the_period_end(ledger: Ledger) -> None:
    addon = ledger.book("users", 2, date(2026, 4, 3))
    assert addon.status is Status.ACTIVE
    assert (addon.option, addon.quantity) == ("users", 2)
    assert addon.booked_on == date(2026, 4, 3)
    assert addon.billed_until == date(2026, 4, 17)
    assert addon.in_force_on(date(2026, 4, 3))
    assert not addon.in_force_on(date(2026, 4, 2))
    [line] = ledger.lines_of(addon)
    assert line.kind is LineKind.PRORATION and line.is_draft
    assert line.amount == Money(571)  # 11,80 € × 15 ÷ 31 = 5,7096… -> 5,71 €


def test_add_ons_compare_by_id() -> None:
    quote = quote_booking(Catalog()["users"], 1, date(2026, 4, 3), BillingSchedule(ANCHOR))
    first, same_id = AddOn.booked(1, quote), AddOn.booked(1, quote)
    same_id.quantity = 5
    assert first == same_id
    assert hash(first) == hash(same_id)
    assert first != AddOn.booked(2, quote)


# -- the withdrawal window -----------------------------------------------------------------


def test_the_withdrawal_window_ends_14_days_after_the_booking_day() -> None:
    assert withdrawal_deadline(date(2026, 3, 20)) == date(2026, 4, 3)


def test_withdrawal_on_day_14_removes_the_draft_line(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    [draft] = ledger.lines_of(addon)
    quote = ledger.quote_cancellation(addon, date(2026, 4, 3))
    assert quote.outcome is Outcome.WITHDRAWAL
    assert quote.on == date(2026, 4, 3)
    assert quote.removed_from_drafts == draft.amount == Money(552)  # 5,90 € × 29 ÷ 31
    assert quote.credited == Money.zero()
    assert quote.refund == Money(552)

    withdrawal = ledger.cancel(addon, date(2026, 4, 3), Outcome.WITHDRAWAL)

    assert withdrawal is not None
    assert withdrawal.removed_line_ids == (draft.id,)
    assert withdrawal.credit_lines == ()
    assert ledger.lines_of(addon) == []
    assert addon.status is Status.WITHDRAWN
    assert addon.ended_on == date(2026, 4, 3)
    assert addon.billed_until is None


def test_withdrawal_on_the_booking_day_itself_removes_the_draft_line(ledger: Ledger) -> None:
    addon = ledger.book("storage", 3, date(2026, 4, 3))
    ledger.cancel(addon, date(2026, 4, 3), Outcome.WITHDRAWAL)
    assert ledger.lines == []
    assert not addon.in_force_on(date(2026, 4, 3))


def test_cancelling_on_day_15_schedules_a_cancellation_to_the_period_end(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    quote = ledger.quote_cancellation(addon, date(2026, 4, 4))
    assert quote.outcome is Outcome.CANCELLATION
    assert quote.on == date(2026, 4, 17)
    assert quote.refund == Money.zero()

    assert ledger.cancel(addon, date(2026, 4, 4), Outcome.CANCELLATION) is None

    assert addon.status is Status.CANCELLATION_PENDING
    assert addon.effective_on == date(2026, 4, 17)
    assert ledger.total_of(addon) == Money(552)  # the draft stays: the days were used


def test_a_quote_changes_nothing(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    before = list(ledger.lines)
    ledger.quote_cancellation(addon, date(2026, 3, 21))
    ledger.quote_cancellation(addon, date(2026, 4, 10))
    assert addon.status is Status.ACTIVE and addon.effective_on is None
    assert ledger.lines == before


def test_withdrawal_after_the_draft_was_invoiced_credits_exactly_the_invoiced_amounts(
    ledger: Ledger,
) -> None:
    addon = ledger.book("users", 1, date(2026, 4, 15))  # three days before the period end
    [close] = ledger.run_billing(date(2026, 4, 18))
    assert close.invoice is not None
    invoiced = ledger.lines_of(addon)
    assert sorted((line.kind, line.amount) for line in invoiced) == [
        (LineKind.PRORATION, Money(57)),  # 5,90 € × 3 ÷ 31 = 0,5709… -> 0,57 €
        (LineKind.RENEWAL, Money(590)),
    ]
    assert all(line.invoice_number == 1 for line in invoiced)

    quote = ledger.quote_cancellation(addon, date(2026, 4, 29))  # day 14
    assert quote.outcome is Outcome.WITHDRAWAL
    assert quote.removed_from_drafts == Money.zero()
    assert quote.credited == quote.refund == Money(647)

    withdrawal = ledger.cancel(addon, date(2026, 4, 29), Outcome.WITHDRAWAL)

    assert withdrawal is not None
    assert withdrawal.removed_line_ids == ()
    credits = withdrawal.credit_lines
    assert sorted((line.credits_line_id, line.amount) for line in credits) == sorted(
        (line.id, -line.amount) for line in invoiced
    )
    assert all(line.kind is LineKind.CREDIT and not line.is_charge for line in credits)
    assert all(line.is_draft and line.due_on == date(2026, 5, 18) for line in credits)
    assert ledger.total_of(addon) == Money.zero()

    [next_close] = ledger.run_billing(date(2026, 5, 18))
    assert next_close.invoice is not None
    assert next_close.invoice.number == 2
    assert next_close.renewals == ()
    assert next_close.invoice.total == Money(-647)
    assert {line.kind for line in next_close.invoice.lines} == {LineKind.CREDIT}
    assert ledger.total_of(addon) == Money.zero()
    assert ledger.drafts() == []


def test_withdrawal_ends_the_add_on_at_once_and_it_is_never_renewed(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 4, 15))
    ledger.run_billing(date(2026, 4, 18))
    ledger.cancel(addon, date(2026, 4, 20))
    assert addon.in_force_on(date(2026, 4, 19))
    assert not addon.in_force_on(date(2026, 4, 20))
    closes = ledger.run_billing(date(2026, 8, 1))
    assert all(close.renewals == () for close in closes)
    assert ledger.total_of(addon) == Money.zero()


# -- cancelling ---------------------------------------------------------------------------


def test_cancellation_on_the_last_day_of_a_period_takes_effect_that_day(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.run_billing(date(2026, 4, 18))  # renewed through 17.05.2026
    ledger.cancel(addon, date(2026, 5, 17), Outcome.CANCELLATION)
    assert addon.effective_on == date(2026, 5, 17)
    assert addon.in_force_on(date(2026, 5, 17))

    [close] = ledger.run_billing(date(2026, 5, 18))

    assert close.deactivated == (addon,)
    assert close.renewals == ()
    assert close.invoice is None  # nothing left to bill: no number used
    assert addon.status is Status.ENDED
    assert addon.ended_on == date(2026, 5, 17)
    assert addon.billed_until == date(2026, 5, 17)
    assert not addon.in_force_on(date(2026, 5, 18))


def test_a_cancelled_add_on_is_deactivated_at_the_turn_and_not_renewed(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 4, 10))
    [close] = ledger.run_billing(date(2026, 4, 18))
    assert close.deactivated == (addon,)
    assert close.renewals == ()
    assert close.invoice is not None  # still carries the draft of the days used
    assert close.invoice.total == Money(552)
    assert ledger.run_billing(date(2026, 7, 1))[-1].invoice is None


def test_cancelling_twice_raises_already_cancelled(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 4, 10))
    with pytest.raises(AlreadyCancelled) as raised:
        ledger.cancel(addon, date(2026, 4, 11), Outcome.CANCELLATION)
    assert raised.value.params() == {"addon_id": addon.id, "date": date(2026, 4, 17)}
    assert addon.effective_on == date(2026, 4, 17)


def test_cancelling_an_ended_add_on_raises_already_ended(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 4, 10))
    ledger.run_billing(date(2026, 4, 18))
    with pytest.raises(AlreadyEnded) as raised:
        ledger.quote_cancellation(addon, date(2026, 4, 20))
    assert raised.value.ended_on == date(2026, 4, 17)
    assert raised.value.withdrawn is False


def test_cancelling_a_withdrawn_add_on_raises_already_ended(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 3, 21))
    with pytest.raises(AlreadyEnded) as raised:
        ledger.cancel(addon, date(2026, 3, 22), Outcome.WITHDRAWAL)
    assert raised.value.withdrawn is True
    assert raised.value.params()["date"] == date(2026, 3, 21)


def test_a_confirmed_withdrawal_after_the_window_closed_raises_outcome_changed(
    ledger: Ledger,
) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    lines_before = list(ledger.lines)
    with pytest.raises(OutcomeChanged) as raised:
        ledger.cancel(addon, date(2026, 4, 4), Outcome.WITHDRAWAL)
    assert (raised.value.confirmed, raised.value.actual) == ("withdrawal", "cancellation")
    assert addon.status is Status.ACTIVE and addon.effective_on is None
    assert ledger.lines == lines_before


def test_a_confirmed_cancellation_inside_the_window_raises_outcome_changed(
    ledger: Ledger,
) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    with pytest.raises(OutcomeChanged):
        ledger.cancel(addon, date(2026, 4, 3), Outcome.CANCELLATION)
    assert addon.status is Status.ACTIVE


def test_a_cancellation_confirmed_for_last_period_end_is_refused_after_the_turn(
    ledger: Ledger,
) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    shown = addon.quote_cancellation(date(2026, 4, 17), ledger.schedule, ledger.lines)
    assert shown.on == date(2026, 4, 17)
    with pytest.raises(CancellationDateChanged) as raised:
        addon.cancel(date(2026, 4, 18), ledger.schedule, ledger.lines, Outcome.CANCELLATION,
                     confirmed_on=shown.on)
    assert (raised.value.confirmed_on, raised.value.actual_on) == (
        date(2026, 4, 17), date(2026, 5, 17))
    assert addon.status is Status.ACTIVE and addon.effective_on is None


def test_the_confirmed_outcome_may_arrive_as_its_plain_string_value(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    assert addon.cancel(date(2026, 4, 4), ledger.schedule, ledger.lines,
                        "cancellation") is None  # type: ignore[arg-type]
    assert addon.status is Status.CANCELLATION_PENDING


# -- taking a cancellation back -----------------------------------------------------------


def test_undo_of_a_scheduled_cancellation_makes_it_active_and_changes_no_amount(
    ledger: Ledger,
) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 4, 10))
    lines_before = list(ledger.lines)
    addon.undo_cancellation(date(2026, 4, 17))  # the effective day itself is still in time
    assert addon.status is Status.ACTIVE
    assert addon.effective_on is None
    assert ledger.lines == lines_before
    [close] = ledger.run_billing(date(2026, 4, 18))
    assert [line.amount for line in close.renewals] == [Money(590)]
    assert addon.billed_until == date(2026, 5, 17)


def test_undo_after_the_cancellation_took_effect_raises_cancellation_took_effect(
    ledger: Ledger,
) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 4, 10))
    ledger.run_billing(date(2026, 4, 18))
    with pytest.raises(CancellationTookEffect) as raised:
        addon.undo_cancellation(date(2026, 4, 18))
    assert raised.value.effective_on == date(2026, 4, 17)
    assert addon.status is Status.ENDED


def test_undo_after_the_effective_day_raises_even_before_the_billing_turn_ran(
    ledger: Ledger,
) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 4, 10))
    with pytest.raises(CancellationTookEffect):
        addon.undo_cancellation(date(2026, 4, 18))
    assert addon.status is Status.CANCELLATION_PENDING


def test_undo_without_a_scheduled_cancellation_raises_nothing_to_undo(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    with pytest.raises(NothingToUndo):
        addon.undo_cancellation(date(2026, 4, 10))


def test_undo_of_a_withdrawal_raises_already_ended(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 3, 25))
    with pytest.raises(AlreadyEnded) as raised:
        addon.undo_cancellation(date(2026, 3, 25))
    assert raised.value.withdrawn is True


def test_a_cancellation_taken_back_can_be_made_again(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 4, 10))
    addon.undo_cancellation(date(2026, 4, 11))
    ledger.cancel(addon, date(2026, 4, 12))
    assert addon.effective_on == date(2026, 4, 17)


def test_every_lifecycle_refusal_is_a_domain_error_with_a_code() -> None:
    for error in (AlreadyCancelled, AlreadyEnded, CancellationTookEffect, NothingToUndo,
                  OutcomeChanged):
        assert issubclass(error, DomainError)
        assert error.code != DomainError.code


# -- the turn, one add-on at a time -------------------------------------------------------


def test_an_add_on_is_not_deactivated_before_the_day_after_its_last_day(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 4, 10))
    assert not addon.deactivate_if_due(date(2026, 4, 17))
    assert addon.status is Status.CANCELLATION_PENDING
    assert addon.deactivate_if_due(date(2026, 4, 18))
    assert (addon.status, addon.ended_on) == (Status.ENDED, date(2026, 4, 17))
    assert not addon.deactivate_if_due(date(2026, 5, 18))  # only once


def test_renew_refuses_a_period_after_a_pending_cancellation_takes_effect(
    ledger: Ledger,
) -> None:
    addon = ledger.book("users", 1, date(2026, 3, 20))
    ledger.cancel(addon, date(2026, 4, 10))
    # Even if asked before the deactivation, no renewal past the effective date.
    assert addon.renew(ledger.schedule.period(1), Money(590)) is None
    assert addon.billed_until == date(2026, 4, 17)


def test_renew_bills_a_whole_period_in_advance_and_moves_billed_until(ledger: Ledger) -> None:
    addon = ledger.book("users", 3, date(2026, 3, 20))
    line = addon.renew(ledger.schedule.period(1), Money(1770))
    assert line is not None
    assert (line.kind, line.from_day, line.to_day) == (
        LineKind.RENEWAL, date(2026, 4, 18), date(2026, 5, 17),
    )
    assert (line.amount, line.due_on, line.quantity) == (Money(1770), date(2026, 4, 18), 3)
    assert addon.billed_until == date(2026, 5, 17)


def test_renew_skips_the_period_the_add_on_was_booked_in(ledger: Ledger) -> None:
    addon = ledger.book("users", 1, date(2026, 4, 18))
    assert addon.renew(ledger.schedule.period(1), Money(590)) is None
