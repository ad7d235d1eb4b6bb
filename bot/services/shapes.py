"""The stable JSON shapes of invoices, add-ons and workspaces (operator CLI, events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.addons import AddOn
from domain.corrections import Correction
from domain.invoices import Invoice, InvoiceLine, PlanLine
from domain.money import Money
from domain.parties import mask_iban
from domain.tax import Taxed
from domain.terms import Terms
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


def _plan_to_json(plan: PlanLine) -> dict[str, Any]:
    return {
        "kind": "plan",
        "addon_id": None,
        "option": None,
        "name": plan.name,
        "from": plan.from_day.isoformat(),
        "to": plan.to_day.isoformat(),
        "quantity": 1,
        "amount": str(plan.amount.amount),
    }


def _in_law(net: Money, taxed: Taxed | None, terms: Terms | None) -> dict[str, Any]:
    """Net, VAT, gross, the tax per category, seller, buyer and payment of a document.

    A document issued before invoices carried terms has its net only (VAT and gross null).
    """
    return {
        "net": str(net.amount),
        "vat": str(taxed.vat.amount) if taxed else None,
        "gross": str(taxed.gross.amount) if taxed else None,
        "tax": [line.to_json() for line in taxed.lines] if taxed else [],
        "seller": terms.seller.to_json() if terms and terms.seller else None,
        "buyer": terms.buyer.to_json() if terms else None,
        "payment": terms.payment.to_json() if terms else None,
    }


def invoice_to_json(invoice: Invoice, customer: str | None = None) -> dict[str, Any]:
    """The stable JSON form of an invoice (or of the preview, with number null).

    ``customer`` is the workspace's CloudCRM customer number, null when none is set.
    ``total`` is the net sum; ``lines`` start with the Tarif where one is billed.
    """
    plan = [_plan_to_json(invoice.plan)] if invoice.plan is not None else []
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
        **_in_law(invoice.total, invoice.taxed, invoice.terms),
        "lines": plan + [_line_to_json(line) for line in invoice.lines],
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
        **_in_law(correction.total, correction.taxed, correction.terms),
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
        "billing_details": details_to_json(sub),
        "plan": (
            {"name": sub.plan.name, "price": str(sub.plan.price.amount)} if sub.plan else None
        ),
    }


def details_to_json(sub: Subscription) -> dict[str, Any]:
    """The workspace's Rechnungsdaten (the mandate's IBAN masked)."""
    d = sub.details
    mandate = d.mandate
    return {
        "company": d.company,
        "street": d.street,
        "postcode": d.postcode,
        "city": d.city,
        "country": d.country,
        "vat_id": d.vat_id,
        "invoice_email": d.invoice_email,
        "buyer_reference": d.buyer_reference,
        "sepa_mandate": (
            {
                "reference": mandate.reference,
                "iban": mask_iban(mandate.iban),
                "signed_on": mandate.signed_on.isoformat(),
            }
            if mandate
            else None
        ),
    }
