"""A billing run killed with SIGKILL at random points, then rerun, ends exactly as an
uninterrupted run: the same invoices with the same numbers, totals and lines."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import services
from storage import Database
from storage.urls import is_url
from tests import postgres
from tests.environment import SELLER_ENV
from tests.storage.helpers import at, book, press_kuendigen, snapshot

ROOT = Path(__file__).resolve().parents[2]
NOW = at("2026-09-01")  # about eight periods due in every workspace
WORKSPACES = 40
KILLS = 6


async def _seed(path: str) -> None:
    """Workspaces with varied anchors, bookings, cancellations and withdrawals."""
    db = Database(path)
    await db.open()
    ctx = services.Context(db)
    try:
        for n in range(WORKSPACES):
            team = f"T{n:04d}"
            anchor = date(2026, 1, 1) + timedelta(days=n % 31)

            def day(offset: int, anchor: date = anchor) -> str:
                return (anchor + timedelta(days=offset)).isoformat()

            await services.set_workspace(ctx, team, anchor, at(day(0)))
            first = await book(ctx, day(2), "users", 1 + n % 4, team_id=team)
            second = await book(ctx, day(20), "storage", 1 + n % 2, team_id=team)
            if n % 5 == 0:
                await press_kuendigen(ctx, second, day(25), team_id=team)  # withdrawal
            if n % 3 == 0:
                await press_kuendigen(ctx, first, day(40), team_id=team)  # Kündigung
    finally:
        await db.close()


def _child(path: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.storage.billing_child", path, NOW.isoformat()],
        cwd=ROOT,
        env={**os.environ, **SELLER_ENV, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )


def _run_to_completion(path: str) -> float:
    child = _child(path)
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0, out
    return float(out.split()[-1])


def _check_invariants(path: str) -> int:
    """Whatever point the kill hit: gapless numbers, one invoice per period, whole lines."""
    state = snapshot(path)
    numbers = [row[0] for row in state["invoices"]]
    assert numbers == list(range(1, len(numbers) + 1))
    assert state["counter"] == [(len(numbers),)]
    assert len({(row[1], row[3]) for row in state["invoices"]}) == len(numbers)
    totals = {row[0]: row[5] for row in state["invoices"]}
    for number, total in totals.items():
        assert sum(row[6] for row in state["lines"] if row[8] == number) == total
    return len(numbers)


def _by_rank(state: dict[str, Any]) -> dict[str, Any]:
    """The snapshot with line and audit ids replaced by their rank: PostgreSQL never hands out a
    sequence value twice, so a killed run's rolled-back lines leave holes in the ids
    (SQLite reuses them). Which line credits which stays compared."""
    rank = {row[10]: n for n, row in enumerate(sorted(state["lines"], key=lambda r: r[10]))}
    lines = [(*row[:9], rank.get(row[9]), rank[row[10]]) for row in state["lines"]]
    audit = [(n, *row[1:]) for n, row in enumerate(state["audit"])]  # in id order already
    return {**state, "lines": lines, "audit": audit}


@pytest.fixture(params=["sqlite", "postgres"])
def places(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases of one engine: the victim and the reference."""
    if request.param == "sqlite":
        yield str(tmp_path / "victim.db"), str(tmp_path / "reference.db")
        return
    with postgres.fresh_database() as victim, postgres.fresh_database() as reference:
        yield victim, reference


async def test_a_billing_run_killed_at_random_points_ends_as_an_uninterrupted_run(
    places: tuple[str, str],
) -> None:
    victim, reference = places
    await _seed(victim)
    if is_url(victim):  # the same seed on a fresh database gives the same rows and ids
        await _seed(reference)
    else:
        shutil.copy(victim, reference)  # every connection is closed: no WAL to copy
    duration = _run_to_completion(reference)
    expected = snapshot(reference)
    assert expected["invoices"], "the seed should make invoices due"

    rng = random.Random(20260418)
    part_way = []
    for _ in range(KILLS):
        child = _child(victim)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        # Each rerun resumes where the last one died, so each gets a short slice.
        await asyncio.sleep(rng.uniform(0.02, 0.25) * duration)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        part_way.append(_check_invariants(victim))

    _run_to_completion(victim)
    assert _by_rank(snapshot(victim)) == _by_rank(expected)
    assert any(0 < issued < len(expected["invoices"]) for issued in part_way), part_way
