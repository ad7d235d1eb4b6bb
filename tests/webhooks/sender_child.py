"""The webhook sender alone in a process of its own, for the test that SIGKILLs it.

python -m tests.webhooks.sender_child DB URL LEASE_SECONDS
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from bot.adapters.clock import SystemClock
from bot.adapters.webhooks import run_webhooks
from storage import Database
from tests.webhooks.support import fast


async def main(path: str, url: str, lease: float) -> None:
    """Deliver until killed."""
    async with Database(path) as db:
        config = fast(url, lease=timedelta(seconds=lease), timeout=30.0)
        print("ready", flush=True)
        await run_webhooks(db, config, SystemClock(), asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
