"""The repositories of ``bot.ports`` for the books, over the tables of one transaction.

Each query keeps the order and the scoping of its SQL twin in ``storage``: every read
and write of a workspace's rows is filtered by team id, and add-ons are handed out as
copies, so changing one changes nothing until it is saved.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol

from domain.addons import AddOn, Status
from domain.invoices import Invoice, InvoiceLine
from domain.periods import Period
from domain.workspace import Subscription
from tests.fakes.memory.tables import (
    AddOnRow,
    IntegrityError,
    InvoiceRow,
    KeyRow,
    LineRow,
    SubscriptionRow,
    Tables,
    next_id,
)

LIVE = (Status.ACTIVE, Status.CANCELLATION_PENDING)


class Transaction(Protocol):
    """What a repository needs of its unit of work: the tables it may read or change."""

    def read(self) -> Tables: ...

    def write(self) -> Tables: ...


class Repo:
    """A repository: reads and writes the tables of its transaction."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx


def _team_must_exist(tables: Tables, team_id: str) -> None:
    if team_id not in tables.subscriptions:
        raise IntegrityError(f"FOREIGN KEY: no subscription {team_id!r}")


class Subscriptions(Repo):
    """Each workspace's subscription."""

    async def get(self, team_id: str) -> Subscription | None:
        row = self._tx.read().subscriptions.get(team_id)
        return None if row is None else row.subscription

    async def add(self, sub: Subscription, now: datetime) -> None:
        tables = self._tx.write()
        if sub.team_id in tables.subscriptions:
            raise IntegrityError(f"UNIQUE: subscription {sub.team_id!r}")
        stored = replace(sub, last_closed=sub.closed_through)
        tables.subscriptions[sub.team_id] = SubscriptionRow(stored, now.isoformat())

    async def save(self, sub: Subscription) -> None:
        tables = self._tx.write()
        row = tables.subscriptions.get(sub.team_id)
        if row is not None:
            stored = replace(sub, last_closed=sub.closed_through)
            tables.subscriptions[sub.team_id] = replace(row, subscription=stored)

    async def page_after(self, after: str, limit: int) -> list[Subscription]:
        """A page of subscriptions in team-id order, for runs over every workspace."""
        rows = self._tx.read().subscriptions
        return [rows[team_id].subscription for team_id in sorted(rows) if team_id > after][:limit]


class AddOns(Repo):
    """A workspace's add-ons."""

    def _mine(self, team_id: str) -> list[AddOn]:
        """Copies of the workspace's add-ons, oldest first."""
        rows = self._tx.read().addons
        return [replace(rows[i].addon) for i in sorted(rows) if rows[i].team_id == team_id]

    async def get(self, team_id: str, addon_id: int) -> AddOn | None:
        row = self._tx.read().addons.get(addon_id)
        return None if row is None or row.team_id != team_id else replace(row.addon)

    async def newest_first(self, team_id: str) -> list[AddOn]:
        return self._mine(team_id)[::-1]

    async def live(self, team_id: str) -> list[AddOn]:
        """Active add-ons and those with a cancellation pending, oldest first."""
        return [addon for addon in self._mine(team_id) if addon.status in LIVE]

    async def live_totals(self, team_id: str) -> list[AddOn]:
        """The live add-ons summed per what decides whether they count on a day."""
        groups: dict[tuple[object, ...], AddOn] = {}
        for a in await self.live(team_id):
            key = (a.option, a.booked_on, a.status, a.effective_on, a.ended_on)
            found = groups.get(key)
            quantity = a.quantity + (found.quantity if found else 0)
            groups[key] = replace(a, id=0, quantity=quantity, billed_until=None)
        return list(groups.values())

    async def add(self, team_id: str, addon: AddOn, now: datetime) -> int:
        """Store a new add-on; return its id."""
        tables = self._tx.write()
        _team_must_exist(tables, team_id)
        if addon.quantity <= 0:
            raise IntegrityError("CHECK: quantity > 0")
        addon_id = next_id(tables.addons)
        tables.addons[addon_id] = AddOnRow(team_id, replace(addon, id=addon_id), now.isoformat())
        return addon_id

    async def save(self, team_id: str, addon: AddOn) -> None:
        tables = self._tx.write()
        row = tables.addons.get(addon.id)
        if row is None or row.team_id != team_id:
            return
        # The columns an UPDATE sets: what a booking fixed (option, quantity, day) stays.
        changed = replace(
            row.addon,
            billed_until=addon.billed_until,
            status=addon.status,
            effective_on=addon.effective_on,
            ended_on=addon.ended_on,
        )
        tables.addons[addon.id] = replace(row, addon=changed)

    async def save_many(self, team_id: str, addons: list[AddOn]) -> None:
        for addon in addons:
            await self.save(team_id, addon)

    async def count(self, team_id: str) -> int:
        return sum(1 for row in self._tx.read().addons.values() if row.team_id == team_id)


