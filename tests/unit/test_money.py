"""Money: exact cents, one place that rounds half-up, sums, currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.money import CurrencyMismatch, Money, round_half_up


def test_money_is_kept_in_exact_whole_cents() -> None:
    price = Money.euros("5.90")
    assert price == Money(590)
    assert price.cents == 590
    assert price.amount == Decimal("5.90")
    assert str(price) == "5.90 EUR"


def test_euros_accept_strings_integers_and_decimals() -> None:
    assert Money.euros("5.9") == Money.euros(Decimal("5.90")) == Money(590)
    assert Money.euros(12) == Money(1200)


def test_three_times_ten_cents_is_exactly_thirty_cents() -> None:
    assert Money.euros("0.10") + Money.euros("0.10") + Money.euros("0.10") == Money.euros("0.30")


def test_euros_round_a_half_cent_up() -> None:
    assert Money.euros("0.005") == Money(1)
    assert Money.euros("2.945") == Money(295)
    assert Money.euros("0.0049") == Money(0)


def test_round_half_up_rounds_exact_halves_away_from_zero() -> None:
    assert round_half_up(5, 2) == 3
    assert round_half_up(3, 2) == 2
    assert round_half_up(1, 2) == 1
    assert round_half_up(1, 3) == 0
    assert round_half_up(2, 3) == 1
    assert round_half_up(6, 3) == 2


def test_fraction_rounds_an_exact_half_cent_up() -> None:
    assert Money(295).fraction(1, 2) == Money(148)  # 1.475 € -> 1.48 €
    assert Money(590).fraction(7, 28) == Money(148)  # the same half cent as a proration
    assert Money(590).fraction(15, 31) == Money(285)  # 2.8548… -> 2.85


def test_negative_amounts_round_symmetrically() -> None:
    assert Money(-295).fraction(1, 2) == Money(-148)
    assert Money.euros("-0.005") == Money(-1)
    assert round_half_up(-5, 2) == -3
    for cents in (1, 19, 295, 590, 1770):
        for numerator, denominator in ((1, 2), (7, 28), (15, 31), (1, 3), (2, 3)):
            positive = Money(cents).fraction(numerator, denominator)
            assert Money(-cents).fraction(numerator, denominator) == -positive


def test_round_half_up_refuses_a_denominator_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="denominator must be positive"):
        round_half_up(1, 0)
    with pytest.raises(ValueError, match="denominator must be positive"):
        Money(590).fraction(1, -31)


def test_sum_of_amounts_works_with_and_without_a_start_value() -> None:
    amounts = [Money(590), Money(285), Money(-285)]
    assert sum(amounts) == Money(590)
    assert sum(amounts, Money.zero()) == Money(590)
    assert sum([], Money.zero()) == Money.zero()


def test_adding_zero_changes_nothing() -> None:
    assert Money(590) + 0 == Money(590)
    assert 0 + Money(590) == Money(590)


def test_mixing_currencies_raises_currency_mismatch() -> None:
    euros, dollars = Money(590), Money(590, "USD")
    with pytest.raises(CurrencyMismatch):
        euros + dollars
    with pytest.raises(CurrencyMismatch):
        euros - dollars
    with pytest.raises(CurrencyMismatch):
        sum([euros, dollars])
    with pytest.raises(CurrencyMismatch):
        sum([dollars], Money.zero())


def test_comparing_amounts_of_different_currencies_raises_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money(100) < Money(590, "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money(100) >= Money(590, "USD")


def test_amounts_of_one_currency_compare_by_value() -> None:
    assert Money(285) < Money(590)
    assert Money(590) <= Money(590)
    assert Money(-1) < Money.zero()
    assert max(Money(285), Money(590)) == Money(590)
    assert sorted([Money(590), Money(-285), Money(0)]) == [Money(-285), Money(0), Money(590)]


def test_equal_cents_in_different_currencies_are_not_equal() -> None:
    assert Money(590) != Money(590, "USD")


def test_money_multiplies_by_whole_numbers_only() -> None:
    assert Money(590) * 3 == Money(1770)
    assert 3 * Money(590) == Money(1770)
    with pytest.raises(TypeError):
        # A float on purpose: the test is that Money refuses it at run time too.
        Money(590) * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(590) * True


def test_zero_is_falsy_and_negation_flips_the_sign() -> None:
    assert not Money.zero()
    assert Money(1)
    assert -Money(285) == Money(-285)
    assert Money(285) - Money(590) == Money(-305)


def test_money_is_a_frozen_value() -> None:
    price = Money(590)
    with pytest.raises(AttributeError):
        # Writing a frozen field on purpose: the test is that it fails at run time too.
        price.cents = 1  # type: ignore[misc]
    assert {Money(590), Money(590)} == {price}
