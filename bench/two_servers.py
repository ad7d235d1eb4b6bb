"""Interaction throughput with one and with two app servers on one PostgreSQL database.

    python -m bench.two_servers [--database URL] [--requests 1000] [--concurrency 20]
                                [--workspaces 20] [--admins 2] [--quick] [--json]

The requests and the fake Slack are ``bench.interaction_latency``'s (``bench/latency/``):
``/addons`` and Bestätigen (each books) alternating, signed ahead, over W workspaces
with A admins, after the same untimed warm-up. The app runs in child processes (the real
Bolt app over aiohttp with a test clock, as ``bot.slack_fake.served`` starts it) on one
fresh database each configuration: first one server, then two, the load generator
spreading its closed-loop workers over the servers (worker k posts to server k mod n).

Reported per configuration: requests answered per second (steady phase, sending until
the last answer), acknowledgement p50/p99, CPU ms per request of the servers, and the
confirmations that booked (the others were told politely that nothing changed). Checked:
every answer is 200.

On a 2-core machine the load generator and fake Slack take one core's worth of work
themselves and PostgreSQL runs on the same cores, so a second server can add only what
the first left idle; the report shows the CPU shares to make that visible.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg  # type: ignore[import-untyped,unused-ignore]

from bench.common import machine, machine_lines, n, percentile
from bench.latency.load import Sent, drain
from bench.latency.plans import CONFIRMATION, Planned, Planner, Workspace
from bench.latency.rounds import DRAIN_SECONDS, warm_up
from bench.latency.servers import ROOT, START_SECONDS, Server, cpu_seconds
from bench.latency.slack import TimedFakeSlack, admin_id, slack_users, team_id
from bench.pg_common import migrated_database, plain, scratch, server_url, server_version

FULL = {"requests": 1000, "concurrency": 20, "workspaces": 20, "admins": 2}
WARM_UP = 4  # concurrency of the warm-up
QUICK = {"requests": 60, "concurrency": 6, "workspaces": 4, "admins": 2}


# -- the child: one app server on the given database ------------------------------------


async def _child(slack_url: str, database: str) -> None:
    """Serve the real app on ``database``; print the URL; answer "cpu"; end on "stop"."""
    from aiohttp import web

    from bot.adapters.clock import TestClock
    from bot.adapters.slack_app import web_application
    from bot.bootstrap import slack_app
    from bot.services import Context
    from bot.settings import Settings
    from bot.slack_fake import BOT_TOKEN, SIGNING_SECRET
    from bot.slack_fake.served import START
    from storage import Database

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack_url,
        database=database,
    )
    db = Database(settings.database)
    await db.open()
    ctx = Context(db, settings.catalog(), settings.default_locale, settings.timezone)
    runner = web.AppRunner(
        web_application(slack_app(settings, ctx, TestClock(START)), SIGNING_SECRET),
        access_log=None,
    )
    try:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        print(json.dumps({"url": url}), flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if line != "cpu":
                break
            print(json.dumps({"cpu": cpu_seconds()}), flush=True)
    finally:
        await runner.cleanup()
        await db.close()


async def start_server(slack_url: str, database: str, log: Path) -> Server:
    """One app server child on ``database``; its log goes to ``log``."""
    err = await asyncio.to_thread(log.open, "wb")
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.two_servers",
            "--child",
            slack_url,
            database,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": ROOT},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )
    finally:
        err.close()
    try:
        url = (await Server._line(proc, START_SECONDS))["url"]
    except BaseException:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
        raise
    return Server("app", proc, url, log)


@contextlib.asynccontextmanager
async def servers(
    count: int, slack_url: str, database: str, tmp: str
) -> AsyncIterator[list[Server]]:
    """``count`` app servers on one database, stopped afterwards."""
    started: list[Server] = []
    try:
        for k in range(count):
            started.append(await start_server(slack_url, database, Path(tmp, f"app-{k}.log")))
        yield started
    finally:
        for server in started:
            await server.stop()


# -- the load, spread over the servers --------------------------------------------------


async def spread(
    urls: Sequence[str], plans: Sequence[Planned], concurrency: int
) -> tuple[list[Sent], float]:
    """Closed loop: ``concurrency`` workers, worker k posting to ``urls[k % len(urls)]``."""
    wire = [(p.request.data, p.request.headers) for p in plans]
    results: list[Sent | None] = [None] * len(plans)
    turn = itertools.count()
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)

    async def worker(session: aiohttp.ClientSession, url: str) -> None:
        while (i := next(turn)) < len(wire):
            data, headers = wire[i]
            sent = time.perf_counter()
            try:
                async with session.post(url, data=data, headers=headers) as response:
                    body, status = await response.text(), response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                status, body = 0, f"{type(error).__name__}: {error}"
            results[i] = Sent(sent, time.perf_counter(), status, body)

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session, urls[k % len(urls)]) for k in range(concurrency)))
        wall = time.perf_counter() - started
    return [r for r in results if r is not None], wall


async def configuration(count: int, server: str, sizes: dict[str, int]) -> dict[str, Any]:
    """Warm up and time the steady phase with ``count`` servers on a fresh database."""
    users = slack_users(sizes["workspaces"], sizes["admins"])
    workspaces = [
        Workspace(team_id(w), [admin_id(w, a) for a in range(sizes["admins"])])
        for w in range(sizes["workspaces"])
    ]
    async with scratch(server) as made:
        made.append(database := await migrated_database(server))
        fake = TimedFakeSlack(users)
        with tempfile.TemporaryDirectory(prefix="bench-two-servers-") as tmp:
            async with fake, servers(count, fake.url, database, tmp) as running:
                planner = Planner(fake, workspaces)
                # Untimed, at a gentle pace: every overview must be drawn to be copied.
                problems = await warm_up(running[0], running[-1], fake, planner, WARM_UP)
                if problems:  # nothing to copy from: the warm-up did not go through
                    raise RuntimeError(f"{count} server(s): {problems}")
                plans = planner.mix(sizes["requests"])
                cpu_before = [await s.cpu() for s in running]
                slack_before = cpu_seconds()
                sent, wall = await spread([s.url for s in running], plans, sizes["concurrency"])
                await drain(fake, plans, sent, DRAIN_SECONDS)
                cpu = sum([await s.cpu() for s in running]) - sum(cpu_before)
                slack_cpu = cpu_seconds() - slack_before
                logged = [r for s in running for r in s.log_records()]
            wanted = [p.nonce for p in plans if p.kind == CONFIRMATION and p.nonce]
            booked = await _stored(database, wanted)
    statuses = sorted({a.status for a in sent})
    if statuses != [200]:
        problems.append(f"answers with status {statuses}")
    acks = [1000 * (a.answered - a.sent) for a in sent]
    return {
        "servers": count,
        "requests": len(sent),
        "seconds": wall,
        "rate": len(sent) / wall,
        "ack_p50_ms": percentile(acks, 50),
        "ack_p99_ms": percentile(acks, 99),
        "server_cpu_ms_per_request": 1000 * cpu / len(sent),
        "server_cpu_share": cpu / wall,
        "generator_cpu_share": slack_cpu / wall,
        "confirmations": len(wanted),
        "booked": booked,  # the rest were told politely that nothing changed (busy)
        "not_booked": len(wanted) - booked,
        "logged": len(logged),
        "problems": problems,
    }


async def _stored(database: str, nonces: list[str]) -> int:
    """How many of these confirmations' keys are stored (each booking once, by its key)."""
    conn = await asyncpg.connect(plain(database))
    try:
        keys = {str(k) for (k,) in await conn.fetch("SELECT key FROM idempotency_keys")}
    finally:
        await conn.close()
    return len(set(nonces) & keys)


