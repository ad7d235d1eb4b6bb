"""`addons-bot billing run`: issue every due consolidated invoice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot import services
from bot.entrypoints.cli.invocation import Run
from bot.entrypoints.cli.output import count, in_law
from bot.services import PeriodTurn


async def billing_run(run: Run) -> int:
    """Every workspace's due turns, period by period; a rerun issues nothing new."""
    turns = await services.billing_run(run.ctx, run.now, issued_at=run.real)
    if run.args.json:
        teams = {turn.team_id for turn in turns if turn.invoice is not None}
        customers = {
            team: (await services.get_workspace(run.ctx, team)).customer for team in sorted(teams)
        }
        return run.json(_as_json(run.now, turns, customers))
    return run.say(*_as_text(run.now, turns))


def _as_json(
    now: datetime, turns: Sequence[PeriodTurn], customers: dict[str, str | None]
) -> dict[str, Any]:
    """``issued`` names each workspace's customer number, as the events do."""
    issued = [turn.invoice for turn in turns if turn.invoice is not None]
    return {
        "now": now.isoformat(),
        "issued": [
            services.invoice_to_json(invoice, customers.get(invoice.team_id)) for invoice in issued
        ],
        "turns": [
            {
                "team_id": turn.team_id,
                "period_start": turn.period.start.isoformat(),
                "period_end": turn.period.end.isoformat(),
                "invoice_number": turn.invoice.number if turn.invoice else None,
                "deactivated": list(turn.deactivated),
                "renewed": turn.renewed,
            }
            for turn in turns
        ],
    }


def _as_text(now: datetime, turns: Sequence[PeriodTurn]) -> list[str]:
    lines = []
    issued = 0
    for turn in turns:
        span = f"{turn.period.start}..{turn.period.end}"
        if turn.invoice is not None:
            issued += 1
            invoice = turn.invoice
            carried = count(len(invoice.lines) + (invoice.plan is not None), "line")
            lines.append(
                f"Issued invoice {invoice.number} to {turn.team_id} for {span}: "
                f"{in_law(invoice.total, invoice.taxed)}, {carried}."
            )
        if turn.deactivated:
            ids = ", ".join(f"#{i}" for i in turn.deactivated)
            last_day = turn.period.start - timedelta(days=1)
            lines.append(
                f"Ended add-on {ids} of {turn.team_id}: its cancellation took effect on {last_day}."
            )
    quiet = len(turns) - issued
    lines.append(
        f"Billing run as of {now.isoformat()}: {issued} invoice(s) issued"
        + (f", {quiet} period(s) turned with nothing to bill." if quiet else ".")
    )
    return lines
