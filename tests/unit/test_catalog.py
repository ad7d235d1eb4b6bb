"""The catalog: the help page's two options, their prices and the quantity rule."""

from __future__ import annotations

from datetime import date

import pytest

from domain.addons import quote_booking
from domain.catalog import Catalog, Option, default_options
from domain.errors import DomainError, QuantityOutOfRange, UnknownOption
from domain.money import Money
from domain.periods import BillingSchedule

CATALOG = Catalog()


def test_default_catalog_offers_users_and_storage_in_display_order() -> None:
    assert [option.key for option in CATALOG] == ["users", "storage"]
    assert len(CATALOG) == 2
    assert "users" in CATALOG
    assert "storage" in CATALOG
    assert "seats" not in CATALOG


def test_both_options_cost_5_90_per_unit_and_month() -> None:
    assert CATALOG["users"].unit_price == Money.euros("5.90")
    assert CATALOG["storage"].unit_price == Money.euros("5.90")


def test_options_carry_the_help_page_labels_in_german_and_english() -> None:
    assert CATALOG["users"].label("de") == "Zusätzliche Benutzer"
    assert CATALOG["users"].label("en") == "Additional users"
    assert CATALOG["storage"].label("de") == "Erweiterter Speicherplatz (+10 GB)"
    assert CATALOG["storage"].label("en") == "Extended storage (+10 GB)"


def test_one_user_gives_one_seat_and_storage_quantity_3_gives_30_gb() -> None:
    assert (CATALOG["users"].unit, CATALOG["users"].gives(4)) == ("seat", 4)
    assert (CATALOG["storage"].unit, CATALOG["storage"].gives(3)) == ("GB", 30)


def test_monthly_price_is_unit_price_times_quantity() -> None:
    assert CATALOG["users"].monthly_price(3) == Money(1770)
    assert CATALOG["storage"].monthly_price(1000) == Money(590_000)


@pytest.mark.parametrize("quantity", [1, 2, 999, 1000])
def test_whole_quantities_from_1_to_1000_are_accepted(quantity: int) -> None:
    assert CATALOG["users"].validate_quantity(quantity) == quantity


@pytest.mark.parametrize("quantity", [0, -1, 1001, 1.5, 3.0, True, False, "3", None])
def test_a_quantity_that_is_not_a_whole_number_from_1_to_1000_raises(quantity: object) -> None:
    with pytest.raises(QuantityOutOfRange) as raised:
        CATALOG["storage"].validate_quantity(quantity)
    assert raised.value.params() == {"quantity": quantity, "maximum": 1000}
    assert raised.value.code == "quantity_out_of_range"


def test_a_booking_quote_refuses_a_bad_quantity() -> None:
    with pytest.raises(QuantityOutOfRange):
        quote_booking(CATALOG["users"], "3", date(2026, 4, 3), BillingSchedule(date(2026, 3, 18)))


def test_the_maximum_quantity_is_configurable() -> None:
    catalog = Catalog(default_options(max_quantity=5))
    assert catalog["users"].validate_quantity(5) == 5
    with pytest.raises(QuantityOutOfRange) as raised:
        catalog["users"].validate_quantity(6)
    assert raised.value.maximum == 5


def test_prices_are_configurable() -> None:
    catalog = Catalog(default_options(users_price=Money(700), storage_price=Money(300)))
    assert catalog["users"].monthly_price(2) == Money(1400)
    assert catalog["storage"].monthly_price(2) == Money(600)


def test_a_catalog_of_custom_options_keeps_their_order() -> None:
    backup = Option("backup", "Backup", "Backup", Money(100), 1, "GB")
    catalog = Catalog([backup, *default_options()])
    assert [option.key for option in catalog] == ["backup", "users", "storage"]
    assert catalog["backup"].max_quantity == 1000


def test_an_unknown_option_raises_unknown_option() -> None:
    with pytest.raises(UnknownOption) as raised:
        CATALOG["seats"]
    assert isinstance(raised.value, DomainError)
    assert raised.value.params() == {"option": "seats"}
    assert raised.value.code == "unknown_option"
