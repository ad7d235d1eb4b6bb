"""A populated OAuth database for the data-lifecycle tests, on SQLite or PostgreSQL, and the
CLI as a process over it.

Workspace Alpha: installed through "Add to Slack" (its installer and billing admin are
Slack user ids), add-ons booked and withdrawn by its admin, an invoice with a correction,
the direct messages delivered, then uninstalled with its add-ons ended. Workspace Bravo:
installed and in use.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, table, text

from bot import services
from bot.adapters.billing_schedule import tick
from domain.addons import Outcome
from storage import Database
from tests.environment import clean_environment
from tests.slack.flows import ANCHOR
from tests.slack.installing import (
    ADMIN_A,
    ADMIN_B,
    MEMBER_A,
    TEAM_A,
    TEAM_B,
    InstallingApp,
    installing_app,
    many_workspaces,
)
from tests.slack.mock_slack import ManyWorkspaces

ROOT = Path(__file__).resolve().parents[2]
PEOPLE_A = (ADMIN_A, MEMBER_A)
PSEUDONYM_KEY = "pseudonym-key-for-tests-0123456789"


def cli(database: str, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`addons-bot ARGV` as its own process on the database, with ``env`` added."""
    clean = clean_environment()
    clean |= {"ADDONS_DATABASE": database, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def until_forgotten(app: InstallingApp, team: str) -> None:
    """Wait until the uninstall's audit entry is written (events run after the ack)."""
    import asyncio

    for _ in range(500):
        log = await services.audit_log(app.rt.ctx, team)
        if log and log[0].action == "slack_uninstalled":
            return
        await asyncio.sleep(0.01)
    raise TimeoutError(f"{team} was never forgotten")


async def populate(database: str, key: str, slack: ManyWorkspaces | None = None) -> None:
    """Alpha used, invoiced, corrected, messaged and uninstalled; Bravo installed and used
    (in ``slack`` if given, else in a Slack of its own)."""
    if slack is None:
        async with many_workspaces() as own:
            return await populate(database, key, own)
    async with installing_app(slack, database, key=key) as app:
        for team in (TEAM_A, TEAM_B):
            assert (await app.install(team)).status == 200
        ctx = app.rt.ctx
        now = app.clock.now()
        await services.set_workspace(ctx, TEAM_A, ANCHOR, now)
        await services.set_workspace(ctx, TEAM_B, ANCHOR, now)
        await services.set_billing_admins(ctx, TEAM_A, (MEMBER_A,), now, actor=ADMIN_A)
        await services.book(ctx, TEAM_B, "users", 1, now, key=str(uuid.uuid4()), actor=ADMIN_B)
        app.clock.advance(timedelta(days=10))
        first = await services.book(
            ctx, TEAM_A, "users", 2, app.clock.now(), key=str(uuid.uuid4()), actor=ADMIN_A
        )
        app.clock.advance(timedelta(days=7))  # the period closes: the invoice, the DMs
        clients = app.rt.team_clients()
        _, delivery = await tick(ctx, clients, app.clock, app.rt.renderer(clients))
        assert delivery.sent >= 2
        # Withdrawn within 14 days of booking, after its invoice: a correction.
        await services.cancel(
            ctx, TEAM_A, first.addon.id, Outcome.WITHDRAWAL, app.clock.now(), actor=ADMIN_A
        )
        _, delivery = await tick(ctx, clients, app.clock, app.rt.renderer(clients))
        answer = await app.post(app.signer(TEAM_A).event({"type": "app_uninstalled"}))
        assert answer.status == 200
        await until_forgotten(app, TEAM_A)
    return None


async def rows_of_every_table(database: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the database has (not only the app's declared ones)."""
    db = Database(database, pool_size=1)
    await db.open()
    try:
        async with db.engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
            found: dict[str, list[tuple[Any, ...]]] = {}
            for name in sorted(names):
                result = await conn.execute(select(text("*")).select_from(table(name)))
                found[name] = sorted((tuple(row) for row in result), key=repr)
            return found
    finally:
        await db.close()


def cells_naming(tables: dict[str, list[tuple[Any, ...]]], ids: tuple[str, ...]) -> list[str]:
    """Where any of ``ids`` appears in any cell: "table: cell"."""
    return [
        f"{name}: {cell!r}"
        for name, rows in tables.items()
        for row in rows
        for cell in row
        if any(i in str(cell) for i in ids)
    ]
