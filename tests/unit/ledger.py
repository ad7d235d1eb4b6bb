"""An in-memory stand-in for the store: one workspace's add-ons, ledger and counters.

It does what the use cases do around the pure domain, and nothing more: it gives ids to
add-ons and lines, deletes the drafts a withdrawal removes, appends its credit lines, and
runs the billing turn through ``domain.billing.catch_up``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import date

from domain.addons import AddOn, CancellationQuote, Outcome, Withdrawal, quote_booking
from domain.billing import PeriodClose, catch_up
from domain.catalog import Catalog
from domain.invoices import Invoice, InvoiceLine
from domain.money import Money
from domain.periods import BillingSchedule, Period


@dataclass
class Ledger:
    """One workspace: its schedule, add-ons, invoice lines and issued invoices."""

    anchor: date
    catalog: Catalog = field(default_factory=Catalog)
    team_id: str = "T0001"
    addons: list[AddOn] = field(default_factory=list)
    lines: list[InvoiceLine] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    next_number: int = 1
    last_closed: date | None = None  # start of the last period whose turn ran
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        if self.last_closed is None:
            self.last_closed = self.anchor

    @property
    def schedule(self) -> BillingSchedule:
        """The workspace's billing periods."""
        return BillingSchedule(self.anchor)

    @property
    def last_closed_period(self) -> Period:
        """The period whose turn ran last (period 0 before any turn)."""
        assert self.last_closed is not None
        return self.schedule.period_containing(self.last_closed)

    def _with_id(self, line: InvoiceLine) -> InvoiceLine:
        return line if line.id is not None else replace(line, id=next(self._ids))

    def book(self, option: str, quantity: object, today: date) -> AddOn:
        """Book an add-on and record its draft line, as the booking use case does."""
        quote = quote_booking(self.catalog[option], quantity, today, self.schedule)
        addon = AddOn.booked(next(self._ids), quote)
        self.addons.append(addon)
        self.lines.append(self._with_id(quote.draft_line(addon.id)))
        return addon

    def quote_cancellation(self, addon: AddOn, today: date) -> CancellationQuote:
        """What Kündigen would do today."""
        return addon.quote_cancellation(today, self.schedule, self.lines)

    def cancel(
        self, addon: AddOn, today: date, confirmed: Outcome | None = None
    ) -> Withdrawal | None:
        """Cancel as confirmed (by default: what the quote says); apply a withdrawal's lines."""
        if confirmed is None:
            confirmed = self.quote_cancellation(addon, today).outcome
        withdrawal = addon.cancel(today, self.schedule, self.lines, confirmed)
        if withdrawal is not None:
            removed = set(withdrawal.removed_line_ids)
            self.lines[:] = [line for line in self.lines if line.id not in removed]
            self.lines.extend(self._with_id(line) for line in withdrawal.credit_lines)
        return withdrawal

    def run_billing(self, today: date) -> list[PeriodClose]:
        """Close every period that began since the last turn, through ``today``."""
        assert self.last_closed is not None
        closes = catch_up(
            self.team_id, self.schedule, self.addons, self.lines, self.catalog,
            self.last_closed, today, self.next_number,
        )
        self.lines[:] = [self._with_id(line) for line in self.lines]
        for close in closes:
            self.last_closed = close.period.start
            if close.invoice is not None:
                self.invoices.append(close.invoice)
                self.next_number += 1
        return closes

    def lines_of(self, addon: AddOn) -> list[InvoiceLine]:
        """Every line of one add-on, drafts and invoiced."""
        return [line for line in self.lines if line.addon_id == addon.id]

    def total_of(self, addon: AddOn) -> Money:
        """What the customer pays for one add-on, all lines together."""
        return sum((line.amount for line in self.lines_of(addon)), Money.zero())

    def drafts(self) -> list[InvoiceLine]:
        """Lines not yet on an issued invoice."""
        return [line for line in self.lines if line.is_draft]
