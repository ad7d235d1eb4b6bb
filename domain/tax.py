"""VAT: which category a buyer's invoices fall in, and the tax of a document.

Per document and category (EN 16931 BR-CO-17): basis = Σ line nets, VAT = basis × rate,
rounded half-up to the cent once, never per line. The category is decided when a
document is issued and kept with it; a correction takes its invoice's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.money import Money, round_half_up
from domain.parties import EU_COUNTRIES, HOME_COUNTRY

DEFAULT_RATE = Decimal(19)


class TaxCategory(StrEnum):
    """The EN 16931 VAT category codes (UNTDID 5305) the app issues."""

    STANDARD = "S"  # German VAT at the standard rate
    REVERSE_CHARGE = "AE"  # EU business customer with a USt-IdNr: the buyer owes the tax
    NOT_SUBJECT = "O"  # outside the EU: not subject to German VAT


@dataclass(frozen=True)
class TaxTreatment:
    """A document's category and rate (0 for AE and O)."""

    category: TaxCategory
    rate: Decimal

    @property
    def exempt(self) -> bool:
        """Whether the document must say why it carries no VAT (AE, O)."""
        return self.category is not TaxCategory.STANDARD

    def to_json(self) -> dict[str, str]:
        return {"category": self.category.value, "rate": rate_text(self.rate)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaxTreatment:
        return cls(TaxCategory(data["category"]), Decimal(data["rate"]))


def rate_text(rate: Decimal) -> str:
    """A rate as the JSON and documents print it: "19.00", "0.00"."""
    return str(rate.quantize(Decimal("0.01")))


def treatment_for(country: str | None, vat_id: str | None, rate: Decimal) -> TaxTreatment:
    """The category of a buyer in ``country`` with (or without) a valid USt-IdNr.

    Germany or no country known: S. Another EU country with a USt-IdNr: AE (reverse
    charge). Another EU country without one: S. Outside the EU: O.
    """
    if country is None or country == HOME_COUNTRY:
        return TaxTreatment(TaxCategory.STANDARD, rate)
    if country in EU_COUNTRIES:
        if vat_id:
            return TaxTreatment(TaxCategory.REVERSE_CHARGE, Decimal(0))
        return TaxTreatment(TaxCategory.STANDARD, rate)
    return TaxTreatment(TaxCategory.NOT_SUBJECT, Decimal(0))


def vat_of(basis: Money, rate: Decimal) -> Money:
    """basis × rate %, rounded half-up to the cent (negative for a correction's basis)."""
    numerator, denominator = rate.as_integer_ratio()
    return Money(round_half_up(basis.cents * numerator, denominator * 100), basis.currency)


@dataclass(frozen=True)
class TaxLine:
    """One category's subtotal on a document."""

    category: TaxCategory
    rate: Decimal
    basis: Money
    amount: Money

    def to_json(self) -> dict[str, str]:
        return {
            "category": self.category.value,
            "rate": rate_text(self.rate),
            "basis": str(self.basis.amount),
            "amount": str(self.amount.amount),
        }


@dataclass(frozen=True)
class Taxed:
    """A document's totals: net, the tax per category, VAT and gross."""

    net: Money
    lines: tuple[TaxLine, ...]

    @property
    def vat(self) -> Money:
        return sum((line.amount for line in self.lines), Money.zero(self.net.currency))

    @property
    def gross(self) -> Money:
        return self.net + self.vat


def taxed(net: Money, treatment: TaxTreatment) -> Taxed:
    """The totals of a document whose lines all fall in ``treatment``'s category."""
    line = TaxLine(treatment.category, treatment.rate, net, vat_of(net, treatment.rate))
    return Taxed(net, (line,))
