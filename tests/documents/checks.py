"""The tests' verdict on a document: XSD, Schematron (and BR-DE), warnings included."""

from __future__ import annotations

from bot.adapters.documents import cii
from bot.adapters.documents.model import Document
from bot.adapters.documents.validation import Finding, check, check_schematron

# The one warning every document keeps: ApplicableHeaderTradeDelivery is empty, as the
# service period (BT-73/74) stands for the delivery (docs/documents.md).
ACCEPTED_WARNINGS = {"PEPPOL-EN16931-R008"}


def problems(doc: Document, profile: cii.Profile = "en16931") -> list[Finding]:
    """Fatal findings of XSD and Schematron, and warnings other than the accepted one."""
    return problems_of(cii.build(doc, profile), xrechnung=profile == "xrechnung")


def problems_of(xml: bytes, *, xrechnung: bool = False) -> list[Finding]:
    """The same for XML bytes already made."""
    found = check(xml, xrechnung=xrechnung)
    warnings = [f for f in check_schematron(xml) if not f.fatal]
    return found + [w for w in warnings if w.rule not in ACCEPTED_WARNINGS]
