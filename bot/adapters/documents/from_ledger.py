"""The one mapping from the ledger (invoice or correction, workspace, settings) to a Document.

Everything the document states about the parties, the VAT and the payment is decided
here and nowhere else. An invoice or correction issued with its ``Terms`` (issue 20:
seller, buyer, tax treatment and payment fixed at issue) says exactly what they say:
the buyer's Rechnungsdaten, its category and rate on every line, the VAT and totals of
``.taxed``, SEPA direct debit or transfer, the due date. The settings add only what the
terms do not carry: the seller's Handelsregister entry and contact, and the seller
itself for a document issued while none was configured.

A document issued before terms existed (``terms`` None, LEGACY below) keeps what it
always said: the buyer is the workspace (customer number or team id, country DE, no VAT
id), every line category S at 19 %, payment a transfer within 14 days.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    TaxSubtotal,
    Totals,
    tax_subtotals,
    totals_of,
)
from bot.adapters.documents.texts import EXEMPTIONS, REFUND_NOTES
from domain.catalog import Catalog
from domain.corrections import Correction
from domain.invoices import Invoice, InvoiceLine, PlanLine
from domain.parties import HOME_COUNTRY, Buyer, Seller
from domain.tax import Taxed
from domain.terms import PaymentMethod, Terms
from domain.workspace import Subscription

LEGACY_PAYMENT_DAYS = 14  # LEGACY: transfer within 14 days (DESIGN §14)
LEGACY_RATE = Decimal("19")  # LEGACY: every line category S


class DocumentRefused(Exception):
    """The terms ask for something the seller lacks (a bug or a gap in the settings):
    such a document is never made, the job fails and says why."""


@dataclass(frozen=True)
class SellerSettings:
    """The seller as configured (ADDONS_SELLER_*); the contact is optional (XRechnung
    needs it, EN 16931 does not)."""

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
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""

    @property
    def contact(self) -> Contact | None:
        """The seller's contact point (BG-6), None when no part of it is set."""
        if not (self.contact_name or self.contact_phone or self.contact_email):
            return None
        return Contact(self.contact_name, self.contact_phone, self.contact_email)


def seller_party(seller: SellerSettings, fixed: Seller | None = None) -> Party:
    """The seller as the document names it (BG-4, BG-6): as fixed at issue where the
    terms name one, with the settings' Handelsregister entry and contact."""
    if fixed is None:
        return Party(
            name=seller.name,
            address=Address(seller.street, seller.postcode, seller.city, seller.country),
            vat_id=seller.vat_id,
            tax_number=seller.tax_number,
            registration=seller.registration,
            email=seller.email,
            contact=seller.contact,
        )
    return Party(
        name=fixed.name,
        address=Address(fixed.street, fixed.postcode, fixed.city, fixed.country),
        vat_id=fixed.vat_id,
        tax_number=fixed.tax_number,
        registration=seller.registration,
        email=fixed.email or seller.email or None,
        contact=seller.contact,
    )


def buyer_party(buyer: Buyer) -> Party:
    """The buyer as the terms fixed it: the Rechnungsdaten (or the Slack name). No known
    country counts as Germany, as it does for the VAT (BR-11 asks for a country)."""
    return Party(
        name=buyer.name,
        address=Address(
            buyer.street or "",
            buyer.postcode or "",
            buyer.city or "",
            buyer.country or HOME_COUNTRY,
        ),
        vat_id=buyer.vat_id,
        email=buyer.email,
    )


def legacy_buyer(sub: Subscription) -> Party:
    """LEGACY: the workspace, named by its CloudCRM customer number (or team id)."""
    name = f"CloudCRM-Kunde {sub.customer}" if sub.customer else f"Slack-Workspace {sub.team_id}"
    return Party(name=name, address=Address("", "", "", HOME_COUNTRY))


def language_of(sub: Subscription) -> Language:
    """The workspace's language: German unless it is English."""
    return "en" if sub.locale.startswith("en") else "de"


@dataclass(frozen=True)
class Tax:
    """The category and rate every line of one document carries."""

    category: TaxCategory
    rate: Decimal


def tax_of(terms: Terms | None) -> Tax:
    """The document's category and rate: its terms', LEGACY S at 19 % without terms."""
    if terms is None:
        return Tax(TaxCategory.STANDARD, LEGACY_RATE)
    return Tax(TaxCategory(terms.treatment.category.value), terms.treatment.rate)


def _line(line: InvoiceLine, catalog: Catalog, language: Language, tax: Tax) -> Line:
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
        category=tax.category,
        rate=tax.rate,
    )


def _plan_line(plan: PlanLine, tax: Tax) -> Line:
    """The Tarif: one for the whole period, billed in advance."""
    cents = plan.amount.cents
    return Line(plan.name, 1, cents, cents, plan.from_day, plan.to_day, tax.category, tax.rate)


def _taxes(
    lines: tuple[Line, ...], taxed: Taxed | None, language: Language
) -> tuple[tuple[TaxSubtotal, ...], Totals]:
    """VAT per category and the totals: exactly the ledger's ``.taxed`` where the document
    has terms (what the JSON says, BT-109..115), else computed from the lines (LEGACY)."""
    reasons = EXEMPTIONS[language]
    if taxed is None:
        taxes = tax_subtotals(lines, reasons)
        return taxes, totals_of(lines, taxes)
    if sum(line.net_cents for line in lines) != taxed.net.cents:
        raise DocumentRefused(f"the lines do not add up to the net {taxed.net.amount}")
    taxes = tuple(
        TaxSubtotal(
            TaxCategory(tax.category.value),
            tax.rate,
            tax.basis.cents,
            tax.amount.cents,
            reasons.get(TaxCategory(tax.category.value)),
        )
        for tax in taxed.lines
    )
    return taxes, Totals(taxed.net.cents, taxed.vat.cents)


