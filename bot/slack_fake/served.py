"""The real app over HTTP on 127.0.0.1, its Web API client pointed at a fake Slack."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from bot.adapters.clock import TestClock
from bot.adapters.slack_app import web_application
from bot.bootstrap import slack_app
from bot.services import Context
from bot.settings import Settings
from bot.slack_fake.wire import BOT_TOKEN, SIGNING_SECRET
from domain.parties import Seller
from storage import Database

# 03.04.2026, 10:00 in Berlin: inside the DESIGN example's period 18.03.–17.04.2026.
START = datetime(2026, 4, 3, 8, 0, tzinfo=UTC)


@dataclass
class ServedApp:
    """The started app: where Slack posts to it, its database, context, clock, settings."""

    url: str  # http://127.0.0.1:<port>/slack/events
    db: Database
    ctx: Context
    clock: TestClock
    settings: Settings


@asynccontextmanager
async def served_app(
    slack_api_url: str,
    db_path: Path,
    *,
    now: datetime = START,
    billing_admins: tuple[str, ...] = (),
    user_cache_seconds: int = 60,
    busy_timeout_ms: int | None = None,
    webhook: tuple[str, str] | None = None,
    default_locale: str | None = None,
    seller: Seller | None = None,
) -> AsyncIterator[ServedApp]:
    """Start the real Bolt app over HTTP with a real SQLite file and a test clock.

    ``webhook`` is CloudCRM's (URL, secret): the use cases then queue events.
    ``default_locale`` is ADDONS_DEFAULT_LOCALE (None: the settings' default).
    ``seller`` is whom invoices name (None: no seller, as without ADDONS_SELLER_*).
    """
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack_api_url,
        database=str(db_path),
        billing_admins=billing_admins,
        user_cache_seconds=user_cache_seconds,
        webhook_url=webhook[0] if webhook else None,
        webhook_secret=webhook[1] if webhook else None,
    )
    if default_locale is not None:
        settings = settings.model_copy(update={"default_locale": default_locale})
    # busy_timeout_ms: None keeps the Database default (what production uses).
    db = (
        Database(settings.database)
        if busy_timeout_ms is None
        else Database(settings.database, busy_timeout_ms=busy_timeout_ms)
    )
    await db.open()
    ctx = Context(
        db,
        settings.catalog(),
        settings.default_locale,
        settings.timezone,
        settings.billing_admins,
        invoicing=settings.invoicing(seller),
    )
    clock = TestClock(now)
    app = slack_app(settings, ctx, clock)
    runner = web.AppRunner(web_application(app, SIGNING_SECRET), access_log=None)
    try:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        yield ServedApp(f"http://127.0.0.1:{port}/slack/events", db, ctx, clock, settings)
    finally:
        await runner.cleanup()
        await asyncio.sleep(0)
        await db.close()
