"""A workspace on a real SQLite file with documents on, its schedule and the mock Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import services
from bot.adapters.billing_schedule import tick
from bot.adapters.clock import TestClock
from bot.adapters.dm_sender import Delivery
from bot.bootstrap import Runtime, bootstrap, load_settings
from bot.services import PeriodTurn
from handlers.notifications import renderer
from tests.documents.samples import SELLER_ENV
from tests.slack.mock_slack import ADMIN, BOT_TOKEN, DEFAULT_TEAM, MockSlack

TEAM = DEFAULT_TEAM
WEBHOOK_SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"  # 24 bytes, base64


def at(day: date) -> datetime:
    """That day at 08:00 UTC (morning in Berlin)."""
    return datetime(day.year, day.month, day.day, 8, tzinfo=UTC)


def configure(monkeypatch: pytest.MonkeyPatch, mock: MockSlack, path: Path, **extra: str) -> None:
    """The environment of a single-workspace install with a seller and CloudCRM's webhook."""
    env = {
        **SELLER_ENV,
        "ADDONS_DATABASE": str(path),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "s" * 32,
        "SLACK_API_URL": mock.url,
        "ADDONS_WEBHOOK_URL": "http://127.0.0.1:9/hook",
        "ADDONS_WEBHOOK_SECRET": WEBHOOK_SECRET,
        **extra,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@dataclass
class World:
    rt: Runtime
    clock: TestClock
    mock: MockSlack

    async def tick(self) -> tuple[list[PeriodTurn], Delivery]:
        """One beat of the schedule: billing, then the outbox (jobs and messages)."""
        client = self.rt.web_client()
        render = renderer(self.rt.ctx, client, "de")
        return await tick(self.rt.ctx, client, self.clock, render, work=self.rt.outbox_work())

    async def book_one_user(self, key: str = "k1") -> int:
        booked = await services.book(
            self.rt.ctx, TEAM, "users", 1, self.clock.now(), key=key, actor=ADMIN
        )
        return booked.addon.id


@asynccontextmanager
async def world(mock: MockSlack, start: date = date(2026, 4, 3)) -> AsyncIterator[World]:
    """The runtime over the configured environment, its clock at ``start``."""
    clock = TestClock(at(start))
    async with bootstrap(load_settings()) as rt:
        await services.set_workspace(rt.ctx, TEAM, date(2026, 3, 18), clock.now())
        yield World(rt, clock, mock)
