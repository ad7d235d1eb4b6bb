"""Documents of every kind the app can issue, built directly on the view model."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from bot.adapters.documents.model import (
    CORRECTION,
    INVOICE,
    Address,
    Contact,
    Corrected,
    CreditTransfer,
    DirectDebit,
    Document,
    Language,
    Line,
    Party,
    Payment,
    Refund,
    TaxCategory,
    tax_subtotals,
    totals_of,
)
from bot.adapters.documents.texts import EXEMPTIONS

SELLER = Party(
    name="CloudCRM GmbH",
    address=Address("Friedrichstraße 123", "10117", "Berlin", "DE"),
    vat_id="DE123456788",
    tax_number="30/123/45678",
    registration="HRB 123456 B",
    email="rechnung@cloudcrm.example",
    contact=Contact("Buchhaltung CloudCRM", "+49 30 1234567", "buchhaltung@cloudcrm.example"),
)
BUYERS = {
    TaxCategory.STANDARD: Party(
        "Muster Software GmbH",
        Address("Hauptstraße 5", "80331", "München", "DE"),
        vat_id="DE987654321",
        email="einkauf@muster.example",
    ),
    TaxCategory.REVERSE_CHARGE: Party(
        "Exemple SARL",
        Address("12 rue de la Paix", "75002", "Paris", "FR"),
        vat_id="FR40303265045",
        email="compta@exemple.example",
    ),
    TaxCategory.NOT_SUBJECT: Party(
        "Example Inc.",
        Address("1 Market Street", "94105", "San Francisco", "US"),
        email="billing@example.example",
    ),
}
RATES = {
    TaxCategory.STANDARD: Decimal("19"),
    TaxCategory.REVERSE_CHARGE: Decimal("0"),
    TaxCategory.NOT_SUBJECT: Decimal("0"),
}
REASONS = EXEMPTIONS["de"]  # the exemption reasons the documents write (BT-120)
SEPA = DirectDebit("ADDONS-T0001", "DE98ZZZ09999999999", "DE89 **** 3000", date(2026, 5, 2))
TRANSFER = CreditTransfer("DE02120300000000202051", "BYLADEM1001", "CloudCRM GmbH")


def invoice(
    category: TaxCategory = TaxCategory.STANDARD,
    *,
    tarif: bool = False,
    quantity: int = 1,
    payment: Payment = TRANSFER,
    language: Language = "de",
    buyer_reference: str | None = None,
) -> Document:
    """An invoice issued on 18.04.2026 for 18.04.–17.05.2026 with a proration and a renewal."""
    rate = RATES[category]
    lines = []
    if tarif:
        lines.append(
            Line(
                "Tarif Professional",
                1,
                4900,
                4900,
                date(2026, 4, 18),
                date(2026, 5, 17),
                category,
                rate,
            )
        )
    lines.append(
        Line(
            "Zusätzliche Benutzer",
            quantity,
            590,
            285 * quantity,
            date(2026, 4, 3),
            date(2026, 4, 17),
            category,
            rate,
        )
    )
    lines.append(
        Line(
            "Erweiterter Speicherplatz (+10 GB)",
            quantity,
            590,
            590 * quantity,
            date(2026, 4, 18),
            date(2026, 5, 17),
            category,
            rate,
        )
    )
    taxes = tax_subtotals(tuple(lines), REASONS)
    return Document(
        number="7",
        type_code=INVOICE,
        issued_on=date(2026, 4, 18),
        seller=SELLER,
        buyer=BUYERS[category],
        period_start=date(2026, 4, 18),
        period_end=date(2026, 5, 17),
        lines=tuple(lines),
        taxes=taxes,
        totals=totals_of(tuple(lines), taxes),
        payment=payment,
        due_on=date(2026, 4, 18) + timedelta(days=14),
        language=language,
        buyer_reference=buyer_reference,
        seller_account=TRANSFER,
    )


def correction(
    category: TaxCategory = TaxCategory.STANDARD, *, language: Language = "de"
) -> Document:
    """A Rechnungskorrektur of invoice 7 reversing its user line."""
    rate = RATES[category]
    lines = (
        Line(
            "Zusätzliche Benutzer",
            -1,
            590,
            -285,
            date(2026, 4, 3),
            date(2026, 4, 17),
            category,
            rate,
        ),
    )
    taxes = tax_subtotals(lines, REASONS)
    return Document(
        number="K-2",
        type_code=CORRECTION,
        issued_on=date(2026, 4, 20),
        seller=SELLER,
        buyer=BUYERS[category],
        period_start=date(2026, 4, 3),
        period_end=date(2026, 4, 17),
        lines=lines,
        taxes=taxes,
        totals=totals_of(lines, taxes),
        payment=Refund("Der Betrag wird Ihnen erstattet."),
        due_on=None,
        language=language,
        corrects=Corrected("7", date(2026, 4, 18)),
        seller_account=TRANSFER,
    )


def broken_total(doc: Document) -> Document:
    """The same document with a net total one cent off (BR-CO-10 must fail)."""
    return replace(doc, totals=replace(doc.totals, net_cents=doc.totals.net_cents + 1))


# The seller as the environment configures it (ADDONS_SELLER_*), as in samples.SELLER.
SELLER_ENV = {
    "ADDONS_SELLER_NAME": "CloudCRM GmbH",
    "ADDONS_SELLER_STREET": "Friedrichstraße 123",
    "ADDONS_SELLER_POSTCODE": "10117",
    "ADDONS_SELLER_CITY": "Berlin",
    "ADDONS_SELLER_VAT_ID": "DE123456788",
    "ADDONS_SELLER_TAX_NUMBER": "30/123/45678",
    "ADDONS_SELLER_REGISTRATION": "HRB 123456 B",
    "ADDONS_SELLER_IBAN": "DE02120300000000202051",
    "ADDONS_SELLER_BIC": "BYLADEM1001",
    "ADDONS_SELLER_EMAIL": "rechnung@cloudcrm.example",
    "ADDONS_SELLER_CONTACT_NAME": "Buchhaltung CloudCRM",
    "ADDONS_SELLER_CONTACT_PHONE": "+49 30 1234567",
    "ADDONS_SELLER_CONTACT_EMAIL": "buchhaltung@cloudcrm.example",
}
