"""The Rechnungskorrekturen on SQLAlchemy Core: headers, their credit lines, their counter."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, insert, select, update

from domain.corrections import Correction
from domain.invoices import InvoiceLine, LineKind
from domain.money import Money
from storage.ledger import terms_of, terms_text
from storage.repositories import Repository, Row
from storage.tables import CORRECTION_COUNTER, correction_lines, corrections, counters

_c = corrections
_cl = correction_lines
_HEADER = select(_c.c.number, _c.c.team_id, _c.c.corrects, _c.c.issued_on, _c.c.terms)
_NEWEST = _HEADER.where(_c.c.team_id == bindparam("team_id")).order_by(_c.c.number.desc())
_GET = _HEADER.where(_c.c.number == bindparam("number"))
_GET_SCOPED = _GET.where(_c.c.team_id == bindparam("team_id"))
_LINES = (
    select(
        _cl.c.correction_number,
        _cl.c.id,
        _cl.c.addon_id,
        _cl.c.option,
        _cl.c.quantity,
        _cl.c.from_day,
        _cl.c.to_day,
        _cl.c.amount_cents,
        _cl.c.credits_line_id,
    )
    .where(_cl.c.correction_number == bindparam("number"))
    .order_by(_cl.c.addon_id, _cl.c.from_day, _cl.c.id)
)
_INSERT = insert(_c)
_LINE_INSERT = insert(_cl)
_COUNTER_GET = select(counters.c.value).where(counters.c.name == CORRECTION_COUNTER)
# A PostgreSQL writer holds the counter row until it commits: numbers stay gapless.
_COUNTER_GET_LOCKED = _COUNTER_GET.with_for_update()
_COUNTER_ADVANCE = (
    update(counters)
    .where(counters.c.name == CORRECTION_COUNTER, counters.c.value == bindparam("before"))
    .values(value=bindparam("after"))
)


def _line(row: Row, issued_on: date) -> InvoiceLine:
    _, line_id, addon_id, option, quantity, from_day, to_day, cents, credits = row
    return InvoiceLine(
        kind=LineKind.CREDIT,
        addon_id=addon_id,
        option=option,
        quantity=quantity,
        from_day=from_day,
        to_day=to_day,
        amount=Money(cents),
        due_on=issued_on,  # a correction's lines are due the day it is issued
        id=line_id,
        credits_line_id=credits,
    )


class Corrections(Repository):
    """Issued Rechnungskorrekturen and their own gapless number counter."""

    async def next_number(self) -> int:
        """The number the next correction gets; taken only when ``add`` is committed."""
        row = await self._one(_COUNTER_GET_LOCKED if self._x.row_locks else _COUNTER_GET)
        assert row is not None
        return int(row[0]) + 1

    async def add(self, correction: Correction, now: datetime) -> None:
        """Store the correction with its lines and advance the counter, in one transaction."""
        await self._workspace(correction.team_id)
        number = correction.number
        assert number is not None
        await self._x.write_later(  # not the next number: never leave a gap
            _COUNTER_ADVANCE,
            {"before": number - 1, "after": number},
            one=f"correction number {number} is not the next number",
        )
        taxed = correction.taxed
        await self._x.write_later(
            _INSERT,
            {
                "number": number,
                "team_id": correction.team_id,
                "corrects": correction.corrects,
                "issued_on": correction.issued_on,
                "total_cents": correction.total.cents,
                "created_at": now,
                "terms": terms_text(correction.terms),
                "vat_cents": taxed.vat.cents if taxed else None,
                "gross_cents": taxed.gross.cents if taxed else None,
            },
        )
        await self._x.write_many(
            _LINE_INSERT,
            [
                {
                    "correction_number": number,
                    "team_id": correction.team_id,
                    "addon_id": line.addon_id,
                    "option": line.option,
                    "quantity": line.quantity,
                    "from_day": line.from_day,
                    "to_day": line.to_day,
                    "amount_cents": line.amount.cents,
                    "credits_line_id": line.credits_line_id,
                }
                for line in correction.lines
            ],
        )

    async def _assemble(self, headers: list[Row]) -> list[Correction]:
        # A workspace has few corrections (one per withdrawn, invoiced booking): one
        # query per correction keeps each statement compiled once.
        result = []
        for number, team_id, corrects, issued_on, terms in headers:
            rows = await self._all(_LINES, {"number": number})
            lines = tuple(_line(r, issued_on) for r in rows)
            result.append(Correction(number, team_id, corrects, issued_on, lines, terms_of(terms)))
        return result

    async def newest_first(self, team_id: str) -> list[Correction]:
        """The workspace's corrections, newest first."""
        await self._workspace(team_id)
        return await self._assemble(await self._all(_NEWEST, {"team_id": team_id}))

    async def get(self, number: int, team_id: str | None = None) -> Correction | None:
        """One correction by number; scoped to ``team_id`` when one is given."""
        if team_id is not None:
            await self._workspace(team_id)
        if team_id is None:
            headers = await self._all(_GET, {"number": number})
        else:
            headers = await self._all(_GET_SCOPED, {"number": number, "team_id": team_id})
        found = await self._assemble(headers)
        return found[0] if found else None
