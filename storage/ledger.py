"""The invoice ledger on SQLAlchemy Core: invoice lines (drafts and invoiced) and the
issued invoices with their gapless number counter.

Every query of a workspace's rows is scoped by its team id; statements are built once,
at import, as in ``storage.repositories``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from domain.invoices import Invoice, InvoiceLine, LineKind, PlanLine
from domain.money import Money
from domain.periods import Period
from domain.terms import Terms
from storage.repositories import Repository, Row
from storage.tables import (
    INVOICE_COUNTER,
    counters,
    invoice_lines,
    invoices,
)

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
# PostgreSQL: every draft of an invoice in one statement (an array of ids)
_LINES_INVOICED = (
    update(_l)
    .where(
        _l.c.team_id == bindparam("b_team_id"),
        _l.c.id == any_(bindparam("b_ids", type_=ARRAY(Integer))),
    )
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
        await self._workspace(team_id)
        rows = await self._all(_LINE_ADDON, {"team_id": team_id, "addon_id": addon_id})
        return [_line(r) for r in rows]

    async def drafts(self, team_id: str) -> list[InvoiceLine]:
        """The workspace's lines not yet on an invoice."""
        await self._workspace(team_id)
        return [_line(r) for r in await self._all(_LINE_DRAFTS, {"team_id": team_id})]

    async def for_invoice(self, number: int) -> list[InvoiceLine]:
        """The lines of one invoice, in the order the invoice shows them."""
        return [_line(r) for r in await self._all(_LINE_INVOICE, {"number": number})]

    async def add(self, team_id: str, line: InvoiceLine) -> int:
        """Store a line; return its id."""
        await self._workspace(team_id)
        written = await self._x.write(_LINE_INSERT, _line_row(team_id, line))
        assert written.lastrowid is not None
        return written.lastrowid

    async def add_many(self, team_id: str, lines: list[InvoiceLine]) -> None:
        """Store lines, in one statement."""
        await self._workspace(team_id)
        if lines:
            await self._x.write_many(_LINE_INSERT, [_line_row(team_id, line) for line in lines])

    async def delete_drafts(self, team_id: str, ids: tuple[int, ...]) -> None:
        """Delete these lines if they are still drafts (never an invoiced line)."""
        await self._workspace(team_id)
        if ids:
            await self._x.write_many(
                _LINE_DELETE_DRAFT, [{"b_team_id": team_id, "b_id": i} for i in ids]
            )

    async def mark_invoiced(self, team_id: str, ids: list[int], number: int) -> None:
        """Put these drafts on invoice ``number``."""
        await self._workspace(team_id)
        if ids and self._x.dialect_name == "postgresql":
            await self._x.write_later(
                _LINES_INVOICED, {"b_team_id": team_id, "b_ids": ids, "number": number}
            )
        elif ids:
            await self._x.write_many(
                _LINE_INVOICED, [{"b_team_id": team_id, "b_id": i, "number": number} for i in ids]
            )


# -- invoices -------------------------------------------------------------------------

_i = invoices
_INVOICE = select(
    _i.c.number,
    _i.c.team_id,
    _i.c.period_index,
    _i.c.period_start,
    _i.c.period_end,
    _i.c.issued_on,
    _i.c.plan_name,
    _i.c.plan_cents,
    _i.c.terms,
)
_HEADER = len(_INVOICE.selected_columns)
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
    number, team_id, index, start, end, issued_on, plan_name, plan_cents, terms = header
    period = Period(index, start, end)
    plan = PlanLine(plan_name, Money(plan_cents), start, end) if plan_name is not None else None
    return Invoice(
        number,
        team_id,
        period,
        tuple(lines),
        issued=issued_on,
        plan=plan,
        terms=terms_of(terms),
    )


def terms_of(text: str | None) -> Terms | None:
    """A document's stored terms (JSON), None for one issued before 0008_law."""
    return Terms.from_record(json.loads(text)) if text else None


def terms_text(terms: Terms | None) -> str | None:
    """Terms as stored with a document: JSON, keys sorted."""
    return json.dumps(terms.to_record(), sort_keys=True) if terms is not None else None


class Invoices(Repository):
    """Issued consolidated invoices and the gapless number counter."""

    async def next_number(self) -> int:
        """The number the next invoice gets; taken only when ``add`` is committed."""
        row = await self._one(_COUNTER_GET_LOCKED if self._x.row_locks else _COUNTER_GET)
        assert row is not None
        return int(row[0]) + 1

    async def add(self, invoice: Invoice, now: datetime) -> None:
        """Store the invoice header and advance the counter, in the caller's transaction."""
        await self._workspace(invoice.team_id)
        assert invoice.number is not None
        await self._x.write_later(  # not the next number: never leave a gap
            _COUNTER_ADVANCE,
            {"before": invoice.number - 1, "after": invoice.number},
            one=f"invoice number {invoice.number} is not the next number",
        )
        taxed = invoice.taxed
        await self._x.write_later(
            _INVOICE_INSERT,
            {
                "number": invoice.number,
                "team_id": invoice.team_id,
                "period_index": invoice.period.index,
                "period_start": invoice.period.start,
                "period_end": invoice.period.end,
                "total_cents": invoice.total.cents,
                "created_at": now,
                "issued_on": invoice.issued,
                "plan_name": invoice.plan.name if invoice.plan else None,
                "plan_cents": invoice.plan.amount.cents if invoice.plan else None,
                "terms": terms_text(invoice.terms),
                "vat_cents": taxed.vat.cents if taxed else None,
                "gross_cents": taxed.gross.cents if taxed else None,
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
                header, lines = row[:_HEADER], []
            if row[_HEADER] is not None:
                lines.append(_line(row[_HEADER:]))
        if header is not None:
            result.append(_invoice(header, lines))
        return result

    async def newest_first(self, team_id: str, limit: int | None = None) -> list[Invoice]:
        """The workspace's invoices with their lines, newest first (one query)."""
        await self._workspace(team_id)
        if limit is None:
            rows = await self._all(_INVOICE_LINES_NEWEST, {"team_id": team_id})
        else:
            params = {"team_id": team_id, "n": limit}
            rows = await self._all(_INVOICE_LINES_NEWEST_SOME, params)
        return self._assemble(rows)

    async def get(self, number: int, team_id: str | None = None) -> Invoice | None:
        """One invoice with its lines by number; scoped to ``team_id`` when one is given."""
        if team_id is not None:
            await self._workspace(team_id)
        if team_id is None:
            rows = await self._all(_INVOICE_LINES_GET, {"number": number})
        else:
            params = {"number": number, "team_id": team_id}
            rows = await self._all(_INVOICE_LINES_GET_SCOPED, params)
        found = self._assemble(rows)
        return found[0] if found else None
