"""The one mapping from the ledger (invoice or correction, workspace, settings) to a Document.

Everything the document states about the parties, the VAT and the payment is decided
here and nowhere else, so that when the invoices carry their own legal terms (seller,
buyer, VAT category and payment fixed at issue, issue 20) only this module changes.

BEFORE THOSE TERMS EXIST (marked ``PRE-LAW`` below): the seller comes from the
``ADDONS_SELLER_*`` settings, the buyer is the workspace (its CloudCRM customer number
or team id, country DE, no VAT id), every line is category S at the standard rate, and
payment is a transfer to the seller's IBAN within 14 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.adapters.documents.model import (
    CORRECTION,
    INVOICE,
    Address,
    Contact,
    Corrected,
    CreditTransfer,
    Document,
    Language,
    Line,
    Party,
    Refund,
    TaxCategory,
    tax_subtotals,
    totals_of,
)
from bot.adapters.documents.texts import EXEMPTIONS, REFUND_NOTES
from domain.catalog import Catalog
from domain.corrections import Correction
from domain.invoices import Invoice, InvoiceLine
from domain.workspace import Subscription

PAYMENT_DAYS = 14  # PRE-LAW: transfer within 14 days (DESIGN §14)
STANDARD_RATE = Decimal("19")  # PRE-LAW: every line category S


@dataclass(frozen=True)
class SellerSettings:
    """The seller as configured (ADDONS_SELLER_*)."""

    name: str
    street: str
    postcode: str
    city: str
    country: str
    vat_id: str | None
    tax_number: str | None
    registration: str | None
    email: str
    iban: str
    bic: str | None
    contact_name: str
    contact_phone: str
    contact_email: str


def seller_party(seller: SellerSettings) -> Party:
    """The seller as the document names it (BG-4, BG-6)."""
    return Party(
        name=seller.name,
        address=Address(seller.street, seller.postcode, seller.city, seller.country),
        vat_id=seller.vat_id,
        tax_number=seller.tax_number,
        registration=seller.registration,
        email=seller.email,
        contact=Contact(seller.contact_name, seller.contact_phone, seller.contact_email),
    )


def buyer_party(sub: Subscription) -> Party:
    """PRE-LAW: the workspace, named by its CloudCRM customer number (or team id)."""
    name = f"CloudCRM-Kunde {sub.customer}" if sub.customer else f"Slack-Workspace {sub.team_id}"
    return Party(name=name, address=Address("", "", "", "DE"))


def language_of(sub: Subscription) -> Language:
    """The workspace's language: German unless it is English."""
    return "en" if sub.locale.startswith("en") else "de"


def _line(line: InvoiceLine, catalog: Catalog, language: Language) -> Line:
    """One ledger line; its unit price is the option's monthly price (proration shows as
    a line allowance), raised where the stored amount needs more (a price since lowered)."""
    option = next((o for o in catalog if o.key == line.option), None)
    net = line.amount.cents
    price = option.unit_price.cents if option is not None else 0
    quantity = line.quantity if net >= 0 else -line.quantity
    if abs(quantity) * price < abs(net):
        price = -(-abs(net) // abs(quantity))  # ceiling: the allowance never turns negative
    name = option.label(language) if option is not None else line.option
    return Line(
        name=name,
        quantity=quantity,
        unit_price_cents=price,
        net_cents=net,
        start=line.from_day,
        end=line.to_day,
        category=TaxCategory.STANDARD,  # PRE-LAW
        rate=STANDARD_RATE,  # PRE-LAW
    )


def invoice_document(
    invoice: Invoice, sub: Subscription, catalog: Catalog, seller: SellerSettings
) -> Document:
    """The Document of an issued invoice."""
    assert invoice.number is not None
    language = language_of(sub)
    lines = tuple(_line(line, catalog, language) for line in invoice.lines)
    taxes = tax_subtotals(lines, EXEMPTIONS[language])
    account = CreditTransfer(seller.iban, seller.bic, seller.name)
    return Document(
        number=str(invoice.number),
        type_code=INVOICE,
        issued_on=invoice.issued_on,
        seller=seller_party(seller),
        buyer=buyer_party(sub),
        period_start=invoice.period.start,
        period_end=invoice.period.end,
        lines=lines,
        taxes=taxes,
        totals=totals_of(lines, taxes),
        payment=account,  # PRE-LAW: no SEPA mandates yet
        due_on=invoice.issued_on + timedelta(days=PAYMENT_DAYS),
        language=language,
        seller_account=account,
    )


def correction_number(number: int) -> str:
    """A Rechnungskorrektur's document number: ``K-3``."""
    return f"K-{number}"


def correction_document(
    correction: Correction,
    corrected_issued_on: date,
    sub: Subscription,
    catalog: Catalog,
    seller: SellerSettings,
) -> Document:
    """The Document of a Rechnungskorrektur (type 384, naming the invoice it corrects)."""
    assert correction.number is not None
    language = language_of(sub)
    lines = tuple(_line(line, catalog, language) for line in correction.lines)
    taxes = tax_subtotals(lines, EXEMPTIONS[language])
    return Document(
        number=correction_number(correction.number),
        type_code=CORRECTION,
        issued_on=correction.issued_on,
        seller=seller_party(seller),
        buyer=buyer_party(sub),
        period_start=min(line.start for line in lines),
        period_end=max(line.end for line in lines),
        lines=lines,
        taxes=taxes,
        totals=totals_of(lines, taxes),
        payment=Refund(REFUND_NOTES[language]),
        due_on=None,
        language=language,
        corrects=Corrected(str(correction.corrects), corrected_issued_on),
        seller_account=CreditTransfer(seller.iban, seller.bic, seller.name),
    )
