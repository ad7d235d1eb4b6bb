"""Two `serve` and two `scheduler` processes on one database: everything happens once.

Real processes (``python -m bot serve|scheduler``), signed HTTP into both servers, one
database, the mock Slack. The schedulers read the wall clock like in production: the
workspaces are seeded so that their first month ended before today (see
``tests/reliability/fleet.py``); no test-only clock is needed, none exists.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import services
from bot.adapters.clock import TestClock
from bot.settings import Settings
from bot.slack_fake.signing import SlackSigner
from handlers import blocks, requests
from storage import Database
from tests.reliability.fleet import SECRET, Fleet, fleet, query, scalar, seed_due_workspaces
from tests.slack.flows import open_overview, press, texts, until
from tests.slack.harness import RunningApp
from tests.slack.mock_slack import ADMIN, MockSlack

COPIES = 100
BUSY = "Es wurde nichts geändert"  # the polite refusal when the busy budget ran out
DUE = 200
RUN_TIMEOUT = 240.0  # seconds for a whole run on a loaded 2-core machine


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """One database every process of the test shares: a SQLite file, or a PostgreSQL
    database of the test's own (tests/postgres.py finds the server)."""
    if request.param == "sqlite":
        yield str(tmp_path / "addons.db")
        return
    from tests import postgres

    with postgres.fresh_database() as url:
        yield url


