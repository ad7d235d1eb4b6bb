"""`addons-bot serve` and `scheduler` as real processes, for the operations tests."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bot.adapters.clock import TestClock
from bot.services import Context
from bot.settings import Settings
from bot.slack_fake import SIGNING_SECRET, SlackSigner
from bot.slack_fake.served import START
from storage import Database
from tests.environment import clean_environment
from tests.slack.harness import RunningApp
from tests.slack.mock_slack import BOT_TOKEN, MockSlack

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(mock: MockSlack, database: Path | str, port: int, **extra: str) -> dict[str, str]:
    """The process's environment: this test's Slack, database (a file or a URL) and port,
    nothing inherited."""
    env = clean_environment()
    env.update(
        PYTHONPATH=str(ROOT),
        PORT=str(port),
        SLACK_API_URL=mock.url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        ADDONS_DATABASE=str(database),
        **extra,
    )
    return env


@dataclass
class Process:
    """A started addons-bot process and what it wrote to stderr so far."""

    child: asyncio.subprocess.Process
    base: str  # http://127.0.0.1:<port>
    http: aiohttp.ClientSession
    stderr: list[str] = field(default_factory=list)

    async def get(self, path: str) -> tuple[int, str]:
        """GET ``path``: (status, body)."""
        async with self.http.get(self.base + path) as answer:
            return answer.status, await answer.text()

    async def stop(self) -> int:
        """SIGTERM; the exit status."""
        self.child.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.child.wait(), 30)


async def logged(process: Process, text: str, within: float = 5.0) -> bool:
    """Whether the process writes ``text`` to stderr within ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while text not in "".join(process.stderr):
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def _read_stderr(child: asyncio.subprocess.Process, into: list[str]) -> None:
    assert child.stderr is not None
    async for line in child.stderr:
        into.append(line.decode("utf-8", "replace"))


@asynccontextmanager
async def started(
    command: str, env: Mapping[str, str], port: int, cwd: Path
) -> AsyncIterator[Process]:
    """Start ``addons-bot command``, wait until /healthz on ``port`` answers; stop it after."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        command,
        cwd=cwd,
        env=dict(env),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    lines: list[str] = []
    reader = asyncio.create_task(_read_stderr(child, lines))
    async with aiohttp.ClientSession() as http:
        process = Process(child, f"http://127.0.0.1:{port}", http, lines)
        try:
            await _until_healthy(process)
            yield process
        finally:
            if child.returncode is None:
                child.send_signal(signal.SIGTERM)
                await asyncio.wait_for(child.wait(), 30)
            await asyncio.wait_for(reader, 10)


async def _until_healthy(process: Process) -> None:
    for _ in range(600):  # start-up imports take a moment, more under load
        if process.child.returncode is not None:
            raise AssertionError("".join(process.stderr))
        try:
            status, _ = await process.get("/healthz")
            if status == 200:
                return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("the process never answered /healthz")


@asynccontextmanager
async def driving(process: Process, mock: MockSlack, database: Path) -> AsyncIterator[RunningApp]:
    """tests.slack.flows' steps against the process (its database read from here)."""
    settings = Settings(_env_file=None, database=str(database))  # type: ignore[call-arg]
    async with Database(str(database)) as db:
        ctx = Context(db, settings.catalog(), settings.default_locale, settings.timezone)
        signer = SlackSigner(SIGNING_SECRET, response_urls=mock.new_response_url)
        yield RunningApp(
            process.base + "/slack/events",
            db,
            ctx,
            TestClock(START),
            mock,
            signer,
            process.http,
            settings,
        )


async def prepare(database: Path) -> None:
    """Create the database file at the current schema, as a deployment's migrate does."""
    async with Database(str(database)):
        pass
