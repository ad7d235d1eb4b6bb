"""How far ``--as-of`` and ``--anchor`` may reach: no date before the workspace could exist.

The bounds are the owner's call (README, Decisions): ``--as-of`` goes back at most
:data:`REACH_MONTHS` months and never forward, since the invoices it issues are real; an
anchor lies within :data:`REACH_MONTHS` months of the day it is set on, either side. An
older CloudCRM anchor loses nothing: periods depend only on the anchor's day of the
month, so the same day in a recent month gives the same periods. A workspace that has its
anchor already may name it again, however old (to change its time zone or language).
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

REACH_MONTHS = 12


def as_of_problem(as_of: date | None, today: date) -> str | None:
    """Why ``--as-of`` is out of reach (one line), if it is."""
    reach = relativedelta(months=REACH_MONTHS)
    if as_of is None:
        return None
    if as_of > today:
        # Invoices issued for a period that has not begun would be real and wrong.
        return f"--as-of {as_of} lies in the future; it may only go back"
    if as_of < today - reach:
        return (
            f"--as-of {as_of} lies more than {REACH_MONTHS} months back; it may go back "
            f"to {today - reach} at the earliest"
        )
    return None


def anchor_problem(anchor: date, day: date) -> str | None:
    """Why a new anchor, set on ``day``, is out of reach (one line), if it is."""
    reach = relativedelta(months=REACH_MONTHS)
    if day - reach <= anchor <= day + reach:
        return None
    hint = _recent_same_day(anchor, day)
    return (
        f"--anchor {anchor} lies more than {REACH_MONTHS} months from {day}; periods depend "
        f"only on the anchor's day of the month, so give that day in a recent month"
        + (f" (--anchor {hint} gives the same periods)" if hint else "")
    )


def _recent_same_day(anchor: date, day: date) -> date | None:
    """The latest date on or before ``day`` with the anchor's month and day, if one exists."""
    for year in (day.year, day.year - 1):
        try:
            candidate = anchor.replace(year=year)
        except ValueError:  # 29 February in a common year
            continue
        if candidate <= day:
            return candidate
    return None
