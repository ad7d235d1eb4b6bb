"""The servers under load, each in its own child process: the real app and bare Bolt.

    python -m bench.latency.servers app|bare|modal SLACK_API_URL DATABASE

``bare`` only acknowledges; ``modal`` acknowledges and then opens a one-line modal on
/addons (the baseline for the time until the app's filled overview is shown).

The child prints ``{"url": ...}`` once it listens, answers "cpu" on stdin with its CPU
seconds, and ends on "stop" or end of input. Its log goes to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import resource
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bench.latency.slack import BARE_MODAL
from bot.ports import Busy
from bot.slack_fake import BOT_TOKEN, SIGNING_SECRET
from handlers import blocks

ROOT = str(Path(__file__).resolve().parents[2])  # the project, for the child processes
START_SECONDS = 30.0  # how long a child may take to start listening
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
KINDS = ("app", "bare", "modal")
ONE_LINE_MODAL = {
    "type": "modal",
    "callback_id": BARE_MODAL,
    "title": {"type": "plain_text", "text": "Add-ons"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
}


def bare_app(slack_url: str, *, opens_modal: bool = False) -> AsyncApp:
    """The baseline: a Bolt AsyncApp like the real one (client, secret, 404 for the
    unhandled) whose listeners only acknowledge; with ``opens_modal``, /addons then opens
    a one-line modal, as the least an app that answers /addons with a modal does."""
    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=slack_url),
        signing_secret=SIGNING_SECRET,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("bare"),
    )

    @app.command("/addons")
    async def command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        if opens_modal:
            await client.views_open(trigger_id=body["trigger_id"], view=ONE_LINE_MODAL)

    @app.view(blocks.CALLBACK_CONFIRM_BOOKING)
    async def confirmed(ack: AsyncAck) -> None:
        await ack()

    return app


async def serve(kind: str, slack_url: str, database: str) -> None:
    """The child: serve, print the URL, answer "cpu" with this process's CPU seconds."""
    from bot.adapters.slack_app import web_application

    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    async with contextlib.AsyncExitStack() as stack:
        if kind == "app":
            url = await stack.enter_async_context(_production_app(slack_url, Path(database)))
        else:
            bare = web_application(bare_app(slack_url, opens_modal=kind == "modal"), SIGNING_SECRET)
            runner = web.AppRunner(bare, access_log=None)
            await runner.setup()
            stack.push_async_callback(runner.cleanup)
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        print(json.dumps({"url": url}), flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if line == "cpu":
                print(json.dumps({"cpu": cpu_seconds()}), flush=True)
            else:  # "stop" or EOF
                break


@contextlib.asynccontextmanager
async def _production_app(slack_url: str, database: Path) -> AsyncIterator[str]:
    """The real app as the tests start it (``bot.slack_fake.served``: settings, SQLite
    file, TestClock on 03.04.2026), but with its Web API client on one shared aiohttp
    session, as ``bot.bootstrap`` wires it for ``serve``: the tests' app opens a new
    connection per Web API call, which costs about 0.5 ms of CPU each."""
    from aiohttp import ClientSession

    from bot.adapters.clock import TestClock
    from bot.adapters.slack_app import web_application, web_client
    from bot.bootstrap import slack_app
    from bot.services import Context
    from bot.settings import Settings
    from bot.slack_fake.served import START
    from storage import Database

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack_url,
        database=str(database),
    )
    db = Database(settings.database)
    await db.open()
    ctx = Context(
        db, settings.catalog(), settings.default_locale, settings.timezone, settings.billing_admins
    )
    try:
        async with ClientSession() as http:
            client = web_client(settings, interactive=True, session=http)
            app = slack_app(settings, ctx, TestClock(START), client=client)
            runner = web.AppRunner(web_application(app, SIGNING_SECRET), access_log=None)
            await runner.setup()
            try:
                site = web.TCPSite(runner, "127.0.0.1", 0)
                await site.start()
                yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
            finally:
                await runner.cleanup()
                await asyncio.sleep(0)
    finally:
        await db.close()


