"""The real app on 127.0.0.1 against the mock Slack Web API, driven by signed requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import build_app, web_application
from bot.clock import TestClock
from bot.services import Context
from bot.settings import Settings
from storage import Database
from tests.slack.mock_slack import BOT_TOKEN, Call, MockSlack
from tests.slack.signing import SignedRequest, SlackSigner

SECRET = "addons-test-signing-secret"
# 03.04.2026, 10:00 in Berlin: inside the DESIGN example's period 18.03.–17.04.2026.
START = datetime(2026, 4, 3, 8, 0, tzinfo=timezone.utc)


@dataclass
class Answer:
    """What the app answered over HTTP."""

    status: int
    text: str

    def json(self) -> Any:
        import json

        return json.loads(self.text) if self.text else None


@dataclass
class RunningApp:
    """The started app, its database, its clock, the mock and a signer."""

    url: str
    db: Database
    ctx: Context
    clock: TestClock
    mock: MockSlack
    signer: SlackSigner
    session: aiohttp.ClientSession
    settings: Settings

    async def post(self, request: SignedRequest) -> Answer:
        """Send exactly the signed bytes, as Slack does."""
        payload = request.payload
        view = payload.get("view")
        if payload.get("trigger_id") and isinstance(view, dict) and view.get("id"):
            # Slack stacks a pushed view onto the view the trigger came from: tell the mock.
            self.mock.trigger_views[str(payload["trigger_id"])] = str(view["id"])
        async with self.session.post(self.url, data=request.data,
                                     headers=request.headers) as response:
            return Answer(response.status, await response.text())

    async def send(self, request: SignedRequest, method: str) -> Call:
        """Post ``request``, expect 200, and wait for the next ``method`` call it causes."""
        before = len(self.mock.calls_to(method))
        answer = await self.post(request)
        assert answer.status == 200, (answer.status, answer.text)
        calls = await self.mock.wait_for(method, before + 1)
        return calls[before]

    async def settle(self, method: str, count: int = 1) -> None:
        """Wait until the mock has seen ``count`` calls of ``method`` (work after ack)."""
        await self.mock.wait_for(method, count)


@asynccontextmanager
async def running_app(
    mock: MockSlack, db_path: Path, *, now: datetime = START,
    billing_admins: tuple[str, ...] = (), user_cache_seconds: int = 60,
    busy_timeout_ms: int | None = None,
) -> AsyncIterator[RunningApp]:
    """Start the real Bolt app over HTTP with a real SQLite file and a test clock."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=mock.url,
        database=str(db_path),
        billing_admins=billing_admins,
        user_cache_seconds=user_cache_seconds,
    )
    # busy_timeout_ms: None keeps the Database default (what production uses).
    db = (Database(settings.database) if busy_timeout_ms is None
          else Database(settings.database, busy_timeout_ms=busy_timeout_ms))
    await db.open()
    ctx = Context(db, settings.catalog(), settings.default_locale, settings.timezone,
                  settings.billing_admins)
    clock = TestClock(now)
    app = build_app(settings, ctx, clock)
    runner = web.AppRunner(web_application(app, SECRET), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    signer = SlackSigner(SECRET, response_urls=mock.new_response_url)
    session = aiohttp.ClientSession()
    try:
        yield RunningApp(f"http://127.0.0.1:{port}/slack/events", db, ctx, clock, mock, signer,
                         session, settings)
    finally:
        await session.close()
        await runner.cleanup()
        await asyncio.sleep(0)
        await db.close()
