"""The words on the invoice PDF, in German and English, and the Babel formatting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from bot.adapters.documents.model import Language, TaxCategory

LOCALES = {"de": "de_DE", "en": "en_US"}

LABELS: dict[Language, dict[str, str]] = {
    "de": {
        "invoice": "Rechnung",
        "correction": "Rechnungskorrektur",
        "number": "Rechnungsnummer",
        "correction_number": "Korrekturnummer",
        "issued": "Rechnungsdatum",
        "period": "Leistungszeitraum",
        "buyer_vat": "Ihre USt-IdNr.",
        "buyer_reference": "Ihre Referenz",
        "due": "Fällig am",
        "corrects": "Korrigiert Rechnung Nr. {number} vom {date}",
        "pos": "Pos.",
        "item": "Bezeichnung",
        "quantity": "Menge",
        "unit": "Stk.",
        "price": "Einzelpreis",
        "amount": "Betrag",
        "net": "Summe netto",
        "vat": "USt. {rate} % auf {basis}",
        "vat_zero": "USt. 0 % auf {basis}",
        "gross": "Gesamtbetrag",
        "refund": "Erstattungsbetrag",
        "prices": "Alle Einzelpreise zzgl. USt.",
        "vat_id": "USt-IdNr.",
        "tax_number": "Steuernr.",
        "bank": "Bankverbindung",
        "creditor": "Gläubiger-ID",
        "mandate": "Mandatsreferenz",
        "intro": "wir berechnen Ihnen die folgenden Leistungen:",
        "intro_correction": "wir korrigieren die oben genannte Rechnung wie folgt:",
        "salutation": "Sehr geehrte Damen und Herren,",
        "page": "Seite {page}",
    },
    "en": {
        "invoice": "Invoice",
        "correction": "Corrected invoice",
        "number": "Invoice number",
        "correction_number": "Correction number",
        "issued": "Invoice date",
        "period": "Service period",
        "buyer_vat": "Your VAT ID",
        "buyer_reference": "Your reference",
        "due": "Due date",
        "corrects": "Corrects invoice no. {number} of {date}",
        "pos": "No.",
        "item": "Description",
        "quantity": "Qty",
        "unit": "pcs",
        "price": "Unit price",
        "amount": "Amount",
        "net": "Total net",
        "vat": "VAT {rate} % on {basis}",
        "vat_zero": "VAT 0 % on {basis}",
        "gross": "Total",
        "refund": "Amount refunded",
        "prices": "All unit prices excl. VAT.",
        "vat_id": "VAT ID",
        "tax_number": "Tax no.",
        "bank": "Bank account",
        "creditor": "Creditor ID",
        "mandate": "Mandate reference",
        "intro": "we invoice you for the following services:",
        "intro_correction": "we correct the invoice named above as follows:",
        "salutation": "Dear Sir or Madam,",
        "page": "Page {page}",
    },
}

# The exemption reasons (BT-120) in each language, also written into the XML.
EXEMPTIONS: dict[Language, dict[TaxCategory, str]] = {
    "de": {
        TaxCategory.REVERSE_CHARGE: (
            "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)"
        ),
        TaxCategory.NOT_SUBJECT: "Nicht im Inland steuerbar",
    },
    "en": {
        TaxCategory.REVERSE_CHARGE: "Reverse charge",
        TaxCategory.NOT_SUBJECT: "Not subject to German VAT",
    },
}

REFUND_NOTES: dict[Language, str] = {
    "de": "Der Betrag wird Ihnen auf dem Zahlungsweg der Rechnung erstattet.",
    "en": "The amount is refunded to you the way the invoice was paid.",
}


def money(cents: int, language: Language) -> str:
    """``5,90 €`` / ``€5.90`` from integer cents."""
    return str(format_currency(Decimal(cents) / 100, "EUR", locale=LOCALES[language]))


def day(value: date, language: Language) -> str:
    """``17.04.2026`` / ``Apr 17, 2026``."""
    return str(format_date(value, format="medium", locale=LOCALES[language]))


def number(value: int | Decimal, language: Language) -> str:
    """A quantity or rate in the language's digits: ``1.000`` / ``1,000``."""
    return str(format_decimal(value, locale=LOCALES[language]))
