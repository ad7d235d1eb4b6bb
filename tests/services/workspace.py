"""One workspace driven day by day through the real use cases, as the admins and the
schedule drive it: book, press Kündigen, take it back, let the billing run turn periods.

It reads everything back through the ports, so a test states facts about what the store
keeps, not about objects a test happens to hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import services
from domain.addons import AddOn, CancellationQuote, Outcome, Withdrawal
from domain.catalog import Catalog
from domain.corrections import Correction
from domain.invoices import Invoice, InvoiceLine, LineKind
from domain.money import Money
from domain.periods import BillingSchedule, Period
from tests.stores import Store

TEAM = "T0001"
ADMIN = "U_ADMIN"
BERLIN = ZoneInfo("Europe/Berlin")


def at(day: date) -> datetime:
    """Noon of a calendar day in Berlin, where the workspace bills."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=BERLIN)


@dataclass(frozen=True)
class Turn:
    """What the billing run did in one period, with the add-ons it ended and the renewals."""

    period: Period
    invoice: Invoice | None
    deactivated: tuple[AddOn, ...]
    renewals: tuple[InvoiceLine, ...]


class Workspace:
    """One workspace on a store, its periods running from ``anchor``."""

    def __init__(self, store: Store, anchor: date, team_id: str = TEAM) -> None:
        self.ctx = services.Context(store.db)
        self.anchor = anchor
        self.team_id = team_id
        self._keys = 0

    @classmethod
    async def open(cls, store: Store, anchor: date, team_id: str = TEAM) -> Workspace:
        """The workspace, set up on its anchor day: nothing is due before that."""
        workspace = cls(store, anchor, team_id)
        await services.set_workspace(workspace.ctx, team_id, anchor, at(anchor))
        return workspace

    @property
    def schedule(self) -> BillingSchedule:
        """The workspace's billing periods."""
        return BillingSchedule(self.anchor)

    @property
    def catalog(self) -> Catalog:
        """The options and their prices."""
        return self.ctx.catalog

    # -- what admins do -------------------------------------------------------------------

    async def book(self, option: str, quantity: object, today: date) -> AddOn:
        """Confirm a booking (a fresh confirmation each time); the add-on as booked."""
        self._keys += 1
        booked = await services.book(
            self.ctx,
            self.team_id,
            option,
            quantity,
            at(today),
            key=f"{self.team_id}:confirmation:{self._keys}",
            actor=ADMIN,
        )
        assert booked.created
        return booked.addon

    async def quote_cancellation(self, addon: AddOn, today: date) -> CancellationQuote:
        """What Kündigen would do today."""
        return await services.quote_cancellation(self.ctx, self.team_id, addon.id, at(today))

    async def cancel(
        self,
        addon: AddOn,
        today: date,
        confirmed: Outcome | None = None,
        confirmed_on: date | None = None,
    ) -> Withdrawal | None:
        """Confirm Kündigen (by default: what the quote says today).

        For a withdrawal, what changed in the store: the lines it deleted (ids) and the
        credit lines of the corrections it issued, per corrected invoice; None for a
        cancellation to the period end.
        """
        if confirmed is None:
            confirmed = (await self.quote_cancellation(addon, today)).outcome
        before = await self.lines_of(addon)
        done = await services.cancel(
            self.ctx,
            self.team_id,
            addon.id,
            confirmed,
            at(today),
            actor=ADMIN,
            confirmed_on=confirmed_on,
        )
        if done.quote.outcome is Outcome.CANCELLATION:
            return None
        after = await self.lines_of(addon)
        removed = tuple(line.id for line in before if line not in after and line.id is not None)
        assert [line for line in after if line not in before] == []  # invoices stay as issued
        return Withdrawal(removed, tuple((c.corrects, c.lines) for c in done.corrections))

    async def undo(self, addon: AddOn, today: date) -> AddOn:
        """Kündigung zurücknehmen."""
        return await services.undo_cancellation(
            self.ctx, self.team_id, addon.id, at(today), actor=ADMIN
        )

    # -- what the schedule does -----------------------------------------------------------

    async def run_billing(self, today: date) -> list[Turn]:
        """The billing run on ``today``: every period due since the last turn, in order."""
        turns = []
        for turn in await services.billing_run(self.ctx, at(today)):
            assert turn.team_id == self.team_id
            lines = () if turn.invoice is None else turn.invoice.lines
            # this period's renewals (a booking made after an earlier turn brings its own)
            renewals = tuple(
                line
                for line in lines
                if line.kind is LineKind.RENEWAL and line.from_day == turn.period.start
            )
            assert len(renewals) == turn.renewed
            ended = tuple([await self.addon(addon_id) for addon_id in turn.deactivated])
            turns.append(Turn(turn.period, turn.invoice, ended, renewals))
        return turns

    # -- what the store keeps -------------------------------------------------------------

    async def addon(self, addon_id: int) -> AddOn:
        """One add-on as stored now."""
        return await services.get_addon(self.ctx, self.team_id, addon_id)

    async def reload(self, addon: AddOn) -> AddOn:
        """``addon`` as stored now."""
        return await self.addon(addon.id)

    async def addons(self) -> list[AddOn]:
        """Every add-on, oldest first."""
        return (await services.list_addons(self.ctx, self.team_id))[::-1]

    async def lines(self) -> list[InvoiceLine]:
        """Every line of the workspace, drafts and invoiced, in the order they were added."""
        async with self.ctx.db.unit_of_work(write=False) as uow:
            every = [
                line
                for addon in await uow.addons.newest_first(self.team_id)
                for line in await uow.lines.for_addon(self.team_id, addon.id)
            ]
        return sorted(every, key=lambda line: line.id or 0)

    async def lines_of(self, addon: AddOn) -> list[InvoiceLine]:
        """Every line of one add-on, drafts and invoiced."""
        async with self.ctx.db.unit_of_work(write=False) as uow:
            return await uow.lines.for_addon(self.team_id, addon.id)

    async def total_of(self, addon: AddOn) -> Money:
        """What the customer pays for one add-on: its invoice lines less its corrections."""
        credits = [
            line
            for correction in await self.corrections()
            for line in correction.lines
            if line.addon_id == addon.id
        ]
        every = [*await self.lines_of(addon), *credits]
        return sum((line.amount for line in every), Money.zero())

    async def drafts(self) -> list[InvoiceLine]:
        """Lines not yet on an issued invoice."""
        async with self.ctx.db.unit_of_work(write=False) as uow:
            return await uow.lines.drafts(self.team_id)

    async def corrections(self) -> list[Correction]:
        """The issued Rechnungskorrekturen, oldest first."""
        return (await services.list_corrections(self.ctx, self.team_id))[::-1]

    async def invoices(self) -> list[Invoice]:
        """The issued invoices, oldest first."""
        return (await services.list_invoices(self.ctx, self.team_id))[::-1]

    async def closed_through(self) -> date:
        """Start of the last period whose turn ran."""
        return (await services.get_workspace(self.ctx, self.team_id)).closed_through
