"""The PDF reads like a German invoice (§14 Abs. 4 UStG) and is a Factur-X PDF/A-3."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

from facturx import get_xml_from_pdf
from pypdf import PdfReader

from bot.adapters.documents import cii, pdf
from bot.adapters.documents.model import Document
from bot.adapters.documents.model import TaxCategory as ModelCategory
from bot.adapters.documents.renderer import files_of
from domain.corrections import Correction
from domain.invoices import Invoice
from domain.tax import TaxCategory
from tests.documents import ledger, samples
from tests.documents.ledger import document_of


def rendered(doc: Document) -> tuple[bytes, bytes]:
    """(PDF, the XML embedded in it)."""
    xml = cii.build(doc)
    return pdf.render(doc, xml), xml


def text_of(data: bytes) -> str:
    """The PDF's text, lines joined."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_names_what_section_14_ustg_asks_for() -> None:
    doc = samples.invoice(tarif=True, buyer_reference="04011000-12345-34")
    text = text_of(rendered(doc)[0])
    for expected in [
        "CloudCRM GmbH",  # the seller's name and address
        "Friedrichstraße 123",
        "10117 Berlin",
        "USt-IdNr. DE123456788",  # the seller's VAT id and tax number
        "Steuernr. 30/123/45678",
        "Muster Software GmbH",  # the buyer's name, address and VAT id
        "80331 München",
        "DE987654321",
        "Rechnung 7",  # the number
        "Rechnungsdatum",
        "18.04.2026",  # the issue date
        "18.04.2026 – 17.05.2026",  # the period
        "Leistungszeitraum: 03.04.2026 – 17.04.2026",  # a line's service period
        "Tarif Professional",
        "1 Stk.",  # quantity and unit
        "49,00 €",
        "Summe netto",
        "USt. 19 % auf 57,75 €",  # VAT by category with its rate and basis
        "10,97 €",
        "Gesamtbetrag",
        "68,72 €",
        "zzgl. USt.",
        "Zahlbar ohne Abzug bis 02.05.2026",
        "IBAN DE02120300000000202051",
        "04011000-12345-34",  # the buyer reference
    ]:
        assert expected in text, expected


def test_a_reverse_charge_invoice_in_english_says_why_it_carries_no_vat() -> None:
    doc = samples.invoice(ModelCategory.REVERSE_CHARGE, language="en", payment=samples.SEPA)
    text = text_of(rendered(doc)[0])
    assert "Invoice 7" in text
    assert "Steuerschuldnerschaft des Leistungsempfängers" in text
    assert "FR40303265045" in text
    assert "SEPA direct debit" in text
    assert "ADDONS-T0001" in text
    assert "DE98ZZZ09999999999" in text


def test_a_rechnungskorrektur_names_the_invoice_it_corrects() -> None:
    text = text_of(rendered(samples.correction())[0])
    assert "Rechnungskorrektur K-2" in text
    assert "Korrigiert Rechnung Nr. 7 vom 18.04.2026" in text
    assert "-2,85 €" in text


def test_the_pdf_embeds_the_same_xml_as_factur_x_xml() -> None:
    data, xml = rendered(samples.invoice())
    filename, embedded = get_xml_from_pdf(data, check_xsd=False)
    assert filename == "factur-x.xml"
    assert embedded == xml


def test_the_pdf_is_pdf_a_3_with_the_xml_as_data_and_every_font_embedded() -> None:
    data, _ = rendered(samples.invoice(tarif=True))
    reader = PdfReader(io.BytesIO(data))
    root: Any = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    files = root["/AF"]
    assert [f.get_object()["/AFRelationship"] for f in files] == ["/Data"]
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            descriptor = font.get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font.get_object()["/BaseFont"]


def test_forty_lines_run_onto_a_second_page_with_its_own_heading() -> None:
    doc = samples.invoice()
    many = replace(doc, lines=doc.lines * 20)
    reader = PdfReader(io.BytesIO(rendered(many)[0]))
    assert len(reader.pages) > 1
    assert "Seite 2" in reader.pages[1].extract_text()


def ledger_text(source: Invoice | Correction, language: str = "de") -> str:
    """The text of the PDF the renderer makes of an issued invoice or correction."""
    [pdf_file] = [f for f in files_of(document_of(source, language)) if f.format == "pdf"]
    return text_of(pdf_file.content)


def test_an_issued_invoice_reads_with_the_section_14_fields_its_terms_fix() -> None:
    text = ledger_text(ledger.invoice(tarif=True))
    for expected in [
        "USt-IdNr. DE123456788",  # the seller's VAT id
        "Muster Software GmbH",  # the buyer, from its Rechnungsdaten
        "Hauptstraße 5",
        "80331 München",
        "Ihre USt-IdNr.",
        "DE136695976",  # the buyer's VAT id
        "Rechnungsdatum",
        "18.04.2026",  # the issue date
        "18.04.2026 – 17.05.2026",  # the period
        "CloudCRM Business",  # the Tarif, first
        "Leistungszeitraum: 03.04.2026 – 17.04.2026",
        "Summe netto",
        "57,75 €",  # net
        "USt. 19 % auf 57,75 €",
        "10,97 €",  # VAT
        "Gesamtbetrag",
        "68,72 €",  # gross
        "zzgl. USt.",
        "Zahlbar ohne Abzug bis 02.05.2026 per Überweisung.",
        "IBAN DE02120300000000202051",
    ]:
        assert expected in text, expected
    assert text.index("CloudCRM Business") < text.index("Zusätzliche Benutzer")


def test_a_reverse_charge_invoice_names_both_vat_ids_and_says_the_buyer_owes_the_vat() -> None:
    text = ledger_text(ledger.invoice(TaxCategory.REVERSE_CHARGE, sepa=True))
    for expected in [
        "USt-IdNr. DE123456788",
        "Exemple SARL",
        "75002 Paris",
        "FRANKREICH",
        "FR40303265045",
        "Summe netto",
        "USt. 0 % auf 8,75 €",
        "0,00 €",
        "Gesamtbetrag",
        "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)",
        # SEPA: when, from which account (masked), the mandate and the Gläubiger-ID
        "02.05.2026",
        "DE89 **** 3000",
        "Mandatsreferenz: ADDONS-T0001",
        "Gläubiger-ID: DE98ZZZ09999999999",
    ]:
        assert expected in text, expected
    assert "DE89370400440532013000" not in text


def test_an_english_invoice_outside_the_eu_says_it_is_not_subject_to_german_vat() -> None:
    text = ledger_text(ledger.invoice(TaxCategory.NOT_SUBJECT), "en")
    for expected in [
        "Invoice 7",
        "Example Inc.",
        "UNITED STATES",
        "VAT 0 % on",
        "Total net",
        "Payable without deduction by May 2, 2026 by bank transfer.",
    ]:
        assert expected in text, expected
    assert "Not subject to German VAT" in text


def test_a_correction_of_a_reverse_charge_invoice_reads_as_one() -> None:
    text = ledger_text(ledger.correction(ledger.invoice(TaxCategory.REVERSE_CHARGE)))
    for expected in [
        "Rechnungskorrektur K-2",
        "Korrigiert Rechnung Nr. 7 vom 18.04.2026",
        "FR40303265045",
        "-2,85 €",
        "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)",
    ]:
        assert expected in text, expected
