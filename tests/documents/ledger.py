"""Invoices and corrections as the ledger issues them, with their terms (issue 20).

Each buyer falls in one VAT category (DESIGN §14): a German company (S), a French one
with a USt-IdNr (AE, reverse charge), an American one (O). The terms are made the way
the billing run makes them (``Invoicing.terms``), so the documents built from these are
the documents the app issues.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.adapters.documents.from_ledger import (
    SellerSettings,
    correction_document,
    invoice_document,
)
from bot.adapters.documents.model import Document
from domain.catalog import Catalog
from domain.corrections import Correction
from domain.invoices import Invoice, InvoiceLine, LineKind, PlanLine
from domain.money import Money
from domain.parties import BillingDetails, Seller, SepaMandate
from domain.periods import Period
from domain.tax import TaxCategory
from domain.terms import Invoicing
from domain.workspace import Subscription

TEAM = "T0001"
ISSUED = date(2026, 4, 18)
PERIOD = Period(1, date(2026, 4, 18), date(2026, 5, 17))
CATALOG = Catalog()

SETTINGS = SellerSettings(
    name="CloudCRM GmbH",
    street="Friedrichstraße 123",
    postcode="10117",
    city="Berlin",
    country="DE",
    vat_id="DE123456788",
    tax_number="30/123/45678",
    registration="HRB 123456 B",
    email="rechnung@cloudcrm.example",
    iban="DE02120300000000202051",
    bic="BYLADEM1001",
    contact_name="Buchhaltung CloudCRM",
    contact_phone="+49 30 1234567",
    contact_email="buchhaltung@cloudcrm.example",
)
CREDITOR_ID = "DE98ZZZ09999999999"
MANDATE = SepaMandate("ADDONS-T0001", "DE89370400440532013000", date(2026, 3, 1))
LEITWEG_ID = "04011000-12345-34"

BUYERS = {
    TaxCategory.STANDARD: BillingDetails.checked(
        company="Muster Software GmbH",
        street="Hauptstraße 5",
        postcode="80331",
        city="München",
        country="DE",
        vat_id="DE136695976",
        invoice_email="einkauf@muster.example",
    ),
    TaxCategory.REVERSE_CHARGE: BillingDetails.checked(
        company="Exemple SARL",
        street="12 rue de la Paix",
        postcode="75002",
        city="Paris",
        country="FR",
        vat_id="FR40303265045",
        invoice_email="compta@exemple.example",
    ),
    TaxCategory.NOT_SUBJECT: BillingDetails.checked(
        company="Example Inc.",
        street="1 Market Street",
        postcode="94105",
        city="San Francisco",
        country="US",
        invoice_email="billing@example.example",
    ),
}


def invoicing(settings: SellerSettings = SETTINGS) -> Invoicing:
    """How the vendor invoices: the seller of ``settings`` with a Gläubiger-ID, 19 %, 14 days."""
    seller = Seller(
        name=settings.name,
        street=settings.street,
        postcode=settings.postcode,
        city=settings.city,
        country=settings.country,
        vat_id=settings.vat_id,
        tax_number=settings.tax_number,
        email=settings.email,
        iban=settings.iban,
        bic=settings.bic,
        creditor_id=CREDITOR_ID,
    )
    return Invoicing(seller, Decimal(19), 14)


def details(
    category: TaxCategory, *, sepa: bool = False, reference: str | None = None
) -> BillingDetails:
    """The Rechnungsdaten of a buyer in ``category``, with a mandate and a Leitweg-ID if asked."""
    return BUYERS[category].changed(mandate=MANDATE if sepa else None, buyer_reference=reference)


def subscription(language: str = "de") -> Subscription:
    return Subscription(TEAM, date(2026, 3, 18), locale=language, slack_name="Muster")


def lines(quantity: int = 1, number: int = 7) -> tuple[InvoiceLine, ...]:
    """A proration of the past period (users) and a renewal of the new one (storage)."""
    return (
        InvoiceLine(
            LineKind.PRORATION,
            1,
            "users",
            quantity,
            date(2026, 4, 3),
            date(2026, 4, 17),
            Money(285 * quantity),
            ISSUED,
            id=11,
            invoice_number=number,
        ),
        InvoiceLine(
            LineKind.RENEWAL,
            2,
            "storage",
            quantity,
            PERIOD.start,
            PERIOD.end,
            Money(590 * quantity),
            ISSUED,
            id=12,
            invoice_number=number,
        ),
    )


def invoice(
    category: TaxCategory = TaxCategory.STANDARD,
    *,
    tarif: bool = False,
    sepa: bool = False,
    quantity: int = 1,
    reference: str | None = None,
    how: Invoicing | None = None,
) -> Invoice:
    """Invoice 7, issued on 18.04.2026 for 18.04.–17.05.2026, with its terms."""
    terms = (how or invoicing()).terms(
        details(category, sepa=sepa, reference=reference), "Muster", TEAM, ISSUED
    )
    plan = PlanLine("CloudCRM Business", Money(4900), PERIOD.start, PERIOD.end) if tarif else None
    return Invoice(7, TEAM, PERIOD, lines(quantity), ISSUED, plan, terms)


def correction(invoice: Invoice, on: date = date(2026, 4, 20)) -> Correction:
    """Rechnungskorrektur K-2 of ``invoice``, reversing its first add-on line."""
    assert invoice.terms is not None
    terms = invoicing().correction_terms(invoice.terms, BillingDetails(), on)
    return Correction(2, TEAM, 7, on, (invoice.lines[0].credit(on),), terms)


def document_of(source: Invoice | Correction, language: str = "de") -> Document:
    """The document the renderer makes of ``source`` (a correction names invoice 7)."""
    sub = subscription(language)
    if isinstance(source, Correction):
        return correction_document(source, ISSUED, sub, CATALOG, SETTINGS)
    return invoice_document(source, sub, CATALOG, SETTINGS)
