"""Periods tile the calendar; proration stays within (0, monthly]; rounding is half-up."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.money import Money
from domain.periods import BillingSchedule, prorate

BOUNDED = settings(max_examples=200, deadline=None)

# Month ends are where periods go wrong, so they get drawn far more often than by chance.
month_end_anchors = st.builds(
    lambda year, month, day: date(year, month, min(day, calendar.monthrange(year, month)[1])),
    st.integers(2000, 2099),
    st.integers(1, 12),
    st.integers(28, 31),
)
anchors = st.one_of(st.dates(date(2000, 1, 1), date(2099, 12, 31)), month_end_anchors)


@BOUNDED
@given(anchor=anchors, first=st.integers(-36, 600), count=st.integers(1, 30))
def test_consecutive_periods_tile_the_calendar_without_gap_or_overlap(
    anchor: date, first: int, count: int
) -> None:
    schedule = BillingSchedule(anchor)
    periods = [schedule.period(k) for k in range(first, first + count + 1)]
    for earlier, later in pairwise(periods):
        assert earlier.end + timedelta(days=1) == later.start
        assert later.index == earlier.index + 1
    for period in periods:
        assert 28 <= period.days <= 31
        assert period.start <= period.end


@BOUNDED
@given(anchor=anchors, k=st.integers(-36, 1200))
def test_period_k_starts_on_the_anchor_day_or_the_last_day_of_a_shorter_month(
    anchor: date, k: int
) -> None:
    start = BillingSchedule(anchor).period(k).start
    months = anchor.year * 12 + anchor.month - 1 + k
    year, month = divmod(months, 12)
    assert (start.year, start.month) == (year, month + 1)
    assert start.day == min(anchor.day, calendar.monthrange(year, month + 1)[1])


@BOUNDED
@given(anchor=anchors, offset=st.integers(-2000, 30000))
def test_every_day_lies_in_exactly_one_period(anchor: date, offset: int) -> None:
    schedule = BillingSchedule(anchor)
    day = anchor + timedelta(days=offset)
    period = schedule.period_containing(day)
    assert period.contains(day)
    assert period == schedule.period(period.index)
    assert not schedule.period(period.index - 1).contains(day)
    assert not schedule.period(period.index + 1).contains(day)
    assert schedule.period_containing(period.start) == period
    assert schedule.period_containing(period.end) == period


@BOUNDED
@given(
    anchor=anchors,
    k=st.integers(0, 600),
    into=st.integers(0, 30),
    unit_cents=st.integers(16, 100_000),  # at least half a cent a day in a 31-day period
    quantity=st.integers(1, 1000),
)
def test_a_prorated_amount_is_positive_and_at_most_the_monthly_price(
    anchor: date, k: int, into: int, unit_cents: int, quantity: int
) -> None:
    period = BillingSchedule(anchor).period(k)
    day = period.start + timedelta(days=min(into, period.days - 1))
    monthly = Money(unit_cents) * quantity
    amount = prorate(monthly, period, day)
    assert Money.zero() < amount <= monthly
    exact = Decimal(monthly.cents * period.days_from(day)) / period.days
    assert amount.cents == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if day == period.start:
        assert amount == monthly
    if day < period.end:
        assert prorate(monthly, period, day + timedelta(days=1)) <= amount


@BOUNDED
@given(
    cents=st.integers(-(10**12), 10**12),
    numerator=st.integers(0, 10_000),
    denominator=st.integers(1, 10_000),
)
def test_fraction_rounds_exactly_like_decimal_half_up_and_symmetrically(
    cents: int, numerator: int, denominator: int
) -> None:
    result = Money(cents).fraction(numerator, denominator)
    with localcontext() as exact:
        exact.prec = 60  # enough that the quotient is rounded only by quantize
        expected = (Decimal(cents * numerator) / denominator).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
    assert result.cents == int(expected)
    assert Money(-cents).fraction(numerator, denominator) == -result


@BOUNDED
@given(st.lists(st.integers(-(10**9), 10**9), max_size=30))
def test_sum_of_money_equals_money_of_the_summed_cents(values: list[int]) -> None:
    assert sum((Money(v) for v in values), Money.zero()) == Money(sum(values))
    if values:
        assert sum(Money(v) for v in values) == Money(sum(values))
