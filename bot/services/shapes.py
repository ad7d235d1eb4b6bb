"""The stable JSON shapes of invoices, add-ons and workspaces (operator CLI, events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.addons import AddOn
from domain.corrections import Correction
from domain.invoices import Invoice, InvoiceLine
from domain.workspace import Subscription


def iso(day: date | None) -> str | None:
    """A date as ISO text, or None."""
    return day.isoformat() if day else None


def _line_to_json(line: InvoiceLine) -> dict[str, Any]:
    return {
        "kind": line.kind.value,
        "addon_id": line.addon_id,
        "option": line.option,
        "from": line.from_day.isoformat(),
        "to": line.to_day.isoformat(),
        "quantity": line.quantity,
        "amount": str(line.amount.amount),
    }


def invoice_to_json(invoice: Invoice, customer: str | None = None) -> dict[str, Any]:
    """The stable JSON form of an invoice (or of the preview, with number null).

    ``customer`` is the workspace's CloudCRM customer number, null when none is set.
    """
    return {
        "type": "invoice",
        "number": invoice.number,
        "team_id": invoice.team_id,
        "customer": customer,
        "issued_on": invoice.issued_on.isoformat(),
        "period_start": invoice.period.start.isoformat(),
        "period_end": invoice.period.end.isoformat(),
        "total": str(invoice.total.amount),
        "currency": invoice.total.currency,
        "lines": [_line_to_json(line) for line in invoice.lines],
    }


def correction_to_json(correction: Correction, customer: str | None = None) -> dict[str, Any]:
    """The stable JSON form of a Rechnungskorrektur: credit lines, negative amounts."""
    return {
        "type": "correction",
        "number": correction.number,
        "team_id": correction.team_id,
        "customer": customer,
        "corrects": correction.corrects,
        "issued_on": correction.issued_on.isoformat(),
        "total": str(correction.total.amount),
        "currency": correction.total.currency,
        "lines": [
            {**_line_to_json(line), "reverses_line": line.credits_line_id}
            for line in correction.lines
        ],
    }


def document_to_json(document: Invoice | Correction, customer: str | None = None) -> dict[str, Any]:
    """An invoice or a correction, each in its own shape (``type`` tells which)."""
    if isinstance(document, Correction):
        return correction_to_json(document, customer)
    return invoice_to_json(document, customer)


def addon_to_json(addon: AddOn) -> dict[str, Any]:
    """The stable JSON form of an add-on."""
    return {
        "id": addon.id,
        "option": addon.option,
        "quantity": addon.quantity,
        "status": addon.status.value,
        "booked_on": addon.booked_on.isoformat(),
        "billed_until": iso(addon.billed_until),
        "effective_on": iso(addon.effective_on),
        "ended_on": iso(addon.ended_on),
    }


def workspace_to_json(sub: Subscription, now: datetime) -> dict[str, Any]:
    """The workspace as ``workspace show --json`` prints it (Slack's side added there)."""
    period = sub.schedule.period_containing(sub.today(now))
    return {
        "team_id": sub.team_id,
        "anchor": sub.anchor.isoformat(),
        "timezone": sub.timezone,
        "locale": sub.locale,
        "customer": sub.customer,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "billing_admins": list(sub.billing_admins),
    }
