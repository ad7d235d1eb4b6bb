"""The billing schedule: time passes on its own.

Every beat bills the workspaces whose period is due (each in its own transaction) and
then hands the due direct messages to the outbox's sender.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Sequence

from bot.adapters.dm_sender import Delivery, deliver_due
from bot.adapters.observability import metrics
from bot.ports import Busy, Clients, Clock, Render
from bot.services import Context, PeriodTurn, iter_billing_run

logger = logging.getLogger("addons.scheduler")


async def tick(
    ctx: Context,
    client: Clients,
    clock: Clock,
    render: Render,
    *,
    keep_turns: bool = True,
    team_ids: Sequence[str] | None = None,
    stop: asyncio.Event | None = None,
) -> tuple[list[PeriodTurn], Delivery]:
    """One beat of the schedule: every due billing turn, then every due message.

    A workspace whose turn fails is logged and left for the next beat; the others, and
    the delivery of messages, go on. The background schedule passes ``keep_turns=False``:
    turns are logged as they happen and not kept, so a beat over many workspaces needs no
    more memory than one. ``team_ids`` limits the billing to those workspaces. Once
    ``stop`` is set it stops after the workspace in hand (its transaction committed).
    """
    turns: list[PeriodTurn] = []
    started = time.perf_counter()
    run = iter_billing_run(ctx, clock.now(), team_ids, skip_failures=True)
    try:
        async for turn in run:
            _record(turn, turns if keep_turns else None)
            if stop is not None and stop.is_set():
                break
    finally:  # leave the run between two workspaces, not whenever it is collected
        if isinstance(run, AsyncGenerator):
            await run.aclose()
    metrics.BILLING_RUN_SECONDS.observe(time.perf_counter() - started)
    delivery = await deliver_due(ctx, client, clock, render, stop=stop)
    return turns, delivery


def _record(turn: PeriodTurn, kept: list[PeriodTurn] | None) -> None:
    """Log and count one billing turn; keep it if asked."""
    if kept is not None:
        kept.append(turn)
    if turn.invoice is not None:
        metrics.INVOICES_ISSUED.inc()
        logger.info(
            "issued invoice %s for %s (%s), total %s",
            turn.invoice.number,
            turn.team_id,
            turn.period.start,
            turn.invoice.total,
        )
    if turn.deactivated:
        logger.info("deactivated add-ons %s of %s", turn.deactivated, turn.team_id)


async def run_schedule(
    ctx: Context,
    client: Clients,
    clock: Clock,
    render: Render,
    interval_seconds: float,
    stop: asyncio.Event,
) -> None:
    """Tick at start-up and then every ``interval_seconds`` until ``stop`` is set."""
    while not stop.is_set():
        try:
            await tick(ctx, client, clock, render, keep_turns=False, stop=stop)
        except Busy:
            metrics.BILLING_FAILURES.labels("run").inc()
            logger.warning("database busy; the schedule tries again at the next beat")
        except Exception:  # the schedule must outlive one bad beat; the trace is logged
            metrics.BILLING_FAILURES.labels("run").inc()
            logger.exception("billing schedule beat failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
