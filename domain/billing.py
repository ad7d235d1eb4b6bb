"""The turn of a period: deactivations, renewals and the consolidated invoice, in order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from domain.addons import AddOn
from domain.catalog import Catalog
from domain.invoices import Invoice, InvoiceLine, PlanLine, lines_due
from domain.periods import Period
from domain.terms import Terms
from domain.workspace import Plan


def plan_line(plan: Plan | None, period: Period) -> PlanLine | None:
    """The Tarif for ``period``, a whole month billed in advance, where one is set."""
    if plan is None:
        return None
    return PlanLine(plan.name, plan.price, period.start, period.end)


@dataclass(frozen=True)
class PeriodClose:
    """What the first day of ``period`` did to one workspace."""

    period: Period
    deactivated: tuple[AddOn, ...]
    renewals: tuple[InvoiceLine, ...]
    carried: tuple[InvoiceLine, ...]  # the drafts this invoice carries, as they were
    invoice: Invoice | None  # None when there was nothing to bill: no number is used

    def numbered(self, number: int) -> PeriodClose:
        """This close with its invoice, if any, taking ``number`` (lines included): the
        store hands out the number as late in the turn as it can."""
        if self.invoice is None:
            return self
        lines = tuple(line.on_invoice(number) for line in self.invoice.lines)
        return replace(self, invoice=replace(self.invoice, number=number, lines=lines))


def close_period(
    team_id: str,
    period: Period,
    addons: Iterable[AddOn],
    drafts: list[InvoiceLine],
    catalog: Catalog,
    next_number: int | None,
    *,
    issued_on: date | None = None,
    plan: Plan | None = None,
    terms: Terms | None = None,
) -> PeriodClose:
    """Deactivate, renew and consolidate for the period starting on ``period.start``.

    ``addons`` are changed in place; ``drafts`` are the workspace's uninvoiced lines.
    The invoice, if any, takes ``next_number`` (the store owns the counter; None: not
    yet, ``PeriodClose.numbered`` gives it one), is dated
    ``issued_on`` (the day it is really issued: never before the period starts) and
    carries the Tarif ``plan`` first; with a Tarif every period has an invoice.
    """
    addons = list(addons)
    deactivated = tuple(a for a in addons if a.deactivate_if_due(period.start))
    renewals: list[InvoiceLine] = []
    for addon in addons:
        line = addon.renew(period, catalog[addon.option].monthly_price(addon.quantity))
        if line is not None:
            renewals.append(line)
    carried = lines_due(drafts, period.start)
    due = carried + renewals
    tarif = plan_line(plan, period)
    if not due and tarif is None:
        return PeriodClose(period, deactivated, (), (), None)
    invoice = Invoice(
        number=next_number,
        team_id=team_id,
        period=period,
        lines=tuple(due if next_number is None else (x.on_invoice(next_number) for x in due)),
        issued=issued_on,
        plan=tarif,
        terms=terms,
    )
    return PeriodClose(period, deactivated, tuple(renewals), tuple(carried), invoice)


def preview_invoice(
    team_id: str,
    period: Period,
    addons: Iterable[AddOn],
    drafts: list[InvoiceLine],
    catalog: Catalog,
    *,
    plan: Plan | None = None,
    terms: Terms | None = None,
) -> Invoice:
    """The upcoming consolidated invoice as it stands, without changing anything."""
    lines = lines_due(drafts, period.start)
    for addon in addons:
        copy = replace(addon)
        copy.deactivate_if_due(period.start)
        line = copy.renew(period, catalog[addon.option].monthly_price(addon.quantity))
        if line is not None:
            lines.append(line)
    return Invoice(
        number=None,
        team_id=team_id,
        period=period,
        lines=tuple(lines),
        plan=plan_line(plan, period),
        terms=terms,
    )


def preview_invoices(
    team_id: str,
    periods: Iterable[Period],
    addons: Iterable[AddOn],
    drafts: list[InvoiceLine],
    catalog: Catalog,
    *,
    plan: Plan | None = None,
    terms: Terms | None = None,
) -> list[Invoice]:
    """The invoices the billing run would issue for ``periods``, in order (the last one
    shown even when empty), turning each on copies: nothing is changed.

    A workspace the run has not caught up with yet has several periods due: each turn
    deactivates, renews and carries drafts as ``close_period`` does, so what the preview
    shows is what the run will issue.
    """
    copies = [replace(addon) for addon in addons]
    remaining = list(drafts)
    periods = list(periods)
    shown: list[Invoice] = []
    for n, period in enumerate(periods):
        close = close_period(team_id, period, copies, remaining, catalog, next_number=0)
        carried = {id(line) for line in close.carried}
        remaining = [line for line in remaining if id(line) not in carried]
        lines = (*close.carried, *close.renewals)
        tarif = plan_line(plan, period)
        if lines or tarif is not None or n == len(periods) - 1:
            shown.append(Invoice(None, team_id, period, lines, plan=tarif, terms=terms))
    return shown


@dataclass(frozen=True)
class Entitlements:
    """Seats and gigabytes the add-ons give on one day."""

    seats: int
    gigabytes: int


def entitlements(addons: Iterable[AddOn], catalog: Catalog, day: date) -> Entitlements:
    """Extra seats and gigabytes in force on ``day``."""
    seats = gigabytes = 0
    for addon in addons:
        if not addon.in_force_on(day):
            continue
        option = catalog[addon.option]
        if option.unit == "seat":
            seats += option.gives(addon.quantity)
        else:
            gigabytes += option.gives(addon.quantity)
    return Entitlements(seats, gigabytes)
