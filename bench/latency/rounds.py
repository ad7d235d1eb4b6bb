"""One round of requests against one server, the warm-up, and what is wrong with them."""

from __future__ import annotations

import operator
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from bench.common import scalar
from bench.latency.load import (
    Sent,
    drain,
    expected_views,
    load,
    resulting_views,
    settled_by,
    until,
)
from bench.latency.plans import (
    BOOK_OPTION,
    BOOK_QUANTITY,
    CONFIRMATION,
    EXPECTED_SHOWS,
    VIEWS_LABELS,
    Planned,
    Planner,
    in_team,
)
from bench.latency.servers import Server, cpu_seconds
from bench.latency.slack import Stamp, TimedFakeSlack, working_ack
from bot.slack_fake import state_values
from handlers import blocks, requests

DRAIN_SECONDS = 60.0  # how long to wait for the views calls after a round


@dataclass
class Round:
    """The raw outcome of one round against one server."""

    kinds: list[str]
    sent: list[Sent]
    wall: float  # first request sent -> last answer read
    settled: float  # first request sent -> the last views call arrived (app) or wall
    server_cpu: float  # CPU seconds of the server process over ``settled``
    slack_cpu: float
    views: dict[str, list[float]] = field(default_factory=dict)  # label -> latencies ms
    notices: dict[str, list[float]] = field(default_factory=dict)  # a notice, not the view
    busy_refusals: int = 0  # confirmations answered "busy, nothing was changed"
    booked: list[str] = field(default_factory=list)  # nonces of confirmations acked empty
    problems: list[str] = field(default_factory=list)


def check(
    plans: Sequence[Planned],
    sent: Sequence[Sent],
    views: Sequence[Mapping[str, Stamp | None]] | None,
    side: str = "app",
) -> list[str]:
    """What is wrong with a round: answers missing or not 200, a confirmation of the app
    answered with anything but "Wird gebucht …", views calls missing, refused by the fake
    or showing something unexpected. ``views`` is None for the ack-only baseline, which
    causes none. (A busy result is the app failing politely: not wrong, counted.)"""
    problems: list[str] = []
    if len(sent) != len(plans):
        problems.append(f"{len(plans) - len(sent)} of {len(plans)} requests got no answer")
    statuses: dict[int, int] = {}
    for answer in sent:
        if answer.status != 200:
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
    for status, count in sorted(statuses.items()):
        example = next(a.body for a in sent if a.status == status)
        problems.append(f"{count} answers with status {status} (e.g. {example[:120]!r})")
    if views is None:
        return problems
    odd = [
        a.body
        for plan, a in zip(plans, sent, strict=False)
        if plan.kind == CONFIRMATION
        and a.status == 200
        and (not working_ack(a.body) if side == "app" else a.body != "")
    ]
    if odd:
        wanted = '"Wird gebucht …"' if side == "app" else "an empty ack"
        problems.append(
            f"{len(odd)} confirmations were not answered with {wanted} (e.g. {odd[0][:160]!r})"
        )
    return problems + _views_problems(plans, sent, views, side)


def _views_problems(
    plans: Sequence[Planned],
    sent: Sequence[Sent],
    views: Sequence[Mapping[str, Stamp | None]],
    side: str = "app",
) -> list[str]:
    missing: dict[str, int] = {}
    refused: dict[str, int] = {}
    unexpected: dict[str, str] = {}
    for plan, answer, found in zip(plans, sent, views, strict=False):
        for label in expected_views(plan, answer, found, side):
            stamp = found.get(label)
            wanted = ("modal",) if side == "modal" else EXPECTED_SHOWS[label]
            if stamp is None:
                missing[label] = missing.get(label, 0) + 1
            elif not stamp.ok:
                refused[label] = refused.get(label, 0) + 1
            elif stamp.shows not in (*wanted, "notice"):
                unexpected[label] = stamp.shows
    problems = [
        f"{count} views calls missing: {VIEWS_LABELS[label]}" for label, count in missing.items()
    ]
    problems += [
        f"{count} views calls refused by the mock: {VIEWS_LABELS[label]}"
        for label, count in refused.items()
    ]
    problems += [f"{VIEWS_LABELS[label]} showed {what!r}" for label, what in unexpected.items()]
    return problems


async def run_round(
    server: Server, fake: TimedFakeSlack | None, plans: list[Planned], concurrency: int
) -> Round:
    """Time ``plans`` against ``server``; for the app also the views calls (``fake``)."""
    side = server.kind
    cpu_before, slack_before = await server.cpu(), cpu_seconds()
    started = time.perf_counter()
    settle = settled_by(fake, plans, side) if fake is not None else None
    sent, wall = await load(server.url, [p.request for p in plans], concurrency, settle)
    if fake is not None:  # the app's work after its acks belongs to the round
        await drain(fake, plans, sent, DRAIN_SECONDS, side)
    settled = time.perf_counter() - started
    cpu_after, slack_after = await server.cpu(), cpu_seconds()
    result = Round(
        [p.kind for p in plans],
        sent,
        wall,
        settled,
        cpu_after - cpu_before,
        slack_after - slack_before,
    )
    found: list[dict[str, Stamp | None]] | None = None
    if fake is not None:
        found = [resulting_views(fake, plan, side) for plan in plans]
        for plan, answer, views in zip(plans, sent, found, strict=False):
            _count(result, plan, answer, views, side)
    result.problems = check(plans, sent, found, side)
    return result


