"""The PDF reads like a German invoice (§14 Abs. 4 UStG) and is a Factur-X PDF/A-3."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

from facturx import get_xml_from_pdf
from pypdf import PdfReader

from bot.adapters.documents import cii, pdf
from bot.adapters.documents.model import Document, TaxCategory
from tests.documents import samples


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
    doc = samples.invoice(TaxCategory.REVERSE_CHARGE, language="en", payment=samples.SEPA)
    text = text_of(rendered(doc)[0])
    assert "Invoice 7" in text
    assert "Steuerschuldnerschaft des Leistungsempfängers" in text
    assert "FR12345678901" in text
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
