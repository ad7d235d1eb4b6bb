"""The invoice page in the DIN 5008 layout, drawn on a ReportLab canvas."""

from __future__ import annotations

from babel import Locale
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from bot.adapters.documents.cii import PRORATION, payment_terms_text
from bot.adapters.documents.model import DirectDebit, Document, Line, Party, TaxCategory
from bot.adapters.documents.texts import LABELS, LOCALES, day, money, number

WIDTH, HEIGHT = A4
GREY = Color(0.4, 0.4, 0.4)
RULE = Color(0.75, 0.75, 0.75)
ACCENT = Color(0.11, 0.32, 0.55)
FOOTER_TOP = 32 * mm  # lines never run into the footer
# Right edges of the number columns and the left edges of the text columns.
COL_POS, COL_ITEM = 20 * mm, 31 * mm
COL_QTY, COL_PRICE, COL_AMOUNT = 132 * mm, 161 * mm, 190 * mm


class Page:
    """A canvas with the document's fonts and a cursor running down the page."""

    def __init__(self, canvas: Canvas, doc: Document, font: str, bold: str) -> None:
        self.canvas, self.doc, self.font, self.bold = canvas, doc, font, bold
        self.words = LABELS[doc.language]
        self.y = HEIGHT
        self.number = 1

    def text(
        self,
        x: float,
        y: float,
        value: str,
        size: float = 9,
        *,
        bold: bool = False,
        right: bool = False,
        color: Color = black,
    ) -> None:
        """One line of text at (x, y); right-aligned at x when ``right``."""
        self.canvas.setFillColor(color)
        self.canvas.setFont(self.bold if bold else self.font, size)
        if right:
            self.canvas.drawRightString(x, y, value)
        else:
            self.canvas.drawString(x, y, value)

    def rule(self, y: float, x0: float = COL_POS, x1: float = COL_AMOUNT) -> None:
        """A thin horizontal line."""
        self.canvas.setStrokeColor(RULE)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(x0, y, x1, y)

    def room(self, needed: float) -> None:
        """Start a new page when the next ``needed`` points would run into the footer."""
        if self.y - needed > FOOTER_TOP + 8 * mm:
            return
        footer(self)
        self.canvas.showPage()
        self.number += 1
        self.y = HEIGHT - 25 * mm
        self.text(
            COL_POS,
            self.y,
            f"{heading(self)} – {self.words['page'].format(page=self.number)}",
            9,
            color=GREY,
        )
        self.y -= 10 * mm
        table_head(self)


def heading(page: Page) -> str:
    """``Rechnung 7`` / ``Rechnungskorrektur K-2``."""
    word = page.words["correction" if page.doc.is_correction else "invoice"]
    return f"{word} {page.doc.number}"


def draw_document(canvas: Canvas, doc: Document, font: str, bold: str, margin: float) -> None:
    """Draw every page of ``doc`` on ``canvas``."""
    page = Page(canvas, doc, font, bold)
    letterhead(page)
    address_window(page)
    info_block(page)
    page.y = HEIGHT - 108 * mm
    page.text(COL_POS, page.y, heading(page), 15, bold=True, color=ACCENT)
    if doc.corrects is not None:
        page.y -= 6 * mm
        when = day(doc.corrects.issued_on, doc.language)
        page.text(
            COL_POS,
            page.y,
            page.words["corrects"].format(number=doc.corrects.number, date=when),
            10,
            bold=True,
        )
    page.y -= 10 * mm
    page.text(COL_POS, page.y, page.words["salutation"], 9.5)
    page.y -= 5 * mm
    page.text(
        COL_POS, page.y, page.words["intro_correction" if doc.is_correction else "intro"], 9.5
    )
    page.y -= 9 * mm
    table_head(page)
    for index, line in enumerate(doc.lines, start=1):
        page.room(12 * mm)
        table_line(page, index, line)
    page.room(40 * mm)
    totals(page)
    page.room(30 * mm)
    payment(page)
    footer(page)


def letterhead(page: Page) -> None:
    seller = page.doc.seller
    page.text(COL_AMOUNT, HEIGHT - 20 * mm, seller.name, 16, bold=True, right=True, color=ACCENT)
    lines = [seller.address.street, f"{seller.address.postcode} {seller.address.city}"]
    if seller.contact is not None:
        lines += [seller.contact.phone, seller.contact.email or seller.email or ""]
    else:
        lines.append(seller.email or "")
    for offset, value in enumerate(line for line in lines if line.strip()):
        page.text(COL_AMOUNT, HEIGHT - (26 + 4 * offset) * mm, value, 8, right=True, color=GREY)


def country_name(code: str, page: Page) -> str:
    """The buyer's country in the document's language (DIN 5008: last line, capitals)."""
    name = Locale.parse(LOCALES[page.doc.language]).territories.get(code, code)
    return str(name).upper()


def address_window(page: Page) -> None:
    seller, buyer = page.doc.seller, page.doc.buyer
    top = HEIGHT - 45 * mm
    sender = (
        f"{seller.name} · {seller.address.street} · {seller.address.postcode} {seller.address.city}"
    )
    page.text(25 * mm, top + 3 * mm, sender, 6.5, color=GREY)
    page.rule(top + 2 * mm, 25 * mm, 105 * mm)
    lines = _party_lines(buyer)
    if buyer.address.country != seller.address.country:
        lines.append(country_name(buyer.address.country, page))
    for offset, value in enumerate(lines):
        page.text(25 * mm, top - (4 + 5 * offset) * mm, value, 10)


