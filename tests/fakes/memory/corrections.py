"""The in-memory Rechnungskorrekturen: headers with their lines and their own counter."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.corrections import Correction
from tests.fakes.memory.repositories import Repo
from tests.fakes.memory.tables import CorrectionRow, IntegrityError, next_id


class Corrections(Repo):
    """Issued Rechnungskorrekturen and their own gapless number counter."""

    async def next_number(self) -> int:
        """The number the next correction gets; taken only when ``add`` is committed."""
        return self._tx.read().correction_counter + 1

    async def add(self, correction: Correction, now: datetime) -> None:
        """Store the correction with its lines and advance the counter, in one transaction."""
        tables = self._tx.write()
        number = correction.number
        if number is None or number != tables.correction_counter + 1:
            raise IntegrityError(f"correction number {number} is not the next number")
        if correction.team_id not in tables.subscriptions:
            raise IntegrityError(f"FOREIGN KEY: no subscription {correction.team_id!r}")
        if correction.corrects not in tables.invoices:
            raise IntegrityError(f"FOREIGN KEY: no invoice {correction.corrects}")
        for line in correction.lines:
            if line.addon_id not in tables.addons:
                raise IntegrityError(f"FOREIGN KEY: no add-on {line.addon_id}")
            if line.credits_line_id not in tables.lines:
                raise IntegrityError(f"FOREIGN KEY: no line {line.credits_line_id}")
        first = next_id(line.id or 0 for row in tables.corrections.values() for line in row.lines)
        lines = tuple(
            replace(line, id=first + i, due_on=correction.issued_on, invoice_number=None)
            for i, line in enumerate(correction.lines)
        )
        tables.correction_counter = number
        tables.corrections[number] = CorrectionRow(
            number,
            correction.team_id,
            correction.corrects,
            correction.issued_on,
            correction.total.cents,
            now.isoformat(),
            lines,
            correction.terms,
        )

    @staticmethod
    def _correction(row: CorrectionRow) -> Correction:
        lines = sorted(row.lines, key=lambda line: (line.addon_id, line.from_day, line.id or 0))
        return Correction(
            row.number, row.team_id, row.corrects, row.issued_on, tuple(lines), row.terms
        )

    async def newest_first(self, team_id: str) -> list[Correction]:
        """The workspace's corrections, newest first."""
        rows = self._tx.read().corrections
        return [
            self._correction(rows[n])
            for n in sorted(rows, reverse=True)
            if rows[n].team_id == team_id
        ]

    async def get(self, number: int, team_id: str | None = None) -> Correction | None:
        """One correction by number; scoped to ``team_id`` when one is given."""
        row = self._tx.read().corrections.get(number)
        if row is None or (team_id is not None and row.team_id != team_id):
            return None
        return self._correction(row)
