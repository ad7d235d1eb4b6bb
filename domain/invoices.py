"""Invoice lines (draft, renewal, credit) and the consolidated invoice of a period."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from functools import cached_property

from domain.money import Money
from domain.periods import Period
from domain.tax import Taxed
from domain.terms import Terms


class LineKind(StrEnum):
    PRORATION = "proration"  # the rest of the booking period, recorded as a draft (Entwurf)
    RENEWAL = "renewal"  # a whole new period, billed in advance
    CREDIT = "credit"  # Rechnungskorrektur: a withdrawn amount that was already invoiced


@dataclass(frozen=True)
class InvoiceLine:
    """One line: which add-on, which days, how much, and on which invoice it is due.

    A line with ``invoice_number`` None is a draft: it waits for the consolidated invoice
    issued on ``due_on`` (the first day of the period after the one it accrued in).
    """

    kind: LineKind
    addon_id: int
    option: str
    quantity: int
    from_day: date
    to_day: date
    amount: Money
    due_on: date
    id: int | None = None
    invoice_number: int | None = None
    credits_line_id: int | None = None  # for credit lines: the charged line it reverses

    @property
    def is_draft(self) -> bool:
        """Not yet on an issued invoice."""
        return self.invoice_number is None

    @property
    def is_charge(self) -> bool:
        """A proration or renewal line: days the customer pays for."""
        return self.kind is not LineKind.CREDIT

    def on_invoice(self, number: int) -> InvoiceLine:
        """This line as carried by invoice ``number``."""
        return replace(self, invoice_number=number)

    def credit(self, due_on: date) -> InvoiceLine:
        """A Rechnungskorrektur that reverses exactly this invoiced line."""
        return InvoiceLine(
            kind=LineKind.CREDIT,
            addon_id=self.addon_id,
            option=self.option,
            quantity=self.quantity,
            from_day=self.from_day,
            to_day=self.to_day,
            amount=-self.amount,
            due_on=due_on,
            credits_line_id=self.id,
        )


@dataclass(frozen=True)
class PlanLine:
    """The workspace's Tarif for the invoice's period, billed in advance (the Abo-Rechnung)."""

    name: str
    amount: Money
    from_day: date
    to_day: date


@dataclass(frozen=True)
class Invoice:
    """The consolidated invoice (Sammelrechnung) for ``period``, issued on ``issued_on``.

    ``period`` is the new period it opens: its Tarif and renewals are billed in advance,
    its carried drafts accrued before. A catch-up run issues it later than the period's
    first day, never backdated. ``terms`` (seller, buyer, tax, payment) are fixed when it
    is issued; an invoice issued before they existed has none.
    """

    number: int | None  # None for a preview
    team_id: str
    period: Period
    lines: tuple[InvoiceLine, ...]
    issued: date | None = None  # None: a preview, or an invoice issued before 0008_law
    plan: PlanLine | None = None
    terms: Terms | None = None

    @property
    def issued_on(self) -> date:
        """The day it was (or will be) issued: by default the first day of its period."""
        return self.issued if self.issued is not None else self.period.start

    @cached_property
    def total(self) -> Money:
        """The net sum: the Tarif and all lines; credits are negative (summed once)."""
        lines = sum((line.amount for line in self.lines), Money.zero())
        return lines + self.plan.amount if self.plan is not None else lines

    @property
    def taxed(self) -> Taxed | None:
        """Net, VAT per category and gross, where the invoice has its terms."""
        return self.terms.taxed(self.total) if self.terms is not None else None


def lines_due(lines: list[InvoiceLine], on: date) -> list[InvoiceLine]:
    """Draft lines that the invoice issued on ``on`` carries, in a stable order."""
    due = [line for line in lines if line.is_draft and line.due_on <= on]
    return sorted(due, key=lambda line: (line.addon_id, line.from_day, line.kind.value))
