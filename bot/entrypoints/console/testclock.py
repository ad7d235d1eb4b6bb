"""Where the console's test clock starts, and how ``:clock`` moves it."""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from bot.adapters.clock import SystemClock, noon_utc

_MOVE = re.compile(r"^\+(\d{1,4})\s*([hdwm])$")


def start_instant(day: str | date | None, wall: datetime | None = None) -> datetime:
    """Where the test clock starts: 12:00 UTC on ``day``, else the wall clock's now."""
    if day is None:
        return wall or SystemClock().now()
    if isinstance(day, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            raise ValueError(f"not a date: {day!r} (use YYYY-MM-DD)")
        day = date.fromisoformat(day)
    return noon_utc(day)


def moved(arg: str, now: datetime) -> datetime | None:
    """``+15d`` and friends from ``now`` (hours, days, weeks, calendar months); else None."""
    move = _MOVE.match(arg.lower())
    if not move:
        return None
    amount, unit = int(move.group(1)), move.group(2)
    if unit == "h":
        return now + relativedelta(hours=amount)
    if unit == "d":
        return now + relativedelta(days=amount)
    if unit == "w":
        return now + relativedelta(weeks=amount)
    return now + relativedelta(months=amount)
