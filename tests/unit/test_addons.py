"""The add-on as a value: identity, the withdrawal window, its refusals.

The lifecycle itself (book, cancel, withdraw, take back, deactivate) is tested through
the use cases in tests/services/test_addons.py, on every store.
"""

from __future__ import annotations

from datetime import date

from domain.addons import AddOn, quote_booking, withdrawal_deadline
from domain.catalog import Catalog
from domain.errors import (
    AlreadyCancelled,
    AlreadyEnded,
    CancellationTookEffect,
    DomainError,
    NothingToUndo,
    OutcomeChanged,
)
from domain.periods import BillingSchedule

# Periods: 18.03.–17.04.2026 (0), 18.04.–17.05.2026 (1), 18.05.–17.06.2026 (2), ...
ANCHOR = date(2026, 3, 18)


def test_add_ons_compare_by_id() -> None:
    quote = quote_booking(Catalog()["users"], 1, date(2026, 4, 3), BillingSchedule(ANCHOR))
    first, same_id = AddOn.booked(1, quote), AddOn.booked(1, quote)
    same_id.quantity = 5
    assert first == same_id
    assert hash(first) == hash(same_id)
    assert first != AddOn.booked(2, quote)


def test_the_withdrawal_window_ends_14_days_after_the_booking_day() -> None:
    assert withdrawal_deadline(date(2026, 3, 20)) == date(2026, 4, 3)


def test_every_lifecycle_refusal_is_a_domain_error_with_a_code() -> None:
    for error in (
        AlreadyCancelled,
        AlreadyEnded,
        CancellationTookEffect,
        NothingToUndo,
        OutcomeChanged,
    ):
        assert issubclass(error, DomainError)
        assert error.code != DomainError.code
