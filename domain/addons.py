"""AddOn and its lifecycle: book, cancel, withdraw, undo, deactivate, renew."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from domain.catalog import Option
from domain.corrections import Refund, reversals
from domain.corrections import refunds as invoiced_refunds
from domain.errors import (
    AlreadyCancelled,
    AlreadyEnded,
    CancellationDateChanged,
    CancellationTookEffect,
    NothingToUndo,
    OutcomeChanged,
)
from domain.invoices import InvoiceLine, LineKind
from domain.money import Money
from domain.periods import BillingSchedule, Period, prorate

WITHDRAWAL_DAYS = 14


class Status(StrEnum):
    ACTIVE = "active"
    CANCELLATION_PENDING = "cancellation_pending"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


class Outcome(StrEnum):
    """What pressing Kündigen does: a cancellation to the period end, or a withdrawal."""

    CANCELLATION = "cancellation"
    WITHDRAWAL = "withdrawal"


def _current_period(today: date, schedule: BillingSchedule, closed_through: date | None) -> Period:
    """Today's period, or the later period already invoiced (its turn processed)."""
    own = schedule.period_containing(today)
    if closed_through is None:
        return own
    return max(own, schedule.period_containing(closed_through), key=lambda p: p.index)


def withdrawal_deadline(booked_on: date) -> date:
    """Last day of the withdrawal window: the booking day itself is not counted."""
    return booked_on + timedelta(days=WITHDRAWAL_DAYS)


@dataclass(frozen=True)
class BookingQuote:
    """Everything the booking confirmation shows, and what booking will record."""

    option: Option
    quantity: int
    booked_on: date
    period: Period
    # Periods after the booking's own that were already invoiced (closed) when it was
    # booked: the renewal they would have carried goes onto the next invoice instead.
    invoiced: tuple[Period, ...] = ()

    @property
    def monthly_price(self) -> Money:
        """Unit price × quantity per month."""
        return self.option.monthly_price(self.quantity)

    @property
    def prorated(self) -> Money:
        """The draft amount for the rest of the current period."""
        return prorate(self.monthly_price, self.period, self.booked_on)

    @property
    def billed_until(self) -> date:
        """The end of the current period, or of the last period already invoiced."""
        return self.invoiced[-1].end if self.invoiced else self.period.end

    @property
    def catch_up(self) -> Money:
        """What the renewals of the periods already invoiced add to the next invoice."""
        return self.monthly_price * len(self.invoiced)

    @property
    def next_invoice_on(self) -> date:
        """The day of the consolidated invoice that carries what this booking charges."""
        return self.billed_until + timedelta(days=1)

    def catch_up_lines(self, addon_id: int) -> list[InvoiceLine]:
        """A renewal draft for each period already invoiced without this add-on.

        Every day in force is billed once: those periods' invoices are issued, so their
        renewals ride on the next consolidated invoice (due on ``next_invoice_on``).
        """
        return [
            InvoiceLine(
                kind=LineKind.RENEWAL,
                addon_id=addon_id,
                option=self.option.key,
                quantity=self.quantity,
                from_day=period.start,
                to_day=period.end,
                amount=self.monthly_price,
                due_on=self.next_invoice_on,
            )
            for period in self.invoiced
        ]

    def draft_line(self, addon_id: int) -> InvoiceLine:
        """The proration line (Entwurf), due with the next consolidated invoice."""
        return InvoiceLine(
            kind=LineKind.PRORATION,
            addon_id=addon_id,
            option=self.option.key,
            quantity=self.quantity,
            from_day=self.booked_on,
            to_day=self.period.end,
            amount=self.prorated,
            due_on=self.period.end + timedelta(days=1),
        )


def invoiced_after(
    today: date, schedule: BillingSchedule, closed_through: date | None
) -> tuple[Period, ...]:
    """Periods after today's whose consolidated invoice was issued already.

    ``closed_through`` is the start of the last period whose turn was processed: a
    billing run whose clock is ahead (or that turned while this request waited for
    the workspace) may have closed the next period while it is still today here.
    """
    if closed_through is None:
        return ()
    own = schedule.period_containing(today).index
    last = schedule.period_containing(closed_through).index
    return tuple(schedule.period(index) for index in range(own + 1, last + 1))


def quote_booking(
    option: Option,
    quantity: object,
    today: date,
    schedule: BillingSchedule,
    closed_through: date | None = None,
) -> BookingQuote:
    """Validate the quantity and price a booking made today."""
    valid = option.validate_quantity(quantity)
    invoiced = invoiced_after(today, schedule, closed_through)
    return BookingQuote(option, valid, today, schedule.period_containing(today), invoiced)


