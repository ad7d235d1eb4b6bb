"""The CLI's output formats: JSON on stdout, and the text lines shared by its commands."""

from __future__ import annotations

import json
from typing import Any

from bot.ports import AuditEntry
from domain.addons import AddOn, Status
from domain.catalog import Catalog
from domain.invoices import Invoice, PlanLine
from domain.money import Money
from domain.tax import TaxCategory, Taxed, TaxLine, rate_text

# Why a category other than S carries no VAT, as the documents say it.
EXEMPT = {
    TaxCategory.REVERSE_CHARGE: "reverse charge",
    TaxCategory.NOT_SUBJECT: "not subject to German VAT",
}


def print_json(value: Any) -> None:
    """``value`` as indented JSON, non-ASCII kept as is."""
    print(json.dumps(value, ensure_ascii=False, indent=2))


def print_lines(*lines: str) -> None:
    """Each line on stdout."""
    for line in lines:
        print(line)


def money(amount: Money) -> str:
    """ "2.85 EUR"."""
    return str(amount)


def net(amount: Money) -> str:
    """ "2.85 EUR excl. VAT": every price and line amount is net (B2B)."""
    return f"{amount} excl. VAT"


def count(number: int, word: str) -> str:
    """ "1 line", "4 lines"."""
    return f"{number} {word}" + ("" if number == 1 else "s")


def tax_label(line: TaxLine) -> str:
    """ "VAT 19.00 % (S)", "VAT 0.00 % (AE, reverse charge)"."""
    why = EXEMPT.get(line.category)
    return f"VAT {rate_text(line.rate)} % ({line.category.value}{', ' + why if why else ''})"


def in_law(amount: Money, taxed: Taxed | None) -> str:
    """A document's totals in one phrase: "8.75 EUR excl. VAT, VAT 1.66 EUR, gross
    10.41 EUR" (net only for one issued before invoices carried VAT)."""
    if taxed is None:
        return f"{net(amount)} (no VAT on it)"
    return f"{net(amount)}, VAT {money(taxed.vat)}, gross {money(taxed.gross)}"


def total_lines(amount: Money, taxed: Taxed | None) -> list[str]:
    """A document's closing rows: net, VAT per category and gross."""
    rows = [("total net (excl. VAT)", amount)]
    if taxed is not None:
        rows += [(tax_label(line), line.amount) for line in taxed.lines]
        rows.append(("total gross", taxed.gross))
    out = [f"  {label:<82}{money(value):>14}" for label, value in rows]
    if taxed is None:
        out.append("  (issued before invoices carried VAT: no VAT on it)")
    return out


def plan_line(plan: PlanLine) -> str:
    """The Tarif's row of an invoice, first, billed in advance."""
    return (
        f"  {'plan':<10} {plan.name[:42]:<42} {plan.from_day}..{plan.to_day}  "
        f"{money(plan.amount):>14}"
    )


def option_text(catalog: Catalog, key: str, quantity: int) -> str:
    """ "users x2 (+2 seats)", "storage x3 (+30 GB)"."""
    if key not in catalog:
        return f"{key} x{quantity}"
    option = catalog[key]
    gives = option.gives(quantity)
    unit = option.unit if option.unit != "seat" or gives == 1 else "seats"
    return f"{key} x{quantity} (+{gives} {unit})"


def status_text(addon: AddOn) -> str:
    """The add-on's status in English, with the German term and its date."""
    if addon.status is Status.CANCELLATION_PENDING:
        return f"cancellation pending (Kündigung zum {addon.effective_on})"
    if addon.status is Status.ENDED:
        return f"ended (Beendet am {addon.ended_on})"
    if addon.status is Status.WITHDRAWN:
        return f"withdrawn (Widerrufen am {addon.ended_on})"
    return "active"


def addon_line(catalog: Catalog, addon: AddOn) -> str:
    """One row of the add-on table."""
    if addon.status is Status.WITHDRAWN:
        price = "not charged"  # a withdrawal costs nothing: no monthly price to show
    elif addon.option in catalog:
        price = money(catalog[addon.option].monthly_price(addon.quantity)) + "/month"
    else:
        price = "-"
    billed = addon.billed_until.isoformat() if addon.billed_until else "-"
    return (
        f"#{addon.id:<5} {option_text(catalog, addon.option, addon.quantity):<28} "
        f"{price:>16}  billed until {billed:<10}  {status_text(addon)}"
    )


def invoice_lines(catalog: Catalog, invoice: Invoice, heading: str) -> list[str]:
    """An invoice as a heading, the Tarif and one row per line (net), and its totals."""
    out = [f"{heading}, period {invoice.period.start}..{invoice.period.end}; amounts excl. VAT"]
    if invoice.plan is not None:
        out.append(plan_line(invoice.plan))
    elif not invoice.lines:
        out.append("  (no lines)")
    for line in invoice.lines:
        out.append(
            f"  {line.kind.value:<10} add-on #{line.addon_id:<5} "
            f"{option_text(catalog, line.option, line.quantity):<28} "
            f"{line.from_day}..{line.to_day}  {money(line.amount):>14}"
        )
    return out + total_lines(invoice.total, invoice.taxed)


def audit_to_json(entry: AuditEntry) -> dict[str, Any]:
    """One audit entry in the documented JSON shape."""
    return {
        "id": entry.id,
        "team_id": entry.team_id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "addon_id": entry.addon_id,
        "before": entry.before_status,
        "after": entry.after_status,
        "detail": entry.detail,
    }


def audit_line(entry: AuditEntry) -> str:
    """One row of the audit log."""
    addon = f" add-on #{entry.addon_id}" if entry.addon_id is not None else ""
    change = (
        f" {entry.before_status or '-'} -> {entry.after_status or '-'}"
        if entry.before_status or entry.after_status
        else ""
    )
    detail = " ".join(f"{k}={v}" for k, v in sorted(entry.detail.items()))
    return f"{entry.at.isoformat()}  {entry.actor}  {entry.action}{addon}{change}" + (
        f"  {detail}" if detail else ""
    )
