"""Benchmark 1 of issue 7: interaction latency over HTTP, against a bare Bolt app.

    python -m bench.interaction_latency [--single 200] [--requests 2000] [--concurrency 20]
                                        [--burst 400] [--burst-concurrency 200]
                                        [--workspaces 100] [--admins 2] [--rounds 2]
                                        [--api-delay-ms 0] [--quick] [--json]

Two kinds of process, one per side of the wire (on 2 cores each side gets one):

- **the app** (a child process): the real app exactly as ``tests/slack/harness.running_app``
  starts it: ``build_app`` + ``web_application`` on aiohttp at 127.0.0.1, a fresh SQLite
  file, a ``TestClock`` on 03.04.2026. Its Web API client points at the mock below.
  **The baseline** is a second child: a bare Bolt ``AsyncApp`` with the same kind of
  client and the same secret whose listeners (``/addons`` and the confirmation's
  callback) only ``ack()``, served by the same ``web_application`` (signature checked on
  the raw bytes, same aiohttp server). Only one of the two is under load at a time.
- **Slack** (this process): the load generator (aiohttp client, closed loop) and the
  mock Slack Web API (``tests/slack/mock_slack.MockSlack``, subclassed to stamp each
  views call with ``time.perf_counter`` when its handler starts). Load generator and
  mock share one clock, so "sent" and "the views call arrived" compare directly, and
  neither takes CPU from the app's event loop.

The requests alternate: even ones are ``/addons`` (no text) by an admin, odd ones are
Bestätigen on a booking confirmation (``view_submission``, callback
``addons_confirm_booking``), each with a fresh nonce, so each one books. A confirmation
sits on its own overview modal (a copy, made in the mock, of the overview the app drew
for that workspace during the warm-up) and is itself a copy of the confirmation the app
pushed after Hinzufügen, with a new view id and a new nonce. The admins take turns.
Every request of a round is signed by ``tests.slack.signing.SlackSigner`` before the
round starts; its clock starts just before its bytes are posted.

Measured per request: the HTTP acknowledgement (sent → answer read), and the time from
sending it to the views call it causes arriving at the mock:

- ``/addons``: ``views.open`` of the loading modal (matched by trigger_id; Slack's
  trigger lives 3 s) and the ``views.update`` that fills it with the overview (matched by
  the view id views.open returned);
- Bestätigen: the ``views.update`` of the overview underneath (matched by its view id,
  unique per request). The app acknowledges only once the booking is stored.

Load: a closed loop of C workers, each posting its next request as soon as the previous
one was answered (concurrency = requests in flight at the HTTP level, for both apps
alike). Work the app does after its ack is not waited for inside the loop; after each
round of the app the benchmark waits until every expected views call has arrived, so the
next round (of either app) starts on a quiet machine, and the app's CPU is read after
that. Phases: single (concurrency 1: the latency of an app that is not saturated; not
one of the issue's sizes), steady (N requests at concurrency C in R rounds that
alternate baseline and app, which goes first alternating too) and burst (B requests at
concurrency 200, one round each). Each round opens its own connections.

Warm-up, untimed: every admin runs ``/addons`` once (the app's users.info cache, Bolt's
auth.test, the workspaces' rows, the connection pool), and one admin per workspace
presses Hinzufügen once (the confirmation that is then copied). The baseline gets as
many untimed requests of the same mix.

Targets (issue 7): acknowledgement p99 at most 1.5x the bare app's, at each concurrency
and for each kind of request; no acknowledgement and no views call later than 3 s after
its request (Slack's timeout; the trigger's lifetime for views.open).

Served in full (a verdict, not an error): under overload the app fails politely: a
redraw that waited 2 s for a database connection shows a notice instead of the
overview, a confirmation that did shows "busy, nothing was changed" and books nothing.
These are counted per phase (and StorageBusy in the app's log) and judged PASS only
when there are none.

Checked (exit 1 when wrong, not when a target is missed): every answer is 200, every
confirmation is answered with an empty ack or the busy notice, every expected views call
arrived, was accepted by the mock and shows the overview (or a notice), no reply went to
a response_url, the app logged nothing but StorageBusy, and the database holds exactly
one add-on, draft, idempotency key and audit entry per confirmation acked empty, under
that confirmation's nonce.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import itertools
import json
import logging
import os
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.common import machine, machine_lines, n, percentile, scalar, table, verdict
from handlers import blocks, requests
from handlers.i18n import t
from tests.slack.harness import SECRET
from tests.slack.mock_slack import BOT_TOKEN, MockSlack, SlackUser
from tests.slack.signing import SignedRequest, SlackSigner, state_values

ROOT = str(Path(__file__).resolve().parent.parent)  # the project, for the child processes
ACK_TARGET = 1.5  # app's ack p99 at most 1.5 x the bare app's
SLACK_LIMIT_MS = 3000.0  # Slack's ack timeout and a trigger_id's lifetime
DRAIN_SECONDS = 60.0  # how long to wait for the views calls after a round
START_SECONDS = 30.0  # how long a child may take to start listening
COMMAND, CONFIRMATION = "command", "confirmation"
KINDS = (COMMAND, CONFIRMATION)
KIND_LABELS = {"all": "all requests", COMMAND: "/addons", CONFIRMATION: "Bestätigen (books)"}
VIEWS_LABELS = {
    "modal_opened": "/addons -> views.open (loading modal)",
    "overview_filled": "/addons -> views.update (overview filled)",
    "overview_redrawn": "Bestätigen -> views.update (overview redrawn)",
}
BOOK_OPTION, BOOK_QUANTITY = "users", 2

FULL = {"single": 200, "requests": 2000, "concurrency": 20, "burst": 400,
        "burst_concurrency": 200, "workspaces": 100, "admins": 2, "rounds": 2}
QUICK = {"single": 10, "requests": 80, "concurrency": 8, "burst": 40, "burst_concurrency": 40,
         "workspaces": 4, "admins": 2, "rounds": 2}


# -- Slack's side: the mock, stamped -------------------------------------------------

_ARRIVED: contextvars.ContextVar[float] = contextvars.ContextVar("arrived")


@dataclass(frozen=True)
class Stamp:
    """A views call as it reached the mock: when, whether it was accepted, which view."""

    at: float  # time.perf_counter() when the mock's handler started on it
    ok: bool
    view_id: str | None
    shows: str  # "loading", "overview", "notice", "confirmation" or the callback_id


def shows(view: object) -> str:
    """What a view sent by the app is: the loading modal, the overview, a notice, ..."""
    if not isinstance(view, Mapping):
        return "?"
    callback = view.get("callback_id")
    if callback == blocks.CALLBACK_OVERVIEW:
        first = (view.get("blocks") or [{}])[0]
        return "loading" if first.get("block_id") == "loading" else "overview"
    if callback == blocks.CALLBACK_NOTICE:
        return "notice"
    if callback == blocks.CALLBACK_CONFIRM_BOOKING:
        return "confirmation"
    return str(callback)


BUSY_TEXTS = tuple(t(lang, "error.busy") for lang in ("de", "en"))


def busy_notice(body: str) -> bool:
    """Whether an ack replaces the submitted view with the app's "busy, nothing changed"."""
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    if not isinstance(answer, dict) or answer.get("response_action") != "update":
        return False
    text = json.dumps(answer.get("view"), ensure_ascii=False)
    return shows(answer.get("view")) == "notice" and any(
        json.dumps(busy, ensure_ascii=False)[1:-1] in text for busy in BUSY_TEXTS)


