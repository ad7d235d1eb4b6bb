"""The long-running commands: serve, socket, scheduler, and the choice ``run`` makes.

Each opens what it needs through ``bot.bootstrap`` and runs until SIGINT or SIGTERM.
Then it stops gracefully, within 10 s: /readyz turns 503 and new Slack requests are
refused with 503 (Slack retries them), requests in flight are answered, the billing run
stops after the workspace in hand (committed; if it cannot finish in time it is
cancelled: whole either way, committed if its COMMIT was already sent, else rolled back),
a message being sent is given back to the outbox, and work after the ack ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any

from aiohttp import web

from bot.adapters.clock import SystemClock
from bot.adapters.observability import logs
from bot.adapters.observability.quiet_server import QuietAppRunner
from bot.adapters.observability.web import Lifecycle, metrics_application
from bot.adapters.slack_install.crypto import TokenKeyError
from bot.bootstrap import Runtime, bootstrap, document_links, token_cipher
from bot.settings import Settings
from storage import StorageError

logger = logging.getLogger("addons")

# What each command cannot start without, as Settings fields.
NEEDED = {
    "serve": ("slack_bot_token", "slack_signing_secret"),
    "socket": ("slack_bot_token", "slack_app_token"),
    "scheduler": ("slack_bot_token",),
}
# OAuth mode ("Add to Slack", SLACK_CLIENT_ID set): no bot token, each workspace's own.
NEEDED_OAUTH = {
    "serve": ("slack_client_id", "slack_client_secret", "slack_signing_secret"),
    "scheduler": ("slack_client_id", "slack_client_secret"),
}
SLACK_VARIABLES = (
    "slack_bot_token",
    "slack_signing_secret",
    "slack_app_token",
    "slack_client_id",
    "slack_client_secret",
)

# The stop's budget (SIGTERM to exit, 10 s in all): requests in flight and the schedule's
# work in hand finish side by side, then the work listeners do after their ack.
REQUEST_GRACE = 5.0
SCHEDULE_GRACE = 6.0
BACKGROUND_GRACE = 2.0


def missing(settings: Settings, *names: str) -> str | None:
    """The first required setting that is not set, as its environment variable."""
    for name in names:
        if not getattr(settings, name):
            return name.upper()
    return None


# Tasks started in the background and not awaited: kept here so that none is collected early.
_BACKGROUND: set[asyncio.Task[Any]] = set()


def learn_name(rt: Runtime) -> None:
    """Single-workspace mode: ask Slack for the workspace's name, in the background."""
    if rt.settings.oauth:
        return
    from bot.adapters.slack_name import learn_slack_name

    task = asyncio.create_task(learn_slack_name(rt.web_client(), rt.ctx))
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


async def serve(settings: Settings, host: str = "0.0.0.0") -> None:
    """HTTP on $PORT at /slack/events, with the billing schedule in the background."""
    from bot.adapters.slack_app import web_application

    clock = SystemClock()
    async with bootstrap(settings, observed=True) as rt:
        learn_name(rt)
        lifecycle = Lifecycle()
        app = rt.slack_app(clock)
        served = web_application(
            app,
            settings.slack_signing_secret or "",
            db=rt.db,
            lifecycle=lifecycle,
            routes=rt.crm_routes(clock),
        )
        links = document_links(settings)
        if links is not None:  # GET /documents/...: the signed links events carry
            from bot.adapters.documents.web import document_routes

            served.add_routes(document_routes(rt.ctx, links, clock))
        # No access log: each Slack request has its own line (addons.requests), and the
        # platform's probes would add one every few seconds.
        runner = QuietAppRunner(served, shutdown_timeout=REQUEST_GRACE, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, settings.port)
        await site.start()
        logger.info("serving /slack/events on port %s", settings.port)
        if settings.oauth:
            logger.info("Add to Slack: GET /slack/install on port %s", settings.port)
        await _with_schedule(rt, clock, lifecycle, runner)


async def socket(settings: Settings) -> None:
    """Socket Mode with SLACK_APP_TOKEN, with the billing schedule in the background."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    clock = SystemClock()
    async with bootstrap(settings, observed=True) as rt:
        learn_name(rt)
        handler = AsyncSocketModeHandler(rt.slack_app(clock), settings.slack_app_token)
        stop = asyncio.Event()
        task = rt.start_schedule(clock, stop)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        try:
            await _until_signalled()
        finally:
            stop.set()
            await _finish_schedule(task)
            await handler.close_async()  # type: ignore[no-untyped-call]
            await _finish_background_work()


async def scheduler(settings: Settings) -> None:
    """Only the billing schedule and the message sender (the Procfile's worker)."""
    async with bootstrap(settings, observed=True) as rt:
        learn_name(rt)
        lifecycle = Lifecycle()
        runner = None
        if settings.metrics_port is not None:  # /metrics, /healthz and /readyz
            runner = QuietAppRunner(
                metrics_application(rt.db, lifecycle),
                shutdown_timeout=REQUEST_GRACE,
                access_log=None,
            )
            await runner.setup()
            await web.TCPSite(runner, "0.0.0.0", settings.metrics_port).start()
            logger.info("serving /metrics on port %s", settings.metrics_port)
        await _with_schedule(rt, SystemClock(), lifecycle, runner)


async def _with_schedule(
    rt: Runtime, clock: SystemClock, lifecycle: Lifecycle, runner: web.AppRunner | None
) -> None:
    """Run the schedule beside whatever serves, until signalled; then stop gracefully."""
    stop = asyncio.Event()
    task = rt.start_schedule(clock, stop)
    try:
        await _until_signalled()
    finally:
        logger.info("stopping: answering the requests in hand, finishing the billing turn")
        lifecycle.draining = True
        stop.set()
        await asyncio.gather(
            runner.cleanup() if runner is not None else asyncio.sleep(0),
            _finish_schedule(task),
        )
        await _finish_background_work()


async def _finish_schedule(task: asyncio.Task[None]) -> None:
    """Let the schedule end its turn in hand; past the grace, cancel it (the turn ends
    whole: committed if its COMMIT was already sent, else rolled back)."""
    done, _ = await asyncio.wait({task}, timeout=SCHEDULE_GRACE)
    if not done:
        logger.warning("the schedule did not stop within %s s: cancelling it", SCHEDULE_GRACE)
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _finish_background_work() -> None:
    """Give work started after an ack (Bolt's lazy listeners) a moment, then cancel it."""
    others = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
    if not others:
        return
    _, pending = await asyncio.wait(others, timeout=BACKGROUND_GRACE)
    for task in pending:
        task.cancel()
    if pending:
        logger.warning("cancelled %d unfinished background tasks", len(pending))
        await asyncio.wait(pending, timeout=BACKGROUND_GRACE)


async def _until_signalled() -> None:
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, done.set)
    await done.wait()


