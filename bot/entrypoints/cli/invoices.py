"""`addons-bot invoice preview`, `invoices list|show`: upcoming and issued invoices, and
the Rechnungskorrekturen (addressed as ``K-<number>``)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from bot import services
from bot.entrypoints.cli import arguments
from bot.entrypoints.cli.invocation import Run
from bot.entrypoints.cli.output import count, in_law, invoice_lines, money, option_text, total_lines
from domain.catalog import Catalog
from domain.corrections import Correction

CORRECTION_PREFIX = "K-"  # K for Korrektur: its numbers are a sequence of their own


@dataclass(frozen=True)
class DocumentNumber:
    """Which document `invoices show` names: invoice ``number``, or correction K-``number``."""

    number: int
    correction: bool = False


def document_number(text: str) -> DocumentNumber:
    """``17`` is invoice 17, ``K-3`` (or ``k-3``) is correction 3."""
    if text[:2].upper() == CORRECTION_PREFIX:
        try:
            return DocumentNumber(arguments.identifier(text[2:]), correction=True)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                f"not an invoice or correction number: {text!r} (use 17 or K-3)"
            ) from None
    return DocumentNumber(arguments.identifier(text))


def correction_lines(catalog: Catalog, correction: Correction) -> list[str]:
    """A correction as a heading, one row per reversed line, and the (negative) total."""
    out = [
        f"Correction K-{correction.number} (Rechnungskorrektur) for {correction.team_id}, "
        f"issued {correction.issued_on}, corrects invoice {correction.corrects}; "
        "amounts excl. VAT"
    ]
    for line in correction.lines:
        out.append(
            f"  {line.kind.value:<10} add-on #{line.addon_id:<5} "
            f"{option_text(catalog, line.option, line.quantity):<28} "
            f"{line.from_day}..{line.to_day}  {money(line.amount):>14}"
        )
    return out + total_lines(correction.total, correction.taxed)


async def invoice_preview(run: Run) -> int:
    """Every invoice due and not yet issued, then the upcoming one, as they stand today.

    JSON: the upcoming invoice's object as always, with ``due_now``: the invoices the
    next billing run issues first (empty when the workspace is up to date).
    """
    *due, upcoming = await services.preview_invoices(run.ctx, run.args.team_id, run.now)
    customer = (await services.get_workspace(run.ctx, run.args.team_id)).customer
    if run.args.json:
        shown = services.invoice_to_json(upcoming, customer)
        shown["due_now"] = [services.invoice_to_json(each, customer) for each in due]
        return run.json(shown)
    lines: list[str] = []
    for invoice in due:
        lines += invoice_lines(
            run.catalog,
            invoice,
            f"Due invoice for {invoice.team_id} (preview, no number yet), "
            "to be issued by the next billing run",
        )
    return run.say(
        *lines,
        *invoice_lines(
            run.catalog,
            upcoming,
            f"Upcoming invoice for {upcoming.team_id} (preview, no number yet), "
            f"to be issued {upcoming.issued_on}",
        ),
    )


async def invoices_list(run: Run) -> int:
    """The workspace's issued invoices and corrections, newest first."""
    documents = await services.list_documents(run.ctx, run.args.team_id)
    customer = (await services.get_workspace(run.ctx, run.args.team_id)).customer
    if run.args.json:
        return run.json([services.document_to_json(d, customer) for d in documents])
    if not documents:
        return run.say(f"{run.args.team_id} has no invoices yet.")
    rows = []
    for d in documents:
        if isinstance(d, Correction):
            rows.append(
                f"{'K-' + str(d.number):>6}  issued {d.issued_on}  "
                f"corrects invoice {d.corrects:<12} {in_law(d.total, d.taxed)}  "
                f"({count(len(d.lines), 'line')})"
            )
        else:
            lines = count(len(d.lines) + (d.plan is not None), "line")
            rows.append(
                f"{d.number:>6}  issued {d.issued_on}  period {d.period.start}..{d.period.end}  "
                f"{in_law(d.total, d.taxed)}  ({lines})"
            )
    return run.say(
        f"Invoices and corrections of {run.args.team_id}{_customer(customer)}, newest first:",
        *rows,
    )


async def invoices_show(run: Run) -> int:
    """One issued invoice, or one correction (K-<number>), with its lines."""
    which: DocumentNumber = run.args.number
    if which.correction:
        correction = await services.get_correction(run.ctx, which.number)
        customer = (await services.get_workspace(run.ctx, correction.team_id)).customer
        if run.args.json:
            return run.json(services.correction_to_json(correction, customer))
        return run.say(*correction_lines(run.catalog, correction))
    invoice = await services.get_invoice(run.ctx, which.number)
    customer = (await services.get_workspace(run.ctx, invoice.team_id)).customer
    if run.args.json:
        return run.json(services.invoice_to_json(invoice, customer))
    return run.say(
        *invoice_lines(
            run.catalog,
            invoice,
            f"Invoice {invoice.number} for {invoice.team_id}{_customer(customer)}, "
            f"issued {invoice.issued_on}",
        )
    )


def _customer(customer: str | None) -> str:
    """ " (customer C-4711)", or nothing when the workspace has no customer number."""
    return f" (customer {customer})" if customer else ""
