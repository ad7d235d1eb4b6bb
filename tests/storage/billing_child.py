"""A billing run in its own process, for the crash test to kill: PATH NOW(ISO)."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime

from bot import services
from storage import Database


async def _main(path: str, now: datetime) -> None:
    db = Database(path)
    await db.open()
    print("ready", flush=True)
    started = time.perf_counter()
    turns = await services.billing_run(services.Context(db), now)
    await db.close()
    print(f"done {len(turns)} {time.perf_counter() - started:.4f}", flush=True)


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1], datetime.fromisoformat(sys.argv[2])))
