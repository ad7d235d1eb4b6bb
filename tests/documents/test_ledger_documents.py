"""Every document the ledger issues says what its terms say, and passes EN 16931.

The invoices here are made as the billing run makes them (``Invoicing.terms``): a buyer
of each VAT category, with and without a Tarif, paid by SEPA direct debit or transfer,
in German and English, and corrections of them. Each becomes a document through
``from_ledger``, is written as CII XML and checked by the EN 16931 XSD and Schematron;
its totals are the invoice's own (what the operator CLI's JSON says).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from bot.adapters.documents import cii, validation
from bot.adapters.documents.from_ledger import DocumentRefused, invoice_document
from bot.adapters.documents.renderer import files_of
from bot.services.shapes import correction_to_json, invoice_to_json
from domain.corrections import Correction
from domain.invoices import Invoice, InvoiceLine, LineKind, PlanLine
from domain.money import Money
from domain.tax import TaxCategory
from tests.documents import ledger
from tests.documents.checks import problems
from tests.documents.ledger import document_of

pytest.importorskip("saxonche", reason="the Schematron needs the dev extra (saxonche)")

CATEGORIES = list(TaxCategory)
NS = cii.NSMAP


def xpath(xml: bytes, path: str) -> list[str]:
    """The text of every node ``path`` finds in ``xml``."""
    return [str(v) for v in etree.fromstring(xml).xpath(path, namespaces=NS)]


def totals(xml: bytes) -> dict[str, str]:
    """BT-109 (net), BT-110 (VAT), BT-112 (gross) and BT-115 (due) of a CII XML."""
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    return {
        "net": xpath(xml, summation + "TaxBasisTotalAmount/text()")[0],
        "vat": xpath(xml, summation + "TaxTotalAmount/text()")[0],
        "gross": xpath(xml, summation + "GrandTotalAmount/text()")[0],
        "due": xpath(xml, summation + "DuePayableAmount/text()")[0],
    }


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("tarif", [False, True], ids=["addons", "tarif"])
@pytest.mark.parametrize("sepa", [False, True], ids=["transfer", "sepa"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_an_invoice_of_each_kind_passes_the_en16931_xsd_and_schematron(
    category: TaxCategory, tarif: bool, sepa: bool, language: str
) -> None:
    doc = document_of(ledger.invoice(category, tarif=tarif, sepa=sepa), language)
    assert problems(doc) == []


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("language", ["de", "en"])
def test_a_correction_of_each_category_passes_and_references_its_invoice(
    category: TaxCategory, language: str
) -> None:
    correction = ledger.correction(ledger.invoice(category, sepa=True))
    doc = document_of(correction, language)
    assert problems(doc) == []
    xml = cii.build(doc)
    assert xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["384"]
    reference = "//ram:InvoiceReferencedDocument/"
    assert xpath(xml, reference + "ram:IssuerAssignedID/text()") == ["7"]  # BT-25
    assert xpath(xml, reference + "ram:FormattedIssueDateTime/qdt:DateTimeString/text()") == [
        "20260418"  # BT-26
    ]
    assert set(xpath(xml, "//ram:CategoryCode/text()")) == {category.value}


def test_a_correction_of_a_reverse_charge_invoice_stays_reverse_charge() -> None:
    invoice = ledger.invoice(TaxCategory.REVERSE_CHARGE)
    xml = cii.build(document_of(ledger.correction(invoice)))
    assert set(xpath(xml, "//ram:CategoryCode/text()")) == {"AE"}
    assert xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/*/text()")[
        :3
    ] == ["0.00", "VAT", "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)"]
    assert xpath(xml, "//ram:ExemptionReasonCode/text()") == ["VATEX-EU-AE"]
    assert totals(xml) == {"net": "-2.85", "vat": "0.00", "gross": "-2.85", "due": "-2.85"}


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("tarif", [False, True], ids=["addons", "tarif"])
def test_the_xml_totals_are_the_jsons_net_vat_and_gross(category: TaxCategory, tarif: bool) -> None:
    invoice = ledger.invoice(category, tarif=tarif, quantity=3)
    shown = invoice_to_json(invoice)
    xml = cii.build(document_of(invoice))
    assert totals(xml) == {
        "net": shown["net"],
        "vat": shown["vat"],
        "gross": shown["gross"],
        "due": shown["gross"],
    }
    correction = ledger.correction(invoice)
    shown = correction_to_json(correction)
    xml = cii.build(document_of(correction))
    assert totals(xml) == {
        "net": shown["net"],
        "vat": shown["vat"],
        "gross": shown["gross"],
        "due": shown["gross"],
    }


def test_a_german_invoice_with_a_tarif_carries_19_percent_on_everything() -> None:
    xml = cii.build(document_of(ledger.invoice(tarif=True)))
    # 49.00 Tarif + 2.85 + 5.90 = 57.75 net; 19 % = 10.9725 -> 10.97
    assert totals(xml) == {"net": "57.75", "vat": "10.97", "gross": "68.72", "due": "68.72"}
    first = "//ram:IncludedSupplyChainTradeLineItem[1]/"
    assert xpath(xml, first + "ram:SpecifiedTradeProduct/ram:Name/text()") == ["CloudCRM Business"]
    assert xpath(xml, first + "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/text()") == ["1"]
    period = first + "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/"
    assert xpath(xml, period + "*/udt:DateTimeString/text()") == ["20260418", "20260517"]
    assert set(xpath(xml, "//ram:RateApplicablePercent/text()")) == {"19.00"}


def test_the_parties_are_named_as_the_terms_fix_them() -> None:
    invoice = ledger.invoice(TaxCategory.REVERSE_CHARGE, reference=ledger.LEITWEG_ID)
    xml = cii.build(document_of(invoice))
    seller, buyer = "//ram:SellerTradeParty/", "//ram:BuyerTradeParty/"
    assert xpath(xml, seller + "ram:Name/text()") == ["CloudCRM GmbH"]
    assert xpath(xml, seller + "ram:SpecifiedTaxRegistration/ram:ID/text()") == ["DE123456788"]
    assert xpath(xml, buyer + "ram:Name/text()") == ["Exemple SARL"]
    assert xpath(xml, buyer + "ram:PostalTradeAddress/*/text()") == [
        "75002",
        "12 rue de la Paix",
        "Paris",
        "FR",
    ]
    assert xpath(xml, buyer + "ram:SpecifiedTaxRegistration/ram:ID/text()") == ["FR40303265045"]
    assert xpath(xml, buyer + "ram:URIUniversalCommunication/ram:URIID/text()") == [
        "compta@exemple.example"
    ]
    assert xpath(xml, "//ram:BuyerReference/text()") == [ledger.LEITWEG_ID]
    assert xpath(xml, "//rsm:ExchangedDocument/ram:IssueDateTime/*/text()") == ["20260418"]


def test_an_invoice_outside_the_eu_carries_no_vat_id_and_says_why() -> None:
    xml = cii.build(document_of(ledger.invoice(TaxCategory.NOT_SUBJECT), "en"))
    registrations = xpath(xml, "//ram:SpecifiedTaxRegistration/ram:ID/@schemeID")
    assert "VA" not in registrations  # BR-O-02
    assert xpath(xml, "//ram:ExemptionReason/text()") == ["Not subject to German VAT"]
    assert xpath(xml, "//ram:ExemptionReasonCode/text()") == ["VATEX-EU-O"]
    assert xpath(xml, "//ram:RateApplicablePercent/text()") == []  # BR-O-05, BR-O-09


def test_an_invoice_outside_the_eu_without_handelsregister_names_the_steuernummer() -> None:
    settings = replace(ledger.SETTINGS, registration=None)
    invoice = ledger.invoice(TaxCategory.NOT_SUBJECT)
    sub = ledger.subscription()
    doc = invoice_document(invoice, sub, ledger.CATALOG, settings)
    assert problems(doc) == []
    assert xpath(cii.build(doc), "//ram:SellerTradeParty/ram:ID/text()") == ["30/123/45678"]


def test_an_invoice_outside_the_eu_is_refused_when_only_the_vat_id_could_name_the_seller() -> None:
    settings = replace(ledger.SETTINGS, registration=None, tax_number=None)
    how = ledger.invoicing(settings)
    invoice = ledger.invoice(TaxCategory.NOT_SUBJECT, how=how)
    with pytest.raises(DocumentRefused, match="ADDONS_SELLER_TAX_NUMBER"):
        invoice_document(invoice, ledger.subscription(), ledger.CATALOG, settings)


def test_a_reverse_charge_invoice_is_refused_without_the_sellers_vat_id() -> None:
    settings = replace(ledger.SETTINGS, vat_id=None)
    invoice = ledger.invoice(TaxCategory.REVERSE_CHARGE, how=ledger.invoicing(settings))
    with pytest.raises(DocumentRefused, match="ADDONS_SELLER_VAT_ID"):
        invoice_document(invoice, ledger.subscription(), ledger.CATALOG, settings)


def test_sepa_direct_debit_names_mandate_creditor_account_and_debit_date() -> None:
    invoice = ledger.invoice(sepa=True)
    assert invoice.terms is not None
    xml = cii.build(document_of(invoice))
    settlement = "//ram:ApplicableHeaderTradeSettlement/"
    assert xpath(xml, settlement + "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode/text()")[
        0
    ] == ("59")
    assert xpath(xml, settlement + "ram:CreditorReferenceID/text()") == [ledger.CREDITOR_ID]
    terms = settlement + "ram:SpecifiedTradePaymentTerms/"
    assert xpath(xml, terms + "ram:DirectDebitMandateID/text()") == ["ADDONS-T0001"]
    assert xpath(xml, terms + "ram:DueDateDateTime/*/text()") == ["20260502"]
    assert xpath(xml, "//ram:PayerPartyDebtorFinancialAccount/ram:IBANID/text()") == [
        "DE89 **** 3000"
    ]


def test_a_transfer_names_the_sellers_account_and_the_due_date() -> None:
    xml = cii.build(document_of(ledger.invoice()))
    means = "//ram:SpecifiedTradeSettlementPaymentMeans/"
    assert xpath(xml, means + "ram:TypeCode/text()") == ["58"]
    assert xpath(xml, means + "ram:PayeePartyCreditorFinancialAccount/ram:IBANID/text()") == [
        "DE02120300000000202051"
    ]
    assert xpath(xml, means + "ram:PayeeSpecifiedCreditorFinancialInstitution/*/text()") == [
        "BYLADEM1001"
    ]
    assert xpath(xml, "//ram:DueDateDateTime/*/text()") == ["20260502"]


def test_without_a_seller_contact_the_en16931_document_omits_it_and_no_xrechnung_is_made() -> None:
    settings = replace(ledger.SETTINGS, contact_name="", contact_phone="", contact_email="")
    invoice = ledger.invoice(reference=ledger.LEITWEG_ID)
    doc = invoice_document(invoice, ledger.subscription(), ledger.CATALOG, settings)
    assert problems(doc) == []
    assert b"DefinedTradeContact" not in cii.build(doc)
    assert [f.format for f in files_of(doc)] == ["pdf", "xml"]
    with pytest.raises(cii.XRechnungRefused) as refused:
        cii.build(doc, "xrechnung")
    assert str(refused.value) == (
        "7 has no XRechnung: it needs the seller's contact name (ADDONS_SELLER_CONTACT_NAME), "
        "the seller's contact phone (ADDONS_SELLER_CONTACT_PHONE), "
        "the seller's contact e-mail (ADDONS_SELLER_CONTACT_EMAIL)"
    )


def test_an_invoice_with_a_leitweg_id_and_a_seller_contact_also_has_a_valid_xrechnung() -> None:
    doc = document_of(ledger.invoice(sepa=True, reference=ledger.LEITWEG_ID))
    assert [f.format for f in files_of(doc)] == ["pdf", "xml", "xrechnung"]
    assert problems(doc, "xrechnung") == []


def test_without_a_buyer_reference_the_xrechnung_is_refused_naming_it() -> None:
    doc = document_of(ledger.invoice())
    assert (
        cii.xrechnung_refusal(doc)
        == "7 has no XRechnung: it needs the buyer reference (Leitweg-ID)"
    )


def test_an_invoice_issued_before_terms_keeps_its_legacy_document() -> None:
    invoice = replace(ledger.invoice(), terms=None)
    doc = document_of(invoice)
    assert doc.buyer.name == "Slack-Workspace T0001"
    assert {line.rate for line in doc.lines} == {Decimal(19)}
    assert problems(doc) == []


@st.composite
def issued(draw: st.DrawFn) -> Invoice | Correction:
    """An invoice (or a correction of it) of random lines to a buyer of any category."""
    category = draw(st.sampled_from(CATEGORIES))
    sepa = draw(st.booleans())
    invoice = ledger.invoice(category, sepa=sepa)
    lines = []
    for index in range(draw(st.integers(1, 6))):
        quantity = draw(st.integers(1, 1000))
        option = draw(st.sampled_from(["users", "storage"]))
        days = draw(st.integers(1, 31))
        net = round(quantity * 590 * days / 31)  # proration's rounding is the ledger's
        start = date(2026, 3, 18) + timedelta(days=31 - days)
        kind = LineKind.RENEWAL if days == 31 else LineKind.PRORATION
        lines.append(
            InvoiceLine(
                kind,
                index + 1,
                option,
                quantity,
                start,
                date(2026, 4, 17),
                Money(net),
                ledger.ISSUED,
                id=100 + index,
                invoice_number=7,
            )
        )
    plan = None
    if draw(st.booleans()):
        price = Money(draw(st.integers(0, 99_999)))
        plan = PlanLine("CloudCRM Business", price, ledger.PERIOD.start, ledger.PERIOD.end)
    invoice = replace(invoice, lines=tuple(lines), plan=plan)
    if draw(st.booleans()):
        return replace(
            ledger.correction(invoice),
            lines=tuple(
                line.credit(date(2026, 4, 20)) for line in lines[: draw(st.integers(1, len(lines)))]
            ),
        )
    return invoice


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issued(), st.sampled_from(["de", "en"]))
def test_hypothesis_generated_ledgers_are_valid_and_total_as_the_json_says(
    source: Invoice | Correction, language: str
) -> None:
    doc = document_of(source, language)
    assert problems(doc) == []
    taxed = source.taxed
    assert taxed is not None
    xml = cii.build(doc)
    assert totals(xml) == {
        "net": str(taxed.net.amount),
        "vat": str(taxed.vat.amount),
        "gross": str(taxed.gross.amount),
        "due": str(taxed.gross.amount),
    }


def test_the_stored_en16931_xml_says_why_there_is_no_xrechnung_as_the_document_does() -> None:
    settings = replace(ledger.SETTINGS, contact_phone="")
    invoice = ledger.invoice(TaxCategory.NOT_SUBJECT)
    doc = invoice_document(invoice, ledger.subscription(), ledger.CATALOG, settings)
    line = validation.xrechnung_refusal_of(cii.build(doc))
    assert line == cii.xrechnung_refusal(doc)
    assert line == (
        "7 has no XRechnung: it needs the seller's contact phone (ADDONS_SELLER_CONTACT_PHONE), "
        "the buyer reference (Leitweg-ID)"
    )
    with_all = document_of(ledger.invoice(reference=ledger.LEITWEG_ID))
    assert validation.xrechnung_refusal_of(cii.build(with_all)) is None
