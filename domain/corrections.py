"""The Rechnungskorrektur: a document of its own that reverses lines of one issued invoice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from domain.invoices import InvoiceLine, LineKind
from domain.money import Money
from domain.tax import Taxed
from domain.terms import Terms


@dataclass(frozen=True)
class Refund:
    """Part of a withdrawal already invoiced: how much invoice ``invoice_number`` carried."""

    invoice_number: int
    amount: Money  # positive: what the customer gets back


@dataclass(frozen=True)
class Correction:
    """A Rechnungskorrektur of invoice ``corrects``, issued on ``issued_on``.

    Its lines are credit lines (negative amounts), each reversing one charged line of
    the corrected invoice. Corrections are numbered in their own gapless sequence; an
    unnumbered one (``number`` None) has not been stored yet.
    """

    number: int | None
    team_id: str
    corrects: int
    issued_on: date
    lines: tuple[InvoiceLine, ...]
    terms: Terms | None = None  # its invoice's buyer and tax category; None before 0008_law

    @property
    def total(self) -> Money:
        """Sum of its lines (net): negative, what the customer gets back."""
        return sum((line.amount for line in self.lines), Money.zero())

    @property
    def taxed(self) -> Taxed | None:
        """Net, VAT and gross reversed (negative), where the correction has its terms."""
        return self.terms.taxed(self.total) if self.terms is not None else None

    @property
    def refund(self) -> Money:
        """What the customer gets back, as a positive amount."""
        return -self.total

    def numbered(self, number: int) -> Correction:
        """This correction as stored under ``number``."""
        return replace(self, number=number)


def reversals(charged: Iterable[InvoiceLine], on: date) -> dict[int, tuple[InvoiceLine, ...]]:
    """Credit lines reversing each invoiced charge, grouped by the invoice that carried it.

    Drafts and credit lines are skipped: only an issued invoice is ever corrected.
    """
    groups: dict[int, list[InvoiceLine]] = {}
    for line in charged:
        if line.is_draft or not line.is_charge:
            continue
        assert line.invoice_number is not None
        groups.setdefault(line.invoice_number, []).append(line.credit(on))
    return {number: tuple(groups[number]) for number in sorted(groups)}


def refunds(charged: Iterable[InvoiceLine]) -> tuple[Refund, ...]:
    """What each issued invoice carried of these lines, in invoice order."""
    return tuple(
        Refund(number, -sum((line.amount for line in credits), Money.zero()))
        for number, credits in reversals(charged, date.min).items()
    )


def corrections_for(
    team_id: str, reversed_lines: dict[int, tuple[InvoiceLine, ...]], on: date
) -> tuple[Correction, ...]:
    """One unnumbered correction per corrected invoice, issued ``on``."""
    for credits in reversed_lines.values():
        assert all(line.kind is LineKind.CREDIT for line in credits)
    return tuple(
        Correction(None, team_id, number, on, credits)
        for number, credits in reversed_lines.items()
        if credits
    )
