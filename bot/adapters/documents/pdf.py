"""The invoice as a hybrid ZUGFeRD / Factur-X PDF/A-3: ReportLab draws, factur-x embeds.

ReportLab draws an A4 page in the DIN 5008 layout (address window, information block,
the lines, the totals, the footer with what §14 UStG asks of the seller) with the
Bitstream Vera TrueType fonts that ReportLab itself ships, embedded as subsets: nothing is
read from the network or the system. ``facturx.generate_from_binary`` then embeds the
CII XML as ``factur-x.xml`` (AFRelationship ``Data``) and writes the XMP metadata
(``pdfaid:part=3``, conformance B, the Factur-X extension schema); an sRGB output
intent from Pillow's littleCMS completes what PDF/A asks.
"""

from __future__ import annotations

import io
from functools import cache

from facturx import generate_from_binary
from PIL import ImageCms
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from bot.adapters.documents.layout import draw_document
from bot.adapters.documents.model import Document

FONT, BOLD = "AddonsVera", "AddonsVera-Bold"


@cache
def register_fonts() -> None:
    """Register ReportLab's own Vera TTFs once (embedded as subsets in every PDF)."""
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))


def draw(doc: Document) -> bytes:
    """The visible PDF (not yet PDF/A-3, no XML attached)."""
    register_fonts()
    out = io.BytesIO()
    canvas = Canvas(
        out, pagesize=A4, pageCompression=1, invariant=1, initialFontName=FONT, initialFontSize=9
    )
    canvas.setTitle(title(doc))
    canvas.setAuthor(doc.seller.name)
    canvas.setSubject(title(doc))
    draw_document(canvas, doc, FONT, BOLD, margin=20 * mm)
    canvas.save()
    return out.getvalue()


def title(doc: Document) -> str:
    """``Rechnung 7`` / ``Invoice 7`` / ``Rechnungskorrektur K-2``."""
    german = doc.language == "de"
    if doc.is_correction:
        word = "Rechnungskorrektur" if german else "Corrected invoice"
    else:
        word = "Rechnung" if german else "Invoice"
    return f"{word} {doc.number}"


def render(doc: Document, xml: bytes) -> bytes:
    """The hybrid PDF/A-3 with ``xml`` embedded as ``factur-x.xml``."""
    visible = with_output_intent(draw(doc))
    metadata = {
        "author": doc.seller.name,
        "keywords": "Factur-X, ZUGFeRD, EN 16931",
        "title": title(doc),
        "subject": f"{title(doc)} – {doc.buyer.name}",
    }
    return bytes(
        generate_from_binary(
            visible,
            xml,
            flavor="factur-x",
            level="en16931",
            check_xsd=False,  # the caller validates; the tests run XSD and Schematron
            pdf_metadata=metadata,
            lang="de-DE" if doc.language == "de" else "en-US",
            afrelationship="data",
        )
    )


@cache
def _srgb() -> bytes:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return bytes(profile.tobytes())


def with_output_intent(pdf: bytes) -> bytes:
    """The PDF with an sRGB PDF/A output intent (PDF/A-3 asks for one)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    icc = StreamObject()
    icc._data = _srgb()
    icc[NameObject("/N")] = NumberObject(3)
    intent = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/OutputIntent"),
            NameObject("/S"): NameObject("/GTS_PDFA1"),
            NameObject("/OutputConditionIdentifier"): TextStringObject("sRGB"),
            NameObject("/Info"): TextStringObject("sRGB IEC61966-2.1"),
            NameObject("/DestOutputProfile"): writer._add_object(icc),
        }
    )
    writer._root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
