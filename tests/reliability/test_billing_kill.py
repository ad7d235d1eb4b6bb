"""A billing run SIGKILLed at thirty random points and rerun ends exactly as a run that
was never interrupted: the same invoices, numbers, totals and lines, nothing twice.

Each point is its own trial on a fresh copy of one seed database: a forked child (see
billing_child.py) bills it and is killed after a random delay, then the run is completed
in this process and the result compared with a copy billed without interruption. The
delays are drawn (seeded) from 0 to 1.2 times the measured length of an uninterrupted
run, so the points cover the whole run on any machine (about one in six lands after the
run finished; such a point still counts: the rerun must then change nothing).

Invoice numbers are compared too, not only the set of (workspace, period, total, lines):
the run streams team ids in order and closes each workspace's periods oldest first, one
transaction per period, so an interrupted and resumed run issues the same invoices in
the same order, and the n-th invoice must be the same invoice. Right after each kill the
file must already hold exactly the first k invoices of the uninterrupted run, whole.
"""

from __future__ import annotations

import contextlib
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import services
from storage import Database
from tests.environment import SELLER_ENV
from tests.reliability.support import connect, consistency_problems

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 31, 12, 0, tzinfo=BERLIN)  # two periods due in every workspace
WORKSPACES = 40
KILLS = 30
RANDOM_SEED = 20260420


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=BERLIN)


async def _seed(path: str) -> None:
    """40 workspaces with 3 add-ons each: anchors on every day of January (29th-31st
    included), three time zones, cancellations, withdrawals and a taken-back cancellation;
    everything happens in the first period, the run then closes two periods each."""
    db = Database(path)
    await db.open()
    ctx = services.Context(db)
    try:
        for n in range(WORKSPACES):
            team = f"T{n:04d}"
            anchor = date(2026, 1, 1) + timedelta(days=n % 31)
            zone = {3: "America/New_York", 5: "Pacific/Auckland"}.get(n % 7, "Europe/Berlin")
            await services.set_workspace(ctx, team, anchor, _at(anchor), timezone=zone)

            async def book(
                offset: int, option: str, quantity: int, team: str = team, anchor: date = anchor
            ) -> int:
                booked = await services.book(
                    ctx,
                    team,
                    option,
                    quantity,
                    _at(anchor + timedelta(days=offset)),
                    key=f"{team}-{offset}",
                    actor="U0ADMIN001",
                )
                return booked.addon.id

            async def kuendigen(
                addon_id: int, offset: int, team: str = team, anchor: date = anchor
            ) -> None:
                now = _at(anchor + timedelta(days=offset))
                quote = await services.quote_cancellation(ctx, team, addon_id, now)
                await services.cancel(ctx, team, addon_id, quote.outcome, now, actor="U0ADMIN001")

            users = await book(1, "users", 1 + n % 4)
            storage = await book(3, "storage", 1 + n % 3)
            more = await book(5, "users", 2)
            if n % 5 == 0:
                await kuendigen(storage, 8)  # within 14 days: a withdrawal
            if n % 3 == 0:
                await kuendigen(users, 20)  # a Kündigung to the end of the first period
            if n % 4 == 1:
                await kuendigen(more, 22)
                await services.undo_cancellation(
                    ctx, team, more, _at(anchor + timedelta(days=23)), actor="U0ADMIN001"
                )
    finally:
        await db.close()


def _state(path: str) -> dict[str, Any]:
    """What billing decides, without row ids that mean nothing to a customer."""
    conn = connect(path)
    try:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(sql)]

        lines: dict[int | None, list[tuple[Any, ...]]] = {}
        for row in rows(
            "SELECT invoice_number, team_id, addon_id, kind, option, quantity, "
            "from_day, to_day, amount_cents, due_on, credits_line_id "
            "FROM invoice_lines"
        ):
            lines.setdefault(row[0], []).append(row[1:])
        return {
            "invoices": rows(
                "SELECT number, team_id, period_index, period_start, period_end, "
                "total_cents FROM invoices ORDER BY number"
            ),
            "lines": {number: sorted(found) for number, found in lines.items()},
            "addons": rows(
                "SELECT id, team_id, option, quantity, status, billed_until, "
                "effective_on, ended_on FROM addons ORDER BY id"
            ),
            "subscriptions": rows(
                "SELECT team_id, last_closed FROM subscriptions ORDER BY team_id"
            ),
            "counter": rows("SELECT value FROM counters WHERE name = 'invoice_number'"),
            "outbox": sorted(rows("SELECT team_id, event_key, kind, payload FROM outbox")),
            "audit": sorted(
                rows(
                    "SELECT team_id, at, actor, action, addon_id, before_status, "
                    "after_status, detail FROM audit_log"
                )
            ),
        }
    finally:
        conn.close()


