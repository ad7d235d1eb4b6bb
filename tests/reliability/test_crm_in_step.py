"""CloudCRM in step: 2 `serve` + 2 `scheduler` on one PostgreSQL database, and bookings
made by one-off CLI processes of which some have no webhook settings at all. A verifying
receiver gets every event of every workspace exactly once, in sequence with no gap, and
each workspace's last ``entitlements.changed`` says what is really in force.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tests import postgres
from tests.reliability.fleet import _environment, fleet, query, scalar, seed_due_workspaces
from tests.reliability.test_multi_instance import _until
from tests.slack.mock_slack import MockSlack
from tests.webhooks.receiver import SECRET, Receiver

WORKSPACES = 12


async def _cli(mock: MockSlack, database: str, cwd: Path, env: dict[str, str], *argv: str) -> str:
    """``addons-bot ARGV`` as a process of its own; its standard output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *argv,
        cwd=cwd,
        env=_environment(mock, database, None, env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_every_event_from_every_process_reaches_cloudcrm_once_in_sequence(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    receiver = await Receiver().start()
    webhook = {"ADDONS_WEBHOOK_URL": receiver.url, "ADDONS_WEBHOOK_SECRET": SECRET}
    try:
        with postgres.fresh_database() as database:
            teams = await seed_due_workspaces(database, WORKSPACES)
            async with fleet(slack_mock, database, tmp_path, env=webhook) as running:
                # one-off operator calls while the fleet runs: half of them know no webhook
                bookings = [
                    _cli(
                        slack_mock,
                        database,
                        tmp_path,
                        webhook if n % 2 else {},
                        "addons",
                        "book",
                        team,
                        "storage",
                        str(n + 1),
                        "--by",
                        "ops",
                    )
                    for n, team in enumerate(teams[:6])
                ]
                await asyncio.gather(*bookings)
                truth = {
                    team: json.loads(
                        await _cli(
                            slack_mock, database, tmp_path, {}, "entitlements", team, "--json"
                        )
                    )
                    for team in teams
                }

                async def delivered() -> bool:
                    pending = await scalar(
                        database,
                        "SELECT COUNT(*) FROM events WHERE sent_at IS NULL AND failed_at IS NULL",
                    )
                    invoices = await scalar(database, "SELECT COUNT(*) FROM invoices")
                    return pending == 0 and invoices >= WORKSPACES

                await _until("every event delivered", delivered, running)
                await asyncio.sleep(2.0)  # more beats of every sender: nothing more may go out
                log = running.log()
            events = await query(
                database, "SELECT webhook_id, team_id, sequence, type FROM events ORDER BY id"
            )
    finally:
        await receiver.stop()

    arrivals = receiver.arrivals
    assert all(a.verified for a in arrivals)
    twice = [wid for wid, n in Counter(a.webhook_id for a in arrivals).items() if n > 1]
    assert twice == [], f"delivered more than once: {twice}\n{log}"
    assert sorted(a.webhook_id for a in arrivals) == sorted(str(e[0]) for e in events)
    # each workspace's events arrived in sequence, with no gap: 1, 2, 3, ...
    arrived: defaultdict[str, list[int]] = defaultdict(list)
    last_totals: dict[str, dict[str, Any]] = {}
    for arrival in arrivals:
        body = json.loads(arrival.body)
        team = body["data"]["team_id"]
        arrived[team].append(body["data"]["sequence"])
        if body["type"] == "entitlements.changed":
            last_totals[team] = body["data"]
    assert {t: s for t, s in arrived.items() if s != list(range(1, len(s) + 1))} == {}
    assert set(arrived) == set(teams)
    # the CLI's bookings (with or without the webhook settings) were all told
    booked = Counter(str(e[1]) for e in events if e[3] == "addon.booked")
    assert [booked[team] for team in teams] == [2] * 6 + [1] * (WORKSPACES - 6)
    # ... and the last entitlements CloudCRM heard are the true totals
    told = {t: (d["seats"], d["storage_gb"]) for t, d in last_totals.items()}
    assert told == {t: (e["seats"], e["storage_gb"]) for t, e in truth.items()}
