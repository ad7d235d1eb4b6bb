"""The console's step: dispatch to the app, let it settle, beat the schedule, show.

Every step goes the way it goes in Slack: the request reaches the app's real dispatch,
the work the app does after acknowledging finishes, the schedule beats once (due billing
runs, queued direct messages), and then what changed is printed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import services
from bot.adapters.billing_schedule import tick
from bot.entrypoints.console.payloads import Signed
from bot.entrypoints.console.state import TEAM, Session
from bot.entrypoints.console.view import report, show

SLACK_ACK_SECONDS = 3.0  # Slack gives up on an acknowledgement after 3 s
SETTLE_SECONDS = 30.0

Move = Callable[[], Awaitable[None]]


async def step(s: Session, action: Move | None, *, force: bool = False, quiet: bool = True) -> None:
    """Do ``action``, let the app finish, beat the schedule once, show what changed."""
    before = asyncio.all_tasks()
    if action is not None:
        await action()
    await _settle(s, before)
    # Only the demo workspace is billed: moving a test clock must never issue invoices
    # for other workspaces that happen to live in the same file.
    turns, _ = await tick(s.ctx, s.client, s.clock, s.render, team_ids=[TEAM])
    report(s, turns)
    if not turns and not quiet:
        await _nothing_due(s)
    await _settle(s, before)
    show(s, force=force)


async def _settle(s: Session, before: set[asyncio.Task[Any]]) -> None:
    """Wait for what the app still does after acknowledging (and the HTTP it causes)."""
    me = asyncio.current_task()
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        await asyncio.sleep(0)
        pending = {
            t for t in asyncio.all_tasks() if t not in before and t is not me and not t.done()
        }
        if not pending:
            return
        left = deadline - time.monotonic()
        if left <= 0:
            s.screen.note(
                f"the app is still busy after {SETTLE_SECONDS:.0f} s; going on without it"
            )
            return
        await asyncio.wait(pending, timeout=left)


async def dispatch(s: Session, signed: Signed) -> BoltResponse:
    """Hand a signed request to the app's real dispatch, as the HTTP adapter does."""
    started = time.monotonic()
    response = await s.app.async_dispatch(
        AsyncBoltRequest(body=signed.body, headers=dict(signed.headers))
    )
    took = time.monotonic() - started
    if took > SLACK_ACK_SECONDS:
        s.screen.note(
            f"the app took {took:.1f} s to acknowledge; Slack gives up after "
            f"{SLACK_ACK_SECONDS:.0f} s and shows an error"
        )
    if response.status not in (200, 404):
        s.screen.note(f"the app answered HTTP {response.status}: {response.body[:200]}")
    return response


async def _nothing_due(s: Session) -> None:
    sub = await services.get_workspace(s.ctx, TEAM)
    period = sub.schedule.period_containing(sub.today(s.clock.now()))
    s.screen.note(
        f"no billing run due; the next consolidated invoice of {TEAM} is on "
        f"{s.day_text(period.end + timedelta(days=1))}"
    )
