"""`addons-bot invoice preview`, `invoices list|show`: upcoming and issued invoices."""

from __future__ import annotations

from bot import services
from bot.cli.invocation import Run
from bot.cli.output import invoice_lines, money


async def invoice_preview(run: Run) -> int:
    """The upcoming consolidated invoice as it stands today."""
    invoice = await services.preview_invoice(run.ctx, run.args.team_id, run.now)
    customer = (await services.get_workspace(run.ctx, run.args.team_id)).customer
    if run.args.json:
        return run.json(services.invoice_to_json(invoice, customer))
    return run.say(
        *invoice_lines(
            run.catalog,
            invoice,
            f"Upcoming invoice for {invoice.team_id} (preview, no number yet), "
            f"to be issued {invoice.issued_on}",
        )
    )


async def invoices_list(run: Run) -> int:
    """The workspace's issued invoices, newest first."""
    invoices = await services.list_invoices(run.ctx, run.args.team_id)
    customer = (await services.get_workspace(run.ctx, run.args.team_id)).customer
    if run.args.json:
        return run.json([services.invoice_to_json(invoice, customer) for invoice in invoices])
    if not invoices:
        return run.say(f"{run.args.team_id} has no invoices yet.")
    return run.say(
        f"Invoices of {run.args.team_id}{_customer(customer)}, newest first:",
        *(
            f"{invoice.number:>6}  issued {invoice.issued_on}  "
            f"period {invoice.period.start}..{invoice.period.end}  "
            f"{money(invoice.total):>14}  ({len(invoice.lines)} lines)"
            for invoice in invoices
        ),
    )


async def invoices_show(run: Run) -> int:
    """One issued invoice with its lines."""
    invoice = await services.get_invoice(run.ctx, run.args.number)
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
