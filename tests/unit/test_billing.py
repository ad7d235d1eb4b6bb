"""The subscription's calendar and the preview of a quiet period.

The turn of a period, catch-up runs and entitlements are tested through the use cases in
tests/services/test_billing.py, on every store.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.billing import preview_invoice
from domain.catalog import Catalog
from domain.money import Money
from domain.periods import BillingSchedule
from domain.workspace import Subscription

# Periods: 18.03.–17.04.2026 (0), 18.04.–17.05.2026 (1), 18.05.–17.06.2026 (2), ...
ANCHOR = date(2026, 3, 18)
CATALOG = Catalog()


# -- the preview ---------------------------------------------------------------------------


def test_preview_of_a_quiet_period_is_empty() -> None:
    preview = preview_invoice("T0001", BillingSchedule(ANCHOR).period(1), [], [], CATALOG)
    assert preview.lines == ()
    assert preview.total == Money.zero()


# -- the subscription -----------------------------------------------------------------------


def test_today_is_the_calendar_date_in_the_billing_time_zone() -> None:
    subscription = Subscription("T1", ANCHOR)
    late_utc = datetime(2026, 4, 17, 22, 30, tzinfo=UTC)  # 00:30 CEST on 18.04.
    assert subscription.today(late_utc) == date(2026, 4, 18)
    winter = datetime(2026, 1, 31, 23, 0, tzinfo=UTC)  # 00:00 CET on 01.02.
    assert subscription.today(winter) == date(2026, 2, 1)
    new_york = Subscription("T1", ANCHOR, timezone="America/New_York")
    assert new_york.today(late_utc) == date(2026, 4, 17)
    assert subscription.today(
        datetime(2026, 4, 18, 1, tzinfo=timezone(timedelta(hours=5)))
    ) == date(2026, 4, 17)


def test_today_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Subscription("T1", ANCHOR).today(datetime(2026, 4, 18, 12))


def test_a_new_subscription_has_closed_nothing_before_its_anchor() -> None:
    subscription = Subscription("T1", ANCHOR)
    assert subscription.closed_through == ANCHOR
    assert subscription.schedule.period(0).start == ANCHOR
    later = replace(subscription, last_closed=date(2026, 4, 18))
    assert later.closed_through == date(2026, 4, 18)