class Lines(Repo):
    """The invoice ledger: drafts (no invoice yet) and invoiced lines."""

    def _mine(self, team_id: str) -> list[InvoiceLine]:
        rows = self._tx.read().lines
        return [rows[i].line for i in sorted(rows) if rows[i].team_id == team_id]

    async def for_addon(self, team_id: str, addon_id: int) -> list[InvoiceLine]:
        return [line for line in self._mine(team_id) if line.addon_id == addon_id]

    async def drafts(self, team_id: str) -> list[InvoiceLine]:
        return [line for line in self._mine(team_id) if line.invoice_number is None]

    async def for_invoice(self, number: int) -> list[InvoiceLine]:
        lines = [row.line for row in self._tx.read().lines.values()]
        return sorted(
            (line for line in lines if line.invoice_number == number),
            key=lambda line: (line.addon_id, line.from_day, line.kind.value, line.id or 0),
        )

    async def add(self, team_id: str, line: InvoiceLine) -> int:
        """Store a line; return its id."""
        tables = self._tx.write()
        _team_must_exist(tables, team_id)
        if line.addon_id not in tables.addons:
            raise IntegrityError(f"FOREIGN KEY: no add-on {line.addon_id}")
        if line.invoice_number is not None and line.invoice_number not in tables.invoices:
            raise IntegrityError(f"FOREIGN KEY: no invoice {line.invoice_number}")
        if line.credits_line_id is not None and line.credits_line_id not in tables.lines:
            raise IntegrityError(f"FOREIGN KEY: no line {line.credits_line_id}")
        line_id = next_id(tables.lines)  # the id a caller set is not stored, as in SQL
        tables.lines[line_id] = LineRow(team_id, replace(line, id=line_id))
        return line_id

    async def add_many(self, team_id: str, lines: list[InvoiceLine]) -> None:
        for line in lines:
            await self.add(team_id, line)

    async def delete_drafts(self, team_id: str, ids: tuple[int, ...]) -> None:
        """Delete these lines if they are still drafts (never an invoiced line)."""
        tables = self._tx.write()
        for line_id in ids:
            row = tables.lines.get(line_id)
            if row is not None and row.team_id == team_id and row.line.is_draft:
                del tables.lines[line_id]

    async def mark_invoiced(self, team_id: str, ids: list[int], number: int) -> None:
        tables = self._tx.write()
        if ids and number not in tables.invoices:
            raise IntegrityError(f"FOREIGN KEY: no invoice {number}")
        for line_id in ids:
            row = tables.lines.get(line_id)
            if row is not None and row.team_id == team_id and row.line.is_draft:
                tables.lines[line_id] = replace(row, line=row.line.on_invoice(number))


class Invoices(Repo):
    """Issued consolidated invoices and the gapless number counter."""

    async def next_number(self) -> int:
        """The number the next invoice gets; taken only when ``add`` is committed."""
        return self._tx.read().invoice_counter + 1

    async def add(self, invoice: Invoice, now: datetime) -> None:
        """Store the invoice header and advance the counter, in the same transaction."""
        tables = self._tx.write()
        number = invoice.number
        if number is None or number != tables.invoice_counter + 1:
            raise IntegrityError(f"invoice number {number} is not the next number")
        _team_must_exist(tables, invoice.team_id)
        start = invoice.period.start
        taken = {(row.team_id, row.period_start) for row in tables.invoices.values()}
        if (invoice.team_id, start) in taken:  # one invoice per workspace and period
            raise IntegrityError(f"UNIQUE: {invoice.team_id!r} already has an invoice {start}")
        tables.invoice_counter = number
        tables.invoices[number] = InvoiceRow(
            number,
            invoice.team_id,
            invoice.period.index,
            start,
            invoice.period.end,
            invoice.total.cents,
            now.isoformat(),
            invoice.issued,
            invoice.plan,
            invoice.terms,
        )

    async def _assemble(self, rows: list[InvoiceRow]) -> list[Invoice]:
        lines = Lines(self._tx)
        return [
            Invoice(
                row.number,
                row.team_id,
                Period(row.period_index, row.period_start, row.period_end),
                tuple(await lines.for_invoice(row.number)),
                issued=row.issued_on,
                plan=row.plan,
                terms=row.terms,
            )
            for row in rows
        ]

    async def newest_first(self, team_id: str, limit: int | None = None) -> list[Invoice]:
        rows = self._tx.read().invoices
        mine = [rows[n] for n in sorted(rows, reverse=True) if rows[n].team_id == team_id]
        return await self._assemble(mine if limit is None else mine[:limit])

    async def get(self, number: int, team_id: str | None = None) -> Invoice | None:
        """One invoice by number; scoped to ``team_id`` when one is given."""
        row = self._tx.read().invoices.get(number)
        if row is None or (team_id is not None and row.team_id != team_id):
            return None
        [invoice] = await self._assemble([row])
        return invoice


class InboundRequests(Repo):
    """CloudCRM's requests already applied, by their webhook-id."""

    async def first_time(self, team_id: str, webhook_id: str, now: datetime) -> bool:
        if webhook_id in self._tx.read().inbound:
            return False
        self._tx.write().inbound[webhook_id] = (team_id, now.isoformat())
        return True


class IdempotencyKeys(Repo):
    """Which add-on a confirmation key already booked."""

    async def get(self, team_id: str, key: str) -> int | None:
        row = self._tx.read().keys.get((team_id, key))
        return None if row is None else row.addon_id

    async def put(self, team_id: str, key: str, addon_id: int, now: datetime) -> None:
        tables = self._tx.write()
        if (team_id, key) in tables.keys:
            raise IntegrityError(f"UNIQUE: key {key!r} of {team_id!r}")
        if addon_id not in tables.addons:
            raise IntegrityError(f"FOREIGN KEY: no add-on {addon_id}")
        tables.keys[(team_id, key)] = KeyRow(addon_id, now.isoformat())
