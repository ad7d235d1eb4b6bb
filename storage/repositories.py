"""The repositories of ``bot.ports`` on SQLAlchemy Core: subscriptions, add-ons, the
invoice ledger, invoices and idempotency keys (the audit log and the outbox are in
``storage.journal``).

Every query of a workspace's rows is scoped by its team id. The statements are built
once, at import, with bound parameters: SQLAlchemy compiles each once per dialect and
caches it, so a call costs only its parameters and its one trip to the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update

from domain.addons import AddOn, Status
from domain.invoices import Invoice, InvoiceLine, LineKind
from domain.money import Money
from domain.periods import Period
from domain.workspace import Subscription
from storage.errors import StorageError
from storage.executor import Executor
from storage.tables import (
    INVOICE_COUNTER,
    addons,
    counters,
    idempotency_keys,
    invoice_lines,
    invoices,
    subscriptions,
)

Row = tuple[Any, ...]


class Repository:
    """A repository works inside its unit of work's connection and transaction."""

    def __init__(self, executor: Executor) -> None:
        self._x = executor

    async def _all(self, statement: Any, params: dict[str, Any] | None = None) -> list[Row]:
        return await self._x.rows(statement, params)

    async def _one(self, statement: Any, params: dict[str, Any] | None = None) -> Row | None:
        rows = await self._x.rows(statement, params)
        return rows[0] if rows else None


# -- subscriptions --------------------------------------------------------------------

_s = subscriptions
_SUB = select(_s.c.team_id, _s.c.anchor, _s.c.timezone, _s.c.locale, _s.c.last_closed)
_SUB_GET = _SUB.where(_s.c.team_id == bindparam("team_id"))
_SUB_PAGE = (
    _SUB.where(_s.c.team_id > bindparam("after")).order_by(_s.c.team_id).limit(bindparam("n"))
)
_SUB_INSERT = insert(_s)
_SUB_SAVE = (
    update(_s)
    .where(_s.c.team_id == bindparam("b_team_id"))
    .values(
        anchor=bindparam("anchor"),
        timezone=bindparam("timezone"),
        locale=bindparam("locale"),
        last_closed=bindparam("last_closed"),
    )
)


def _subscription(row: Row) -> Subscription:
    return Subscription(row[0], row[1], row[2], row[3], row[4])


class Subscriptions(Repository):
    """Each workspace's subscription."""

    async def get(self, team_id: str) -> Subscription | None:
        """The workspace's subscription, if it has one."""
        row = await self._one(_SUB_GET, {"team_id": team_id})
        return _subscription(row) if row else None

    async def add(self, sub: Subscription, now: datetime) -> None:
        """Store a new subscription."""
        await self._x.write(
            _SUB_INSERT,
            {
                "team_id": sub.team_id,
                "anchor": sub.anchor,
                "timezone": sub.timezone,
                "locale": sub.locale,
                "last_closed": sub.closed_through,
                "created_at": now,
            },
        )

    async def save(self, sub: Subscription) -> None:
        """Store a changed subscription."""
        await self._x.write(
            _SUB_SAVE,
            {
                "b_team_id": sub.team_id,
                "anchor": sub.anchor,
                "timezone": sub.timezone,
                "locale": sub.locale,
                "last_closed": sub.closed_through,
            },
        )

    async def page_after(self, after: str, limit: int) -> list[Subscription]:
        """A page of subscriptions in team-id order, for runs over every workspace."""
        rows = await self._all(_SUB_PAGE, {"after": after, "n": limit})
        return [_subscription(r) for r in rows]


# -- add-ons --------------------------------------------------------------------------

_a = addons
_ADDON = select(
    _a.c.id,
    _a.c.option,
    _a.c.quantity,
    _a.c.booked_on,
    _a.c.billed_until,
    _a.c.status,
    _a.c.effective_on,
    _a.c.ended_on,
)
_ADDON_GET = _ADDON.where(_a.c.team_id == bindparam("team_id"), _a.c.id == bindparam("id"))
_ADDON_NEWEST = _ADDON.where(_a.c.team_id == bindparam("team_id")).order_by(_a.c.id.desc())
_ADDON_LIVE = _ADDON.where(
    _a.c.team_id == bindparam("team_id"),
    # or_ rather than in_: an IN list is expanded at execution, not compiled once
    or_(_a.c.status == Status.ACTIVE.value, _a.c.status == Status.CANCELLATION_PENDING.value),
).order_by(_a.c.id)
_ADDON_INSERT = insert(_a)
_ADDON_SAVE = (
    update(_a)
    .where(_a.c.team_id == bindparam("b_team_id"), _a.c.id == bindparam("b_id"))
    .values(
        billed_until=bindparam("billed_until"),
        status=bindparam("status"),
        effective_on=bindparam("effective_on"),
        ended_on=bindparam("ended_on"),
    )
)
_ADDON_COUNT = select(func.count()).select_from(_a).where(_a.c.team_id == bindparam("team_id"))


