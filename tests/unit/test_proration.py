"""Proration: unit price × quantity × remaining days ÷ period days, half-up to the cent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.addons import quote_booking
from domain.catalog import Catalog
from domain.invoices import LineKind
from domain.money import Money
from domain.periods import BillingSchedule, prorate

CATALOG = Catalog()
USERS = CATALOG["users"]
STORAGE = CATALOG["storage"]


def test_design_example_one_user_booked_on_3_april_costs_2_85_billed_until_17_april() -> None:
    quote = quote_booking(USERS, 1, date(2026, 4, 3), BillingSchedule(date(2026, 3, 18)))
    assert quote.monthly_price == Money(590)
    assert quote.period.days == 31
    assert quote.prorated == Money(285)  # 5,90 € × 15 ÷ 31 = 2,8548… -> 2,85 €
    assert quote.billed_until == date(2026, 4, 17)


def test_design_example_draft_line_is_due_with_the_consolidated_invoice_of_18_april() -> None:
    quote = quote_booking(USERS, 1, date(2026, 4, 3), BillingSchedule(date(2026, 3, 18)))
    line = quote.draft_line(addon_id=7)
    assert line.kind is LineKind.PRORATION
    assert (line.addon_id, line.option, line.quantity) == (7, "users", 1)
    assert (line.from_day, line.to_day) == (date(2026, 4, 3), date(2026, 4, 17))
    assert line.amount == Money(285)
    assert line.due_on == date(2026, 4, 18)
    assert line.is_draft
    assert line.is_charge


def test_booking_on_the_first_day_of_a_period_costs_the_full_monthly_price() -> None:
    quote = quote_booking(USERS, 3, date(2026, 3, 18), BillingSchedule(date(2026, 3, 18)))
    assert quote.prorated == quote.monthly_price == Money(1770)
    assert quote.billed_until == date(2026, 4, 17)


def test_booking_on_the_last_day_of_a_period_costs_one_day() -> None:
    quote = quote_booking(USERS, 1, date(2026, 4, 17), BillingSchedule(date(2026, 3, 18)))
    assert quote.prorated == Money(19)  # 5,90 € ÷ 31 = 0,1903… -> 0,19 €
    assert quote.billed_until == date(2026, 4, 17)
    line = quote.draft_line(addon_id=1)
    assert line.from_day == line.to_day == date(2026, 4, 17)


def test_storage_is_prorated_per_10_gb_package() -> None:
    quote = quote_booking(STORAGE, 3, date(2026, 4, 3), BillingSchedule(date(2026, 3, 18)))
    assert quote.monthly_price == Money(1770)
    assert quote.prorated == Money(856)  # 17,70 € × 15 ÷ 31 = 8,5645… -> 8,56 €


def exact_half_cent_bookings() -> list[tuple[int, int, int]]:
    """(quantity, days, period days) whose prorated 5,90 € ends in exactly half a cent."""
    found = []
    for period_days in (28, 29, 30, 31):
        for quantity in range(1, 8):
            for days in range(1, period_days + 1):
                if (590 * quantity * days * 2) % period_days == 0 and (
                    590 * quantity * days * 2 // period_days
                ) % 2 == 1:
                    found.append((quantity, days, period_days))
    return found


def test_an_exact_half_cent_is_rounded_up() -> None:
    cases = exact_half_cent_bookings()
    assert (1, 7, 28) in cases  # 5,90 € × 7 ÷ 28 = 1,475 €
    for quantity, days, period_days in cases:
        exact = Decimal(590 * quantity * days) / period_days
        assert exact % 1 == Decimal("0.5")
        expected = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert Money(590 * quantity).fraction(days, period_days) == Money(expected)


def test_a_booking_seven_days_before_the_end_of_a_28_day_february_rounds_1_475_up() -> None:
    schedule = BillingSchedule(date(2026, 1, 1))  # period 1: 01.02.2026–28.02.2026
    quote = quote_booking(USERS, 1, date(2026, 2, 22), schedule)
    assert quote.period.days == 28
    assert quote.period.days_from(quote.booked_on) == 7
    assert quote.prorated == Money(148)


def test_prorate_of_a_whole_period_is_the_monthly_price() -> None:
    schedule = BillingSchedule(date(2026, 1, 31))
    for k in range(13):
        period = schedule.period(k)
        assert prorate(Money(590), period, period.start) == Money(590)


def test_a_later_booking_day_never_costs_more() -> None:
    period = BillingSchedule(date(2026, 3, 18)).period(0)
    amounts = [
        prorate(Money(590), period, period.start + timedelta(days=n)) for n in range(period.days)
    ]
    assert amounts == sorted(amounts, reverse=True)
    assert amounts[-1] > Money.zero()
