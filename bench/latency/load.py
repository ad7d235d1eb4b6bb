"""The load generator (a closed loop over HTTP) and the views calls each request causes."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import aiohttp

from bench.latency.plans import COMMAND, Planned
from bench.latency.slack import Stamp, TimedFakeSlack, working_ack
from bot.slack_fake import SignedRequest


@dataclass
class Sent:
    """What the load generator saw of one request."""

    sent: float
    answered: float
    status: int
    body: str


Settle = Callable[[int, "Sent"], Awaitable[None]]


async def load(
    url: str,
    requests: Sequence[SignedRequest],
    concurrency: int,
    settle: Settle | None = None,
) -> tuple[list[Sent], float]:
    """Post every request with ``concurrency`` workers (closed loop); (what came back, wall s).

    Each worker posts its next request once the previous one was answered and, with
    ``settle``, once what it asked for is shown (``settle(index, answer)`` returns then):
    a worker is an admin, who clicks again after seeing the result, not after the ack.
    A fresh session per call, so each round opens its own connections.
    """
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
    wire = [(r.data, r.headers) for r in requests]  # the exact signed bytes, encoded once
    results: list[Sent | None] = [None] * len(requests)
    turn = itertools.count()
    timeout = aiohttp.ClientTimeout(total=30)

    async def worker(session: aiohttp.ClientSession) -> None:
        while (i := next(turn)) < len(wire):
            data, headers = wire[i]
            sent = time.perf_counter()
            try:
                async with session.post(url, data=data, headers=headers) as response:
                    body = await response.text()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                status, body = 0, f"{type(error).__name__}: {error}"
            results[i] = answer = Sent(sent, time.perf_counter(), status, body)
            if settle is not None:
                await settle(i, answer)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return [r for r in results if r is not None], wall


def resulting_views(
    fake: TimedFakeSlack, plan: Planned, side: str = "app"
) -> dict[str, Stamp | None]:
    """The views calls ``plan`` caused on ``side`` (None where one has not arrived)."""
    if plan.kind == COMMAND:
        opened = fake.by_trigger.get(plan.trigger_id or "")
        if side == "modal":
            return {"modal_opened": opened}
        filled = None
        if opened is not None and opened.shows != "loading":  # opened filled: one trip
            filled = opened
        elif opened is not None and opened.view_id:
            updates = fake.updates.get(opened.view_id) or []
            filled = updates[0] if updates else None
        return {"modal_opened": opened, "overview_filled": filled}
    if side == "modal":
        return {}
    shown = fake.updates.get(plan.view_id or "") or []
    below = fake.updates.get(plan.below or "") or []
    return {
        "result_shown": shown[0] if shown else None,
        "overview_redrawn": below[0] if below else None,
    }


def expected_views(
    plan: Planned,
    answer: Sent,
    found: Mapping[str, Stamp | None] | None = None,
    side: str = "app",
) -> tuple[str, ...]:
    """The views calls a request must cause, given its answer and what arrived so far: a
    confirmation answered "Wird gebucht …" then shows its result, and, unless that says
    "busy, nothing was changed", the overview below is redrawn."""
    if answer.status != 200 or side == "bare":
        return ()
    if plan.kind == COMMAND:
        return ("modal_opened",) if side == "modal" else ("modal_opened", "overview_filled")
    if side == "modal" or not working_ack(answer.body):
        return ()
    result = (found or {}).get("result_shown")
    if result is None or result.busy or not result.ok:
        return ("result_shown",)
    return ("result_shown", "overview_redrawn")


async def until(done: Callable[[], bool], within: float, every: float = 0.02) -> bool:
    """Poll ``done`` until it holds (True) or ``within`` seconds have passed (False); the
    fake answers in this event loop, so polling costs the app nothing."""
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        if done():
            return True
        await asyncio.sleep(every)
    return done()


SHOWN_POLL_SECONDS = 0.002  # how often a worker looks whether its result is shown
SHOWN_WITHIN_SECONDS = 30.0  # then it moves on; the round's checks report what is missing


def settled_by(fake: TimedFakeSlack, plans: Sequence[Planned], side: str) -> Settle:
    """``settle`` for :func:`load`: returns once every views call the answered request
    must cause has reached the fake (the stamps keep the exact arrival times, so polling
    delays only the worker's next request, never a measurement)."""

    async def settle(index: int, answer: Sent) -> None:
        plan = plans[index]

        def shown() -> bool:
            found = resulting_views(fake, plan, side)
            return all(
                found.get(label) is not None for label in expected_views(plan, answer, found, side)
            )

        await until(shown, SHOWN_WITHIN_SECONDS, SHOWN_POLL_SECONDS)

    return settle


async def drain(
    fake: TimedFakeSlack,
    plans: Sequence[Planned],
    sent: Sequence[Sent],
    within: float,
    side: str = "app",
) -> None:
    """Wait until every views call the requests must cause has arrived (or ``within`` s)."""

    def arrived() -> bool:
        for plan, answer in zip(plans, sent, strict=False):
            found = resulting_views(fake, plan, side)
            if any(found.get(label) is None for label in expected_views(plan, answer, found, side)):
                return False
        return True

    await until(arrived, within)