def choose(settings: Settings, command: str) -> str:
    """What ``run`` means: Slack as soon as any Slack variable is set, else the console.

    A half-set configuration is not a reason to fall back to the console: ``run`` then
    chooses Slack, and the missing variable is named (see ``run_command``).
    """
    if command != "run":
        return command
    if any(getattr(settings, name) for name in SLACK_VARIABLES):
        return "socket" if settings.slack_app_token else "serve"
    return "console"


def _half_set(settings: Settings, command: str, name: str) -> str:
    """The one line for ``run`` with some Slack variables set but ``name`` missing."""
    given = ", ".join(n.upper() for n in SLACK_VARIABLES if getattr(settings, n))
    return (
        f"addons-bot: {name} is not set, but {given} is: `run` connects to Slack "
        f"({'Socket Mode' if command == 'socket' else 'HTTP'}) and needs it (see README, "
        f"'Connect to Slack'); unset every SLACK_ variable for the offline console"
    )


def run_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run serve, socket, scheduler, console or run; the exit status.

    ``settings`` come without ``--database`` applied: the console chooses its own file.
    """
    command = choose(settings, args.command)
    given: str | None = args.database
    if command == "console":
        return _console(settings, args, given)
    if settings.oauth and command == "socket":
        print(
            "addons-bot: Add to Slack (SLACK_CLIENT_ID) needs HTTP for its install page and "
            "redirect: use serve, and unset SLACK_APP_TOKEN (see README, 'Distribute to many "
            "workspaces')",
            file=sys.stderr,
        )
        return 2
    name = missing(settings, *(NEEDED_OAUTH if settings.oauth else NEEDED)[command])
    if name is not None:
        if args.command == "run":
            print(_half_set(settings, command, name), file=sys.stderr)
        else:
            print(
                f"addons-bot: {name} is not set (see README, 'Connect to Slack')", file=sys.stderr
            )
        return 2
    seller = settings.seller_problem()  # each of them issues invoices: they name the seller
    if seller is not None:
        print(f"addons-bot: {seller} (see docs/invoices.md)", file=sys.stderr)
        return 2
    if given is not None:
        settings = settings.model_copy(update={"database": given})
    from bot.entrypoints.cli.checks import file_problem
    from bot.entrypoints.console.demo import (
        refuse_for_slack,  # the console package is heavy to import
    )
    from storage.urls import is_url

    database = settings.database
    problem = (None if is_url(database) else file_problem(database, creates=True)) or (
        refuse_for_slack(database, command) or _key_problem(settings)
    )
    if problem is not None:
        print(f"addons-bot: error: {problem}", file=sys.stderr)
        return 2
    logs.configure(
        settings.log_format,
        secrets=settings.secrets(),
    )
    main = {"serve": serve, "socket": socket, "scheduler": scheduler}[command]
    try:
        asyncio.run(main(settings))
    except (StorageError, TokenKeyError) as error:
        print(f"addons-bot: {error}", file=sys.stderr)
        return 2
    return 0


def _key_problem(settings: Settings) -> str | None:
    """OAuth mode's one line about ADDONS_TOKEN_KEY, if it is missing or no Fernet key."""
    try:
        token_cipher(settings)
    except TokenKeyError as error:
        return str(error)
    return None


def _console(settings: Settings, args: argparse.Namespace, given: str | None) -> int:
    """The offline console on its own demo file (``--database`` or ./addons-demo.db)."""
    from bot.entrypoints.console import run_console
    from bot.entrypoints.console.demo import DEMO_DATABASE, refuse_for_console

    database = given if given is not None else DEMO_DATABASE
    problem = refuse_for_console(database, settings.database)
    if problem is not None:
        print(f"addons-bot: error: {problem}", file=sys.stderr)
        return 2
    if args.command == "run":
        print(
            "No Slack credentials set (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN): "
            f"starting the offline console on its demo database {database}.",
            file=sys.stderr,
        )
    return int(run_console(settings.model_copy(update={"database": database}), args))
