"""Several `addons-bot serve` and `addons-bot scheduler` processes on one database.

A :class:`Fleet` starts real child processes (``python -m bot serve|scheduler``) against
one database (a SQLite file or a PostgreSQL URL) and the mock Slack, reads what each logs
as it happens, and stops them with SIGTERM (or kills one with SIGKILL). ``query`` reads
the database from the test process on either engine, so a test can watch a run progress.
Nothing here changes how the app tells time: the workspaces are seeded so that their
billing period really ended before today (see ``seed_due_workspaces``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bot import services
from bot.slack_fake.signing import SignedRequest
from storage import Database
from tests.environment import clean_environment
from tests.slack.mock_slack import ADMIN, BOT_TOKEN, MockSlack

ROOT = Path(__file__).absolute().parents[2]
SECRET = "multi-instance-secret"
ISSUED = re.compile(r"issued invoice (\d+) for (\S+) ")
START_UP = 90.0  # seconds a child may take to import the app and open the database


def is_postgres(database: str) -> bool:
    """Whether ``database`` is a PostgreSQL URL rather than a SQLite file."""
    return database.startswith(("postgresql:", "postgres:", "postgresql+"))


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Child:
    """One running process of the fleet and everything it logged so far."""

    name: str
    process: asyncio.subprocess.Process
    port: int | None
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """Where a serve process takes Slack's requests."""
        return f"http://127.0.0.1:{self.port}/slack/events"

    def issued(self) -> list[int]:
        """The invoice numbers this process logged as issued."""
        return [int(m.group(1)) for line in self.lines if (m := ISSUED.search(line))]

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))


@dataclass
class Fleet:
    """The started processes, by name: ``serve-1``, ``serve-2``, ``scheduler-1`` ..."""

    children: dict[str, Child]
    http: aiohttp.ClientSession

    @property
    def servers(self) -> list[Child]:
        """The serve processes, in start order."""
        return [c for c in self.children.values() if c.port is not None]

    async def post(self, server: Child, request: SignedRequest) -> tuple[int, str]:
        """Send exactly the signed bytes to one serve process; (status, body)."""
        async with self.http.post(server.url, data=request.data, headers=request.headers) as r:
            return r.status, await r.text()

    async def kill(self, name: str) -> None:
        """SIGKILL one process and wait until it is gone."""
        child = self.children[name]
        child.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(child.process.wait(), 30)

    def log(self) -> str:
        """Every process's log, for an assertion message."""
        return "\n".join(f"[{c.name}] {line}" for c in self.children.values() for line in c.lines)


def _environment(
    mock: MockSlack, database: str, port: int | None, extra: dict[str, str]
) -> dict[str, str]:
    env = clean_environment()
    env.update(
        PYTHONPATH=str(ROOT),
        SLACK_API_URL=mock.url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        ADDONS_DATABASE=database,
        ADDONS_BILLING_INTERVAL_SECONDS="1",
        ADDONS_USER_CACHE_SECONDS="0",
    )
    if port is not None:
        env["PORT"] = str(port)
    env.update(extra)
    return env


async def _listening(http: aiohttp.ClientSession, child: Child) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_UP
    while loop.time() < deadline:
        if child.process.returncode is not None:
            raise AssertionError(f"{child.name} exited early:\n" + "\n".join(child.lines))
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(f"http://127.0.0.1:{child.port}/healthz") as health:
                if health.status == 200:
                    return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{child.name} did not listen within {START_UP} s")


@contextlib.asynccontextmanager
async def fleet(
    mock: MockSlack,
    database: str,
    cwd: Path,
    *,
    servers: int = 2,
    schedulers: int = 2,
    env: dict[str, str] | None = None,
) -> AsyncIterator[Fleet]:
    """Start the processes (servers listening before this yields); SIGTERM them after.
    ``env`` adds settings of every process (the webhook's, for example)."""
    children: dict[str, Child] = {}
    async with aiohttp.ClientSession() as http:
        try:
            plan: list[tuple[str, str, int | None]] = [
                (f"serve-{n + 1}", "serve", free_port()) for n in range(servers)
            ]
            plan += [(f"scheduler-{n + 1}", "scheduler", None) for n in range(schedulers)]
            for name, command, port in plan:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    command,
                    cwd=cwd,
                    env=_environment(mock, database, port, env or {}),
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                )
                child = Child(name, process, port)
                child.reader = asyncio.create_task(child._read())
                children[name] = child
            for child in children.values():
                if child.port is not None:
                    await _listening(http, child)
            yield Fleet(children, http)
        finally:
            await _stop(children.values())


async def _stop(children: Any) -> None:
    for child in children:
        if child.process.returncode is None:
            child.process.send_signal(signal.SIGTERM)
    for child in children:
        try:
            await asyncio.wait_for(child.process.wait(), 30)
        except TimeoutError:
            child.process.kill()
            await child.process.wait()
        if child.reader is not None:
            await child.reader


# -- reading the database from the test process ----------------------------------------


async def query(database: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows ``sql`` returns, read straight from either engine."""
    if is_postgres(database):
        import asyncpg  # type: ignore[import-untyped,unused-ignore]

        conn = await asyncpg.connect(database.replace("postgresql+asyncpg:", "postgresql:"))
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as conn:
        return [tuple(r) for r in conn.execute(sql)]


async def scalar(database: str, sql: str) -> int:
    """The one number a ``SELECT COUNT(*) ...`` returns."""
    [(value,)] = await query(database, sql)
    return int(value)


# -- seeding -----------------------------------------------------------------------------


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


async def seed_due_workspaces(database: str, count: int, *, addons: int = 1) -> list[str]:
    """``count`` workspaces whose first billing period really ended before today.

    Each is anchored 45 days back (the first month has closed, the second has not) and
    books ``addons`` add-ons as ADMIN the day after its anchor; so the wall clock the
    schedulers read makes exactly one invoice due per workspace, and each invoice is
    told to ADMIN in one direct message.
    """
    anchor = datetime.now(UTC).date() - timedelta(days=45)
    db = Database(database)
    await db.open()
    ctx = services.Context(db)
    teams = [f"T{n:05d}" for n in range(count)]
    try:
        for team in teams:
            await services.set_workspace(ctx, team, anchor, _noon(anchor), timezone="UTC")
            for n in range(addons):
                await services.book(
                    ctx,
                    team,
                    ("users", "storage")[n % 2],
                    1 + n,
                    _noon(anchor + timedelta(days=1)),
                    key=f"{team}-{n}",
                    actor=ADMIN,
                )
    finally:
        await db.close()
    return teams
