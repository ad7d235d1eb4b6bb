"""Every kind of document the app issues passes the EN 16931 XSD and Schematron, offline."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.adapters.documents import cii
from bot.adapters.documents.model import (
    Language,
    Payment,
    TaxCategory,
)
from bot.adapters.documents.validation import (
    check_xrechnung,
    check_xsd,
)
from tests.documents import samples
from tests.documents.checks import problems

pytest.importorskip("saxonche", reason="the Schematron needs the dev extra (saxonche)")

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
    rules = {f.rule for f in check_xrechnung(cii.build(doc, "xrechnung", strict=False))}
    assert {"BR-DE-2", "BR-DE-5", "BR-DE-6", "BR-DE-7", "BR-DE-15"} <= rules


def test_an_en16931_document_is_not_taken_for_an_xrechnung() -> None:
    rules = {f.rule for f in check_xrechnung(cii.build(samples.invoice(buyer_reference="x")))}
    assert rules == {"BR-DE-21"}


def test_a_wrong_seller_iban_breaks_br_de_19() -> None:
    transfer = replace(samples.TRANSFER, iban="DE02120300000000202052")
    doc = samples.invoice(payment=transfer, buyer_reference="04011000-12345-34")
    assert [f.rule for f in check_xrechnung(cii.build(doc, "xrechnung"))] == ["BR-DE-19"]
