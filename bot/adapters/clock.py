"""Clocks: the only place the app reads the time; tests and the console move their own."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.ports import Clock

__all__ = ["NOON_UTC", "Clock", "SystemClock", "TestClock", "noon_utc"]

# A date given to the CLI (--as-of) or the console (--date, :clock) means 12:00 UTC that
# day: that instant lies on the same calendar date in every billing time zone from
# UTC-11 to UTC+11.
NOON_UTC = time(12, 0, tzinfo=UTC)


def noon_utc(day: date) -> datetime:
    """12:00 UTC on ``day``: the instant a bare date stands for."""
    return datetime.combine(day, NOON_UTC)


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class TestClock:
    """A clock that stands still until it is moved, like Stripe's test clocks."""

    __test__ = False  # not a pytest test class

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta``; time never goes backwards."""
        if delta < timedelta(0):
            raise ValueError("a test clock only moves forward")
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> datetime:
        """Jump forward to ``moment``."""
        return self.advance(moment - self._now)
