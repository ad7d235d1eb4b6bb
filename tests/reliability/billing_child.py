"""A fork server for the crash test: imports the app once, then forks one billing run per
line ``PATH NOW_ISO`` read from stdin, so that thirty runs cost thirty forks, not thirty
interpreter start-ups.

Protocol on stdout, one line each, flushed:
    ready                    the server is listening
    open <pid>               the forked run <pid> opened the database and starts billing
    done <pid> <seconds>     the run finished (seconds of billing, without start-up)
    exit <pid> <code>        the run is gone: 0 finished, -9 killed (SIGKILL), else failed

    python -m tests.reliability.billing_child
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import traceback
from datetime import datetime

from bot import services
from storage import Database


async def _bill(path: str, now: datetime) -> None:
    db = Database(path)
    await db.open()
    print(f"open {os.getpid()}", flush=True)
    started = time.perf_counter()
    await services.billing_run(services.Context(db), now)
    await db.close()
    print(f"done {os.getpid()} {time.perf_counter() - started:.4f}", flush=True)


def _child(path: str, now: str) -> None:
    code = 0
    try:
        asyncio.run(_bill(path, datetime.fromisoformat(now)))
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    """Fork one billing run per command; report how each ended."""
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        path, now = line.split()
        pid = os.fork()
        if pid == 0:
            _child(path, now)
        _, status = os.waitpid(pid, 0)
        print(f"exit {pid} {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    serve()
