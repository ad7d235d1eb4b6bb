"""Invoices: an issued invoice or the upcoming one's preview, and `/addons rechnung`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from slack_sdk.models.blocks import Block as SdkBlock

from domain.catalog import Catalog, Option
from domain.corrections import Correction
from domain.invoices import Invoice, InvoiceLine, LineKind, PlanLine
from domain.money import Money
from domain.parties import Buyer, Seller
from domain.tax import TaxCategory, Taxed, TaxLine
from domain.terms import Payment, PaymentMethod, Terms
from handlers.blocks.kit import Block, context, divider, header, section
from handlers.blocks.labels import TEXTS_CACHE, addon_label, net_text, option_or_none
from handlers.blocks.primitives import (
    MAX_HEADER_TEXT,
    MAX_MESSAGE_BLOCKS,
    MessagePayload,
    clip,
    md,
    message,
    text_sections,
)
from handlers.i18n import escape_mrkdwn, fmt_rate, t, tn

RECENT_INVOICES = 5

_LINE_KEYS = {
    LineKind.PRORATION: "invoice.line.proration",
    LineKind.RENEWAL: "invoice.line.renewal",
    LineKind.CREDIT: "invoice.line.credit",
}


def invoice_line_text(line: InvoiceLine, catalog: Catalog, lang: str) -> str:
    """One invoice line: "Zusätzliche Benutzer (+1), anteilig 03.04.2026–17.04.2026: 2,85 €"."""
    return _line_text(line, option_or_none(catalog, line.option), lang)


@lru_cache(maxsize=TEXTS_CACHE)
def _line_text(line: InvoiceLine, option: Option | None, lang: str) -> str:
    label = escape_mrkdwn(addon_label(option, line.quantity, lang, line.option))
    return t(
        lang,
        _LINE_KEYS[line.kind],
        addon=label,
        start=line.from_day,
        end=line.to_day,
        amount=line.amount,
    )


def plan_line_text(plan: PlanLine, lang: str) -> str:
    """The Tarif line an invoice carries first: "CloudCRM Business, 03.05.–02.06.2026: 49,00 €"."""
    return t(
        lang,
        "invoice.line.plan",
        name=escape_mrkdwn(plan.name),
        start=plan.from_day,
        end=plan.to_day,
        amount=plan.amount,
    )


def invoice_lines(
    invoice: Invoice, catalog: Catalog, lang: str, limit: int | None = None
) -> list[str]:
    """The invoice's lines as bullets, in the invoice's order: the Tarif first, where set
    (the first ``limit`` of them, where given)."""
    lines = [f"• {plan_line_text(invoice.plan, lang)}"] if invoice.plan is not None else []
    rest = invoice.lines if limit is None else invoice.lines[: max(limit - len(lines), 0)]
    return lines + [f"• {invoice_line_text(line, catalog, lang)}" for line in rest]


def amount_text(net: Money, taxed: Taxed | None, lang: str) -> str:
    """A document's amount in one phrase: net and gross, or net alone where its VAT is
    not known (a document issued before invoices carried their terms)."""
    if taxed is None:
        return net_text(net, lang)
    return t(lang, "price.net_gross", net=taxed.net, gross=taxed.gross)


def _tax_text(line: TaxLine, lang: str) -> str:
    if line.category is TaxCategory.REVERSE_CHARGE:
        return t(lang, "invoice.vat_reverse", amount=line.amount)
    if line.category is TaxCategory.NOT_SUBJECT:
        return t(lang, "invoice.vat_not_subject", amount=line.amount)
    return t(lang, "invoice.vat", rate=fmt_rate(line.rate, lang), amount=line.amount)


def totals_lines(net: Money, taxed: Taxed | None, lang: str) -> list[str]:
    """Net, the VAT of each category (with its rate) and gross; net alone without terms."""
    if taxed is None:
        return [f"*{t(lang, 'invoice.total_net', amount=net_text(net, lang))}*"]
    return [
        t(lang, "invoice.net", amount=taxed.net),
        *(_tax_text(line, lang) for line in taxed.lines),
        f"*{t(lang, 'invoice.gross', amount=taxed.gross)}*",
    ]


def payment_text(payment: Payment, gross: Money, lang: str, *, refund: bool = False) -> str:
    """How the gross amount is paid: debited on a day from a masked IBAN, or a transfer."""
    debit = payment.method is PaymentMethod.DIRECT_DEBIT
    if refund:
        if debit:
            return t(
                lang,
                "correction.payment.debit",
                amount=-gross,
                date=payment.due_on,
                iban=payment.debtor_iban_masked,
                mandate=escape_mrkdwn(payment.mandate_reference or ""),
            )
        return t(lang, "correction.payment.transfer", amount=-gross, date=payment.due_on)
    if debit:
        return t(
            lang,
            "invoice.payment.debit",
            amount=gross,
            date=payment.due_on,
            iban=payment.debtor_iban_masked,
            mandate=escape_mrkdwn(payment.mandate_reference or ""),
            creditor=payment.creditor_id or "",
        )
    if payment.seller_iban:
        return t(lang, "invoice.payment.transfer", date=payment.due_on, iban=payment.seller_iban)
    return t(lang, "invoice.payment.transfer_plain", date=payment.due_on)


def _party(party: Seller | Buyer, lang: str) -> str:
    """A party as the DM names it: name, address, VAT id (or tax number)."""
    place = " ".join(p for p in (party.postcode, party.city) if p)
    parts = [party.name, *(p for p in (party.street, place, party.country) if p)]
    if party.vat_id:
        parts.append(t(lang, "invoice.party_vat_id", vat_id=party.vat_id))
    elif isinstance(party, Seller) and party.tax_number:
        parts.append(t(lang, "invoice.party_tax_number", tax_number=party.tax_number))
    return escape_mrkdwn(", ".join(parts))


def parties_text(terms: Terms, lang: str) -> str:
    """ "Von CloudCRM GmbH, …, USt-IdNr. DE… an Kunde GmbH, …, USt-IdNr. ATU…"."""
    seller = _party(terms.seller, lang) if terms.seller is not None else "–"
    return t(lang, "invoice.parties", seller=seller, buyer=_party(terms.buyer, lang))


# The overview shows this many lines of the Entwurf and counts the rest, so that it
# stays one section however many add-ons a workspace has.
ENTWURF_LINES = 10


def entwurf_text(upcoming: Invoice, catalog: Catalog, lang: str) -> str:
    """The Entwurf of the next consolidated invoice: its date, its lines (in the invoice's
    order) and its net, VAT and gross."""
    title = f"*{t(lang, 'invoice.entwurf_title', date=upcoming.issued_on)}*"
    count = len(upcoming.lines) + (upcoming.plan is not None)
    shown = invoice_lines(upcoming, catalog, lang, limit=ENTWURF_LINES)  # the rest counted
    if count > len(shown):
        shown.append(tn(lang, "invoice.more_lines", count - len(shown)))
    if not count:
        return "\n".join([title, t(lang, "invoice.entwurf_empty")])
    return "\n".join([title, *shown, *totals_lines(upcoming.total, upcoming.taxed, lang)])


def recent_invoices_text(
    recent: Sequence[Invoice], lang: str, corrections: Sequence[Correction] = ()
) -> str:
    """ "Letzte Rechnungen": one line for each of the newest few (or "none yet"), each
    followed by the Rechnungskorrekturen that correct it."""
    lines = []
    for inv in list(recent)[:RECENT_INVOICES]:
        amount = amount_text(inv.total, inv.taxed, lang)
        lines.append(
            t(lang, "invoice.recent_line", number=inv.number, date=inv.issued_on, amount=amount)
        )
        for correction in sorted(
            (c for c in corrections if c.corrects == inv.number), key=lambda c: c.number or 0
        ):
            lines.append(correction_line(correction, lang))
    body = "\n".join(lines) if lines else t(lang, "invoice.none")
    return f"*{t(lang, 'invoice.recent_title')}*\n{body}"


def correction_line(correction: Correction, lang: str) -> str:
    """ "↳ Rechnungskorrektur K-1 vom 20.04.2026: -2,85 € netto, -3,39 € brutto"."""
    return t(
        lang,
        "correction.recent_line",
        number=correction.number,
        date=correction.issued_on,
        amount=amount_text(correction.total, correction.taxed, lang),
    )


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
        note = t(lang, "invoice.preview_note")
    else:
        note = t(
            lang,
            "invoice.issued",
            issued=invoice.issued_on,
            start=invoice.period.start,
            end=invoice.period.end,
        )
    blocks.append(context(block_id=f"{prefix}_note", elements=[md(note)]))
    lines = invoice_lines(invoice, catalog, lang)
    taxed = invoice.taxed
    paid = invoice.number is not None and invoice.terms is not None and taxed is not None
    if paid and invoice.terms is not None:
        parties = parties_text(invoice.terms, lang)
        blocks.append(context(block_id=f"{prefix}_parties", elements=[md(parties)]))
    tail = 2 if paid else 1  # the totals, and how it is paid
    if lines:
        room = max(2, max_blocks - len(blocks) - tail)
        blocks += text_sections(lines, room, lang, f"{prefix}_lines", "invoice.more_lines")
    else:
        blocks.append(section(block_id=f"{prefix}_empty", text=md(t(lang, "invoice.empty"))))
    totals = "\n".join(totals_lines(invoice.total, taxed, lang))
    blocks.append(section(block_id=f"{prefix}_total", text=md(totals)))
    if paid and invoice.terms is not None and taxed is not None:
        payment = payment_text(invoice.terms.payment, taxed.gross, lang)
        blocks.append(context(block_id=f"{prefix}_payment", elements=[md(payment)]))
    return blocks


def correction_title(correction: Correction, lang: str) -> str:
    """ "Rechnungskorrektur Nr. 1 vom 20.04.2026"."""
    return t(lang, "correction.title", number=correction.number, date=correction.issued_on)


def correction_blocks(correction: Correction, *, catalog: Catalog, lang: str) -> list[Block]:
    """A Rechnungskorrektur: number, date, the invoice it corrects, its lines, its total."""
    prefix = f"correction_{correction.number}"
    lines = []
    for line in correction.lines:
        option = option_or_none(catalog, line.option)
        label = escape_mrkdwn(addon_label(option, line.quantity, lang, line.option))
        text = t(
            lang,
            "correction.line",
            addon=label,
            start=line.from_day,
            end=line.to_day,
            amount=line.amount,
        )
        lines.append(f"• {text}")
    corrects = t(lang, "correction.corrects", number=correction.corrects)
    blocks: list[Block] = [
        header(
            block_id=f"{prefix}_title",
            text=clip(correction_title(correction, lang), MAX_HEADER_TEXT),
        ),
        section(block_id=f"{prefix}_corrects", text=md(corrects)),
    ]
    if correction.terms is not None:
        parties = parties_text(correction.terms, lang)
        blocks.append(context(block_id=f"{prefix}_parties", elements=[md(parties)]))
    taxed = correction.taxed
    room = max(2, MAX_MESSAGE_BLOCKS - len(blocks) - 2)
    blocks += text_sections(lines, room, lang, f"{prefix}_lines", "invoice.more_lines")
    totals = "\n".join(totals_lines(correction.total, taxed, lang))
    blocks.append(section(block_id=f"{prefix}_total", text=md(totals)))
    if correction.terms is not None and taxed is not None:
        payment = payment_text(correction.terms.payment, taxed.gross, lang, refund=True)
        blocks.append(context(block_id=f"{prefix}_payment", elements=[md(payment)]))
    return blocks


def invoices_message(
    upcoming: Invoice | None,
    recent: Sequence[Invoice],
    *,
    catalog: Catalog,
    lang: str,
    corrections: Sequence[Correction] = (),
) -> MessagePayload:
    """`/addons rechnung`: the upcoming consolidated invoice, then the last invoices."""
    blocks: list[Block] = []
    texts = []
    if upcoming is not None:
        blocks += invoice_block_dicts(
            upcoming, catalog=catalog, lang=lang, max_blocks=MAX_MESSAGE_BLOCKS - 3
        )
        amount = amount_text(upcoming.total, upcoming.taxed, lang)
        texts.append(f"{_title(upcoming, lang)}: {amount}")
    recent_text = recent_invoices_text(recent, lang, corrections)
    blocks += [
        divider(block_id="recent_divider"),
        section(block_id="recent", text=md(recent_text)),
    ]
    texts.append(recent_text)
    return message("\n".join(texts), blocks)
