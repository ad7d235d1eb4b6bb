"""Two `serve` and two `scheduler` processes on one PostgreSQL database, every one of them
running both senders of the one delivery queue: each CloudCRM event reaches the webhook
once (counted by ``webhook-id``, each workspace's in order) and each direct message
reaches Slack once.

Real processes, a real receiver that verifies every signature (``standardwebhooks``),
the mock Slack. The workspaces are seeded with their first month ended before today
(``tests/reliability/fleet.py``): their bookings' events wait in the queue when the
processes start, and the invoices the schedulers issue add an event and a message each.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest_asyncio

from tests import postgres
from tests.reliability.fleet import fleet, query, scalar, seed_due_workspaces
from tests.reliability.test_multi_instance import _until
from tests.slack.mock_slack import MockSlack
from tests.webhooks.receiver import SECRET, Receiver

WORKSPACES = 50


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """CloudCRM's side: answers 200 to every verified request, and records it."""
    started = await Receiver().start()
    try:
        yield started
    finally:
        await started.stop()


def _all_done(database: str) -> Callable[[], Awaitable[bool]]:
    """Whether every due invoice is issued and nothing is left to deliver."""

    async def check() -> bool:
        invoices = await scalar(database, "SELECT COUNT(*) FROM invoices")
        pending = await scalar(
            database,
            "SELECT (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL)"
            " + (SELECT COUNT(*) FROM events WHERE sent_at IS NULL AND failed_at IS NULL)",
        )
        return invoices >= WORKSPACES and pending == 0

    return check


async def test_four_processes_deliver_every_event_and_every_message_exactly_once(
    slack_mock: MockSlack, receiver: Receiver, tmp_path: Path
) -> None:
    with postgres.fresh_database() as database:
        await seed_due_workspaces(database, WORKSPACES)
        settings = {"ADDONS_WEBHOOK_URL": receiver.url, "ADDONS_WEBHOOK_SECRET": SECRET}
        async with fleet(slack_mock, database, tmp_path, env=settings) as running:
            await _until("every delivery", _all_done(database), running)
            await asyncio.sleep(2.5)  # more beats of every sender: nothing more may go out
            log = running.log()
        events = await query(
            database, "SELECT webhook_id, team_id, sequence, attempts FROM events ORDER BY id"
        )
        messages = await query(database, "SELECT event_key, attempts, sent_at FROM outbox")

    # Every event once: as many 2xx arrivals as events, one per webhook-id, all verified.
    assert events, "nothing was queued"
    arrivals = receiver.arrivals
    assert all(a.verified for a in arrivals)
    assert [a.status for a in arrivals] == [200] * len(arrivals)
    twice = [wid for wid, n in Counter(a.webhook_id for a in arrivals).items() if n > 1]
    assert twice == [], f"{len(twice)} events delivered more than once\n{log}"
    assert sorted(a.webhook_id for a in arrivals) == sorted(str(e[0]) for e in events)
    # ... each tried once ("1 try" in `webhooks list`), each workspace's in sequence.
    assert [e[0] for e in events if e[3] != 1] == []
    where = {str(wid): (team, sequence) for wid, team, sequence, _ in events}
    arrived: defaultdict[str, list[int]] = defaultdict(list)
    for arrival in arrivals:
        team, sequence = where[arrival.webhook_id]
        arrived[team].append(sequence)
    assert {team: seqs for team, seqs in arrived.items() if seqs != sorted(seqs)} == {}
    assert {json.loads(a.body)["type"] for a in arrivals} >= {"addon.booked", "invoice.issued"}

    # Every direct message once: as many posts to Slack as messages, none said twice.
    assert len(messages) == WORKSPACES  # one invoice message to each workspace's admin
    assert [key for key, attempts, sent in messages if sent is None or attempts != 1] == []
    posts = slack_mock.calls_to("chat.postMessage")
    said = Counter(
        (call.params["channel"], json.dumps(call.params.get("blocks"), sort_keys=True))
        for call in posts
    )
    assert [what for what, times in said.items() if times > 1] == []
    assert len(posts) == len(messages)
