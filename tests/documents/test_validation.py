"""Every kind of document the app issues passes the EN 16931 XSD and Schematron, offline."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.documents import cii
from bot.adapters.documents.model import (
    Document,
    Language,
    Line,
    Payment,
    TaxCategory,
    tax_subtotals,
    totals_of,
)
from bot.adapters.documents.validation import (
    Finding,
    check,
    check_schematron,
    check_xrechnung,
    check_xsd,
)
from tests.documents import samples

pytest.importorskip("saxonche", reason="the Schematron needs the dev extra (saxonche)")

# The one warning every document keeps: ApplicableHeaderTradeDelivery is empty, as the
# service period (BT-73/74) stands for the delivery (docs/documents.md).
ACCEPTED_WARNINGS = {"PEPPOL-EN16931-R008"}


def problems(doc: Document, profile: cii.Profile = "en16931") -> list[Finding]:
    """Fatal findings of XSD and Schematron, and warnings other than the accepted one."""
    xml = cii.build(doc, profile)
    found = check(xml, xrechnung=profile == "xrechnung")
    warnings = [f for f in check_schematron(xml) if not f.fatal]
    return found + [w for w in warnings if w.rule not in ACCEPTED_WARNINGS]


CATEGORIES = list(TaxCategory)


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("tarif", [False, True])
def test_an_invoice_of_each_tax_category_with_and_without_tarif_is_valid(
    category: TaxCategory, tarif: bool
) -> None:
    assert problems(samples.invoice(category, tarif=tarif)) == []


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("payment", [samples.SEPA, samples.TRANSFER], ids=["sepa", "transfer"])
def test_an_invoice_paid_by_direct_debit_or_transfer_is_valid(
    category: TaxCategory, payment: Payment
) -> None:
    assert problems(samples.invoice(category, payment=payment)) == []


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("language", ["de", "en"])
def test_a_rechnungskorrektur_in_either_language_is_valid(
    category: TaxCategory, language: Language
) -> None:
    assert problems(samples.correction(category, language=language)) == []


@pytest.mark.parametrize("quantity", [1, 1000])
@pytest.mark.parametrize("language", ["de", "en"])
def test_quantities_from_one_to_the_maximum_are_valid(quantity: int, language: Language) -> None:
    assert problems(samples.invoice(quantity=quantity, tarif=True, language=language)) == []


@pytest.mark.parametrize("payment", [samples.SEPA, samples.TRANSFER], ids=["sepa", "transfer"])
def test_the_xrechnung_variant_passes_en16931_and_the_br_de_rules(
    payment: Payment,
) -> None:
    doc = samples.invoice(payment=payment, buyer_reference="04011000-12345-34")
    assert problems(doc, "xrechnung") == []


def test_the_xrechnung_variant_of_a_correction_is_valid() -> None:
    doc = replace(samples.correction(), buyer_reference="04011000-12345-34")
    assert problems(doc, "xrechnung") == []


def test_a_wrong_total_fails_the_schematron() -> None:
    found = problems(samples.broken_total(samples.invoice()))
    assert [f.rule for f in found] == ["BR-CO-10"]


def test_a_missing_element_fails_the_xsd() -> None:
    xml = cii.build(samples.invoice()).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")
    assert [f.rule for f in check_xsd(xml)] == ["XSD"]


def test_an_xrechnung_without_buyer_reference_or_seller_contact_breaks_br_de_rules() -> None:
    doc = samples.invoice()
    doc = replace(doc, seller=replace(doc.seller, contact=None))
    rules = {f.rule for f in check_xrechnung(cii.build(doc, "xrechnung"))}
    assert {"BR-DE-2", "BR-DE-5", "BR-DE-6", "BR-DE-7", "BR-DE-15"} <= rules


def test_an_en16931_document_is_not_taken_for_an_xrechnung() -> None:
    rules = {f.rule for f in check_xrechnung(cii.build(samples.invoice(buyer_reference="x")))}
    assert rules == {"BR-DE-21"}


def test_a_wrong_seller_iban_breaks_br_de_19() -> None:
    transfer = replace(samples.TRANSFER, iban="DE02120300000000202052")
    doc = samples.invoice(payment=transfer, buyer_reference="04011000-12345-34")
    assert [f.rule for f in check_xrechnung(cii.build(doc, "xrechnung"))] == ["BR-DE-19"]


@st.composite
def ledgers(draw: st.DrawFn) -> Document:
    """A document of random lines: quantities 1..1000, prices, prorations, one category."""
    category = draw(st.sampled_from(CATEGORIES))
    correction = draw(st.booleans())
    sign = -1 if correction else 1
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        quantity = draw(st.integers(1, 1000))
        price = draw(st.integers(1, 99_999))
        days = draw(st.integers(1, 31))
        net = round(quantity * price * days / 31)  # proration's rounding is the ledger's
        start = date(2026, 3, 18) + timedelta(days=31 - days)
        name = draw(st.sampled_from(["Zusätzliche Benutzer", "Erweiterter Speicherplatz"]))
        rate = samples.RATES[category]
        lines.append(
            Line(name, sign * quantity, price, sign * net, start, date(2026, 4, 17), category, rate)
        )
    base = samples.correction(category) if correction else samples.invoice(category)
    taxes = tax_subtotals(tuple(lines), samples.REASONS)
    return replace(base, lines=tuple(lines), taxes=taxes, totals=totals_of(tuple(lines), taxes))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_hypothesis_generated_ledgers_are_valid(doc: Document) -> None:
    assert problems(doc) == []
