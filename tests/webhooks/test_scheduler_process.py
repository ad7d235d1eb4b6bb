"""`addons-bot scheduler` as a process starts the webhook sender beside the schedule."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from tests.environment import clean_environment
from tests.webhooks.receiver import SECRET, Receiver
from tests.webhooks.support import shop

ROOT = Path(__file__).resolve().parents[2]


async def test_the_scheduler_delivers_queued_events_and_stops_on_sigterm(
    receiver: Receiver, tmp_path: Path
) -> None:
    path = tmp_path / "addons.db"
    async with shop(path) as s:
        await s.book()
    base = clean_environment()
    env = {
        **base,
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",  # no message is due: Slack is not asked
        "ADDONS_DATABASE": str(path),
        "ADDONS_WEBHOOK_URL": receiver.url,
        "ADDONS_WEBHOOK_SECRET": SECRET,
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "scheduler",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        arrivals = await receiver.wait_for(2, seconds=30)
    finally:
        child.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(child.communicate(), 30)
        print(err.decode())
    assert child.returncode == 0, err.decode()
    assert [a.event["type"] for a in arrivals] == ["addon.booked", "entitlements.changed"]
    assert all(a.verified for a in arrivals)
    assert SECRET.encode() not in err
