"""A sender SIGKILLed between sending and marking: the event comes again, same id."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from aiohttp import web

from tests.environment import SELLER_ENV
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import eventually, shop

ROOT = Path(__file__).resolve().parents[2]


async def _hold(_: web.Request) -> web.StreamResponse:
    await asyncio.sleep(3600)  # CloudCRM took the event; its answer never gets out
    return web.Response()


async def start_sender(path: Path, url: str) -> asyncio.subprocess.Process:
    """The sender in a process of its own, with a one-second lease."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.webhooks.sender_child",
        str(path),
        url,
        "1",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, **SELLER_ENV, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    assert await asyncio.wait_for(child.stdout.readline(), 30) == b"ready\n"
    return child


async def test_a_sender_killed_mid_delivery_sends_the_event_again_with_the_same_id(
    receiver: Receiver, tmp_path: Path
) -> None:
    path = tmp_path / "addons.db"
    async with shop(path) as s:
        await s.book()
    receiver.script = [_hold]
    first = await start_sender(path, receiver.url)
    try:
        await receiver.wait_received(1)
        first.send_signal(signal.SIGKILL)
    finally:
        await first.wait()
    assert first.returncode == -signal.SIGKILL
    second = await start_sender(path, receiver.url)
    try:
        await receiver.wait_for(2)
        async with shop(path, teams=()) as s:

            async def all_marked() -> bool:  # the mark follows the 2xx
                return all(e.sent_at for e in await s.events())

            await eventually(all_marked)
            events = await s.events()
    finally:
        second.kill()
        await second.wait()
    arrivals = sorted(receiver.arrivals, key=lambda a: a.at)
    ids = [a.webhook_id for a in arrivals]
    assert ids[:2] == [events[0].webhook_id] * 2  # the same event, the same id, twice
    assert ids[2:] == [events[1].webhook_id]
    assert all(a.verified for a in arrivals)
    assert all(e.sent_at is not None for e in events)
