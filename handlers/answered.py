"""Wait until Slack has been sent the answer to a submission before updating its view.

A submission answered with ``response_action: update`` and then updated by views.update
must reach Slack in that order, or the "Wird gebucht …" of the answer lands on top of
the result and stays there. Bolt hands the answer to the HTTP adapter up to 10 ms after
``ack()`` (it polls), while the listener runs on: with a cached user and a quick
database, its views.update could overtake the answer. So the listener waits here.

The HTTP adapter (bot/adapters/slack_app.py) puts an :class:`asyncio.Event` into the request context
under :data:`ANSWERED` and sets it once the answer is written. Callers that dispatch to
Bolt directly (the offline console, some tests) have none; then two of Bolt's polling
intervals are waited, after which Bolt has returned the answer to its caller.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from bot.ports import ANSWERED

__all__ = ["ANSWERED", "once_answered"]

BOLT_POLL_SECONDS = 0.01  # how often Bolt looks whether a listener has acknowledged
MAX_WAIT_SECONDS = 1.0  # never wait longer than this for the adapter's word


async def once_answered(context: Mapping[str, Any]) -> None:
    """Return once the answer to this request has left for Slack."""
    event = context.get(ANSWERED)
    if isinstance(event, asyncio.Event):
        # Should the adapter fail to say, the answer is long gone after a second.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), MAX_WAIT_SECONDS)
        return
    await asyncio.sleep(2 * BOLT_POLL_SECONDS)
