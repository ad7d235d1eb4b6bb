"""Benchmark 1 of issue 7: interaction latency over HTTP, against a bare Bolt app.

    python -m bench.interaction_latency [--single 200] [--requests 2000] [--concurrency 20]
                                        [--burst 400] [--burst-concurrency 200]
                                        [--workspaces 100] [--admins 2] [--rounds 2]
                                        [--api-delay-ms 0] [--quick] [--json]

Two kinds of process, one per side of the wire (on 2 cores each side gets one):

- **the app** (a child process): the real app as the tests start it
  (``build_app`` + ``web_application`` on aiohttp at 127.0.0.1, a fresh SQLite file, a
  ``TestClock`` on 03.04.2026), its Web API client on one shared session as ``serve``
  has it, pointed at the mock below.
  **The baselines** are two more children: bare Bolt ``AsyncApp``s with the same kind of
  client and the same secret, served by the same ``web_application``: ``bare``, whose
  listeners only ``ack()``, and ``modal``, whose ``/addons`` acks and then opens a
  one-line modal. Only one server is under load at a time.
- **Slack** (this process): the load generator (aiohttp client, closed loop) and the
  fake Slack Web API (``bot.slack_fake.FakeSlack``, subclassed to stamp each views call
  with ``time.perf_counter`` when its handler starts). Load generator and
  mock share one clock, so "sent" and "the views call arrived" compare directly, and
  neither takes CPU from the app's event loop.

The requests alternate: even ones are ``/addons`` (no text) by an admin, odd ones are
Bestätigen on a booking confirmation (``view_submission``, callback
``addons_confirm_booking``), each with a fresh nonce, so each one books. A confirmation
sits on its own overview modal (a copy, made in the mock, of the overview the app drew
for that workspace during the warm-up) and is itself a copy of the confirmation the app
pushed after Hinzufügen, with a new view id and a new nonce. The admins take turns.
Every request of a round is signed by ``bot.slack_fake.SlackSigner`` before the
round starts; its clock starts just before its bytes are posted.

Measured per request: the HTTP acknowledgement (sent → answer read), and the time from
sending it to the views call it causes arriving at the mock:

- ``/addons``: ``views.open`` (matched by trigger_id; Slack's trigger lives 3 s), which
  shows the filled overview when the app had it within its budget, else a placeholder
  that the ``views.update`` of the view id views.open returned fills; "overview shown"
  is whichever call brought the overview;
- Bestätigen (answered at once with "Wird gebucht …"): the ``views.update`` of the
  confirmation's own view id with the result, and that of the overview underneath
  (matched by its view id, unique per request).

Load: a closed loop of C workers, each an admin who clicks again once the result is
shown: its next request goes out when the previous one was answered and every views
call it causes has arrived (the ack-only baseline causes none). After each round the
benchmark waits until every expected views call has arrived, so the next round starts
on a quiet machine, and the server's CPU is read after that. Phases: single
(concurrency 1: the latency of an app that is not saturated; not one of the issue's
sizes), steady (N requests at concurrency C in R rounds; the servers take turns, who
goes first rotating) and burst (B requests at
concurrency 200, one round each). Each round opens its own connections.

Warm-up, untimed: every admin runs ``/addons`` once (the app's users.info cache, Bolt's
auth.test, the workspaces' rows, the connection pool), and one admin per workspace
presses Hinzufügen once (the confirmation that is then copied). The baselines get as
many untimed requests of the same mix.

Targets (issue 7): acknowledgement p99 at most 1.5x the bare app's, at each concurrency
and for each kind of request; no acknowledgement and no views call later than 3 s after
its request (Slack's timeout; the trigger's lifetime for views.open). Targets (issue
15, steady and burst): CPU per click at most 2.5 ms; ack p99 of the mix at most 3x bare;
the filled overview shown p99 at most 2x the modal baseline's views.open p99; no
booking refused as busy.

Served in full (a verdict, not an error): under overload the app fails politely: a
redraw that waited 2 s for a database connection shows a notice instead of the
overview, a booking that did shows "busy, nothing was changed" and books nothing.
These are counted per phase (and the store's busy error, a ``bot.ports.Busy``, in the
app's log, reported as StorageBusy) and judged PASS only when there are none.

Checked (exit 1 when wrong, not when a target is missed): every answer is 200, every
confirmation is answered with "Wird gebucht …", every expected views call arrived, was
accepted by the mock and shows what it should (or a notice), no reply went to a
response_url, the app logged nothing but the busy error, and the database holds exactly
one add-on, draft, idempotency key and audit entry per confirmation shown "Gebucht", under
that confirmation's nonce.

The parts live in ``bench/latency/``: ``slack`` (the stamped fake), ``servers`` (the
child processes), ``plans`` (the signed requests), ``load`` (the load generator),
``rounds`` (a round, the warm-up, the checks), ``figures`` and ``report``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import machine
from bench.latency.figures import (
    ACK_TARGET,
    SLACK_LIMIT_MS,
    degraded,
    issue15,
    phase,
    slowest,
)
from bench.latency.load import Sent
from bench.latency.plans import (
    COMMAND,
    CONFIRMATION,
    KINDS,
    VIEWS_LABELS,
    Planned,
    Planner,
    Workspace,
)
from bench.latency.report import render
from bench.latency.rounds import (
    Round,
    check,
    check_bookings,
    run_round,
    stored,
    warm_up,
    warm_up_modal,
)
from bench.latency.servers import Server, log_records, storage_busy
from bench.latency.slack import Stamp, TimedFakeSlack, admin_id, busy_notice, slack_users, team_id

__all__ = [
    "ACK_TARGET",
    "COMMAND",
    "CONFIRMATION",
    "FULL",
    "KINDS",
    "QUICK",
    "SLACK_LIMIT_MS",
    "VIEWS_LABELS",
    "Planned",
    "Sent",
    "Stamp",
    "busy_notice",
    "check",
    "check_bookings",
    "log_records",
    "main",
    "measure",
    "render",
    "storage_busy",
]

FULL = {
    "single": 200,
    "requests": 2000,
    "concurrency": 20,
    "burst": 400,
    "burst_concurrency": 200,
    "workspaces": 100,
    "admins": 2,
    "rounds": 2,
}
QUICK = {
    "single": 10,
    "requests": 80,
    "concurrency": 8,
    "burst": 40,
    "burst_concurrency": 40,
    "workspaces": 4,
    "admins": 2,
    "rounds": 2,
}
API_METHODS = ("users.info", "views.open", "views.update", "views.push")  # --api-delay-ms
SIDES = ("bare", "modal", "app")  # the servers, in the order of the first round


async def _phases(
    servers: dict[str, Server], fake: TimedFakeSlack, planner: Planner, sizes: dict[str, int]
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Single, steady and burst, the servers taking turns: (phases, booked, problems)."""
    phases = [
        ("single", sizes["single"], 1, 1),
        ("steady", sizes["requests"], sizes["concurrency"], sizes["rounds"]),
        ("burst", sizes["burst"], sizes["burst_concurrency"], 1),
    ]
    results: list[dict[str, Any]] = []
    booked: list[str] = []
    problems: list[str] = []
    for name, count, concurrency, rounds in phases:
        per_round = [count // rounds + (1 if r < count % rounds else 0) for r in range(rounds)]
        rounds_of: dict[str, list[Round]] = {side: [] for side in SIDES}
        for r, size in enumerate(per_round):
            order = SIDES[r % len(SIDES) :] + SIDES[: r % len(SIDES)]  # who goes first rotates
            for side in order:
                plans = planner.mix(size)  # signed now, for this round
                watched = None if side == "bare" else fake  # bare Bolt causes no views call
                done = await run_round(servers[side], watched, plans, concurrency)
                if side == "app":
                    booked += done.booked
                rounds_of[side].append(done)
                problems += [f"{name}, {side}: {p}" for p in done.problems]
        results.append(
            phase(
                name,
                count,
                concurrency,
                rounds_of["app"],
                rounds_of["bare"],
                rounds_of["modal"],
            )
        )
    return results, booked, problems


def _logged(servers: Sequence[Server]) -> tuple[int, list[str]]:
    """How often the store said busy in the servers' logs; anything else they logged."""
    busy, problems = 0, []
    for server in servers:
        records = server.log_records()
        busy += sum(1 for r in records if storage_busy(r))
        other = [r for r in records if not storage_busy(r)]
        if other:
            problems.append(
                f"the {server.kind} logged {len(other)} records, e.g. {other[0][:300]!r}"
            )
    return busy, problems


async def _measure(sizes: dict[str, int], api_delay_ms: float) -> dict[str, Any]:
    users = slack_users(sizes["workspaces"], sizes["admins"])
    workspaces = [
        Workspace(team_id(w), [admin_id(w, a) for a in range(sizes["admins"])])
        for w in range(sizes["workspaces"])
    ]
    problems: list[str] = []
    phase_results: list[dict[str, Any]] = []
    booked: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        database = os.path.join(tmp, "app.db")
        fake = TimedFakeSlack(users)
        async with fake:
            if api_delay_ms:
                for method in API_METHODS:
                    fake.delays[method] = api_delay_ms / 1000
            servers: dict[str, Server] = {}
            try:
                for side in SIDES:
                    path = database if side == "app" else os.path.join(tmp, f"{side}.db")
                    servers[side] = await Server.start(
                        side, fake.url, path, Path(tmp, f"{side}.log")
                    )
                planner = Planner(fake, workspaces)
                app, bare = servers["app"], servers["bare"]
                problems += await warm_up(app, bare, fake, planner, sizes["concurrency"])
                if not problems:  # the baseline's mix copies the app's warm-up views
                    problems += await warm_up_modal(servers["modal"], fake, planner, sizes)
                if not problems:
                    phase_results, booked, found = await _phases(servers, fake, planner, sizes)
                    problems += found
                if fake.replies:
                    problems.append(
                        f"{fake.replies} replies went to a response_url "
                        "(a refusal or a failure told to the user)"
                    )
                for reason, times in fake.refused.items():
                    problems.append(f"the mock refused {times} calls: {reason}")
            finally:
                for server in servers.values():
                    await server.stop()
            busy_logged, logged = _logged(list(servers.values()))
            problems += logged
        counts, keys = stored(database)
    problems += check_bookings(booked, counts, keys)
    return {
        "benchmark": "interaction_latency",
        "machine": machine(),
        "sizes": {**sizes, "users": len(users), "api_delay_ms": api_delay_ms},
        "phases": phase_results,
        "slowest": slowest(phase_results),
        "degraded": degraded(phase_results, busy_logged),
        "issue15": issue15(phase_results),
        "found": {**counts, "expected": len(booked)},
        "target": ACK_TARGET,
        "slack_limit_ms": SLACK_LIMIT_MS,
        "problems": problems,
    }


def measure(sizes: dict[str, int], api_delay_ms: float = 0.0) -> dict[str, Any]:
    """Run the benchmark with these sizes; its figures, verdicts and problems."""
    for key in FULL:
        if sizes[key] < 1:
            raise ValueError(f"--{key.replace('_', '-')} must be at least 1")
    return asyncio.run(_measure(sizes, api_delay_ms))


def main(argv: list[str] | None = None) -> int:
    """The command line: measure, print the report (or JSON); 1 when the result is wrong."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.interaction_latency",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for key, text in (
        ("single", "requests at concurrency 1"),
        ("requests", "steady phase"),
        ("concurrency", "steady phase"),
        ("burst", "burst phase"),
        ("burst-concurrency", "burst phase"),
        ("workspaces", "workspaces"),
        ("admins", "admins per workspace"),
        ("rounds", "rounds of the steady phase"),
    ):
        default = FULL[key.replace("-", "_")]
        parser.add_argument(f"--{key}", type=int, help=f"{text} (default {default:,})")
    parser.add_argument(
        "--api-delay-ms",
        type=float,
        default=0.0,
        help="the mock waits this long before answering users.info and "
        "views.* (default 0: the app's own latency)",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    for key in sizes:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    result = measure(sizes, args.api_delay_ms)
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
