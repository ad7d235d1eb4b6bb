"""The Rechnungskorrektur and the withdrawal quote as values: which case, which amounts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain.addons import AddOn, Outcome, WithdrawalCase, quote_booking
from domain.catalog import Catalog
from domain.corrections import Refund, corrections_for, refunds, reversals
from domain.invoices import InvoiceLine, LineKind
from domain.money import Money
from domain.periods import BillingSchedule

# Periods: 18.03.–17.04.2026 (0), 18.04.–17.05.2026 (1), 18.05.–17.06.2026 (2), ...
ANCHOR = date(2026, 3, 18)
SCHEDULE = BillingSchedule(ANCHOR)
MONTHLY = Money(590)


def booked_on(day: date) -> tuple[AddOn, InvoiceLine]:
    quote = quote_booking(Catalog()["users"], 1, day, SCHEDULE)
    addon = AddOn.booked(1, quote)
    return addon, replace(quote.draft_line(1), id=10)


def renewal(number: int, line_id: int) -> InvoiceLine:
    return InvoiceLine(
        LineKind.RENEWAL,
        1,
        "users",
        1,
        date(2026, 4, 18),
        date(2026, 5, 17),
        MONTHLY,
        date(2026, 4, 18),
        id=line_id,
        invoice_number=number,
    )


def test_a_withdrawal_of_a_draft_only_removes_the_draft_and_the_renewal_from_the_entwurf() -> None:
    addon, draft = booked_on(date(2026, 4, 3))
    quote = addon.quote_cancellation(date(2026, 4, 10), SCHEDULE, [draft], MONTHLY)
    assert quote.outcome is Outcome.WITHDRAWAL
    assert quote.case is WithdrawalCase.REMOVED_FROM_DRAFT
    assert quote.removed_from_drafts == draft.amount + MONTHLY  # 2,85 € + 5,90 €
    assert quote.removed_from_drafts == Money(875)
    assert quote.refunds == ()


def test_a_free_add_on_withdrawn_charges_nothing_and_removes_nothing() -> None:
    addon, draft = booked_on(date(2026, 4, 3))
    free = replace(draft, amount=Money.zero())
    quote = addon.quote_cancellation(date(2026, 4, 10), SCHEDULE, [free], Money.zero())
    assert quote.case is WithdrawalCase.NOTHING_CHARGED
    assert quote.refund == Money.zero()


def test_a_cancellation_has_no_withdrawal_case() -> None:
    addon, draft = booked_on(date(2026, 3, 18))
    quote = addon.quote_cancellation(date(2026, 4, 10), SCHEDULE, [draft], MONTHLY)
    assert quote.outcome is Outcome.CANCELLATION
    assert quote.case is None


def test_an_invoiced_amount_is_refunded_per_invoice_and_never_touches_the_invoice() -> None:
    addon, draft = booked_on(date(2026, 4, 15))
    proration = replace(draft, invoice_number=1)
    lines = [proration, renewal(1, 11)]
    quote = addon.quote_cancellation(date(2026, 4, 20), SCHEDULE, lines, MONTHLY)
    assert quote.case is WithdrawalCase.CORRECTED
    assert quote.refunds == (Refund(1, proration.amount + MONTHLY),)
    assert quote.removed_from_drafts == MONTHLY  # the renewal of 18.05. leaves the Entwurf

    withdrawal = addon.cancel(date(2026, 4, 20), SCHEDULE, lines, MONTHLY, Outcome.WITHDRAWAL)
    assert withdrawal is not None
    assert withdrawal.removed_line_ids == ()
    [(number, credits)] = withdrawal.reversed_lines
    assert number == 1
    assert [(c.credits_line_id, c.amount) for c in credits] == [
        (10, -proration.amount),
        (11, -MONTHLY),
    ]
    assert all(c.kind is LineKind.CREDIT and c.due_on == date(2026, 4, 20) for c in credits)


def test_amounts_on_two_invoices_make_two_corrections_one_per_invoice() -> None:
    lines = [
        replace(renewal(1, 10), amount=Money(57)),
        renewal(2, 11),
        replace(renewal(2, 12), invoice_number=None),  # a draft: never corrected
    ]
    on = date(2026, 4, 20)
    grouped = reversals(lines, on)
    assert list(grouped) == [1, 2]
    corrections = corrections_for("T1", grouped, on)
    assert [(c.corrects, c.total, c.refund) for c in corrections] == [
        (1, Money(-57), Money(57)),
        (2, Money(-590), Money(590)),
    ]
    assert all(c.number is None and c.issued_on == on for c in corrections)
    assert refunds(lines) == (Refund(1, Money(57)), Refund(2, Money(590)))
    assert corrections[0].numbered(7).number == 7


def test_credit_lines_are_never_reversed_again() -> None:
    credit = renewal(1, 10).credit(date(2026, 4, 20))
    assert reversals([replace(credit, invoice_number=1)], date(2026, 4, 21)) == {}
