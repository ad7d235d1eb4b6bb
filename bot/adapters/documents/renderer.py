"""The DocumentRenderer port's adapter: ledger -> view model -> CII XML -> PDF/A-3.

Rendering is CPU work (ReportLab, lxml, pypdf): it runs in a worker thread so the
sender's event loop keeps serving. Every XML is checked against the EN 16931 XSD before
anything is stored: a document that fails is never stored nor sent (the job fails and
is retried, and the operator sees why in the outbox).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.adapters.documents import cii, pdf
from bot.adapters.documents.from_ledger import (
    SellerSettings,
    correction_document,
    invoice_document,
)
from bot.adapters.documents.model import Document
from bot.adapters.documents.validation import check_xsd
from bot.ports import RenderedFile
from domain.catalog import Catalog
from domain.corrections import Correction
from domain.invoices import Invoice
from domain.workspace import Subscription


class InvalidDocument(Exception):
    """The XML the app made breaks the EN 16931 schema: a bug, never sent."""


def files_of(doc: Document) -> tuple[RenderedFile, ...]:
    """The PDF (XML embedded), the CII XML and, where the document has what XRechnung asks
    (a buyer reference, the seller contact: ``cii.xrechnung_missing``), the XRechnung."""
    xml = cii.build(doc)
    broken = check_xsd(xml)
    if broken:
        raise InvalidDocument(f"{doc.number}: {broken[0].text}")
    stem = doc.filename_stem
    files = [
        RenderedFile("pdf", f"{stem}.pdf", pdf.render(doc, xml)),
        RenderedFile("xml", f"{stem}.xml", xml),
    ]
    if cii.xrechnung_refusal(doc) is None:  # the Leitweg-ID, the seller contact (BR-DE)
        files.append(
            RenderedFile("xrechnung", f"{stem}-xrechnung.xml", cii.build(doc, "xrechnung"))
        )
    return tuple(files)


@dataclass(frozen=True)
class Renderer:
    """Renders documents with the configured seller and catalog."""

    seller: SellerSettings
    catalog: Catalog

    def document(
        self, source: Invoice | Correction, sub: Subscription, corrected: Invoice | None
    ) -> Document:
        """The view model of an invoice or a correction."""
        if isinstance(source, Correction):
            issued = corrected.issued_on if corrected is not None else source.issued_on
            return correction_document(source, issued, sub, self.catalog, self.seller)
        return invoice_document(source, sub, self.catalog, self.seller)

    async def render(
        self, source: Invoice | Correction, sub: Subscription, corrected: Invoice | None
    ) -> tuple[RenderedFile, ...]:
        """Every file of the document, rendered in a worker thread."""
        return await asyncio.to_thread(files_of, self.document(source, sub, corrected))