def _count(
    result: Round,
    plan: Planned,
    answer: Sent,
    views: Mapping[str, Stamp | None],
    side: str = "app",
) -> None:
    """Add one request to ``result``: booked or refused as busy, its views calls."""
    shown = views.get("result_shown")
    if side == "app" and plan.kind == CONFIRMATION and shown is not None and shown.ok:
        if shown.busy:
            result.busy_refusals += 1
        elif shown.shows == "notice" and plan.nonce:
            result.booked.append(plan.nonce)
    for label in expected_views(plan, answer, views, side):
        stamp = views.get(label)
        if stamp is None or not stamp.ok:
            continue
        polite = stamp.busy if label == "result_shown" else stamp.shows == "notice"
        into = result.notices if polite else result.views
        into.setdefault(label, []).append(1000 * (stamp.at - answer.sent))


async def warm_up(
    app: Server, bare: Server, fake: TimedFakeSlack, planner: Planner, concurrency: int
) -> list[str]:
    """Every admin opens /addons once; one per workspace presses Hinzufügen (untimed)."""
    commands = [planner.command() for _ in planner.users]
    sent, _ = await load(app.url, [p.request for p in commands], concurrency)
    await drain(fake, commands, sent, DRAIN_SECONDS)
    views = [resulting_views(fake, c) for c in commands]
    problems = check(commands, sent, views)
    drawn = [v["overview_filled"] for v in views]
    if not problems and any(d is None or d.shows != "overview" for d in drawn):
        problems.append("an overview was not drawn")
    if problems:
        return [f"warm-up: {p}" for p in problems]
    for ws in planner.workspaces:  # the overview of the workspace's first admin
        first = next(c for c in commands if c.request.payload["team_id"] == ws.team)
        opened = fake.by_trigger[first.trigger_id or ""]
        ws.overview = str(opened.view_id)
    problems = await _push_confirmations(app, fake, planner, concurrency)
    if problems:
        return problems
    # The baseline: as many untimed requests of the timed mix.
    extra = planner.mix(len(commands) + len(planner.workspaces))
    sent, _ = await load(bare.url, [p.request for p in extra], concurrency)
    return [f"warm-up (bare app): {p}" for p in check(extra, sent, None)]


async def warm_up_modal(
    modal: Server, fake: TimedFakeSlack, planner: Planner, sizes: Mapping[str, int]
) -> list[str]:
    """The modal baseline gets as many untimed requests of the mix as the app did."""
    extra = planner.mix(len(planner.users) + len(planner.workspaces))
    sent, _ = await load(modal.url, [p.request for p in extra], sizes["concurrency"])
    await drain(fake, extra, sent, DRAIN_SECONDS, "modal")
    views = [resulting_views(fake, p, "modal") for p in extra]
    return [f"warm-up (modal baseline): {p}" for p in check(extra, sent, views, "modal")]


async def _push_confirmations(
    app: Server, fake: TimedFakeSlack, planner: Planner, concurrency: int
) -> list[str]:
    """One admin per workspace presses Hinzufügen: the confirmation the rounds copy."""
    clicks = []
    for ws in planner.workspaces:
        overview = in_team(fake.full_view(ws.overview), ws.team)
        typed = {requests.qty_block_id(BOOK_OPTION): str(BOOK_QUANTITY)}
        request = planner.signer.click(
            user_id=ws.admins[0],
            team_id=ws.team,
            view=overview,
            action_id=blocks.ACTION_ADD,
            value=BOOK_OPTION,
            values=state_values(overview, typed),
        )
        # Slack pushes onto the view the button was in.
        fake.trigger_views[str(request.payload["trigger_id"])] = ws.overview
        clicks.append(request)
    sent, _ = await load(app.url, clicks, concurrency)
    if any(a.status != 200 for a in sent):
        return ["warm-up: Hinzufügen was not answered with 200"]
    deadline = time.perf_counter() + DRAIN_SECONDS
    for ws, click in zip(planner.workspaces, clicks, strict=True):
        trigger = str(click.payload["trigger_id"])
        arrived = partial(operator.contains, fake.by_trigger, trigger)
        await until(arrived, deadline - time.perf_counter())
        pushed = fake.by_trigger.get(trigger)
        if pushed is None or not pushed.ok or pushed.view_id is None:
            return [f"warm-up: Hinzufügen pushed no confirmation in {ws.team}"]
        if pushed.shows != "confirmation":
            return [f"warm-up: Hinzufügen pushed {pushed.shows!r} in {ws.team}"]
        ws.confirmation = pushed.view_id
    return []


def stored(path: str) -> tuple[dict[str, int], set[str]]:
    """Bookings in the app's database (counts per table) and their idempotency keys."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts = {
            "addons": scalar(conn, "SELECT COUNT(*) FROM addons"),
            "keys": scalar(conn, "SELECT COUNT(*) FROM idempotency_keys"),
            "drafts": scalar(conn, "SELECT COUNT(*) FROM invoice_lines WHERE kind = 'proration'"),
            "audit": scalar(conn, "SELECT COUNT(*) FROM audit_log WHERE action = 'book'"),
        }
        keys = {row[0] for row in conn.execute("SELECT key FROM idempotency_keys")}
    finally:
        conn.close()
    return counts, keys


def check_bookings(booked: Sequence[str], counts: Mapping[str, int], keys: set[str]) -> list[str]:
    """Exactly one add-on, draft, key and audit entry per confirmation acked empty, under
    that confirmation's nonce (and nothing for one refused as busy)."""
    problems = [
        f"stored {table}: expected {len(booked)}, found {count}"
        for table, count in counts.items()
        if count != len(booked)
    ]
    if keys != set(booked):
        problems.append(
            f"{len(set(booked) - keys)} acked confirmations booked nothing under "
            f"their key; {len(keys - set(booked))} keys belong to none"
        )
    return problems