def info_block(page: Page) -> None:
    doc, words = page.doc, page.words
    rows = [
        (words["correction_number" if doc.is_correction else "number"], doc.number),
        (words["issued"], day(doc.issued_on, doc.language)),
        (
            words["period"],
            f"{day(doc.period_start, doc.language)} – {day(doc.period_end, doc.language)}",
        ),
    ]
    if doc.due_on is not None:
        rows.append((words["due"], day(doc.due_on, doc.language)))
    if doc.buyer.vat_id:
        rows.append((words["buyer_vat"], doc.buyer.vat_id))
    if doc.buyer_reference:
        rows.append((words["buyer_reference"], doc.buyer_reference))
    top = HEIGHT - 50 * mm
    for offset, (label, value) in enumerate(rows):
        y = top - 5 * offset * mm
        page.text(110 * mm, y, label, 8.5, color=GREY)
        page.text(COL_AMOUNT, y, value, 8.5, right=True)


def table_head(page: Page) -> None:
    words = page.words
    page.text(COL_POS, page.y, words["pos"], 8.5, bold=True)
    page.text(COL_ITEM, page.y, words["item"], 8.5, bold=True)
    page.text(COL_QTY, page.y, words["quantity"], 8.5, bold=True, right=True)
    page.text(COL_PRICE, page.y, words["price"], 8.5, bold=True, right=True)
    page.text(COL_AMOUNT, page.y, words["amount"], 8.5, bold=True, right=True)
    page.rule(page.y - 2.5 * mm)
    page.y -= 7 * mm


def table_line(page: Page, index: int, line: Line) -> None:
    language, words = page.doc.language, page.words
    page.text(COL_POS, page.y, str(index), 9)
    page.text(COL_ITEM, page.y, line.name, 9)
    page.text(COL_QTY, page.y, f"{number(line.quantity, language)} {words['unit']}", 9, right=True)
    page.text(COL_PRICE, page.y, money(line.unit_price_cents, language), 9, right=True)
    page.text(COL_AMOUNT, page.y, money(line.net_cents, language), 9, right=True)
    span = f"{words['period']}: {day(line.start, language)} – {day(line.end, language)}"
    if line.proration_cents:
        span += f" · {PRORATION[language]}: {money(-line.proration_cents, language)}"
    page.text(COL_ITEM, page.y - 4 * mm, span, 7.5, color=GREY)
    page.rule(page.y - 6.5 * mm)
    page.y -= 11 * mm


def totals(page: Page) -> None:
    doc, words, language = page.doc, page.words, page.doc.language
    label_x = 120 * mm
    page.text(label_x, page.y, words["net"], 9)
    page.text(COL_AMOUNT, page.y, money(doc.totals.net_cents, language), 9, right=True)
    for tax in doc.taxes:
        page.y -= 5 * mm
        basis = money(tax.basis_cents, language)
        if tax.category is TaxCategory.STANDARD:
            label = words["vat"].format(rate=number(tax.rate, language), basis=basis)
        else:
            label = words["vat_zero"].format(basis=basis)
        page.text(label_x, page.y, label, 9)
        page.text(COL_AMOUNT, page.y, money(tax.vat_cents, language), 9, right=True)
    page.rule(page.y - 2.5 * mm, label_x, COL_AMOUNT)
    page.y -= 7 * mm
    total_word = words["refund" if doc.is_correction else "gross"]
    page.text(label_x, page.y, total_word, 10, bold=True)
    page.text(
        COL_AMOUNT, page.y, money(doc.totals.gross_cents, language), 10, bold=True, right=True
    )
    page.y -= 5 * mm
    page.text(COL_AMOUNT, page.y, words["prices"], 7.5, right=True, color=GREY)
    for tax in doc.taxes:
        if tax.exemption_reason:
            page.y -= 6 * mm
            page.text(COL_POS, page.y, tax.exemption_reason, 8.5, bold=True)
    page.y -= 10 * mm


def payment(page: Page) -> None:
    doc, words = page.doc, page.words
    width = COL_AMOUNT - COL_POS
    for offset, line in enumerate(simpleSplit(payment_terms_text(doc), page.font, 9, width)):
        if offset:
            page.y -= 4.5 * mm
        page.text(COL_POS, page.y, line, 9)
    if isinstance(doc.payment, DirectDebit):
        debit = doc.payment
        details = (
            f"{words['mandate']}: {debit.mandate_reference} · {words['creditor']}: "
            f"{debit.creditor_id}"
        )
        page.y -= 5 * mm
        page.text(COL_POS, page.y, details, 8.5)
    page.y -= 8 * mm


def _party_lines(party: Party) -> list[str]:
    """Name, street, post code and city; a part not known is left out."""
    place = f"{party.address.postcode} {party.address.city}".strip()
    return [line for line in (party.name, party.address.street, place) if line]


def footer(page: Page) -> None:
    doc, words = page.doc, page.words
    seller = doc.seller
    ids = []
    if seller.vat_id:
        ids.append(f"{words['vat_id']} {seller.vat_id}")
    if seller.tax_number:
        ids.append(f"{words['tax_number']} {seller.tax_number}")
    if seller.registration:
        ids.append(seller.registration)
    bank = []
    if doc.seller_account is not None:
        bank = [words["bank"], f"IBAN {doc.seller_account.iban}"]
        if doc.seller_account.bic:
            bank.append(f"BIC {doc.seller_account.bic}")
    email = (seller.contact.email if seller.contact else "") or seller.email
    contact = [email] if email else []
    columns = [_party_lines(seller), ids + contact, bank]
    page.rule(FOOTER_TOP)
    for column, lines in enumerate(columns):
        for offset, value in enumerate(lines):
            y = FOOTER_TOP - (4 + 3.5 * offset) * mm
            page.text(COL_POS + column * 60 * mm, y, value, 7, color=GREY)
