"""Billing periods: from the anchor each time, never chained; inclusive end dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.periods import BillingSchedule, Period


def starts(anchor: date, count: int) -> list[date]:
    schedule = BillingSchedule(anchor)
    return [schedule.period(k).start for k in range(count)]


def test_design_example_period_runs_from_18_march_to_17_april_with_31_days() -> None:
    period = BillingSchedule(date(2026, 3, 18)).period(0)
    assert period == Period(0, date(2026, 3, 18), date(2026, 4, 17))
    assert period.days == 31


def test_period_k_starts_on_the_anchor_plus_k_months() -> None:
    assert starts(date(2026, 3, 18), 4) == [
        date(2026, 3, 18),
        date(2026, 4, 18),
        date(2026, 5, 18),
        date(2026, 6, 18),
    ]


def test_anchor_on_the_31st_returns_to_the_31st_after_short_months() -> None:
    assert starts(date(2026, 1, 31), 8) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 8, 31),
    ]


def test_anchor_on_the_31st_gives_29_february_in_a_leap_year() -> None:
    assert starts(date(2028, 1, 31), 3) == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]


def test_anchor_on_the_30th_returns_to_the_30th_after_february() -> None:
    assert starts(date(2026, 1, 30), 3) == [date(2026, 1, 30), date(2026, 2, 28), date(2026, 3, 30)]
    assert starts(date(2028, 1, 30), 3) == [date(2028, 1, 30), date(2028, 2, 29), date(2028, 3, 30)]


def test_anchor_on_the_29th_returns_to_the_29th_after_february() -> None:
    assert starts(date(2026, 1, 29), 3) == [date(2026, 1, 29), date(2026, 2, 28), date(2026, 3, 29)]
    assert starts(date(2028, 1, 29), 3) == [date(2028, 1, 29), date(2028, 2, 29), date(2028, 3, 29)]


def test_anchor_on_the_31st_across_a_year_end_keeps_its_day() -> None:
    assert starts(date(2025, 10, 31), 5) == [
        date(2025, 10, 31),
        date(2025, 11, 30),
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
    ]


def test_periods_after_a_short_month_are_not_chained_from_the_previous_start() -> None:
    # Chaining would drift: 31 Jan -> 28 Feb -> 28 Mar. The anchor keeps the 31st.
    schedule = BillingSchedule(date(2026, 1, 31))
    assert schedule.period(1) == Period(1, date(2026, 2, 28), date(2026, 3, 30))
    assert schedule.period(2) == Period(2, date(2026, 3, 31), date(2026, 4, 29))


def test_february_period_has_28_days_in_a_common_year_and_29_in_a_leap_year() -> None:
    assert BillingSchedule(date(2026, 1, 1)).period(1).days == 28
    assert BillingSchedule(date(2028, 1, 1)).period(1).days == 29
    assert BillingSchedule(date(2100, 1, 1)).period(1).days == 28  # not a leap year
    assert BillingSchedule(date(2000, 1, 1)).period(1).days == 29  # a leap year


def test_anchor_on_29_february_of_a_leap_year_falls_back_to_the_28th_and_returns() -> None:
    schedule = BillingSchedule(date(2028, 2, 29))
    assert schedule.period(1).start == date(2028, 3, 29)
    assert schedule.period(12).start == date(2029, 2, 28)
    assert schedule.period(48).start == date(2032, 2, 29)


def test_a_period_ends_the_day_before_the_next_one_starts() -> None:
    schedule = BillingSchedule(date(2026, 1, 31))
    for k in range(-3, 30):
        assert schedule.period(k).end + timedelta(days=1) == schedule.period(k + 1).start


def test_period_containing_its_first_day_is_that_period() -> None:
    schedule = BillingSchedule(date(2026, 3, 18))
    assert schedule.period_containing(date(2026, 3, 18)).index == 0
    assert schedule.period_containing(date(2026, 4, 18)).index == 1


def test_period_containing_its_last_day_is_that_period() -> None:
    schedule = BillingSchedule(date(2026, 3, 18))
    assert schedule.period_containing(date(2026, 4, 17)).index == 0
    assert schedule.period_containing(date(2026, 5, 17)).index == 1


def test_period_containing_handles_clamped_starts_on_both_sides() -> None:
    schedule = BillingSchedule(date(2026, 1, 31))
    assert schedule.period_containing(date(2026, 2, 27)).index == 0
    assert schedule.period_containing(date(2026, 2, 28)).index == 1
    assert schedule.period_containing(date(2026, 3, 30)).index == 1
    assert schedule.period_containing(date(2026, 3, 31)).index == 2


def test_a_day_before_the_anchor_lies_in_a_negative_period() -> None:
    schedule = BillingSchedule(date(2026, 3, 18))
    period = schedule.period_containing(date(2026, 3, 17))
    assert period == Period(-1, date(2026, 2, 18), date(2026, 3, 17))


def test_contains_includes_both_ends() -> None:
    period = BillingSchedule(date(2026, 3, 18)).period(0)
    assert period.contains(date(2026, 3, 18))
    assert period.contains(date(2026, 4, 17))
    assert not period.contains(date(2026, 3, 17))
    assert not period.contains(date(2026, 4, 18))


def test_days_from_counts_both_ends_and_refuses_a_day_outside() -> None:
    period = BillingSchedule(date(2026, 3, 18)).period(0)
    assert period.days_from(date(2026, 3, 18)) == 31
    assert period.days_from(date(2026, 4, 3)) == 15
    assert period.days_from(date(2026, 4, 17)) == 1
    with pytest.raises(ValueError, match="is not in the period"):
        period.days_from(date(2026, 4, 18))


def test_periods_starting_between_excludes_the_first_bound_and_includes_the_second() -> None:
    schedule = BillingSchedule(date(2026, 3, 18))
    found = list(schedule.periods_starting_between(date(2026, 3, 18), date(2026, 6, 18)))
    assert [p.index for p in found] == [1, 2, 3]
    assert list(schedule.periods_starting_between(date(2026, 3, 18), date(2026, 4, 17))) == []


def test_periods_starting_between_a_mid_period_day_and_itself_is_empty() -> None:
    schedule = BillingSchedule(date(2026, 3, 18))
    assert list(schedule.periods_starting_between(date(2026, 4, 1), date(2026, 4, 1))) == []