class WithdrawalCase(StrEnum):
    """Which of the three things a withdrawal does to the money (DESIGN §6)."""

    NOTHING_CHARGED = "nothing_charged"  # nothing invoiced and nothing in the Entwurf
    REMOVED_FROM_DRAFT = "removed_from_draft"  # nothing invoiced; amounts leave the Entwurf
    CORRECTED = "corrected"  # invoiced amounts are refunded with a Rechnungskorrektur


@dataclass(frozen=True)
class CancellationQuote:
    """What Kündigen would do today, shown before the admin confirms."""

    addon_id: int
    outcome: Outcome
    on: date  # cancellation: last day in force; withdrawal: today
    # withdrawal: the whole amount that leaves the Entwurf of the next consolidated
    # invoice, its draft lines and the renewal it would carry
    removed_from_drafts: Money
    # withdrawal: per issued invoice, what a Rechnungskorrektur refunds
    refunds: tuple[Refund, ...] = ()

    @property
    def credited(self) -> Money:
        """Already-invoiced amounts refunded with corrections."""
        return sum((r.amount for r in self.refunds), Money.zero())

    @property
    def refund(self) -> Money:
        """Everything the customer no longer pays."""
        return self.removed_from_drafts + self.credited

    @property
    def case(self) -> WithdrawalCase | None:
        """For a withdrawal, which case it is; None for a cancellation to the period end."""
        if self.outcome is not Outcome.WITHDRAWAL:
            return None
        if self.refunds:
            return WithdrawalCase.CORRECTED
        if self.removed_from_drafts:
            return WithdrawalCase.REMOVED_FROM_DRAFT
        return WithdrawalCase.NOTHING_CHARGED


@dataclass(frozen=True)
class Withdrawal:
    """The line changes a withdrawal makes: drafts deleted, invoiced lines reversed."""

    removed_line_ids: tuple[int, ...]
    # per corrected invoice (by number), the credit lines of its Rechnungskorrektur
    reversed_lines: tuple[tuple[int, tuple[InvoiceLine, ...]], ...] = ()

    @property
    def credit_lines(self) -> tuple[InvoiceLine, ...]:
        """Every credit line, invoice by invoice."""
        return tuple(line for _, lines in self.reversed_lines for line in lines)