def _payment(terms: Terms | None, seller: SellerSettings, issued_on: date) -> tuple[Payment, date]:
    """How and by when the invoice is paid: as its terms say (LEGACY: transfer, 14 days)."""
    if terms is None:
        due = issued_on + timedelta(days=LEGACY_PAYMENT_DAYS)
        return CreditTransfer(seller.iban, seller.bic, seller.name), due
    payment = terms.payment
    if payment.method is PaymentMethod.DIRECT_DEBIT:
        if not (payment.mandate_reference and payment.creditor_id and payment.debtor_iban_masked):
            raise DocumentRefused("a direct debit without mandate, creditor id or account")
        debit = DirectDebit(
            payment.mandate_reference,
            payment.creditor_id,
            payment.debtor_iban_masked,
            payment.due_on,
        )
        return debit, payment.due_on
    return _account(terms, seller), payment.due_on


def _account(terms: Terms | None, seller: SellerSettings) -> CreditTransfer:
    """The seller's account (the footer's Bankverbindung, the transfer's payee)."""
    fixed = terms.seller if terms is not None else None
    if terms is not None and terms.payment.seller_iban:
        name = fixed.name if fixed is not None else seller.name
        return CreditTransfer(terms.payment.seller_iban, terms.payment.seller_bic, name)
    if fixed is not None and fixed.iban:
        return CreditTransfer(fixed.iban, fixed.bic, fixed.name)
    return CreditTransfer(seller.iban, seller.bic, seller.name)


def identified(seller: Party, tax: Tax) -> Party:
    """The seller as the category lets it be identified, or DocumentRefused.

    Reverse charge (AE): §14a Abs. 1 UStG asks for both VAT ids (the buyer's made the
    category AE; BR-AE-02). Not subject (O): BR-O-02 forbids the seller's VAT id, so the
    seller is identified by its Handelsregister entry (BT-30) or, without one, by its
    Steuernummer as seller identifier (BT-29; BR-CO-26 asks for one of BT-29/30/31).
    """
    if tax.category is TaxCategory.REVERSE_CHARGE and not seller.vat_id:
        raise DocumentRefused(
            "a reverse-charge invoice must name the seller's USt-IdNr: set ADDONS_SELLER_VAT_ID"
        )
    if tax.category is TaxCategory.NOT_SUBJECT and not seller.registration:
        if not seller.tax_number:
            raise DocumentRefused(
                "an invoice not subject to German VAT may not carry the seller's USt-IdNr "
                "(BR-O-02): set ADDONS_SELLER_TAX_NUMBER or ADDONS_SELLER_REGISTRATION"
            )
        return replace(seller, identifier=seller.tax_number)
    return seller


def _parties(
    terms: Terms | None, sub: Subscription, seller: SellerSettings, tax: Tax
) -> tuple[Party, Party, str | None]:
    """Seller, buyer and the buyer reference (BT-10) of a document."""
    if terms is None:
        return seller_party(seller), legacy_buyer(sub), None
    named = identified(seller_party(seller, terms.seller), tax)
    return named, buyer_party(terms.buyer), terms.buyer.reference


def invoice_document(
    invoice: Invoice, sub: Subscription, catalog: Catalog, seller: SellerSettings
) -> Document:
    """The Document of an issued invoice: the Tarif first, then the add-ons' lines."""
    assert invoice.number is not None
    language = language_of(sub)
    terms = invoice.terms
    tax = tax_of(terms)
    plan = (_plan_line(invoice.plan, tax),) if invoice.plan is not None else ()
    lines = plan + tuple(_line(line, catalog, language, tax) for line in invoice.lines)
    taxes, totals = _taxes(lines, invoice.taxed, language)
    seller_named, buyer, reference = _parties(terms, sub, seller, tax)
    payment, due = _payment(terms, seller, invoice.issued_on)
    return Document(
        number=str(invoice.number),
        type_code=INVOICE,
        issued_on=invoice.issued_on,
        seller=seller_named,
        buyer=buyer,
        period_start=invoice.period.start,
        period_end=invoice.period.end,
        lines=lines,
        taxes=taxes,
        totals=totals,
        payment=payment,
        due_on=due,
        language=language,
        buyer_reference=reference,
        seller_account=_account(terms, seller),
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
    """The Document of a Rechnungskorrektur (type 384, naming the invoice it corrects,
    in its category: its terms are the invoice's buyer and treatment)."""
    assert correction.number is not None
    language = language_of(sub)
    terms = correction.terms
    tax = tax_of(terms)
    lines = tuple(_line(line, catalog, language, tax) for line in correction.lines)
    taxes, totals = _taxes(lines, correction.taxed, language)
    seller_named, buyer, reference = _parties(terms, sub, seller, tax)
    return Document(
        number=correction_number(correction.number),
        type_code=CORRECTION,
        issued_on=correction.issued_on,
        seller=seller_named,
        buyer=buyer,
        period_start=min(line.start for line in lines),
        period_end=max(line.end for line in lines),
        lines=lines,
        taxes=taxes,
        totals=totals,
        payment=Refund(REFUND_NOTES[language]),
        due_on=None,
        language=language,
        buyer_reference=reference,
        corrects=Corrected(str(correction.corrects), corrected_issued_on),
        seller_account=_account(terms, seller),
    )
