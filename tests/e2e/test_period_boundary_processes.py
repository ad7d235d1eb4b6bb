"""The period boundary with real processes on one PostgreSQL database.

A confirmation arrives at 23:59:59 on a period's last day while the workspace is held
(a writer of another process); the billing run of midnight for that workspace waits for
it too and turns first (the schedule's run over every workspace skips a held one and
bills it on its next tick: tests/storage/test_claims.py); the confirmation gets the
workspace after midnight. Every day the add-on is in force is billed exactly once, and
no day before its booking.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from bot import services
from domain.invoices import LineKind
from storage import Database
from storage.postgres import LOCK_SPACE
from tests import postgres

ROOT = Path(__file__).resolve().parents[2]
TEAM = "T0BOUNDARY"
BERLIN = ZoneInfo("Europe/Berlin")
ANCHOR = date(2026, 3, 18)  # periods 18.03.–17.04., 18.04.–17.05., 18.05.–17.06.
LAST_SECOND = datetime(2026, 4, 17, 23, 59, 59, tzinfo=BERLIN)
MIDNIGHT_RUN = datetime(2026, 4, 18, 0, 0, 1, tzinfo=BERLIN)


def child(url: str, *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.boundary_child", url, *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def waiting_for_the_workspace(url: str, count: int) -> None:
    """Until ``count`` other sessions wait for an advisory lock (the workspace's)."""
    for _ in range(300):
        rows = await postgres.fetch(
            url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )
        if rows[0][0] >= count:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"fewer than {count} processes wait for the workspace")


def finished(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out.strip()


async def test_a_confirmation_that_waits_past_midnight_for_the_turn_is_billed_once() -> None:
    with postgres.fresh_database() as url:
        async with Database(url) as db:
            ctx = services.Context(db)
            await services.set_workspace(ctx, TEAM, ANCHOR, datetime(2026, 3, 18, 9, tzinfo=BERLIN))
        holder = await asyncpg.connect(url)
        try:
            async with holder.transaction():  # another writer holds the workspace
                await holder.execute(
                    "SELECT pg_advisory_xact_lock($1, hashtext($2))", LOCK_SPACE, TEAM
                )
                billing = child(url, "bill", MIDNIGHT_RUN.isoformat(), TEAM)
                await waiting_for_the_workspace(url, 1)
                booking = child(url, "book", TEAM, LAST_SECOND.isoformat())
                await waiting_for_the_workspace(url, 2)
                await asyncio.sleep(1.5)  # midnight passes while both wait
        finally:
            await holder.close()
        assert finished(billing) == "ok 2026-04-18"
        assert finished(booking) == "ok 2026-04-18 2026-05-17"
        async with Database(url) as db:
            ctx = services.Context(db)
            await services.billing_run(ctx, datetime(2026, 5, 18, 12, tzinfo=BERLIN))
            [addon] = await services.list_addons(ctx, TEAM)
            async with db.unit_of_work(write=False) as uow:
                lines = await uow.lines.for_addon(TEAM, addon.id)
    billed = Counter(
        line.from_day + timedelta(days=n)
        for line in lines
        if line.kind is not LineKind.CREDIT
        for n in range((line.to_day - line.from_day).days + 1)
    )
    in_force = [date(2026, 4, 18) + timedelta(days=n) for n in range(61)]  # to 17.06.
    assert billed == Counter(in_force)