def _addon(row: Row) -> AddOn:
    return AddOn(
        id=row[0],
        option=row[1],
        quantity=row[2],
        booked_on=row[3],
        billed_until=row[4],
        status=Status(row[5]),
        effective_on=row[6],
        ended_on=row[7],
    )


def _addon_change(team_id: str, addon: AddOn) -> dict[str, Any]:
    return {
        "b_team_id": team_id,
        "b_id": addon.id,
        "billed_until": addon.billed_until,
        "status": addon.status.value,
        "effective_on": addon.effective_on,
        "ended_on": addon.ended_on,
    }


class AddOns(Repository):
    """A workspace's add-ons."""

    async def get(self, team_id: str, addon_id: int) -> AddOn | None:
        """One add-on of the workspace."""
        row = await self._one(_ADDON_GET, {"team_id": team_id, "id": addon_id})
        return _addon(row) if row else None

    async def newest_first(self, team_id: str) -> list[AddOn]:
        """All add-ons, newest first."""
        return [_addon(r) for r in await self._all(_ADDON_NEWEST, {"team_id": team_id})]

    async def live(self, team_id: str) -> list[AddOn]:
        """Active add-ons and those with a cancellation pending, oldest first."""
        return [_addon(r) for r in await self._all(_ADDON_LIVE, {"team_id": team_id})]

    async def add(self, team_id: str, addon: AddOn, now: datetime) -> int:
        """Store a new add-on; return its id."""
        written = await self._x.write(
            _ADDON_INSERT,
            {
                "team_id": team_id,
                "option": addon.option,
                "quantity": addon.quantity,
                "booked_on": addon.booked_on,
                "billed_until": addon.billed_until,
                "status": addon.status.value,
                "effective_on": addon.effective_on,
                "ended_on": addon.ended_on,
                "created_at": now,
            },
        )
        assert written.lastrowid is not None
        return written.lastrowid

    async def save(self, team_id: str, addon: AddOn) -> None:
        """Store a changed add-on."""
        await self._x.write(_ADDON_SAVE, _addon_change(team_id, addon))

    async def save_many(self, team_id: str, addons: list[AddOn]) -> None:
        """Store changed add-ons, in one statement."""
        if addons:
            await self._x.write_many(_ADDON_SAVE, [_addon_change(team_id, a) for a in addons])

    async def count(self, team_id: str) -> int:
        """How many add-ons the workspace has, in any status."""
        row = await self._one(_ADDON_COUNT, {"team_id": team_id})
        return int(row[0]) if row else 0


# -- invoice lines --------------------------------------------------------------------

_l = invoice_lines
_LINE = select(
    _l.c.id,
    _l.c.kind,
    _l.c.addon_id,
    _l.c.option,
    _l.c.quantity,
    _l.c.from_day,
    _l.c.to_day,
    _l.c.amount_cents,
    _l.c.due_on,
    _l.c.invoice_number,
    _l.c.credits_line_id,
)
_LINE_ADDON = _LINE.where(
    _l.c.team_id == bindparam("team_id"), _l.c.addon_id == bindparam("addon_id")
).order_by(_l.c.id)
_LINE_DRAFTS = _LINE.where(
    _l.c.team_id == bindparam("team_id"), _l.c.invoice_number.is_(None)
).order_by(_l.c.id)
_LINE_INVOICE = _LINE.where(_l.c.invoice_number == bindparam("number")).order_by(
    _l.c.addon_id, _l.c.from_day, _l.c.kind, _l.c.id
)
_LINE_INSERT = insert(_l)
_LINE_DELETE_DRAFT = (
    _l.delete()
    .where(_l.c.team_id == bindparam("b_team_id"), _l.c.id == bindparam("b_id"))
    .where(_l.c.invoice_number.is_(None))
)
_LINE_INVOICED = (
    update(_l)
    .where(_l.c.team_id == bindparam("b_team_id"), _l.c.id == bindparam("b_id"))
    .where(_l.c.invoice_number.is_(None))
    .values(invoice_number=bindparam("number"))
)


