"""The stable JSON shapes of invoices and add-ons (operator CLI, events)."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.addons import AddOn
from domain.corrections import Correction
from domain.invoices import Invoice, InvoiceLine


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


def invoice_to_json(invoice: Invoice) -> dict[str, Any]:
    """The stable JSON form of an invoice (or of the preview, with number null)."""
    return {
        "type": "invoice",
        "number": invoice.number,
        "team_id": invoice.team_id,
        "issued_on": invoice.issued_on.isoformat(),
        "period_start": invoice.period.start.isoformat(),
        "period_end": invoice.period.end.isoformat(),
        "total": str(invoice.total.amount),
        "currency": invoice.total.currency,
        "lines": [_line_to_json(line) for line in invoice.lines],
    }


def correction_to_json(correction: Correction) -> dict[str, Any]:
    """The stable JSON form of a Rechnungskorrektur: credit lines, negative amounts."""
    return {
        "type": "correction",
        "number": correction.number,
        "team_id": correction.team_id,
        "corrects": correction.corrects,
        "issued_on": correction.issued_on.isoformat(),
        "total": str(correction.total.amount),
        "currency": correction.total.currency,
        "lines": [
            {**_line_to_json(line), "reverses_line": line.credits_line_id}
            for line in correction.lines
        ],
    }


def document_to_json(document: Invoice | Correction) -> dict[str, Any]:
    """An invoice or a correction, each in its own shape (``type`` tells which)."""
    if isinstance(document, Correction):
        return correction_to_json(document)
    return invoice_to_json(document)


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
