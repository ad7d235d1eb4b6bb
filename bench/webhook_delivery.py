"""Events/s the webhook sender delivers to a local receiver, next to a bare signed loop.

    python -m bench.webhook_delivery [--events 2000] [--workspaces 20] [--quick] [--json]

Set-up (not timed): a fresh SQLite file migrated by the app, W workspaces, and N events
queued round-robin over them through ``bot.services.emit`` (as the use cases queue them).

Timed: the production ``WebhookSender`` (its claim with a lease, the POST signed with
``standardwebhooks``, the mark in its own transaction; production settings but for the
idle poll) passes over the queue until every event is marked sent. Each workspace's
events go out in order, W workspaces side by side.

Baseline, in the same run: a bare loop POSTing the same bodies one after the other over
one kept-alive session, each signed with ``standardwebhooks``: no database, no order
bookkeeping. The receiver is an aiohttp server on 127.0.0.1 in a process of its own
that answers 204 and counts what it got.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from typing import Any

import aiohttp
from aiohttp import web
from standardwebhooks.webhooks import Webhook

from bench.common import machine
from bot import services
from bot.adapters.clock import SystemClock
from bot.adapters.webhooks import WebhookConfig, WebhookSender
from storage import Database

SECRET = "whsec_" + base64.b64encode(b"bench-signing-key-of-32-bytes!!!").decode()
NOW = datetime(2026, 4, 3, 10, tzinfo=UTC)


def _commit() -> str:
    """The commit measured (with "+dirty" when the tree has changes)."""
    here = os.path.dirname(os.path.abspath(__file__))
    git = ["git", "-C", here]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _serve(port_out: Any, counts: Any) -> None:
    """The receiver's process: answer 204 to every POST, count them."""

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        with counts.get_lock():
            counts.value += 1
        return web.Response(status=204)

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/hooks", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_out.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


async def _queue(db: Database, events: int, workspaces: int) -> None:
    """N events over W workspaces, as the use cases queue them (one transaction each)."""
    ctx = services.Context(db)
    teams = [f"T{i:04d}" for i in range(workspaces)]
    for team in teams:
        await services.set_workspace(ctx, team, date(2026, 3, 18), NOW)
    for i in range(events):
        async with db.unit_of_work() as uow:
            data = {"id": i, "option": "users", "quantity": 1, "status": "active"}
            await services.emit(uow, teams[i % workspaces], "addon.booked", data, NOW)
            await uow.commit()


async def _sender(db: Database, url: str, events: int) -> float:
    """Seconds the sender takes to deliver every queued event."""
    config = WebhookConfig(url, SECRET, poll_seconds=0.01, batch=50)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50)) as session:
        sender = WebhookSender(db, config, session, SystemClock())
        started = time.perf_counter()
        delivered = 0
        while delivered < events:
            done = await sender.deliver_due()
            if done.retried or done.failed:
                raise RuntimeError(f"the receiver refused events: {done}")
            delivered += done.sent
        return time.perf_counter() - started


async def _bare(db: Database, url: str) -> tuple[int, float]:
    """(events, seconds) of a plain loop of signed POSTs of the same bodies."""
    async with db.unit_of_work(write=False) as uow:
        queued = await uow.events.listing(limit=10**9)
    webhook = Webhook(SECRET)
    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        for event in reversed(queued):
            stamp = datetime.now(UTC)
            headers = {
                "content-type": "application/json",
                "webhook-id": event.webhook_id,
                "webhook-timestamp": str(int(stamp.timestamp())),
                "webhook-signature": webhook.sign(event.webhook_id, stamp, event.body),
            }
            async with session.post(url, data=event.body.encode(), headers=headers) as r:
                await r.read()
                assert 200 <= r.status < 300
        return len(queued), time.perf_counter() - started


async def run(events: int, workspaces: int) -> dict[str, Any]:
    """Both sides in one run; the report."""
    ports: Any = multiprocessing.Queue()
    counts: Any = multiprocessing.Value("i", 0)
    server = multiprocessing.Process(target=_serve, args=(ports, counts), daemon=True)
    server.start()
    try:
        url = f"http://127.0.0.1:{ports.get(timeout=30)}/hooks"
        with tempfile.TemporaryDirectory() as folder:
            async with Database(os.path.join(folder, "bench.db")) as db:
                await _queue(db, events, workspaces)
                sender_seconds = await _sender(db, url, events)
                received_by_sender = counts.value
                bare_events, bare_seconds = await _bare(db, url)
    finally:
        server.kill()
        server.join()
    sender_rate = events / sender_seconds
    bare_rate = bare_events / bare_seconds
    return {
        "benchmark": "webhook_delivery",
        "events": events,
        "workspaces": workspaces,
        "received_from_sender": received_by_sender,
        "received_total": counts.value,
        "sender_events_per_second": round(sender_rate, 1),
        "bare_signed_posts_per_second": round(bare_rate, 1),
        "sender_share_of_bare": round(sender_rate / bare_rate, 3),
        "commit": _commit(),
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the report."""
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_delivery")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="a tiny run (200 events)")
    parser.add_argument("--json", action="store_true", help="the report as JSON")
    args = parser.parse_args(argv)
    events = 200 if args.quick else args.events
    report = asyncio.run(run(events, args.workspaces))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"webhook delivery, {events} events over {args.workspaces} workspaces "
            f"(commit {report['commit']}):\n"
            f"  sender (claim, signed POST, mark; order kept): "
            f"{report['sender_events_per_second']:>8} events/s\n"
            f"  bare loop of signed POSTs:                      "
            f"{report['bare_signed_posts_per_second']:>8} events/s\n"
            f"  sender / bare: {report['sender_share_of_bare']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
