"""One process that runs a documented story of operator commands on one SQLite file.

``python -m tests.docs.story_process`` reads ``{"steps": [[argv, now], ...]}`` on stdin,
runs each command line through the CLI's own ``main`` at its instant (the one seam the
CLI has for "today"), in the working folder, on ``./addons.db``, and writes
``{"outputs": [...], "events": [...]}`` on stdout: what each command printed (stdout
and stderr as a terminal shows them), then the body of every CloudCRM event the story
queued, oldest first, exactly as it is signed and sent.
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime

from bot import services
from bot.bootstrap import bootstrap, load_settings
from bot.entrypoints.cli import main

DATABASE = "addons.db"


def run(argv: list[str], now: datetime) -> str:
    """What one command line prints."""
    printed = io.StringIO()
    with redirect_stdout(printed), redirect_stderr(printed):
        main([*argv, "--database", DATABASE], now=now)
    return printed.getvalue()


async def event_bodies() -> list[str]:
    """Every event body of the story's database, oldest first."""
    async with bootstrap(load_settings(DATABASE), pool_size=1, slack_session=False) as rt:
        events = await services.list_webhook_events(rt.ctx, limit=10_000)
    return [event.body for event in reversed(events)]


def main_() -> None:
    request = json.load(sys.stdin)
    outputs = [run(argv, datetime.fromisoformat(now)) for argv, now in request["steps"]]
    events = asyncio.run(event_bodies()) if request["steps"] else []
    sys.stdout.write(json.dumps({"outputs": outputs, "events": events}))


if __name__ == "__main__":
    main_()
