"""Invoices: an issued invoice or the upcoming one's preview, and `/addons rechnung`."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block as SdkBlock

from domain.catalog import Catalog
from domain.invoices import Invoice, InvoiceLine, LineKind
from handlers.blocks.kit import Block, context, divider, header, section
from handlers.blocks.labels import addon_label, option_or_none
from handlers.blocks.primitives import (
    MAX_HEADER_TEXT,
    MAX_MESSAGE_BLOCKS,
    MessagePayload,
    clip,
    md,
    message,
    text_sections,
)
from handlers.i18n import escape_mrkdwn, t

RECENT_INVOICES = 5

_LINE_KEYS = {
    LineKind.PRORATION: "invoice.line.proration",
    LineKind.RENEWAL: "invoice.line.renewal",
    LineKind.CREDIT: "invoice.line.credit",
}


def invoice_line_text(line: InvoiceLine, catalog: Catalog, lang: str) -> str:
    """One invoice line: "Zusätzliche Benutzer (+1), anteilig 03.04.2026–17.04.2026: 2,85 €"."""
    option = option_or_none(catalog, line.option)
    label = escape_mrkdwn(addon_label(option, line.quantity, lang, line.option))
    return t(
        lang,
        _LINE_KEYS[line.kind],
        addon=label,
        start=line.from_day,
        end=line.to_day,
        amount=line.amount,
    )


def recent_invoices_text(recent: Sequence[Invoice], lang: str) -> str:
    """ "Letzte Rechnungen" and one line for each of the newest few (or "none yet")."""
    lines = [
        t(lang, "invoice.recent_line", number=inv.number, date=inv.issued_on, total=inv.total)
        for inv in list(recent)[:RECENT_INVOICES]
    ]
    body = "\n".join(lines) if lines else t(lang, "invoice.none")
    return f"*{t(lang, 'invoice.recent_title')}*\n{body}"


def _title(invoice: Invoice, lang: str) -> str:
    if invoice.number is None:
        return t(lang, "invoice.preview_title", date=invoice.issued_on)
    return t(lang, "invoice.title", number=invoice.number, date=invoice.issued_on)


def invoice_blocks(
    invoice: Invoice, *, catalog: Catalog, lang: str, max_blocks: int = MAX_MESSAGE_BLOCKS
) -> list[SdkBlock]:
    """:func:`invoice_block_dicts` as slack_sdk blocks (for callers that want models)."""
    blocks = invoice_block_dicts(invoice, catalog=catalog, lang=lang, max_blocks=max_blocks)
    return [parsed for b in blocks if (parsed := SdkBlock.parse(b)) is not None]


def invoice_block_dicts(
    invoice: Invoice, *, catalog: Catalog, lang: str, max_blocks: int = MAX_MESSAGE_BLOCKS
) -> list[Block]:
    """An issued invoice (number, date, lines, total) or the preview of the upcoming one."""
    prefix = f"invoice_{invoice.number if invoice.number is not None else 'next'}"
    blocks: list[Block] = [
        header(block_id=f"{prefix}_title", text=clip(_title(invoice, lang), MAX_HEADER_TEXT))
    ]
    if invoice.number is None:
        blocks.append(
            context(block_id=f"{prefix}_note", elements=[md(t(lang, "invoice.preview_note"))])
        )
    lines = [f"• {invoice_line_text(line, catalog, lang)}" for line in invoice.lines]
    if lines:
        room = max(2, max_blocks - len(blocks) - 1)  # 1: the total
        blocks += text_sections(lines, room, lang, f"{prefix}_lines", "invoice.more_lines")
    else:
        blocks.append(section(block_id=f"{prefix}_empty", text=md(t(lang, "invoice.empty"))))
    total = f"*{t(lang, 'invoice.total', total=invoice.total)}*"
    blocks.append(section(block_id=f"{prefix}_total", text=md(total)))
    return blocks


def invoices_message(
    upcoming: Invoice | None, recent: Sequence[Invoice], *, catalog: Catalog, lang: str
) -> MessagePayload:
    """`/addons rechnung`: the upcoming consolidated invoice, then the last invoices."""
    blocks: list[Block] = []
    texts = []
    if upcoming is not None:
        blocks += invoice_block_dicts(
            upcoming, catalog=catalog, lang=lang, max_blocks=MAX_MESSAGE_BLOCKS - 3
        )
        texts.append(f"{_title(upcoming, lang)}. {t(lang, 'invoice.total', total=upcoming.total)}")
    recent_text = recent_invoices_text(recent, lang)
    blocks += [
        divider(block_id="recent_divider"),
        section(block_id="recent", text=md(recent_text)),
    ]
    texts.append(recent_text)
    return message("\n".join(texts), blocks)
