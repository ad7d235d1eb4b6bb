"""Runtime commands of the CLI: serve, socket, scheduler, console and run.

This is the composition root at run time: it reads the settings, opens the database,
builds the use-case context, the Bolt app and the schedule, and wires them together.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import ClientSession, web
from pydantic import ValidationError

from bot.clock import Clock, SystemClock
from bot.notifier import run_schedule
from bot.services import Context
from bot.settings import Settings
from storage import Database, StorageError

logger = logging.getLogger("addons")


@dataclass
class Backend:
    """The opened database, the use-case context over it, and one HTTP session for Slack."""

    db: Database
    ctx: Context
    http: ClientSession


@contextlib.asynccontextmanager
async def backend(settings: Settings) -> AsyncIterator[Backend]:
    """Open (and migrate) the database and build the context; close it all afterwards."""
    db = Database(settings.database)
    await db.open()
    try:
        async with ClientSession() as http:  # kept-alive connections to Slack's Web API
            yield Backend(db, Context(db, settings.catalog(), settings.default_locale,
                                      settings.timezone, settings.billing_admins), http)
    finally:
        await db.close()


def missing(settings: Settings, *names: str) -> str | None:
    """The first required setting that is not set, as its environment variable."""
    for name in names:
        if not getattr(settings, name):
            return name.upper()
    return None


def _refuse_missing(settings: Settings, *names: str) -> int | None:
    name = missing(settings, *names)
    if name is not None:
        print(f"addons-bot: {name} is not set (see README, 'Connect to Slack')", file=sys.stderr)
        return 2
    return None


async def _schedule_task(settings: Settings, b: Backend, clock: Clock,
                         stop: asyncio.Event) -> asyncio.Task[None]:
    from bot.app import web_client
    from handlers.notifications import renderer

    client = web_client(settings, session=b.http)
    return asyncio.create_task(run_schedule(
        b.ctx, client, clock, renderer(b.ctx, client, settings.default_locale),
        settings.billing_interval_seconds, stop))


async def serve(settings: Settings, host: str = "0.0.0.0") -> None:
    """HTTP on $PORT at /slack/events, with the billing schedule in the background."""
    from bot.app import build_app, web_application, web_client

    clock = SystemClock()
    async with backend(settings) as b:
        app = build_app(settings, b.ctx, clock,
                        client=web_client(settings, interactive=True, session=b.http))
        runner = web.AppRunner(web_application(app, settings.slack_signing_secret or ""))
        await runner.setup()
        site = web.TCPSite(runner, host, settings.port)
        await site.start()
        logger.info("serving /slack/events on port %s", settings.port)
        stop = asyncio.Event()
        task = await _schedule_task(settings, b, clock, stop)
        try:
            await _until_signalled()
        finally:
            stop.set()
            await task
            await runner.cleanup()


async def socket(settings: Settings) -> None:
    """Socket Mode with SLACK_APP_TOKEN, with the billing schedule in the background."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.app import build_app, web_client

    clock = SystemClock()
    async with backend(settings) as b:
        app = build_app(settings, b.ctx, clock,
                        client=web_client(settings, interactive=True, session=b.http))
        handler = AsyncSocketModeHandler(app, settings.slack_app_token)
        stop = asyncio.Event()
        task = await _schedule_task(settings, b, clock, stop)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        try:
            await _until_signalled()
        finally:
            stop.set()
            await task
            await handler.close_async()  # type: ignore[no-untyped-call]


async def scheduler(settings: Settings) -> None:
    """Only the billing schedule and the message sender (the Procfile's worker)."""
    async with backend(settings) as b:
        stop = asyncio.Event()
        task = await _schedule_task(settings, b, SystemClock(), stop)
        try:
            await _until_signalled()
        finally:
            stop.set()
            await task


async def _until_signalled() -> None:
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, done.set)
    await done.wait()


def _run(args: argparse.Namespace) -> int:
    try:
        settings = Settings(_env_file=".env")  # type: ignore[call-arg]
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        print(f"addons-bot: bad setting {where}: {first['msg']}", file=sys.stderr)
        return 2
    if getattr(args, "database", None):
        settings.database = args.database
    command = args.command
    if command == "run":
        if settings.slack_bot_token and settings.slack_signing_secret:
            command = "socket" if settings.slack_app_token else "serve"
        else:
            print("No Slack credentials set (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET): "
                  "starting the offline console.", file=sys.stderr)
            command = "console"
    if command == "console":
        from bot.console import run_console

        return int(run_console(settings, args))
    needed = {
        "serve": ("slack_bot_token", "slack_signing_secret"),
        "socket": ("slack_bot_token", "slack_app_token"),
        "scheduler": ("slack_bot_token",),
    }[command]
    refused = _refuse_missing(settings, *needed)
    if refused is not None:
        return refused
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    main = {"serve": serve, "socket": socket, "scheduler": scheduler}[command]
    try:
        asyncio.run(main(settings))
    except StorageError as error:
        print(f"addons-bot: {error}", file=sys.stderr)
        return 2
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the long-running commands on the CLI's sub-parsers."""
    for name, text in (
        ("serve", "serve Slack over HTTP on $PORT (path /slack/events) with the schedule"),
        ("socket", "serve Slack over Socket Mode (SLACK_APP_TOKEN) with the schedule"),
        ("scheduler", "run only the billing schedule and the message sender"),
        ("console", "the offline console: try the app in a terminal"),
        ("run", "Slack when credentials are set, otherwise the offline console"),
    ):
        parser = sub.add_parser(name, help=text)
        parser.set_defaults(handler=_run)
        if name in ("console", "run"):
            parser.add_argument("--date", metavar="YYYY-MM-DD", default=None,
                                help="console: start its test clock on this date "
                                     "(default: now)")
        if not any(a.dest == "database" for a in parser._actions):
            parser.add_argument("--database", default=argparse.SUPPRESS,
                                help="SQLite file (default: $ADDONS_DATABASE or ./addons.db)")
