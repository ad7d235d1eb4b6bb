"""Billing periods computed from the anchor (never chained), and proration."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from domain.money import Money

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=1 << 16)
def _months_after(anchor: date, months: int) -> date:
    """``anchor`` + ``months`` calendar months, the day clamped to the month's last
    (remembered: every booking and every billing turn asks for the same few)."""
    return anchor + relativedelta(months=months)


@dataclass(frozen=True, order=True)
class Period:
    """Billing period number ``index``: ``start`` .. ``end``, both days inclusive."""

    index: int
    start: date
    end: date  # inclusive: what "Abgerechnet bis" shows

    @property
    def days(self) -> int:
        """Number of calendar days in the period."""
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in this period."""
        return self.start <= day <= self.end

    def days_from(self, day: date) -> int:
        """Days from ``day`` through the period's end, both inclusive."""
        if not self.contains(day):
            raise ValueError(f"{day} is not in the period {self.start}..{self.end}")
        return (self.end - day).days + 1


@dataclass(frozen=True)
class BillingSchedule:
    """The periods of one subscription: period k starts on anchor + k months."""

    anchor: date

    def start_of(self, index: int) -> date:
        """First day of period ``index``, computed from the anchor each time."""
        return _months_after(self.anchor, index)

    def period(self, index: int) -> Period:
        """Period number ``index`` (0 starts on the anchor; negative ones lie before it)."""
        return Period(index, self.start_of(index), self.start_of(index + 1) - ONE_DAY)

    def period_containing(self, day: date) -> Period:
        """The period that ``day`` falls in."""
        index = (day.year - self.anchor.year) * 12 + (day.month - self.anchor.month)
        # The month difference is right or one too high; never more than that.
        while self.start_of(index) > day:
            index -= 1
        while self.start_of(index + 1) <= day:
            index += 1
        return self.period(index)

    def periods_starting_between(self, after: date, through: date) -> Iterator[Period]:
        """Periods whose start lies in (after, through], in order."""
        period = self.period_containing(after).index + 1
        while self.start_of(period) <= through:
            yield self.period(period)
            period += 1


def prorate(monthly: Money, period: Period, from_day: date) -> Money:
    """Monthly price × days(from_day .. period end) ÷ days in period, half-up to the cent."""
    return monthly.fraction(period.days_from(from_day), period.days)