def cpu_seconds() -> float:
    """User + system CPU of this process so far (all threads: aiosqlite's too)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Server:
    """A server child process: its URL, its CPU clock, its log."""

    def __init__(self, kind: str, proc: asyncio.subprocess.Process, url: str, log: Path) -> None:
        self.kind, self.proc, self.url, self.log = kind, proc, url, log

    @classmethod
    async def start(cls, kind: str, slack_url: str, database: str, log: Path) -> Server:
        """Start a child serving ``kind`` ("app" or "bare"); its log goes to ``log``."""
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p),
        }
        err = await asyncio.to_thread(log.open, "wb")
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", __name__, kind, slack_url, database,
                cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=err,
            )  # fmt: skip
        finally:
            err.close()  # the child has its own copy
        try:
            url = (await cls._line(proc, START_SECONDS))["url"]
        except (TimeoutError, RuntimeError, ValueError) as error:
            # A child that failed may still be held up by threads (aiosqlite's): end it.
            if proc.returncode is None:
                proc.kill()
            await proc.wait()
            text = await asyncio.to_thread(log.read_text, encoding="utf-8", errors="replace")
            tail = text[-2000:]
            raise RuntimeError(
                f"the {kind} server did not start ({type(error).__name__}); its log ends:\n{tail}"
            ) from error
        except BaseException:
            proc.kill()
            await proc.wait()
            raise
        return cls(kind, proc, url, log)

    @staticmethod
    async def _line(proc: asyncio.subprocess.Process, within: float) -> dict[str, Any]:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), within)
        if not line:
            raise RuntimeError(f"the server process ended (exit {await proc.wait()})")
        found: dict[str, Any] = json.loads(line)
        return found

    async def cpu(self) -> float:
        """The child's CPU seconds so far."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"cpu\n")
        await self.proc.stdin.drain()
        return float((await self._line(self.proc, 10))["cpu"])

    async def stop(self) -> None:
        """Ask the child to end; kill it if it does not within 15 s."""
        if self.proc.returncode is not None:
            return
        assert self.proc.stdin is not None
        with contextlib.suppress(ConnectionError):
            self.proc.stdin.write(b"stop\n")
            await self.proc.stdin.drain()
        try:
            await asyncio.wait_for(self.proc.wait(), 15)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()

    def log_records(self) -> list[str]:
        """What the server logged, one string per record (a line and its traceback)."""
        return log_records(self.log.read_text(encoding="utf-8", errors="replace"))


def log_records(text: str) -> list[str]:
    """Split a log (``LEVEL name: message`` lines, tracebacks below them) into records."""
    records: list[str] = []
    for line in text.splitlines():
        if line.startswith(LEVELS) or not records:
            records.append(line)
        else:
            records[-1] += "\n" + line
    return [r for r in records if r.strip()]


def busy_names() -> tuple[str, ...]:
    """The qualified names of ``bot.ports.Busy`` and every subclass (the store's "busy")."""
    import storage  # noqa: F401  (defines the store's busy exception, a subclass of Busy)

    names: list[str] = []
    todo: list[type[BaseException]] = [Busy]
    while todo:
        cls = todo.pop()
        names.append(f"{cls.__module__}.{cls.__qualname__}")
        todo += cls.__subclasses__()
    return tuple(names)


def storage_busy(record: str, names: tuple[str, ...] | None = None) -> bool:
    """A record of the app's polite failure under load: its pool or SQLite said busy
    (the traceback ends in an exception that is a ``bot.ports.Busy``)."""
    last = record.rstrip().splitlines()[-1]
    return any(last == name or last.startswith(f"{name}:") for name in names or busy_names())


def main(argv: list[str]) -> int:
    """The child's entry: ``KIND SLACK_API_URL DATABASE``."""
    kind, slack_url, database = argv
    if kind not in KINDS:
        raise SystemExit(f"unknown server {kind!r}")
    asyncio.run(serve(kind, slack_url, database))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