async def measure(server: str, sizes: dict[str, int]) -> dict[str, Any]:
    """One server, then two, in the same run."""
    one = await configuration(1, server, sizes)
    two = await configuration(2, server, sizes)
    return {
        "benchmark": "two_servers",
        "machine": machine(),
        "server": await server_version(server),
        "sizes": sizes,
        "configurations": [one, two],
        "speedup": two["rate"] / one["rate"],
        "problems": one["problems"] + two["problems"],
    }


def render(r: dict[str, Any]) -> str:
    """The report as text."""
    s = r["sizes"]
    out = [
        "Interaction throughput, one and two app servers on PostgreSQL (issue 11)",
        *machine_lines(r["machine"]),
        f"PostgreSQL {r['server']}",
        f"{n(s['requests'])} requests (/addons and Bestätigen alternating) at concurrency "
        f"{s['concurrency']}, {s['workspaces']} workspaces x {s['admins']} admins",
    ]
    for c in r["configurations"]:
        out.append(
            f"  {c['servers']} server(s): {n(c['rate'])} req/s, ack p50 {c['ack_p50_ms']:.0f} ms "
            f"p99 {c['ack_p99_ms']:.0f} ms, servers' CPU "
            f"{c['server_cpu_ms_per_request']:.1f} ms/req "
            f"({c['server_cpu_share']:.2f} cores), load generator + fake Slack "
            f"{c['generator_cpu_share']:.2f} cores, "
            f"Bestätigen booked {c['booked']} of {c['confirmations']}"
        )
    out.append(f"  two servers / one server: {r['speedup']:.2f}x")
    out.append(
        f"WRONG RESULTS: {r['problems']}"
        if r["problems"]
        else "Checked: all 200, every acknowledged booking stored once"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --child, be one server); 1 when a result is wrong."""
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["--child"]:
        asyncio.run(_child(args_list[1], args_list[2]))
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m bench.two_servers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", metavar="URL", help="the PostgreSQL server to use")
    for key in FULL:
        parser.add_argument(f"--{key}", type=int, help=f"default {FULL[key]}")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(args_list)
    sizes = dict(QUICK if args.quick else FULL)
    for key in sizes:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    result = asyncio.run(measure(server_url(args.database), sizes))
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
