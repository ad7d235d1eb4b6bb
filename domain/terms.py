"""What an issued document is bound to: seller, buyer, tax treatment and payment.

``Terms`` are fixed when an invoice (or a correction) is issued and stored with it, so a
later change of the seller's settings or the workspace's Rechnungsdaten never changes a
document already issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.money import Money
from domain.parties import BillingDetails, Buyer, Seller, mask_iban
from domain.tax import Taxed, TaxTreatment, taxed, treatment_for

DEFAULT_PAYMENT_DAYS = 14


class PaymentMethod(StrEnum):
    DIRECT_DEBIT = "sepa_direct_debit"  # UNTDID 4461 code 59
    TRANSFER = "transfer"  # UNTDID 4461 code 58 (SEPA credit transfer)


@dataclass(frozen=True)
class Payment:
    """How and when the gross amount is paid (or, for a correction, paid back)."""

    method: PaymentMethod
    due_on: date  # the debit date, or the transfer's deadline
    mandate_reference: str | None = None
    debtor_iban: str | None = None  # kept whole; shown masked
    creditor_id: str | None = None
    seller_iban: str | None = None
    seller_bic: str | None = None

    @property
    def debtor_iban_masked(self) -> str | None:
        return mask_iban(self.debtor_iban) if self.debtor_iban else None

    def to_json(self) -> dict[str, Any]:
        """The payment as JSON shows it: the debtor's IBAN masked."""
        return {
            "method": self.method.value,
            "due_on": self.due_on.isoformat(),
            "mandate_reference": self.mandate_reference,
            "debtor_iban": self.debtor_iban_masked,
            "creditor_id": self.creditor_id,
            "iban": self.seller_iban,
            "bic": self.seller_bic,
        }

    def to_record(self) -> dict[str, Any]:
        """The payment as stored with the document: the debtor's IBAN whole."""
        return {**self.to_json(), "debtor_iban": self.debtor_iban}

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Payment:
        return cls(
            method=PaymentMethod(data["method"]),
            due_on=date.fromisoformat(data["due_on"]),
            mandate_reference=data.get("mandate_reference"),
            debtor_iban=data.get("debtor_iban"),
            creditor_id=data.get("creditor_id"),
            seller_iban=data.get("iban"),
            seller_bic=data.get("bic"),
        )


def payment_for(
    seller: Seller | None, details: BillingDetails, issued_on: date, days: int
) -> Payment:
    """SEPA direct debit where the workspace gave a mandate (and the seller has a
    Gläubiger-ID), else a transfer to the seller's account within ``days``."""
    due = issued_on + timedelta(days=days)
    iban = seller.iban if seller else None
    bic = seller.bic if seller else None
    mandate = details.mandate
    if mandate is not None and seller is not None and seller.creditor_id:
        return Payment(
            PaymentMethod.DIRECT_DEBIT,
            due,
            mandate_reference=mandate.reference,
            debtor_iban=mandate.iban,
            creditor_id=seller.creditor_id,
            seller_iban=iban,
            seller_bic=bic,
        )
    return Payment(PaymentMethod.TRANSFER, due, seller_iban=iban, seller_bic=bic)


@dataclass(frozen=True)
class Terms:
    """Seller, buyer, tax treatment and payment of one issued document."""

    seller: Seller | None
    buyer: Buyer
    treatment: TaxTreatment
    payment: Payment

    def taxed(self, net: Money) -> Taxed:
        """The document's totals for this net amount."""
        return taxed(net, self.treatment)

    def to_record(self) -> dict[str, Any]:
        return {
            "seller": self.seller.to_json() if self.seller else None,
            "buyer": self.buyer.to_json(),
            "tax": self.treatment.to_json(),
            "payment": self.payment.to_record(),
        }

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Terms:
        seller = data.get("seller")
        return cls(
            seller=Seller.from_json(seller) if seller else None,
            buyer=Buyer.from_json(data["buyer"]),
            treatment=TaxTreatment.from_json(data["tax"]),
            payment=Payment.from_record(data["payment"]),
        )


@dataclass(frozen=True)
class Invoicing:
    """How the vendor invoices: its seller, the standard VAT rate, the payment days."""

    seller: Seller | None = None
    vat_rate: Decimal = Decimal(19)
    payment_days: int = DEFAULT_PAYMENT_DAYS

    def terms(
        self, details: BillingDetails, slack_name: str | None, team_id: str, issued_on: date
    ) -> Terms:
        """The terms of a document issued today to a workspace with these Rechnungsdaten."""
        buyer = details.buyer(slack_name, team_id)
        return Terms(
            seller=self.seller,
            buyer=buyer,
            treatment=treatment_for(buyer.country, buyer.vat_id, self.vat_rate),
            payment=payment_for(self.seller, details, issued_on, self.payment_days),
        )

    def correction_terms(self, corrected: Terms, details: BillingDetails, issued_on: date) -> Terms:
        """A correction's terms: its invoice's buyer and category, paid back as now agreed."""
        return Terms(
            seller=self.seller or corrected.seller,
            buyer=corrected.buyer,
            treatment=corrected.treatment,
            payment=payment_for(
                self.seller or corrected.seller, details, issued_on, self.payment_days
            ),
        )