async def _until(
    what: str,
    check: Callable[[], Awaitable[bool]],
    fleet_: Fleet,
    timeout: float = RUN_TIMEOUT,  # noqa: ASYNC109
) -> None:
    """Wait until ``check()`` comes true; name ``what`` if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s\n{fleet_.log()}")
        await asyncio.sleep(0.2)


def _working(body: str) -> bool:
    """Whether a submission was answered at once with "Wird gebucht …"."""
    answer = json.loads(body)
    return bool(
        answer["response_action"] == "update"
        and answer["view"]["callback_id"] == blocks.CALLBACK_WORKING
    )


async def _results(mock: MockSlack, view_id: str, after: int) -> list[str]:
    """What each copy finally showed in place of the submitted confirmation."""

    def shown() -> list[str]:
        return [
            "\n".join(texts(c.params["view"]["blocks"]))
            for c in mock.calls_to("views.update")[after:]
            if c.params.get("view_id") == view_id
        ]

    await until(lambda: len(shown()) >= COPIES)
    return shown()


def _finished(database: str) -> Callable[[], Awaitable[bool]]:
    """Whether every due invoice is issued and every queued message is out."""

    async def check() -> bool:
        invoices = await scalar(database, "SELECT COUNT(*) FROM invoices")
        pending = await scalar(
            database, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        )
        return invoices >= DUE and pending == 0

    return check


async def _assert_each_invoice_once(database: str, teams: list[str]) -> None:
    """One invoice per workspace, numbered 1..DUE without a gap, the counter at DUE."""
    rows = await query(database, "SELECT number, team_id FROM invoices ORDER BY number")
    assert Counter(team for _, team in rows) == Counter(dict.fromkeys(teams, 1))
    numbers = [int(number) for number, _ in rows]
    assert numbers == list(range(1, DUE + 1))
    assert await scalar(database, "SELECT value FROM counters WHERE name = 'invoice_number'") == DUE


async def _assert_each_message_once(database: str, mock: MockSlack) -> None:
    """Every queued direct message was sent, and Slack got each exactly once."""
    rows = await query(database, "SELECT event_key, sent_at, failed_at FROM outbox")
    assert rows, "nothing was queued"
    assert [key for key, sent, failed in rows if sent is None or failed is not None] == []
    posts = mock.calls_to("chat.postMessage")
    assert len(posts) == len(rows)
    # The same text to the same person twice would be a message sent twice.
    said = Counter(
        (call.params["channel"], json.dumps(call.params.get("blocks"), sort_keys=True))
        for call in posts
    )
    assert [what for what, times in said.items() if times > 1] == []
    invoices = [c for c in posts if "Rechnung" in json.dumps(c.params, ensure_ascii=False)]
    assert len(invoices) == DUE


async def test_a_hundred_copies_of_one_confirmation_over_two_servers_book_once(
    slack_mock: MockSlack, database: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    db = Database(database)
    await db.open()  # migrated before the processes start, as the release phase does
    ctx = services.Context(db)
    signer = SlackSigner(SECRET, response_urls=slack_mock.new_response_url)
    try:
        # Anchored today: no period is due, so the schedules beside the servers stay idle.
        await services.set_workspace(ctx, signer.team_id, now.date(), now)
        async with fleet(slack_mock, database, tmp_path) as running:
            first, second = running.servers
            app = RunningApp(
                first.url,
                db,
                ctx,
                TestClock(now),
                slack_mock,
                signer,
                running.http,
                Settings(database=database),
            )
            overview = await open_overview(app)
            confirmation = await press(
                app,
                overview,
                blocks.ACTION_ADD,
                "users",
                typed={requests.qty_block_id("users"): "3"},
            )
            redraws = len(slack_mock.calls_to("views.update"))
            copies = [
                signer.view_submission(user_id=ADMIN, view=confirmation) for _ in range(COPIES)
            ]

            answers = await asyncio.gather(
                *(running.post((first, second)[n % 2], copy) for n, copy in enumerate(copies))
            )

            assert [status for status, _ in answers] == [200] * COPIES, running.log()
            # Each copy is answered at once with "Wird gebucht …", then shown what happened:
            # one "Gebucht", the others "bereits ausgeführt" (or, on a machine too loaded
            # for a copy to get its turn within the busy budget, that nothing changed).
            assert all(_working(body) for _, body in answers), answers[0]
            results = await _results(slack_mock, str(confirmation["id"]), redraws)
            assert len([r for r in results if r.startswith("Gebucht:")]) == 1, results[:3]
            others = [r for r in results if "bereits ausgeführt" in r or BUSY in r]
            assert len(others) == COPIES - 1, results[:3]
    finally:
        await db.close()

    assert await scalar(database, "SELECT COUNT(*) FROM addons") == 1
    assert (
        await scalar(
            database, "SELECT COUNT(*) FROM addons WHERE option = 'users' AND quantity = 3"
        )
        == 1
    )
    assert await scalar(database, "SELECT COUNT(*) FROM invoice_lines") == 1
    assert await scalar(database, "SELECT COUNT(*) FROM idempotency_keys") == 1
    assert await scalar(database, "SELECT COUNT(*) FROM audit_log WHERE action = 'book'") == 1


async def test_two_hundred_due_workspaces_are_billed_once_each_by_four_processes(
    slack_mock: MockSlack, database: str, tmp_path: Path
) -> None:
    teams = await seed_due_workspaces(database, DUE)

    async with fleet(slack_mock, database, tmp_path) as running:
        await _until("the run and its messages", _finished(database), running)
        await asyncio.sleep(1.5)  # one more beat each: nothing more may happen
        logged = sorted(n for child in running.children.values() for n in child.issued())

    await _assert_each_invoice_once(database, teams)
    assert logged == list(range(1, DUE + 1))  # each invoice issued by exactly one process
    await _assert_each_message_once(database, slack_mock)


async def test_a_scheduler_killed_mid_run_leaves_the_rest_to_the_other(
    slack_mock: MockSlack, database: str, tmp_path: Path
) -> None:
    teams = await seed_due_workspaces(database, DUE)

    async with fleet(slack_mock, database, tmp_path, servers=0) as running:

        async def one_has_billed() -> bool:
            return any(len(c.issued()) >= 3 for c in running.children.values())

        await _until("a first invoice", one_has_billed, running)
        [victim] = [c for c in running.children.values() if len(c.issued()) >= 3][:1]
        [survivor] = [c for c in running.children.values() if c is not victim]
        await running.kill(victim.name)
        at_kill = await scalar(database, "SELECT COUNT(*) FROM invoices")
        assert at_kill < DUE, "the run had already finished: the kill was not mid-run"

        await _until("the rest of the run", _finished(database), running)
        await asyncio.sleep(1.5)
        assert survivor.process.returncode is None, running.log()

    await _assert_each_invoice_once(database, teams)
    # Whatever was issued after the kill, the survivor issued; nobody issued one twice.
    assert set(range(at_kill + 1, DUE + 1)) <= set(survivor.issued())
    assert set(victim.issued()).isdisjoint(survivor.issued())
    await _assert_each_message_once(database, slack_mock)