def _first_invoices(state: dict[str, Any], k: int) -> tuple[list[Any], dict[int, Any]]:
    """Invoices 1..k with their lines."""
    invoices = [row for row in state["invoices"] if row[0] <= k]
    return invoices, {n: state["lines"].get(n, []) for n in range(1, k + 1)}


class ForkServer:
    """tests/reliability/billing_child.py as a child process, read line by line."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.billing_child"],
            cwd=ROOT,
            env={**os.environ, **SELLER_ENV, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self._next() == ["ready"]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put("")

    def _next(self, timeout: float = 30.0) -> list[str]:
        line = self._lines.get(timeout=timeout)
        assert line, "the fork server died"
        return line.split()

    def start(self, path: str) -> int:
        """Fork a billing run over ``path``; its pid once it has opened the database."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{path} {NOW.isoformat()}\n")
        self.process.stdin.flush()
        words = self._next()
        assert words[0] == "open", f"the billing child did not start: {words}"
        return int(words[1])

    def finish(self, pid: int) -> tuple[int, float | None]:
        """Wait for run ``pid`` to be gone: its exit code and, if it finished, its time."""
        seconds = None
        while True:
            words = self._next()
            if words[0] == "done" and int(words[1]) == pid:
                seconds = float(words[2])
            elif words[0] == "exit" and int(words[1]) == pid:
                return int(words[2]), seconds

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture
def fork_server() -> Iterator[ForkServer]:
    server = ForkServer()
    try:
        yield server
    finally:
        server.close()


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already finished: still a point
        os.kill(pid, signal.SIGKILL)


async def _complete_in_process(path: str) -> None:
    db = Database(path)
    await db.open()
    try:
        await services.billing_run(services.Context(db), NOW)
    finally:
        await db.close()


async def test_a_billing_run_killed_at_thirty_random_points_ends_as_an_uninterrupted_run(
    tmp_path: Path,
    fork_server: ForkServer,
) -> None:
    seed = str(tmp_path / "seed.db")
    await _seed(seed)  # closed: the WAL is checkpointed, the file alone is the database
    reference = str(tmp_path / "reference.db")
    shutil.copy(seed, reference)
    code, duration = fork_server.finish(fork_server.start(reference))
    assert code == 0
    assert duration is not None
    expected = _state(reference)
    issued = len(expected["invoices"])
    assert issued == 2 * WORKSPACES, issued  # two periods are due in every workspace
    assert [row[0] for row in expected["invoices"]] == list(range(1, issued + 1))
    assert consistency_problems(reference) == []

    rng = random.Random(RANDOM_SEED)
    points: list[tuple[float, int, int]] = []  # (delay, exit code, invoices at the kill)

    async def rerun_and_compare(trial: int, victim: str) -> None:
        await _complete_in_process(victim)
        assert _state(victim) == expected, (trial, points[trial])
        os.remove(victim)

    waiting: tuple[int, str] | None = None  # the last victim, to be rerun
    for trial in range(KILLS):
        victim = str(tmp_path / f"victim-{trial:02d}.db")
        shutil.copy(seed, victim)
        delay = rng.uniform(0.0, 1.2) * duration
        pid = fork_server.start(victim)
        killer = threading.Timer(delay, _kill, (pid,))
        killer.start()
        if waiting is not None:  # the previous rerun overlaps this child's run (2 cores)
            await rerun_and_compare(*waiting)
        killer.join()
        code, _ = fork_server.finish(pid)
        assert code in (0, -signal.SIGKILL), f"the billing run failed on its own: {code}"

        # Whatever the kill hit: the first k invoices of the uninterrupted run, whole.
        killed = _state(victim)
        k = len(killed["invoices"])
        assert _first_invoices(killed, k) == _first_invoices(expected, k), (trial, delay)
        assert killed["counter"] == [(k,)]
        assert consistency_problems(victim) == [], (trial, delay)
        points.append((delay, code, k))
        waiting = (trial, victim)
    assert waiting is not None
    await rerun_and_compare(*waiting)

    part_way = [p for p in points if p[1] == -signal.SIGKILL and 0 < p[2] < issued]
    assert len(part_way) >= KILLS // 3, points  # the kills did hit the run mid-way
