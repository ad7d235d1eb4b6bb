"""The long-running commands: serve, socket, scheduler, and the choice ``run`` makes.

Each opens what it needs through ``bot.bootstrap`` and runs until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from aiohttp import web

from bot.bootstrap import Runtime, bootstrap
from bot.clock import SystemClock
from bot.settings import Settings
from storage import StorageError

logger = logging.getLogger("addons")

# What each command cannot start without, as Settings fields.
NEEDED = {
    "serve": ("slack_bot_token", "slack_signing_secret"),
    "socket": ("slack_bot_token", "slack_app_token"),
    "scheduler": ("slack_bot_token",),
}


def missing(settings: Settings, *names: str) -> str | None:
    """The first required setting that is not set, as its environment variable."""
    for name in names:
        if not getattr(settings, name):
            return name.upper()
    return None


async def serve(settings: Settings, host: str = "0.0.0.0") -> None:
    """HTTP on $PORT at /slack/events, with the billing schedule in the background."""
    from bot.app import web_application

    clock = SystemClock()
    async with bootstrap(settings) as rt:
        app = rt.slack_app(clock)
        runner = web.AppRunner(web_application(app, settings.slack_signing_secret or ""))
        await runner.setup()
        site = web.TCPSite(runner, host, settings.port)
        await site.start()
        logger.info("serving /slack/events on port %s", settings.port)
        try:
            await _with_schedule(rt, clock)
        finally:
            await runner.cleanup()


async def socket(settings: Settings) -> None:
    """Socket Mode with SLACK_APP_TOKEN, with the billing schedule in the background."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    clock = SystemClock()
    async with bootstrap(settings) as rt:
        handler = AsyncSocketModeHandler(rt.slack_app(clock), settings.slack_app_token)
        stop = asyncio.Event()
        task = rt.start_schedule(clock, stop)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        try:
            await _until_signalled()
        finally:
            stop.set()
            await task
            await handler.close_async()  # type: ignore[no-untyped-call]


async def scheduler(settings: Settings) -> None:
    """Only the billing schedule and the message sender (the Procfile's worker)."""
    async with bootstrap(settings) as rt:
        await _with_schedule(rt, SystemClock())


async def _with_schedule(rt: Runtime, clock: SystemClock) -> None:
    """Run the schedule beside whatever serves, until signalled; then let it finish."""
    stop = asyncio.Event()
    task = rt.start_schedule(clock, stop)
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


def choose(settings: Settings, command: str) -> str:
    """What ``run`` means: Slack when its credentials are set, else the offline console."""
    if command != "run":
        return command
    if settings.slack_bot_token and settings.slack_signing_secret:
        return "socket" if settings.slack_app_token else "serve"
    print(
        "No Slack credentials set (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET): "
        "starting the offline console.",
        file=sys.stderr,
    )
    return "console"


def run_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run serve, socket, scheduler, console or run; the exit status."""
    command = choose(settings, args.command)
    if command == "console":
        from bot.console import run_console

        return int(run_console(settings, args))
    name = missing(settings, *NEEDED[command])
    if name is not None:
        print(f"addons-bot: {name} is not set (see README, 'Connect to Slack')", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    main = {"serve": serve, "socket": socket, "scheduler": scheduler}[command]
    try:
        asyncio.run(main(settings))
    except StorageError as error:
        print(f"addons-bot: {error}", file=sys.stderr)
        return 2
    return 0
