"""The CII XML (UN/CEFACT Cross Industry Invoice D16B) of a document.

Two profiles from the same view model: EN 16931 (what Factur-X/ZUGFeRD embed as
``factur-x.xml``) and XRechnung 3.0 (its CIUS: the same XML with its guideline id, the
business process and the seller contact it requires). Element order follows the
EN 16931 XSD that the ``factur-x`` package ships; the tests validate every kind of
document against it and against the EN 16931 Schematron.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from lxml import etree

from bot.adapters.documents.model import (
    Contact,
    CreditTransfer,
    DirectDebit,
    Document,
    Language,
    Line,
    Party,
    TaxCategory,
    TaxSubtotal,
    cents_text,
    rate_text,
)
from bot.adapters.documents.texts import day, money

Profile = Literal["en16931", "xrechnung"]

PRORATION: dict[Language, str] = {
    "de": "Anteilig für den Leistungszeitraum",
    "en": "Prorated for the service period",
}

EN16931 = "urn:cen.eu:en16931:2017"
XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attrs)
    if text is not None:
        node.text = text
    return node


def _date(parent: etree._Element, tag: str, day: date, kind: str = "udt") -> None:
    holder = _el(parent, tag)
    _el(holder, f"{kind}:DateTimeString", day.strftime("%Y%m%d"), format="102")


class XRechnungRefused(ValueError):
    """The document lacks what XRechnung asks beyond EN 16931 (its message names what)."""


# What XRechnung 3.0 asks beyond EN 16931, by the BR-DE rule that asks it, as the
# operator names it (the settings) or the admin sets it (the Rechnungsdaten).
XRECHNUNG_NEEDS = {
    "BR-DE-5": "the seller's contact name (ADDONS_SELLER_CONTACT_NAME)",
    "BR-DE-6": "the seller's contact phone (ADDONS_SELLER_CONTACT_PHONE)",
    "BR-DE-7": "the seller's contact e-mail (ADDONS_SELLER_CONTACT_EMAIL)",
    "BR-DE-SELLER-EM": "the seller's e-mail (ADDONS_SELLER_EMAIL)",
    "BR-DE-15": "the buyer reference (Leitweg-ID)",
    "BR-DE-9": "the buyer's postcode",
    "BR-DE-8": "the buyer's city",
    "BR-DE-BUYER-EM": "the buyer's invoice e-mail",
}


def xrechnung_missing(doc: Document) -> list[str]:
    """What XRechnung asks beyond EN 16931 that ``doc`` lacks (``XRECHNUNG_NEEDS``):
    the seller contact (BR-DE-2, 5, 6, 7), the buyer reference (BR-DE-15), the buyer's
    post code and city (BR-DE-8, 9), both electronic addresses. Empty: it can be made."""
    contact, buyer = doc.seller.contact, doc.buyer
    present = {
        "BR-DE-5": bool(contact and contact.name),
        "BR-DE-6": bool(contact and contact.phone),
        "BR-DE-7": bool(contact and contact.email),
        "BR-DE-SELLER-EM": bool(doc.seller.email),
        "BR-DE-15": bool(doc.buyer_reference),
        "BR-DE-9": bool(buyer.address.postcode),
        "BR-DE-8": bool(buyer.address.city),
        "BR-DE-BUYER-EM": bool(buyer.email),
    }
    return [what for rule, what in XRECHNUNG_NEEDS.items() if not present[rule]]


def refusal_line(number: str, missing: list[str]) -> str:
    """``7 has no XRechnung: it needs the buyer reference (Leitweg-ID)``."""
    return f"{number} has no XRechnung: it needs {', '.join(missing)}"


def xrechnung_refusal(doc: Document) -> str | None:
    """One line saying why ``doc`` has no XRechnung, None when it can have one."""
    missing = xrechnung_missing(doc)
    return refusal_line(doc.number, missing) if missing else None


def build(doc: Document, profile: Profile = "en16931", *, strict: bool = True) -> bytes:
    """The document as CII XML bytes (UTF-8, with declaration) in ``profile``.

    XRechnung is refused (``XRechnungRefused``) when the document lacks what it asks;
    ``strict=False`` writes it all the same (the tests break documents on purpose).
    """
    if profile == "xrechnung" and strict:
        refusal = xrechnung_refusal(doc)
        if refusal is not None:
            raise XRechnungRefused(refusal)
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "rsm:ExchangedDocumentContext")
    if profile == "xrechnung":
        process = _el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter")
        _el(process, "ram:ID", PEPPOL_BILLING)
    guideline = _el(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _el(guideline, "ram:ID", XRECHNUNG if profile == "xrechnung" else EN16931)

    header = _el(root, "rsm:ExchangedDocument")
    _el(header, "ram:ID", doc.number)
    _el(header, "ram:TypeCode", doc.type_code)
    _date(header, "ram:IssueDateTime", doc.issued_on)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for index, line in enumerate(doc.lines, start=1):
        _line(transaction, index, line, doc.language)
    _agreement(transaction, doc, profile)
    _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    _settlement(transaction, doc)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _line(parent: etree._Element, index: int, line: Line, language: Language) -> None:
    item = _el(parent, "ram:IncludedSupplyChainTradeLineItem")
    _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
    _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.name)
    price = _el(_el(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
    _el(price, "ram:ChargeAmount", cents_text(line.unit_price_cents))
    delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
    _el(delivery, "ram:BilledQuantity", str(line.quantity), unitCode=line.unit_code)
    settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
    tax = _el(settlement, "ram:ApplicableTradeTax")
    _el(tax, "ram:TypeCode", "VAT")
    _el(tax, "ram:CategoryCode", line.category.value)
    if line.category is not TaxCategory.NOT_SUBJECT:  # BR-O-05: no rate for O
        _el(tax, "ram:RateApplicablePercent", rate_text(line.rate))
    _period(settlement, line.start, line.end)
    if line.proration_cents:
        allowance = _el(settlement, "ram:SpecifiedTradeAllowanceCharge")
        _el(_el(allowance, "ram:ChargeIndicator"), "udt:Indicator", "false")
        _el(allowance, "ram:ActualAmount", cents_text(line.proration_cents))
        _el(allowance, "ram:ReasonCode", "95")  # UNTDID 5189: discount
        _el(allowance, "ram:Reason", PRORATION[language])
    summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _el(summation, "ram:LineTotalAmount", cents_text(line.net_cents))


def _period(parent: etree._Element, start: date, end: date) -> None:
    period = _el(parent, "ram:BillingSpecifiedPeriod")
    _date(period, "ram:StartDateTime", start)
    _date(period, "ram:EndDateTime", end)


def _agreement(parent: etree._Element, doc: Document, profile: Profile) -> None:
    agreement = _el(parent, "ram:ApplicableHeaderTradeAgreement")
    if doc.buyer_reference:
        _el(agreement, "ram:BuyerReference", doc.buyer_reference)
    not_subject = any(tax.category is TaxCategory.NOT_SUBJECT for tax in doc.taxes)
    _party(agreement, "ram:SellerTradeParty", doc.seller, seller=True, not_subject=not_subject)
    _party(agreement, "ram:BuyerTradeParty", doc.buyer, seller=False, not_subject=not_subject)


def _party(
    parent: etree._Element, tag: str, party: Party, *, seller: bool, not_subject: bool
) -> None:
    node = _el(parent, tag)
    if party.identifier:  # BT-29
        _el(node, "ram:ID", party.identifier)
    _el(node, "ram:Name", party.name)
    if party.registration:  # BR-CO-26: identifies the seller where no VAT id may stand
        _el(_el(node, "ram:SpecifiedLegalOrganization"), "ram:ID", party.registration)
    if party.contact is not None:
        _contact(node, party.contact)
    address = _el(node, "ram:PostalTradeAddress")
    parts = [
        ("ram:PostcodeCode", party.address.postcode),
        ("ram:LineOne", party.address.street),
        ("ram:CityName", party.address.city),
        ("ram:CountryID", party.address.country),
    ]
    for tag, value in parts:
        if value:  # an unknown part is left out, never written empty
            _el(address, tag, value)
    if party.email:
        uri = _el(node, "ram:URIUniversalCommunication")
        _el(uri, "ram:URIID", party.email, schemeID="EM")
    # BR-O-02: a document with category O names no VAT identifier; the seller's
    # Steuernummer (scheme FC) stands in for it there, as §14 UStG allows.
    if party.vat_id and not not_subject:
        _el(_el(node, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_id, schemeID="VA")
    if seller and party.tax_number and (not_subject or not party.vat_id):
        _el(_el(node, "ram:SpecifiedTaxRegistration"), "ram:ID", party.tax_number, schemeID="FC")


def _contact(parent: etree._Element, contact: Contact) -> None:
    """The contact point (BG-6): an empty part is left out, never written empty."""
    node = _el(parent, "ram:DefinedTradeContact")
    if contact.name:
        _el(node, "ram:PersonName", contact.name)
    if contact.phone:
        _el(_el(node, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber", contact.phone)
    if contact.email:
        _el(_el(node, "ram:EmailURIUniversalCommunication"), "ram:URIID", contact.email)


def _settlement(parent: etree._Element, doc: Document) -> None:
    settlement = _el(parent, "ram:ApplicableHeaderTradeSettlement")
    if isinstance(doc.payment, DirectDebit):
        _el(settlement, "ram:CreditorReferenceID", doc.payment.creditor_id)
    _el(settlement, "ram:PaymentReference", doc.number)
    _el(settlement, "ram:InvoiceCurrencyCode", doc.currency)
    _payment_means(settlement, doc)
    for tax in doc.taxes:
        _tax(settlement, tax)
    _period(settlement, doc.period_start, doc.period_end)
    _terms(settlement, doc)
    _summation(settlement, doc)
    if doc.corrects is not None:
        reference = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(reference, "ram:IssuerAssignedID", doc.corrects.number)
        _date(reference, "ram:FormattedIssueDateTime", doc.corrects.issued_on, kind="qdt")


def _payment_means(parent: etree._Element, doc: Document) -> None:
    means = _el(parent, "ram:SpecifiedTradeSettlementPaymentMeans")
    payment = doc.payment
    if isinstance(payment, DirectDebit):
        _el(means, "ram:TypeCode", "59")
        debtor = _el(means, "ram:PayerPartyDebtorFinancialAccount")
        _el(debtor, "ram:IBANID", payment.debtor_iban_masked)
    elif isinstance(payment, CreditTransfer):
        _el(means, "ram:TypeCode", "58")
        account = _el(means, "ram:PayeePartyCreditorFinancialAccount")
        _el(account, "ram:IBANID", payment.iban)
        if payment.account_name:
            _el(account, "ram:AccountName", payment.account_name)
        if payment.bic:
            bank = _el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _el(bank, "ram:BICID", payment.bic)
    else:
        _el(means, "ram:TypeCode", "1")  # UNTDID 4461: instrument not defined
        _el(means, "ram:Information", payment.note)


def _tax(parent: etree._Element, tax: TaxSubtotal) -> None:
    node = _el(parent, "ram:ApplicableTradeTax")
    _el(node, "ram:CalculatedAmount", cents_text(tax.vat_cents))
    _el(node, "ram:TypeCode", "VAT")
    if tax.exemption_reason:
        _el(node, "ram:ExemptionReason", tax.exemption_reason)
    _el(node, "ram:BasisAmount", cents_text(tax.basis_cents))
    _el(node, "ram:CategoryCode", tax.category.value)
    if tax.exemption_code:
        _el(node, "ram:ExemptionReasonCode", tax.exemption_code)
    if tax.category is not TaxCategory.NOT_SUBJECT:  # BR-O-09: no rate for O
        _el(node, "ram:RateApplicablePercent", rate_text(tax.rate))


def _terms(parent: etree._Element, doc: Document) -> None:
    terms = _el(parent, "ram:SpecifiedTradePaymentTerms")
    _el(terms, "ram:Description", payment_terms_text(doc))
    if doc.due_on is not None:
        _date(terms, "ram:DueDateDateTime", doc.due_on)
    if isinstance(doc.payment, DirectDebit):
        _el(terms, "ram:DirectDebitMandateID", doc.payment.mandate_reference)


def _summation(parent: etree._Element, doc: Document) -> None:
    summation = _el(parent, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    totals = doc.totals
    _el(summation, "ram:LineTotalAmount", cents_text(totals.net_cents))
    _el(summation, "ram:TaxBasisTotalAmount", cents_text(totals.net_cents))
    _el(summation, "ram:TaxTotalAmount", cents_text(totals.vat_cents), currencyID=doc.currency)
    _el(summation, "ram:GrandTotalAmount", cents_text(totals.gross_cents))
    _el(summation, "ram:DuePayableAmount", cents_text(totals.gross_cents))


def payment_terms_text(doc: Document) -> str:
    """BT-20 in the document's language: how and when the amount is paid."""
    payment, german = doc.payment, doc.language == "de"
    due = day(doc.due_on, doc.language) if doc.due_on else ""
    if isinstance(payment, DirectDebit):
        amount = money(doc.totals.gross_cents, doc.language)
        if german:
            return (
                f"Der Gesamtbetrag von {amount} wird am {day(payment.debit_on, 'de')} "
                f"per SEPA-Lastschrift von Ihrem Konto {payment.debtor_iban_masked} eingezogen "
                f"(Mandat {payment.mandate_reference})."
            )
        return (
            f"The total of {amount} will be collected by SEPA direct debit on "
            f"{day(payment.debit_on, 'en')} from your account {payment.debtor_iban_masked} "
            f"(mandate {payment.mandate_reference})."
        )
    if isinstance(payment, CreditTransfer):
        if german:
            return f"Zahlbar ohne Abzug bis {due} per Überweisung."
        return f"Payable without deduction by {due} by bank transfer."
    return payment.note