@dataclass(eq=False)
class AddOn:
    """A booked add-on; entities compare by id."""

    id: int
    option: str
    quantity: int
    booked_on: date
    billed_until: date | None
    status: Status = Status.ACTIVE
    effective_on: date | None = None  # scheduled cancellation: last day in force
    ended_on: date | None = None  # ended: last day in force; withdrawn: withdrawal day

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AddOn) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @classmethod
    def booked(cls, addon_id: int, quote: BookingQuote) -> AddOn:
        """The add-on a confirmed booking creates: active at once."""
        return cls(
            addon_id,
            quote.option.key,
            quote.quantity,
            quote.booked_on,
            billed_until=quote.billed_until,
        )

    # -- predicates -------------------------------------------------------------------

    def in_withdrawal_window(self, today: date) -> bool:
        """Whether cancelling today is a withdrawal."""
        return today <= withdrawal_deadline(self.booked_on)

    def in_force_on(self, day: date) -> bool:
        """Whether its seats or gigabytes count on ``day``."""
        if day < self.booked_on:
            return False
        if self.status is Status.WITHDRAWN:
            return self.ended_on is not None and day < self.ended_on
        if self.status is Status.ENDED:
            return self.ended_on is not None and day <= self.ended_on
        return self.effective_on is None or day <= self.effective_on

    @property
    def is_live(self) -> bool:
        """Active or with a cancellation still pending."""
        return self.status in (Status.ACTIVE, Status.CANCELLATION_PENDING)

    # -- cancelling -------------------------------------------------------------------

    def _refuse_if_not_active(self) -> None:
        if self.status is Status.CANCELLATION_PENDING:
            assert self.effective_on is not None
            raise AlreadyCancelled(self.id, self.effective_on)
        if self.status in (Status.ENDED, Status.WITHDRAWN):
            assert self.ended_on is not None
            raise AlreadyEnded(self.id, self.ended_on, withdrawn=self.status is Status.WITHDRAWN)

    def quote_cancellation(
        self,
        today: date,
        schedule: BillingSchedule,
        lines: list[InvoiceLine],
        monthly: Money,
        closed_through: date | None = None,
    ) -> CancellationQuote:
        """Say what Kündigen would do today, without doing it.

        ``monthly`` is the add-on's monthly price: the renewal the next consolidated
        invoice would carry leaves its Entwurf with a withdrawal too. ``closed_through``
        is the start of the last period already invoiced: a Kündigung takes effect at
        the end of the last period it was invoiced for, never before (that period was
        renewed and paid, so it is received in full).
        """
        self._refuse_if_not_active()
        current = _current_period(today, schedule, closed_through)
        if self.in_withdrawal_window(today):
            own = [line for line in lines if line.addon_id == self.id and line.is_charge]
            drafts = sum((line.amount for line in own if line.is_draft), Money.zero())
            removed = drafts + self._renewal_due(current, schedule, monthly)
            return CancellationQuote(
                self.id, Outcome.WITHDRAWAL, today, removed, invoiced_refunds(own)
            )
        return CancellationQuote(self.id, Outcome.CANCELLATION, current.end, Money.zero())

    def _renewal_due(self, current: Period, schedule: BillingSchedule, monthly: Money) -> Money:
        """The renewal the Entwurf of the next consolidated invoice carries for this add-on."""
        upcoming = schedule.period(current.index + 1)
        line = replace(self).renew(upcoming, monthly)  # a copy: quoting changes nothing
        return Money.zero() if line is None else line.amount

    def cancel(
        self,
        today: date,
        schedule: BillingSchedule,
        lines: list[InvoiceLine],
        monthly: Money,
        confirmed: Outcome,
        confirmed_on: date | None = None,
        closed_through: date | None = None,
    ) -> Withdrawal | None:
        """Apply the outcome the admin confirmed; refuse if the facts changed meanwhile.

        ``confirmed_on`` is the "Kündigung zum" date the dialog showed: a cancellation
        confirmed after the period turned would end a month later, so it is refused.
        """
        # A handler may pass the value it stored in the dialog ("withdrawal"); compare
        # the enum member, not the identity of whatever was passed.
        confirmed = Outcome(confirmed)
        quote = self.quote_cancellation(today, schedule, lines, monthly, closed_through)
        if quote.outcome is not confirmed:
            raise OutcomeChanged(self.id, confirmed.value, quote.outcome.value)
        if (
            quote.outcome is Outcome.CANCELLATION
            and confirmed_on is not None
            and quote.on != confirmed_on
        ):
            raise CancellationDateChanged(self.id, confirmed_on, quote.on)
        if quote.outcome is Outcome.CANCELLATION:
            self.status = Status.CANCELLATION_PENDING
            self.effective_on = quote.on
            return None
        return self._withdraw(today, lines)

    def _withdraw(self, today: date, lines: list[InvoiceLine]) -> Withdrawal:
        """End at once; drafts go, invoiced charges are reversed by corrections issued today."""
        own = [line for line in lines if line.addon_id == self.id and line.is_charge]
        removed = tuple(line.id for line in own if line.is_draft and line.id is not None)
        credits = tuple(reversals(own, today).items())
        self.status = Status.WITHDRAWN
        self.ended_on = today
        self.effective_on = None
        self.billed_until = None
        return Withdrawal(removed, credits)

    def undo_cancellation(self, today: date) -> None:
        """Take back a scheduled cancellation (Kündigung zurücknehmen) before it takes effect."""
        if self.status is Status.ENDED:
            # Only a cancellation ends an add-on, so an ended one is a cancellation
            # that took effect (the turn deactivated it), whether or not the turn ran yet.
            assert self.ended_on is not None
            raise CancellationTookEffect(self.id, self.ended_on)
        if self.status is Status.WITHDRAWN:
            assert self.ended_on is not None
            raise AlreadyEnded(self.id, self.ended_on, withdrawn=True)
        if self.status is not Status.CANCELLATION_PENDING or self.effective_on is None:
            raise NothingToUndo(self.id)
        if today > self.effective_on:
            raise CancellationTookEffect(self.id, self.effective_on)
        self.status = Status.ACTIVE
        self.effective_on = None

    # -- the turn of a period ---------------------------------------------------------

    def deactivate_if_due(self, period_start: date) -> bool:
        """End a cancelled add-on whose last day lies before ``period_start``."""
        if (
            self.status is Status.CANCELLATION_PENDING
            and self.effective_on is not None
            and self.effective_on < period_start
        ):
            self.status = Status.ENDED
            self.ended_on = self.effective_on
            return True
        return False

    def renew(self, period: Period, monthly: Money) -> InvoiceLine | None:
        """The renewal line for ``period`` if it is still live then and was booked before."""
        if not self.is_live or self.booked_on >= period.start:
            return None
        if self.effective_on is not None and self.effective_on < period.start:
            return None
        self.billed_until = period.end
        return InvoiceLine(
            kind=LineKind.RENEWAL,
            addon_id=self.id,
            option=self.option,
            quantity=self.quantity,
            from_day=period.start,
            to_day=period.end,
            amount=monthly,
            due_on=period.start,
        )
