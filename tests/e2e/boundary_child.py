"""One use case as a process of its own, for the period-boundary process test.

    python -m tests.e2e.boundary_child URL bill NOW_ISO TEAM
    python -m tests.e2e.boundary_child URL book TEAM START_ISO

``book`` confirms one user with a clock that reads START_ISO when the process starts and
runs on in real time, read whenever the use case reads it. Prints ``ok`` and what it did
(the booking's day and billed-until, or the periods turned), one line, then exits 0.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime, timedelta

from bot import services
from storage import Database

# Waiting for a workspace another process holds is what this test is about.
LOCK_WAIT_MS = 20_000


async def _main(url: str, verb: str, *args: str) -> str:
    async with Database(url, pool_size=2, busy_timeout_ms=LOCK_WAIT_MS) as db:
        ctx = services.Context(db)
        if verb == "bill":
            # A run for a named workspace waits for it (the schedule's run over every
            # workspace would skip one another process holds, and bill it next tick).
            turns = await services.billing_run(ctx, datetime.fromisoformat(args[0]), [args[1]])
            return " ".join(turn.period.start.isoformat() for turn in turns)
        team, start = args[0], datetime.fromisoformat(args[1])
        began = time.monotonic()

        def clock() -> datetime:
            return start + timedelta(seconds=time.monotonic() - began)

        booked = await services.book(ctx, team, "users", 1, clock, key="late", actor="U0LATE")
        return f"{booked.addon.booked_on} {booked.addon.billed_until}"


if __name__ == "__main__":
    print("ok", asyncio.run(_main(*sys.argv[1:])), flush=True)