class TimedMockSlack(MockSlack):
    """MockSlack that also notes when each views call arrived, by trigger or view id."""

    def __init__(self, users: Sequence[SlackUser]) -> None:
        super().__init__(users, token=BOT_TOKEN)
        self.by_trigger: dict[str, Stamp] = {}  # views.open / views.push
        self.updates: dict[str, list[Stamp]] = {}  # views.update, by view_id
        self.refused: dict[str, int] = {}  # "method: error" -> how often

    async def _handle_api(self, request: web.Request) -> web.Response:
        _ARRIVED.set(time.perf_counter())  # each request is its own task: its own context
        return await super()._handle_api(request)

    def _answer(self, method: str, params: dict[str, Any], headers: Mapping[str, str]
                ) -> tuple[int, dict[str, Any], dict[str, str]]:
        status, body, extra = super()._answer(method, params, headers)
        ok = status == 200 and body.get("ok") is True
        if not ok:
            reason = f"{method}: {body.get('error') or status}"
            self.refused[reason] = self.refused.get(reason, 0) + 1
        if method in ("views.open", "views.push", "views.update"):
            view = body.get("view") if ok else None
            stamp = Stamp(_ARRIVED.get(), ok, str(view["id"]) if view else None,
                          shows(params.get("view")))
            if method == "views.update":
                self.updates.setdefault(str(params.get("view_id")), []).append(stamp)
            else:
                self.by_trigger[str(params.get("trigger_id"))] = stamp
        return status, body, extra

    def copy_view(self, view_id: str, *, below: str | None = None,
                  **changes: Any) -> dict[str, Any]:
        """A new view with the content of ``view_id`` (as the app sent it), stacked on
        ``below``; what Slack would hold had the admin opened it once more."""
        sent = dict(self._stored[view_id].view, **changes)
        root = self.views[below]["root_view_id"] if below else None
        answer = self._store(sent, previous=below, root=root)
        copied: dict[str, Any] = answer["view"]
        return copied


def slack_users(workspaces: int, admins: int) -> list[SlackUser]:
    """``admins`` workspace admins in each of ``workspaces`` workspaces, German and English."""
    return [SlackUser(admin_id(w, a), team_id=team_id(w), is_admin=True,
                      locale="de-DE" if a % 2 == 0 else "en-US", name=f"admin{w}-{a}")
            for w in range(workspaces) for a in range(admins)]


def team_id(w: int) -> str:
    return f"T{w:07d}B"


