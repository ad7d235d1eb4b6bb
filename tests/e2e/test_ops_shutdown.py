"""SIGTERM under load: `serve` answers or refuses what is in flight and exits 0 within 10 s."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp

from bot import services
from bot.services import Context
from bot.settings import Settings
from bot.slack_fake import SIGNING_SECRET, SlackSigner
from bot.slack_fake.served import START
from storage import Database
from tests.e2e.ops_serve import Process, environment, free_port, started
from tests.slack.mock_slack import ADMIN, MockSlack

ANCHOR = date(2026, 3, 18)  # every month since April has a period due (the real clock runs)
WORKSPACES = 150
EXIT_WITHIN = 10.0


async def _workspaces_with_periods_due(database: Path, count: int) -> Context:
    """``count`` workspaces booked in April, each with months of periods due today."""
    settings = Settings(_env_file=None, database=str(database))  # type: ignore[call-arg]
    db = Database(str(database))
    await db.open()
    ctx = Context(db, settings.catalog(), settings.default_locale, settings.timezone)
    for n in range(count):
        team = f"T{n:08d}"
        await services.set_workspace(ctx, team, ANCHOR, START)
        await services.book(ctx, team, "users", 1, START, key=str(uuid.uuid4()), actor=ADMIN)
    return ctx


async def _post_commands(process: Process, mock: MockSlack, n: int) -> list[int | str]:
    """Post ``n`` signed /addons at once; each one's status, or "refused" (no connection)."""
    signer = SlackSigner(SIGNING_SECRET, response_urls=mock.new_response_url)

    async def one() -> int | str:
        command = signer.slash_command(user_id=ADMIN)
        try:
            async with process.http.post(
                process.base + "/slack/events", data=command.data, headers=command.headers
            ) as answer:
                await answer.read()
                return answer.status
        except aiohttp.ClientConnectionError:
            return "refused"

    return list(await asyncio.gather(*(one() for _ in range(n))))


async def _stop_timed(process: Process) -> tuple[int, float]:
    loop = asyncio.get_running_loop()
    started_at = loop.time()
    status = await process.stop()
    return status, loop.time() - started_at


async def _until(condition: Callable[[], Awaitable[bool]], what: str, seconds: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError(f"never: {what}")
        await asyncio.sleep(0.02)


async def test_sigterm_during_a_billing_run_and_requests_leaves_every_workspace_whole(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    database = tmp_path / "addons.db"
    ctx = await _workspaces_with_periods_due(database, WORKSPACES)
    port = free_port()
    env = environment(slack_mock, database, port, ADDONS_BILLING_INTERVAL_SECONDS="3600")
    try:
        async with started("serve", env, port, tmp_path) as process:

            async def invoicing() -> bool:
                return any("issued invoice" in line for line in process.stderr)

            await _until(invoicing, "the billing run issued an invoice")
            requests = asyncio.create_task(_post_commands(process, slack_mock, 20))

            async def answering() -> bool:
                return bool(slack_mock.calls_to("views.open"))

            # Requests are in flight when the signal comes: the app is answering them.
            await _until(answering, "the app answered a first /addons")
            status, took = await _stop_timed(process)
            answers = await requests
        assert status == 0, "".join(process.stderr)
        assert took < EXIT_WITHIN
        assert set(answers) <= {200, 503, "refused"}, answers
        assert 200 in answers

        with sqlite3.connect(database) as conn:
            interrupted = conn.execute("SELECT count(*) FROM invoices").fetchone()[0]
        # The rest of the run, in this process: each workspace picks up where it stopped.
        now = datetime.now(UTC)
        await services.billing_run(ctx, now)
        with sqlite3.connect(database) as conn:
            numbers = [r[0] for r in conn.execute("SELECT number FROM invoices ORDER BY number")]
            per_team = conn.execute(
                "SELECT count(DISTINCT team_id), min(c), max(c) FROM "
                "(SELECT team_id, count(*) AS c FROM invoices GROUP BY team_id)"
            ).fetchone()
    finally:
        await ctx.db.close()  # type: ignore[attr-defined]
    assert 0 < interrupted < len(numbers)  # the signal did stop the run half-way
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # none twice
    teams, fewest, most = per_team
    assert teams == WORKSPACES
    assert fewest == most  # every workspace invoiced for every period, exactly once


async def test_sigterm_while_slack_is_slow_gives_the_message_in_hand_back_to_the_outbox(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    database = tmp_path / "addons.db"
    ctx = await _workspaces_with_periods_due(database, 1)
    await ctx.db.close()  # type: ignore[attr-defined]
    slack_mock.delays["chat.postMessage"] = 60.0  # Slack never answers in time
    port = free_port()
    env = environment(slack_mock, database, port, ADDONS_BILLING_INTERVAL_SECONDS="3600")

    def leased() -> list[tuple[int, str, int, str | None]]:
        later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
        with sqlite3.connect(database) as conn:
            return conn.execute(
                "SELECT id, next_try_at, attempts, sent_at FROM outbox WHERE next_try_at > ?",
                (later,),
            ).fetchall()

    async with started("serve", env, port, tmp_path) as process:

        async def sending() -> bool:
            return bool(leased())

        await _until(sending, "a message was claimed for sending")
        [(message_id, _, _, _)] = leased()
        status, took = await _stop_timed(process)
    assert status == 0, "".join(process.stderr)
    assert took < EXIT_WITHIN
    assert leased() == []
    with sqlite3.connect(database) as conn:
        next_try, attempts, sent_at = conn.execute(
            "SELECT next_try_at, attempts, sent_at FROM outbox WHERE id = ?", (message_id,)
        ).fetchone()
    assert sent_at is None
    assert attempts == 0
    assert datetime.fromisoformat(next_try) <= datetime.now(UTC)  # due again at once