def _line(row: Row) -> InvoiceLine:
    return InvoiceLine(
        id=row[0],
        kind=LineKind(row[1]),
        addon_id=row[2],
        option=row[3],
        quantity=row[4],
        from_day=row[5],
        to_day=row[6],
        amount=Money(row[7]),
        due_on=row[8],
        invoice_number=row[9],
        credits_line_id=row[10],
    )


def _line_row(team_id: str, line: InvoiceLine) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "addon_id": line.addon_id,
        "kind": line.kind.value,
        "option": line.option,
        "quantity": line.quantity,
        "from_day": line.from_day,
        "to_day": line.to_day,
        "amount_cents": line.amount.cents,
        "due_on": line.due_on,
        "invoice_number": line.invoice_number,
        "credits_line_id": line.credits_line_id,
    }


class Lines(Repository):
    """The invoice ledger: drafts (no invoice yet) and invoiced lines."""

    async def for_addon(self, team_id: str, addon_id: int) -> list[InvoiceLine]:
        """Every line of one add-on, oldest first."""
        rows = await self._all(_LINE_ADDON, {"team_id": team_id, "addon_id": addon_id})
        return [_line(r) for r in rows]

    async def drafts(self, team_id: str) -> list[InvoiceLine]:
        """The workspace's lines not yet on an invoice."""
        return [_line(r) for r in await self._all(_LINE_DRAFTS, {"team_id": team_id})]

    async def for_invoice(self, number: int) -> list[InvoiceLine]:
        """The lines of one invoice, in the order the invoice shows them."""
        return [_line(r) for r in await self._all(_LINE_INVOICE, {"number": number})]

    async def add(self, team_id: str, line: InvoiceLine) -> int:
        """Store a line; return its id."""
        written = await self._x.write(_LINE_INSERT, _line_row(team_id, line))
        assert written.lastrowid is not None
        return written.lastrowid

    async def add_many(self, team_id: str, lines: list[InvoiceLine]) -> None:
        """Store lines, in one statement."""
        if lines:
            await self._x.write_many(_LINE_INSERT, [_line_row(team_id, line) for line in lines])

    async def delete_drafts(self, team_id: str, ids: tuple[int, ...]) -> None:
        """Delete these lines if they are still drafts (never an invoiced line)."""
        if ids:
            await self._x.write_many(
                _LINE_DELETE_DRAFT, [{"b_team_id": team_id, "b_id": i} for i in ids]
            )

    async def mark_invoiced(self, team_id: str, ids: list[int], number: int) -> None:
        """Put these drafts on invoice ``number``."""
        if ids:
            await self._x.write_many(
                _LINE_INVOICED, [{"b_team_id": team_id, "b_id": i, "number": number} for i in ids]
            )


# -- invoices -------------------------------------------------------------------------

_i = invoices
_INVOICE = select(_i.c.number, _i.c.team_id, _i.c.period_index, _i.c.period_start, _i.c.period_end)
_INVOICE_INSERT = insert(_i)
# Invoices with their lines in one query (a line-less invoice comes as one row of NULLs).
_INVOICE_LINES = select(*_INVOICE.selected_columns, *_LINE.selected_columns).select_from(
    _i.outerjoin(_l, _l.c.invoice_number == _i.c.number)
)
_INVOICE_LINES_ORDER = (_i.c.number.desc(), _l.c.addon_id, _l.c.from_day, _l.c.kind, _l.c.id)
_TEAM_NUMBERS = select(_i.c.number).where(_i.c.team_id == bindparam("team_id"))
_INVOICE_LINES_NEWEST = _INVOICE_LINES.where(_i.c.team_id == bindparam("team_id")).order_by(
    *_INVOICE_LINES_ORDER
)
_INVOICE_LINES_NEWEST_SOME = _INVOICE_LINES.where(
    _i.c.number.in_(_TEAM_NUMBERS.order_by(_i.c.number.desc()).limit(bindparam("n")))
).order_by(*_INVOICE_LINES_ORDER)
_INVOICE_LINES_GET = _INVOICE_LINES.where(_i.c.number == bindparam("number")).order_by(
    *_INVOICE_LINES_ORDER
)
_INVOICE_LINES_GET_SCOPED = _INVOICE_LINES.where(
    _i.c.number == bindparam("number"), _i.c.team_id == bindparam("team_id")
).order_by(*_INVOICE_LINES_ORDER)
_COUNTER_GET = select(counters.c.value).where(counters.c.name == INVOICE_COUNTER)
# On PostgreSQL a writer holds the counter row until it commits: numbers stay gapless and
# two invoices never get one number (SQLite's writer lock already does the same).
_COUNTER_GET_LOCKED = _COUNTER_GET.with_for_update()
_COUNTER_ADVANCE = (
    update(counters)
    .where(counters.c.name == INVOICE_COUNTER, counters.c.value == bindparam("before"))
    .values(value=bindparam("after"))
)