def admin_id(w: int, a: int) -> str:
    return f"U{w:07d}A{a}"


# -- the two servers, each in its own process ------------------------------------------


class _RemoteSlack:
    """What ``running_app`` needs of a MockSlack when the mock lives in another process."""

    def __init__(self, url: str) -> None:
        self.url = url

    def new_response_url(self) -> str:
        return self.url.removesuffix("api/") + f"response/R{uuid.uuid4().hex[:8]}"


def bare_app(slack_url: str) -> Any:
    """The baseline: a Bolt AsyncApp like the real one (client, secret, 404 for the
    unhandled) whose listeners only acknowledge."""
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(client=AsyncWebClient(token=BOT_TOKEN, base_url=slack_url),
                   signing_secret=SECRET, raise_error_for_unhandled_request=False,
                   logger=logging.getLogger("bare"))

    @app.command("/addons")
    async def command(ack: AsyncAck) -> None:
        await ack()

    @app.view(blocks.CALLBACK_CONFIRM_BOOKING)
    async def confirmed(ack: AsyncAck) -> None:
        await ack()

    return app


async def _serve(kind: str, slack_url: str, database: str) -> None:
    """The child: serve, print the URL, answer "cpu" with this process's CPU seconds."""
    from bot.app import web_application
    from tests.slack.harness import running_app

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    async with contextlib.AsyncExitStack() as stack:
        if kind == "app":
            remote: Any = _RemoteSlack(slack_url)
            running = await stack.enter_async_context(running_app(remote, Path(database)))
            url = running.url
        else:
            runner = web.AppRunner(web_application(bare_app(slack_url), SECRET), access_log=None)
            await runner.setup()
            stack.push_async_callback(runner.cleanup)
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        print(json.dumps({"url": url}), flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if line == "cpu":
                print(json.dumps({"cpu": cpu_seconds()}), flush=True)
            else:  # "stop" or EOF
                break


def cpu_seconds() -> float:
    """User + system CPU of this process so far (all threads: aiosqlite's too)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Server:
    """A server child process: its URL, its CPU clock, its log."""

    def __init__(self, kind: str, proc: asyncio.subprocess.Process, url: str,
                 log: Path) -> None:
        self.kind, self.proc, self.url, self.log = kind, proc, url, log

    @classmethod
    async def start(cls, kind: str, slack_url: str, database: str, log: Path) -> Server:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)}
        with open(log, "wb") as err:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.interaction_latency", "--serve", kind,
                "--slack-url", slack_url, "--database", database, cwd=ROOT, env=env,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=err)
        try:
            url = (await cls._line(proc, START_SECONDS))["url"]
        except (TimeoutError, RuntimeError, ValueError) as error:
            # A child that failed may still be held up by threads (aiosqlite's): end it.
            if proc.returncode is None:
                proc.kill()
            await proc.wait()
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"the {kind} server did not start ({type(error).__name__}); "
                               f"its log ends:\n{tail}") from error
        except BaseException:
            proc.kill()
            await proc.wait()
            raise
        return cls(kind, proc, url, log)

    @staticmethod
    async def _line(proc: asyncio.subprocess.Process, timeout: float) -> dict[str, Any]:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout)
        if not line:
            raise RuntimeError(f"the server process ended (exit {await proc.wait()})")
        found: dict[str, Any] = json.loads(line)
        return found

    async def cpu(self) -> float:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"cpu\n")
        await self.proc.stdin.drain()
        return float((await self._line(self.proc, 10))["cpu"])

    async def stop(self) -> None:
        if self.proc.returncode is not None:
            return
        assert self.proc.stdin is not None
        with contextlib.suppress(ConnectionError):
            self.proc.stdin.write(b"stop\n")
            await self.proc.stdin.drain()
        try:
            await asyncio.wait_for(self.proc.wait(), 15)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()

    def log_records(self) -> list[str]:
        """What the server logged, one string per record (a line and its traceback)."""
        return log_records(self.log.read_text(encoding="utf-8", errors="replace"))


def log_records(text: str) -> list[str]:
    """Split a log (``LEVEL name: message`` lines, tracebacks below them) into records."""
    records: list[str] = []
    for line in text.splitlines():
        if line.startswith(("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")) or not records:
            records.append(line)
        else:
            records[-1] += "\n" + line
    return [r for r in records if r.strip()]


def storage_busy(record: str) -> bool:
    """A record of the app's polite failure under load: its pool or SQLite said busy."""
    return record.rstrip().splitlines()[-1].startswith("storage.sqlite.StorageBusy")


# -- the requests ----------------------------------------------------------------------


@dataclass
class Planned:
    """One signed request and what it must cause."""

    kind: str
    request: SignedRequest
    trigger_id: str | None = None  # /addons: views.open carries it
    below: str | None = None  # Bestätigen: the overview that must be redrawn
    nonce: str | None = None


@dataclass
class Sent:
    """What the load generator saw of one request."""

    sent: float
    answered: float
    status: int
    body: str


@dataclass
class Workspace:
    """One workspace as the warm-up left it: its admins, overview and confirmation."""

    team: str
    admins: list[str]
    overview: str = ""  # id of an overview modal the app drew
    confirmation: str = ""  # id of the confirmation the app pushed onto it


class Planner:
    """Signs requests: /addons by turns of admins; Bestätigen on a copied confirmation."""

    def __init__(self, mock: TimedMockSlack, workspaces: list[Workspace]) -> None:
        self.mock = mock
        self.workspaces = workspaces
        self.signer = SlackSigner(SECRET, response_urls=mock.new_response_url)
        self.users = [(ws, admin) for ws in workspaces for admin in ws.admins]
        self._turn = itertools.count()

    def command(self) -> Planned:
        ws, admin = self.users[next(self._turn) % len(self.users)]
        request = self.signer.slash_command(user_id=admin, team_id=ws.team)
        return Planned(COMMAND, request, trigger_id=str(request.payload["trigger_id"]))

    def confirmation(self) -> Planned:
        ws, admin = self.users[next(self._turn) % len(self.users)]
        below = self.mock.copy_view(ws.overview)
        template = self.mock.views[ws.confirmation]
        asked = requests.parse_booking_metadata(template["private_metadata"])
        nonce = requests.new_nonce()
        metadata = requests.BookingRequest(asked.option, asked.quantity, nonce).to_metadata()
        view = self.mock.copy_view(ws.confirmation, below=below["id"],
                                   private_metadata=metadata)
        request = self.signer.view_submission(user_id=admin, team_id=ws.team, view=view)
        return Planned(CONFIRMATION, request, below=str(below["id"]), nonce=nonce)

    def mix(self, count: int) -> list[Planned]:
        """``count`` requests, alternating /addons and Bestätigen."""
        return [self.command() if i % 2 == 0 else self.confirmation() for i in range(count)]


# -- the load generator ----------------------------------------------------------------


async def load(url: str, requests: Sequence[SignedRequest], concurrency: int
               ) -> tuple[list[Sent], float]:
    """Post every request with ``concurrency`` workers (closed loop); (what came back, wall s).

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
            results[i] = Sent(sent, time.perf_counter(), status, body)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return [r for r in results if r is not None], wall


def resulting_views(mock: TimedMockSlack, plan: Planned) -> dict[str, Stamp | None]:
    """The views calls ``plan`` caused (None where one has not arrived)."""
    if plan.kind == COMMAND:
        opened = mock.by_trigger.get(plan.trigger_id or "")
        filled = None
        if opened is not None and opened.view_id:
            updates = mock.updates.get(opened.view_id) or []
            filled = updates[0] if updates else None
        return {"modal_opened": opened, "overview_filled": filled}
    updates = mock.updates.get(plan.below or "") or []
    return {"overview_redrawn": updates[0] if updates else None}


def expected_views(plan: Planned, answer: Sent) -> tuple[str, ...]:
    """The views calls a request must cause, given its answer (a confirmation refused
    as busy changed nothing, so nothing is redrawn)."""
    if answer.status != 200:
        return ()
    if plan.kind == COMMAND:
        return ("modal_opened", "overview_filled")
    return ("overview_redrawn",) if answer.body == "" else ()


async def drain(mock: TimedMockSlack, plans: Sequence[Planned], sent: Sequence[Sent],
                timeout: float) -> None:
    """Wait until every views call the requests must cause has arrived (or ``timeout``)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if all(resulting_views(mock, plan)[label] is not None
               for plan, answer in zip(plans, sent, strict=False)
               for label in expected_views(plan, answer)):
            return
        await asyncio.sleep(0.02)


# -- one round, its figures and its checks --------------------------------------------

# What each views call must show; a notice there is the app failing politely under load.
EXPECTED_SHOWS = {"modal_opened": "loading", "overview_filled": "overview",
                  "overview_redrawn": "overview"}


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


def check(plans: Sequence[Planned], sent: Sequence[Sent],
          views: Sequence[Mapping[str, Stamp | None]] | None) -> list[str]:
    """What is wrong with a round: answers missing or not 200, a confirmation answered
    with anything but an empty ack or the app's busy notice, views calls missing, refused
    by the mock or showing something unexpected. ``views`` is None for the baseline,
    which causes none. (A busy notice is the app failing politely: not wrong, counted.)"""
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
    odd = [a.body for plan, a in zip(plans, sent, strict=False)
           if plan.kind == CONFIRMATION and a.status == 200 and a.body != ""
           and not busy_notice(a.body)]
    if odd:
        problems.append(f"{len(odd)} confirmations were answered with neither an empty ack "
                        f"nor the busy notice (e.g. {odd[0][:160]!r})")
    missing: dict[str, int] = {}
    refused: dict[str, int] = {}
    unexpected: dict[str, str] = {}
    for plan, answer, found in zip(plans, sent, views, strict=False):
        for label in expected_views(plan, answer):
            stamp = found.get(label)
            if stamp is None:
                missing[label] = missing.get(label, 0) + 1
            elif not stamp.ok:
                refused[label] = refused.get(label, 0) + 1
            elif stamp.shows not in (EXPECTED_SHOWS[label], "notice"):
                unexpected[label] = stamp.shows
    for label, count in missing.items():
        problems.append(f"{count} views calls missing: {VIEWS_LABELS[label]}")
    for label, count in refused.items():
        problems.append(f"{count} views calls refused by the mock: {VIEWS_LABELS[label]}")
    for label, what in unexpected.items():
        problems.append(f"{VIEWS_LABELS[label]} showed {what!r}")
    return problems


async def run_round(server: Server, mock: TimedMockSlack | None, plans: list[Planned],
                    concurrency: int) -> Round:
    """Time ``plans`` against ``server``; for the app also the views calls (``mock``)."""
    cpu_before, slack_before = await server.cpu(), cpu_seconds()
    started = time.perf_counter()
    sent, wall = await load(server.url, [p.request for p in plans], concurrency)
    if mock is not None:  # the app's work after its acks belongs to the round
        await drain(mock, plans, sent, DRAIN_SECONDS)
    settled = time.perf_counter() - started
    cpu_after, slack_after = await server.cpu(), cpu_seconds()
    result = Round([p.kind for p in plans], sent, wall, settled, cpu_after - cpu_before,
                   slack_after - slack_before)
    found: list[dict[str, Stamp | None]] | None = None
    if mock is not None:
        found = [resulting_views(mock, plan) for plan in plans]
        for plan, answer, views in zip(plans, sent, found, strict=False):
            if plan.kind == CONFIRMATION and answer.status == 200:
                if answer.body == "" and plan.nonce:
                    result.booked.append(plan.nonce)
                elif busy_notice(answer.body):
                    result.busy_refusals += 1
            for label in expected_views(plan, answer):
                stamp = views[label]
                if stamp is None or not stamp.ok:
                    continue
                into = result.notices if stamp.shows == "notice" else result.views
                into.setdefault(label, []).append(1000 * (stamp.at - answer.sent))
    result.problems = check(plans, sent, found)
    return result


def stats(values_ms: Sequence[float]) -> dict[str, Any]:
    if not values_ms:
        return {"count": 0, "p50_ms": None, "p99_ms": None, "max_ms": None, "mean_ms": None}
    return {"count": len(values_ms), "p50_ms": percentile(values_ms, 50),
            "p99_ms": percentile(values_ms, 99), "max_ms": max(values_ms),
            "mean_ms": sum(values_ms) / len(values_ms)}


def summarize(rounds: Sequence[Round]) -> dict[str, Any]:
    """Pooled figures of one server over the rounds of a phase."""
    acks: dict[str, list[float]] = {"all": [], COMMAND: [], CONFIRMATION: []}
    views: dict[str, list[float]] = {}
    notices: dict[str, list[float]] = {}
    for r in rounds:
        for kind, answer in zip(r.kinds, r.sent, strict=False):
            ms = 1000 * (answer.answered - answer.sent)
            acks["all"].append(ms)
            acks[kind].append(ms)
        for label, values in r.views.items():
            views.setdefault(label, []).extend(values)
        for label, values in r.notices.items():
            notices.setdefault(label, []).extend(values)
    requests = sum(len(r.sent) for r in rounds)
    wall = sum(r.wall for r in rounds)
    settled = sum(r.settled for r in rounds)
    cpu = sum(r.server_cpu for r in rounds)
    slack = sum(r.slack_cpu for r in rounds)
    return {
        "requests": requests,
        "seconds": wall,  # sending and answering
        "settled_seconds": settled,  # until the last views call arrived
        "rate": requests / wall if wall else 0.0,  # answered per second
        "cpu_seconds": cpu,
        "cpu_ms_per_request": 1000 * cpu / requests if requests else 0.0,
        "cpu_share": cpu / settled if settled else 0.0,  # of one core
        "slack_cpu_share": slack / settled if settled else 0.0,
        "ack": {kind: stats(values) for kind, values in acks.items()},
        "views": {label: stats(values) for label, values in views.items()},
        "notices": {label: stats(values) for label, values in notices.items()},
        "busy_refusals": sum(r.busy_refusals for r in rounds),
        "booked": sum(len(r.booked) for r in rounds),
    }


# -- the whole benchmark ---------------------------------------------------------------


async def warm_up(app: Server, bare: Server, mock: TimedMockSlack, planner: Planner,
                  concurrency: int) -> list[str]:
    """Every admin opens /addons once; one per workspace presses Hinzufügen (untimed)."""
    commands = [planner.command() for _ in planner.users]
    sent, _ = await load(app.url, [p.request for p in commands], concurrency)
    await drain(mock, commands, sent, DRAIN_SECONDS)
    views = [resulting_views(mock, c) for c in commands]
    problems = check(commands, sent, views)
    drawn = [v["overview_filled"] for v in views]
    if not problems and any(d is None or d.shows != "overview" for d in drawn):
        problems.append("an overview was not drawn")
    if problems:
        return [f"warm-up: {p}" for p in problems]
    for ws in planner.workspaces:  # the overview of the workspace's first admin
        first = next(c for c in commands if c.request.payload["team_id"] == ws.team)
        opened = mock.by_trigger[first.trigger_id or ""]
        ws.overview = str(opened.view_id)
    clicks = []
    for ws in planner.workspaces:
        overview = mock.views[ws.overview]
        typed = {requests.qty_block_id(BOOK_OPTION): str(BOOK_QUANTITY)}
        request = planner.signer.click(user_id=ws.admins[0], team_id=ws.team, view=overview,
                                       action_id=blocks.ACTION_ADD, value=BOOK_OPTION,
                                       values=state_values(overview, typed))
        # Slack pushes onto the view the button was in (as tests/slack/harness.post says).
        mock.trigger_views[str(request.payload["trigger_id"])] = ws.overview
        clicks.append(request)
    sent, _ = await load(app.url, clicks, concurrency)
    if any(a.status != 200 for a in sent):
        return ["warm-up: Hinzufügen was not answered with 200"]
    deadline = time.perf_counter() + DRAIN_SECONDS
    for ws, click in zip(planner.workspaces, clicks, strict=True):
        trigger = str(click.payload["trigger_id"])
        while trigger not in mock.by_trigger and time.perf_counter() < deadline:
            await asyncio.sleep(0.02)
        pushed = mock.by_trigger.get(trigger)
        if pushed is None or not pushed.ok or pushed.view_id is None:
            return [f"warm-up: Hinzufügen pushed no confirmation in {ws.team}"]
        if pushed.shows != "confirmation":
            return [f"warm-up: Hinzufügen pushed {pushed.shows!r} in {ws.team}"]
        ws.confirmation = pushed.view_id
    # The baseline: as many untimed requests of the timed mix.
    extra = planner.mix(len(commands) + len(clicks))
    sent, _ = await load(bare.url, [p.request for p in extra], concurrency)
    return [f"warm-up (bare app): {p}" for p in check(extra, sent, None)]


def stored(path: str) -> tuple[dict[str, int], set[str]]:
    """Bookings in the app's database (counts per table) and their idempotency keys."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        def one(sql: str) -> int:
            return scalar(conn, sql)

        counts = {
            "addons": one("SELECT COUNT(*) FROM addons"),
            "keys": one("SELECT COUNT(*) FROM idempotency_keys"),
            "drafts": one("SELECT COUNT(*) FROM invoice_lines WHERE kind = 'proration'"),
            "audit": one("SELECT COUNT(*) FROM audit_log WHERE action = 'book'"),
        }
        keys = {row[0] for row in conn.execute("SELECT key FROM idempotency_keys")}
    finally:
        conn.close()
    return counts, keys


def check_bookings(booked: Sequence[str], counts: Mapping[str, int], keys: set[str]
                   ) -> list[str]:
    """Exactly one add-on, draft, key and audit entry per confirmation acked empty, under
    that confirmation's nonce (and nothing for one refused as busy)."""
    problems = [f"stored {table}: expected {len(booked)}, found {count}"
                for table, count in counts.items() if count != len(booked)]
    if keys != set(booked):
        problems.append(f"{len(set(booked) - keys)} acked confirmations booked nothing under "
                        f"their key; {len(keys - set(booked))} keys belong to none")
    return problems


async def _measure(sizes: dict[str, int], api_delay_ms: float) -> dict[str, Any]:
    phases = [("single", sizes["single"], 1, 1),
              ("steady", sizes["requests"], sizes["concurrency"], sizes["rounds"]),
              ("burst", sizes["burst"], sizes["burst_concurrency"], 1)]
    users = slack_users(sizes["workspaces"], sizes["admins"])
    workspaces = [Workspace(team_id(w), [admin_id(w, a) for a in range(sizes["admins"])])
                  for w in range(sizes["workspaces"])]
    problems: list[str] = []
    phase_results: list[dict[str, Any]] = []
    booked: list[str] = []
    busy_logged = 0
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        database = os.path.join(tmp, "app.db")
        mock = TimedMockSlack(users)
        async with mock:
            if api_delay_ms:
                for method in ("users.info", "views.open", "views.update", "views.push"):
                    mock.delays[method] = api_delay_ms / 1000
            app = await Server.start("app", mock.url, database, Path(tmp, "app.log"))
            try:
                bare = await Server.start("bare", mock.url, os.path.join(tmp, "unused.db"),
                                          Path(tmp, "bare.log"))
            except BaseException:
                await app.stop()
                raise
            try:
                planner = Planner(mock, workspaces)
                problems += await warm_up(app, bare, mock, planner, sizes["concurrency"])
                for name, count, concurrency, rounds in ([] if problems else phases):
                    per_round = [count // rounds + (1 if r < count % rounds else 0)
                                 for r in range(rounds)]
                    ours: list[Round] = []
                    theirs: list[Round] = []
                    for r, size in enumerate(per_round):
                        order = ("bare", "app") if r % 2 == 0 else ("app", "bare")
                        for side in order:
                            plans = planner.mix(size)  # signed now, for this round
                            if side == "app":
                                done = await run_round(app, mock, plans, concurrency)
                                booked += done.booked
                                ours.append(done)
                            else:
                                done = await run_round(bare, None, plans, concurrency)
                                theirs.append(done)
                            problems += [f"{name}, {side}: {p}" for p in done.problems]
                    phase_results.append(_phase(name, count, concurrency, ours, theirs))
                replies = len(mock.calls_to("response_url"))
                if replies:
                    problems.append(f"{replies} replies went to a response_url "
                                    "(a refusal or a failure told to the user)")
                for reason, times in mock.refused.items():
                    problems.append(f"the mock refused {times} calls: {reason}")
            finally:
                await bare.stop()
                await app.stop()
            for server in (app, bare):
                records = server.log_records()
                busy_logged += sum(1 for r in records if storage_busy(r))
                other = [r for r in records if not storage_busy(r)]
                if other:
                    problems.append(f"the {server.kind} logged {len(other)} records, "
                                    f"e.g. {other[0][:300]!r}")
        counts, keys = stored(database)
    problems += check_bookings(booked, counts, keys)
    return {
        "benchmark": "interaction_latency",
        "machine": machine(),
        "sizes": {**sizes, "users": len(users), "api_delay_ms": api_delay_ms},
        "phases": phase_results,
        "slowest": _slowest(phase_results),
        "degraded": _degraded(phase_results, busy_logged),
        "found": {**counts, "expected": len(booked)},
        "target": ACK_TARGET,
        "slack_limit_ms": SLACK_LIMIT_MS,
        "problems": problems,
    }


def _phase(name: str, count: int, concurrency: int, ours: Sequence[Round],
           theirs: Sequence[Round]) -> dict[str, Any]:
    app, bare = summarize(ours), summarize(theirs)
    ratios: dict[str, float | None] = {}
    verdicts: dict[str, str] = {}
    for kind in ("all", *KINDS):
        mine, base = app["ack"][kind]["p99_ms"], bare["ack"][kind]["p99_ms"]
        ratio = mine / base if mine is not None and base else None
        ratios[kind] = ratio
        verdicts[kind] = verdict(ratio is not None and ratio <= ACK_TARGET)
    return {"name": name, "requests": count, "concurrency": concurrency,
            "rounds": len(ours), "app": app, "baseline": bare, "ratios": ratios,
            "verdicts": verdicts}


def _worst(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _slowest(phases: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The slowest ack and views call of the app (and the bare app's ack), any phase;
    a notice shown in place of the overview counts as that views call."""
    def views(p: Mapping[str, Any], labels: Sequence[str]) -> list[float | None]:
        return [p["app"][kind].get(label, {}).get("max_ms")
                for kind in ("views", "notices") for label in labels]

    rows = {
        "app_ack": _worst([p["app"]["ack"]["all"]["max_ms"] for p in phases]),
        "views_open": _worst([v for p in phases for v in views(p, ["modal_opened"])]),
        "views_update": _worst([v for p in phases
                                for v in views(p, ["overview_filled", "overview_redrawn"])]),
        "bare_ack": _worst([p["baseline"]["ack"]["all"]["max_ms"] for p in phases]),
    }
    return {key: {"max_ms": value,
                  "verdict": verdict(value is not None and value <= SLACK_LIMIT_MS)}
            for key, value in rows.items()}


def _degraded(phases: Sequence[Mapping[str, Any]], busy_logged: int) -> dict[str, Any]:
    """The app's polite failures under load: a notice instead of the overview, a
    confirmation refused as busy (nothing booked), StorageBusy in the log."""
    per_phase = {p["name"]: {"notices": sum(s["count"] for s in p["app"]["notices"].values()),
                             "busy_refusals": p["app"]["busy_refusals"]}
                 for p in phases}
    total = sum(v["notices"] + v["busy_refusals"] for v in per_phase.values()) + busy_logged
    return {"phases": per_phase, "busy_logged": busy_logged, "verdict": verdict(total == 0)}


def measure(sizes: dict[str, int], api_delay_ms: float = 0.0) -> dict[str, Any]:
    for key in ("single", "requests", "concurrency", "burst", "burst_concurrency",
                "workspaces", "admins", "rounds"):
        if sizes[key] < 1:
            raise ValueError(f"--{key.replace('_', '-')} must be at least 1")
    return asyncio.run(_measure(sizes, api_delay_ms))


# -- the report ------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def render(r: dict[str, Any]) -> str:
    s = r["sizes"]
    out = ["== bench.interaction_latency: /addons and Bestätigen over HTTP "
           "(issue 7, benchmark 1) ==",
           *machine_lines(r["machine"]),
           f"sizes    : single {n(s['single'])} requests at concurrency 1, steady "
           f"{n(s['requests'])} at concurrency {s['concurrency']} ({s['rounds']} rounds), "
           f"burst {n(s['burst'])} at concurrency {s['burst_concurrency']};",
           f"           half /addons, half Bestätigen (each books); {s['workspaces']} "
           f"workspaces x {s['admins']} admins",
           "layout   : app (real, SQLite file) and baseline (bare Bolt, ack only) each in "
           "its own process;",
           "           load generator + mock Slack Web API in this process "
           f"(API delay {s['api_delay_ms']:g} ms); closed loop on the HTTP answer",
           ""]
    rows = []
    for p in r["phases"]:
        for kind in ("all", *KINDS):
            a, b = p["app"]["ack"][kind], p["baseline"]["ack"][kind]
            ratio = p["ratios"][kind]
            rows.append([f"{p['name']} c{p['concurrency']}: {KIND_LABELS[kind]}",
                         n(a["count"]), _ms(a["p50_ms"]), _ms(a["p99_ms"]), _ms(a["max_ms"]),
                         _ms(b["p50_ms"]), _ms(b["p99_ms"]),
                         "-" if ratio is None else f"{ratio:.2f}",
                         f"<= {r['target']:g}", p["verdicts"][kind]])
    out += ["acknowledgement (sent -> HTTP answer read), app against the bare Bolt app:"]
    out += table(["", "requests", "p50 ms", "p99 ms", "max ms", "bare p50", "bare p99",
                  "x bare p99", "target", ""], rows)
    rows = []
    for p in r["phases"]:
        for label in VIEWS_LABELS:
            figures = p["app"]["views"].get(label, stats([]))
            notices = p["app"]["notices"].get(label, stats([]))
            if figures["count"] or notices["count"]:
                rows.append([f"{p['name']} c{p['concurrency']}: {VIEWS_LABELS[label]}",
                             n(figures["count"]), _ms(figures["p50_ms"]),
                             _ms(figures["p99_ms"]), _ms(figures["max_ms"]),
                             n(notices["count"])])
    out += ["", "resulting views call (sent -> the call reaches the mock), app:"]
    out += table(["", "calls", "p50 ms", "p99 ms", "max ms", "busy notices instead"], rows)
    labels = {"app_ack": "slowest acknowledgement, app",
              "views_open": "slowest views.open after /addons (trigger lives 3 s)",
              "views_update": "slowest views.update (overview filled or redrawn)",
              "bare_ack": "slowest acknowledgement, bare app (for reference)"}
    out += ["", "Slack's 3 seconds, at any concurrency:"]
    out += table(["", "ms", "limit", ""],
                 [[labels[k], _ms(v["max_ms"]), f"{r['slack_limit_ms']:,.0f}", v["verdict"]]
                  for k, v in r["slowest"].items()])
    d = r["degraded"]
    out += ["", "served in full (the app's polite failures under load, none expected):"]
    out += [f"  {name:<8}: {v['notices']} overviews replaced by a notice, "
            f"{v['busy_refusals']} confirmations refused as busy (nothing booked)"
            for name, v in d["phases"].items()]
    out += [f"  StorageBusy in the app's log: {d['busy_logged']} -> {d['verdict']}", ""]
    for p in r["phases"]:
        a, b = p["app"], p["baseline"]
        out.append(f"{p['name']:<8} : app {n(a['rate'])} req/s, {a['cpu_ms_per_request']:.2f} "
                   f"ms CPU per request ({a['cpu_share']:.0%} of a core); bare "
                   f"{n(b['rate'])} req/s, {b['cpu_ms_per_request']:.2f} ms CPU "
                   f"({b['cpu_share']:.0%}); Slack side {a['slack_cpu_share']:.0%} / "
                   f"{b['slack_cpu_share']:.0%} of a core")
    if r["problems"]:
        out += ["", "RESULT WRONG:", *(f"  {p}" for p in r["problems"])]
    else:
        f = r["found"]
        out.append(f"result   : every answer 200, every views call arrived, "
                   f"{n(f['expected'])} confirmations acked booked {n(f['addons'])} add-ons "
                   "(one each, with draft, key and audit entry)")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.interaction_latency",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    for key, text in (("single", "requests at concurrency 1"),
                      ("requests", "steady phase"), ("concurrency", "steady phase"),
                      ("burst", "burst phase"), ("burst-concurrency", "burst phase"),
                      ("workspaces", "workspaces"), ("admins", "admins per workspace"),
                      ("rounds", "rounds of the steady phase")):
        parser.add_argument(f"--{key}", type=int,
                            help=f"{text} (default {FULL[key.replace('-', '_')]:,})")
    parser.add_argument("--api-delay-ms", type=float, default=0.0,
                        help="the mock waits this long before answering users.info and "
                             "views.* (default 0: the app's own latency)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    # The server child processes (started by the benchmark itself).
    parser.add_argument("--serve", choices=("app", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--slack-url", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(_serve(args.serve, args.slack_url, args.database))
        return 0
    sizes = dict(QUICK if args.quick else FULL)
    for key in sizes:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    result = measure(sizes, args.api_delay_ms)
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
