"""A workspace with CloudCRM's webhook on, on a real SQLite file, and its sender."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bot import services
from bot.adapters.clock import SystemClock
from bot.adapters.webhooks import WebhookConfig, WebhookSender
from bot.ports import WebhookEvent
from storage import Database
from tests.webhooks.receiver import SECRET

TEAM = "T0001"
ADMIN = "U_ADMIN"
BERLIN = ZoneInfo("Europe/Berlin")


def at(day: date) -> datetime:
    """Noon in Berlin."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=BERLIN)


def fast(url: str, **changes: Any) -> WebhookConfig:
    """The production settings with waits short enough for a test."""
    options: dict[str, Any] = {
        "base_delay": 0.02,
        "max_delay": 0.2,
        "poll_seconds": 0.02,
        "timeout": 2.0,
        "lease": timedelta(seconds=5),
        **changes,
    }
    return WebhookConfig(url, SECRET, **options)


@dataclass
class Shop:
    """A workspace anchored on the 18th, with the webhook on."""

    db: Database
    ctx: services.Context
    keys: int = 0

    async def book(self, team_id: str = TEAM, option: str = "users") -> int:
        """Book one of ``option`` on 03.04.2026: two events (booked, totals)."""
        self.keys += 1
        booked = await services.book(
            self.ctx, team_id, option, 1, at(date(2026, 4, 3)), key=f"k{self.keys}", actor=ADMIN
        )
        return booked.addon.id

    async def events(self) -> list[WebhookEvent]:
        """Every event, oldest first."""
        async with self.db.unit_of_work(write=False) as uow:
            return list(reversed(await uow.events.listing(limit=1000)))


@asynccontextmanager
async def shop(path: Path, teams: tuple[str, ...] = (TEAM,)) -> AsyncIterator[Shop]:
    """The workspaces on a fresh file."""
    async with Database(str(path)) as db:
        ctx = services.Context(db, webhooks=True)
        for team in teams:
            await services.set_workspace(ctx, team, date(2026, 3, 18), at(date(2026, 4, 3)))
        yield Shop(db, ctx)


@asynccontextmanager
async def sending(db: Database, config: WebhookConfig) -> AsyncIterator[WebhookSender]:
    """The sender running in the background until the block ends."""
    stop = asyncio.Event()
    async with aiohttp.ClientSession() as session:
        sender = WebhookSender(db, config, session, SystemClock())
        task = asyncio.create_task(sender.run(stop))
        try:
            yield sender
        finally:
            stop.set()
            await task


def sequences(bodies: list[bytes]) -> list[tuple[str, int]]:
    """(team, sequence) of each body."""
    parsed = [json.loads(b)["data"] for b in bodies]
    return [(d["team_id"], d["sequence"]) for d in parsed]


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 15.0) -> None:
    """Wait until ``check()`` holds (for what no receiver reports: a stored mark)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    for _ in itertools.count():
        if await check():
            return
        if loop.time() > deadline:
            raise TimeoutError("the condition never became true")
        await asyncio.sleep(0.02)