def _invoice(header: Row, lines: list[InvoiceLine]) -> Invoice:
    number, team_id, index, start, end = header
    return Invoice(number, team_id, Period(index, start, end), tuple(lines))


class Invoices(Repository):
    """Issued consolidated invoices and the gapless number counter."""

    async def next_number(self) -> int:
        """The number the next invoice gets; taken only when ``add`` is committed."""
        row = await self._one(_COUNTER_GET_LOCKED if self._x.row_locks else _COUNTER_GET)
        assert row is not None
        return int(row[0]) + 1

    async def add(self, invoice: Invoice, now: datetime) -> None:
        """Store the invoice header and advance the counter, in the caller's transaction."""
        assert invoice.number is not None
        written = await self._x.write(
            _COUNTER_ADVANCE, {"before": invoice.number - 1, "after": invoice.number}
        )
        if written.rowcount != 1:  # the number was not the next one: never leave a gap
            raise StorageError(f"invoice number {invoice.number} is not the next number")
        await self._x.write(
            _INVOICE_INSERT,
            {
                "number": invoice.number,
                "team_id": invoice.team_id,
                "period_index": invoice.period.index,
                "period_start": invoice.period.start,
                "period_end": invoice.period.end,
                "total_cents": invoice.total.cents,
                "created_at": now,
            },
        )

    @staticmethod
    def _assemble(rows: list[Row]) -> list[Invoice]:
        """Invoices from rows of (header, line) in invoice order; header-only rows have no
        line (the outer join's NULLs)."""
        result: list[Invoice] = []
        header: Row | None = None
        lines: list[InvoiceLine] = []
        for row in rows:
            if header is None or row[0] != header[0]:
                if header is not None:
                    result.append(_invoice(header, lines))
                header, lines = row[:5], []
            if row[5] is not None:
                lines.append(_line(row[5:]))
        if header is not None:
            result.append(_invoice(header, lines))
        return result

    async def newest_first(self, team_id: str, limit: int | None = None) -> list[Invoice]:
        """The workspace's invoices with their lines, newest first (one query)."""
        if limit is None:
            rows = await self._all(_INVOICE_LINES_NEWEST, {"team_id": team_id})
        else:
            params = {"team_id": team_id, "n": limit}
            rows = await self._all(_INVOICE_LINES_NEWEST_SOME, params)
        return self._assemble(rows)

    async def get(self, number: int, team_id: str | None = None) -> Invoice | None:
        """One invoice with its lines by number; scoped to ``team_id`` when one is given."""
        if team_id is None:
            rows = await self._all(_INVOICE_LINES_GET, {"number": number})
        else:
            params = {"number": number, "team_id": team_id}
            rows = await self._all(_INVOICE_LINES_GET_SCOPED, params)
        found = self._assemble(rows)
        return found[0] if found else None


# -- idempotency keys -----------------------------------------------------------------

_k = idempotency_keys
_KEY_INSERT = insert(_k)
_KEY_GET = select(_k.c.addon_id).where(
    _k.c.team_id == bindparam("team_id"), _k.c.key == bindparam("key")
)


class IdempotencyKeys(Repository):
    """Which add-on a confirmation key already booked."""

    async def get(self, team_id: str, key: str) -> int | None:
        """The add-on this key booked, if any."""
        row = await self._one(_KEY_GET, {"team_id": team_id, "key": key})
        return int(row[0]) if row else None

    async def put(self, team_id: str, key: str, addon_id: int, now: datetime) -> None:
        """Remember that this key booked this add-on."""
        await self._x.write(
            _KEY_INSERT, {"team_id": team_id, "key": key, "addon_id": addon_id, "created_at": now}
        )


__all__ = [
    "AddOns",
    "IdempotencyKeys",
    "Invoices",
    "Lines",
    "Repository",
    "Subscriptions",
]
