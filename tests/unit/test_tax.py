"""VAT: the category a buyer's invoices fall in, and one rounding per document."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.money import Money
from domain.tax import TaxCategory, taxed, treatment_for, vat_of

RATE = Decimal(19)


@pytest.mark.parametrize(
    ("country", "vat_id", "category", "rate"),
    [
        ("DE", "DE123456788", TaxCategory.STANDARD, RATE),  # at home, with or without id
        ("DE", None, TaxCategory.STANDARD, RATE),
        (None, None, TaxCategory.STANDARD, RATE),  # no country known: German VAT
        ("AT", "ATU13585627", TaxCategory.REVERSE_CHARGE, Decimal(0)),
        ("FR", None, TaxCategory.STANDARD, RATE),  # an EU business without a USt-IdNr
        ("GR", "EL094259216", TaxCategory.REVERSE_CHARGE, Decimal(0)),
        ("US", None, TaxCategory.NOT_SUBJECT, Decimal(0)),
        ("CH", "CHE123", TaxCategory.NOT_SUBJECT, Decimal(0)),
    ],
)
def test_the_buyers_country_and_vat_id_decide_the_category(
    country: str | None, vat_id: str | None, category: TaxCategory, rate: Decimal
) -> None:
    treatment = treatment_for(country, vat_id, RATE)
    assert (treatment.category, treatment.rate) == (category, rate)
    assert treatment.exempt is (category is not TaxCategory.STANDARD)


@pytest.mark.parametrize(
    ("basis", "rate", "vat"),
    [
        (875, Decimal(19), 166),  # 166.25
        (50, Decimal(19), 10),  # 9.5 rounds half up
        (-50, Decimal(19), -10),  # a correction's basis rounds away from zero the same
        (1, Decimal(19), 0),
        (1000, Decimal("7.5"), 75),
        (999, Decimal(0), 0),
    ],
)
def test_vat_is_the_basis_times_the_rate_rounded_half_up_once(
    basis: int, rate: Decimal, vat: int
) -> None:
    assert vat_of(Money(basis), rate) == Money(vat)


def test_a_document_rounds_its_basis_not_each_line() -> None:
    # three lines of 0.05 € each: per line 0.0095 → 0.01 each (0.03); on the basis 0.15 → 0.03
    # and for 0.50 per line ×3: per line 0.095 → 0.10 (0.30), on the basis 1.50 → 0.285 → 0.29
    document = taxed(Money(150), treatment_for("DE", None, RATE))
    assert document.vat == Money(29)
    assert document.gross == Money(179)
    [line] = document.lines
    assert (line.category, line.basis, line.amount) == (TaxCategory.STANDARD, Money(150), Money(29))
    assert line.to_json() == {"category": "S", "rate": "19.00", "basis": "1.50", "amount": "0.29"}


def test_reverse_charge_and_outside_the_eu_carry_no_vat() -> None:
    for country, vat_id in (("AT", "ATU13585627"), ("US", None)):
        document = taxed(Money(2684), treatment_for(country, vat_id, RATE))
        assert (document.vat, document.gross) == (Money(0), Money(2684))
