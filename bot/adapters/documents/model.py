"""The document's view model: flat, frozen, everything an invoice PDF and its XML print.

Money is integer cents here (negative on a Rechnungskorrektur); ``cii`` and ``pdf`` turn
it into decimal strings. The model knows no ledger and no settings: ``from_ledger``
fills it, so the renderers can be tested on any document the app could issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal

Language = Literal["de", "en"]

INVOICE = "380"  # UNTDID 1001: commercial invoice
CORRECTION = "384"  # UNTDID 1001: corrected invoice
UNIT_PIECE = "C62"  # UN/ECE Rec. 20: one (a seat, a 10-GB package)


class TaxCategory(StrEnum):
    """UNCL 5305 VAT categories the app issues (DESIGN §14)."""

    STANDARD = "S"  # German VAT at the standard rate
    REVERSE_CHARGE = "AE"  # EU buyer with a VAT id: the buyer owes the VAT
    NOT_SUBJECT = "O"  # outside the EU: not subject to German VAT


# VATEX codes (CEF VATEX code list) for the categories that need an exemption reason.
EXEMPTION_CODES = {
    TaxCategory.REVERSE_CHARGE: "VATEX-EU-AE",
    TaxCategory.NOT_SUBJECT: "VATEX-EU-O",
}


@dataclass(frozen=True)
class Address:
    """A postal address; ``country`` is ISO 3166-1 alpha-2."""

    street: str
    postcode: str
    city: str
    country: str


@dataclass(frozen=True)
class Contact:
    """The seller's contact point (BG-6; XRechnung asks for all three parts)."""

    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class Party:
    """Seller or buyer: name, address, tax ids, electronic address."""

    name: str
    address: Address
    vat_id: str | None = None  # USt-IdNr (BT-31 / BT-48)
    tax_number: str | None = None  # Steuernummer (BT-32), the seller's only
    registration: str | None = None  # Handelsregister (BT-30), the seller's only
    email: str | None = None  # electronic address (BT-34 / BT-49), scheme EM
    contact: Contact | None = None
    identifier: str | None = None  # seller identifier (BT-29), where BT-30/31 may not stand


@dataclass(frozen=True)
class Line:
    """One invoice line: an add-on (or the Tarif) over its service period."""

    name: str
    quantity: int  # negative on a Rechnungskorrektur
    unit_price_cents: int  # net, never negative (EN 16931 BR-27)
    net_cents: int  # quantity x price, as the ledger rounded it
    start: date
    end: date  # inclusive
    category: TaxCategory
    rate: Decimal  # percent, 0 for AE and O
    unit_code: str = UNIT_PIECE

    @property
    def proration_cents(self) -> int:
        """What proration takes off quantity x price (a line allowance, BG-27); 0 if none."""
        return self.quantity * self.unit_price_cents - self.net_cents


@dataclass(frozen=True)
class TaxSubtotal:
    """VAT of one category over the whole document (BG-23)."""

    category: TaxCategory
    rate: Decimal
    basis_cents: int
    vat_cents: int
    exemption_reason: str | None = None  # required for AE and O

    @property
    def exemption_code(self) -> str | None:
        """The VATEX code of the category's exemption, if it has one."""
        return EXEMPTION_CODES.get(self.category)


@dataclass(frozen=True)
class Totals:
    """The document totals (BT-106, BT-109, BT-110, BT-112, BT-115)."""

    net_cents: int
    vat_cents: int

    @property
    def gross_cents(self) -> int:
        """Net plus VAT: the amount due (no prepayment, no rounding amount)."""
        return self.net_cents + self.vat_cents


@dataclass(frozen=True)
class DirectDebit:
    """SEPA direct debit (payment means 59) under the workspace's mandate."""

    mandate_reference: str  # BT-89
    creditor_id: str  # BT-90, the seller's Gläubiger-ID
    debtor_iban_masked: str  # BT-91, masked: only the last four digits shown
    debit_on: date


@dataclass(frozen=True)
class CreditTransfer:
    """Transfer to the seller's account (payment means 58, SEPA credit transfer)."""

    iban: str  # BT-84
    bic: str | None = None  # BT-86
    account_name: str | None = None  # BT-85


@dataclass(frozen=True)
class Refund:
    """A Rechnungskorrektur's money goes back to the customer (payment means 1)."""

    note: str


Payment = DirectDebit | CreditTransfer | Refund


@dataclass(frozen=True)
class Corrected:
    """The invoice a Rechnungskorrektur corrects (BT-25, BT-26)."""

    number: str
    issued_on: date


@dataclass(frozen=True)
class Document:
    """An invoice (380) or a Rechnungskorrektur (384), ready to render."""

    number: str  # "1" for invoice 1, "K-1" for correction 1
    type_code: str
    issued_on: date
    seller: Party
    buyer: Party
    period_start: date
    period_end: date  # inclusive
    lines: tuple[Line, ...]
    taxes: tuple[TaxSubtotal, ...]
    totals: Totals
    payment: Payment
    due_on: date | None
    language: Language
    buyer_reference: str | None = None  # BT-10, the Leitweg-ID for public buyers
    corrects: Corrected | None = None
    seller_account: CreditTransfer | None = None  # the footer's Bankverbindung
    currency: str = "EUR"

    @property
    def is_correction(self) -> bool:
        """A Rechnungskorrektur rather than an invoice."""
        return self.type_code == CORRECTION

    @property
    def filename_stem(self) -> str:
        """``Rechnung-1`` / ``Invoice-1`` / ``Rechnungskorrektur-K-1``."""
        if self.is_correction:
            word = "Rechnungskorrektur" if self.language == "de" else "Correction"
        else:
            word = "Rechnung" if self.language == "de" else "Invoice"
        return f"{word}-{self.number}"


def vat_of(basis_cents: int, rate: Decimal) -> int:
    """Basis x rate %, rounded half-up (away from zero) to the cent."""
    exact = Decimal(basis_cents) * rate / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def tax_subtotals(
    lines: tuple[Line, ...], reasons: dict[TaxCategory, str]
) -> tuple[TaxSubtotal, ...]:
    """VAT per category and rate over the lines (DESIGN §14), in first-seen order."""
    bases: dict[tuple[TaxCategory, Decimal], int] = {}
    for line in lines:
        key = (line.category, line.rate)
        bases[key] = bases.get(key, 0) + line.net_cents
    return tuple(
        TaxSubtotal(category, rate, basis, vat_of(basis, rate), reasons.get(category))
        for (category, rate), basis in bases.items()
    )


def totals_of(lines: tuple[Line, ...], taxes: tuple[TaxSubtotal, ...]) -> Totals:
    """The document totals from its lines and VAT subtotals."""
    return Totals(sum(line.net_cents for line in lines), sum(tax.vat_cents for tax in taxes))


def cents_text(cents: int) -> str:
    """Integer cents as a decimal string with two places: ``-1234`` -> ``"-12.34"``."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def rate_text(rate: Decimal) -> str:
    """A VAT rate as CII writes it: ``19.00``."""
    return f"{rate.quantize(Decimal('0.01'))}"
