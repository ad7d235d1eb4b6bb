"""The operator's side: settings refused at start, the customer link, entitlements, the
accounting export and the webhook queue.

The commands run in-process through the CLI's ``main`` (its output captured), in a
folder of their own with no SLACK_/ADDONS_ variable but those given; two tests start
``python -m bot`` as a process, where the process is the point: its exit status and its
only line on stderr, and its JSON on stdout.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import services
from bot.entrypoints.cli import main
from domain.addons import Outcome
from storage import Database
from tests.environment import clean_environment
from tests.webhooks.receiver import SECRET
from tests.webhooks.support import ADMIN, at

ROOT = Path(__file__).resolve().parents[2]
TEAM = "T0001"


@dataclass(frozen=True)
class Done:
    """How a command ended: its exit status and what it wrote."""

    returncode: int
    stdout: str
    stderr: str


Bot = Callable[..., Done]


def process(*argv: str, cwd: Path, **env: str) -> Done:
    """``python -m bot ARGV`` in ``cwd`` with only the given SLACK_/ADDONS_ variables."""
    base = clean_environment()
    done = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), **env},
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    return Done(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def bot(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Bot:
    """``addons-bot ARGV`` in-process, as ``process`` runs it: in ``cwd``, with only the
    given SLACK_/ADDONS_ variables."""

    def run(*argv: str, cwd: Path, **env: str) -> Done:
        with monkeypatch.context() as scope:
            scope.chdir(cwd)
            for name in os.environ:
                if name.startswith(("SLACK_", "ADDONS_")):
                    scope.delenv(name)
            for name, value in env.items():
                scope.setenv(name, value)
            capsys.readouterr()
            status = main(list(argv))
            out, err = capsys.readouterr()
        return Done(status, out, err)

    return run


SLACK = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s1"}


def _refused_in_one_line_naming(done: Done, named: str, folder: Path) -> None:
    assert (done.returncode, done.stdout) == (2, "")
    [line] = done.stderr.splitlines()
    assert line.startswith("addons-bot: error: bad setting")
    assert named in line
    assert "hunter2" not in line
    assert SECRET not in line
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("env", "named"),
    [
        (
            {"ADDONS_WEBHOOK_URL": "ftp://crm.example", "ADDONS_WEBHOOK_SECRET": SECRET},
            "ADDONS_WEBHOOK_URL",
        ),
        (
            {"ADDONS_WEBHOOK_URL": "not a url", "ADDONS_WEBHOOK_SECRET": SECRET},
            "ADDONS_WEBHOOK_URL",
        ),
        (
            {"ADDONS_WEBHOOK_URL": "https://crm.example/h", "ADDONS_WEBHOOK_SECRET": "hunter2"},
            "ADDONS_WEBHOOK_SECRET",
        ),
        (
            {"ADDONS_WEBHOOK_URL": "https://crm.example/h", "ADDONS_WEBHOOK_SECRET": "whsec_!!"},
            "ADDONS_WEBHOOK_SECRET",
        ),
        ({"ADDONS_WEBHOOK_URL": "https://crm.example/h"}, "ADDONS_WEBHOOK_SECRET"),
        ({"ADDONS_WEBHOOK_SECRET": SECRET}, "ADDONS_WEBHOOK_URL"),
        (  # a rotation: the second of two secrets is malformed
            {
                "ADDONS_WEBHOOK_URL": "https://crm.example/h",
                "ADDONS_WEBHOOK_SECRET": f"{SECRET} hunter2",
            },
            "ADDONS_WEBHOOK_SECRET",
        ),
    ],
)
def test_a_bad_webhook_setting_refuses_the_start_in_one_line_naming_it(
    bot: Bot, tmp_path: Path, env: dict[str, str], named: str
) -> None:
    _refused_in_one_line_naming(bot("serve", cwd=tmp_path, **SLACK, **env), named, tmp_path)


def test_the_process_refused_for_a_bad_webhook_secret_exits_2_with_one_line(
    tmp_path: Path,
) -> None:
    env = {"ADDONS_WEBHOOK_URL": "https://crm.example/h", "ADDONS_WEBHOOK_SECRET": "hunter2"}
    done = process("serve", cwd=tmp_path, **SLACK, **env)
    _refused_in_one_line_naming(done, "ADDONS_WEBHOOK_SECRET", tmp_path)


async def _history(path: Path) -> None:
    """Two workspaces with bookings, a withdrawal and invoices, the webhook on."""
    async with Database(str(path)) as db:
        ctx = services.Context(db)
        for team in (TEAM, "T0002"):
            await services.set_workspace(ctx, team, date(2026, 3, 18), at(date(2026, 4, 3)))
        for n, team in enumerate((TEAM, "T0002", TEAM)):
            await services.book(
                ctx, team, "users", n + 1, at(date(2026, 4, 3)), key=f"k{n}", actor=ADMIN
            )
        await services.cancel(ctx, TEAM, 3, Outcome.WITHDRAWAL, at(date(2026, 4, 4)), actor=ADMIN)
        await services.billing_run(ctx, at(date(2026, 4, 18)))


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "addons.db"
    asyncio.run(_history(path))
    return path


def test_the_customer_number_is_set_validated_and_shown_on_invoices(
    bot: Bot, history: Path, tmp_path: Path
) -> None:
    db = ("--database", str(history))
    done = bot(*db, "workspace", "set", TEAM, "--customer", "C-4711", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "customer C-4711" in done.stdout
    too_long = bot(*db, "workspace", "set", TEAM, "--customer", "C" * 65, cwd=tmp_path)
    assert too_long.returncode == 2
    assert "1 to 64 printable characters" in too_long.stderr
    assert bot(*db, "workspace", "set", "T_NEW", "--customer", "C-1", cwd=tmp_path).returncode == 2
    shown = bot(*db, "invoices", "show", "1", "--json", cwd=tmp_path)
    assert json.loads(shown.stdout)["customer"] == "C-4711"
    assert "(customer C-4711)" in bot(*db, "invoices", "show", "1", cwd=tmp_path).stdout
    listed = bot(*db, "invoices", "list", TEAM, "--json", cwd=tmp_path)
    assert [i["customer"] for i in json.loads(listed.stdout)] == ["C-4711"]
    other = bot(*db, "invoices", "list", "T0002", "--json", cwd=tmp_path)
    assert [i["customer"] for i in json.loads(other.stdout)] == [None]


def test_entitlements_show_what_is_in_force_today(history: Path, tmp_path: Path) -> None:
    """As a process: what an integration reading ``--json`` gets on stdout."""
    done = process("--database", str(history), "entitlements", TEAM, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert (found["team_id"], found["seats"], found["storage_gb"]) == (TEAM, 1, 0)
    assert found["customer"] is None
    text = process("--database", str(history), "entitlements", TEAM, cwd=tmp_path).stdout
    assert "+1 seats, +0 GB storage" in text


def test_the_export_has_one_row_per_invoice_line_of_every_workspace(
    bot: Bot, history: Path, tmp_path: Path
) -> None:
    db = ("--database", str(history))
    bot(*db, "workspace", "set", "T0002", "--customer", "Müller & Söhne", cwd=tmp_path)
    span = ("--from", "2026-04-01", "--to", "2026-04-30")
    done = bot(*db, "invoices", "export", *span, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    invoices = [
        json.loads(bot(*db, "invoices", "show", str(n), "--json", cwd=tmp_path).stdout)
        for n in (1, 2)
    ]
    assert len(rows) == sum(len(i["lines"]) for i in invoices)
    assert {r["team_id"] for r in rows} == {TEAM, "T0002"}
    assert {r["customer"] for r in rows if r["team_id"] == "T0002"} == {"Müller & Söhne"}
    for invoice in invoices:
        mine = [r for r in rows if r["invoice_number"] == str(invoice["number"])]
        assert [r["line_amount"] for r in mine] == [line["amount"] for line in invoice["lines"]]
        assert {r["invoice_total"] for r in mine} == {invoice["total"]}
    as_json = bot(*db, "invoices", "export", *span, "--format", "json", cwd=tmp_path).stdout
    parsed = [json.loads(line) for line in as_json.splitlines()]
    assert [p["line_amount"] for p in parsed] == [r["line_amount"] for r in rows]
    assert all(isinstance(p["line_amount"], str) for p in parsed)
    later = bot(
        *db, "invoices", "export", "--from", "2026-05-01", "--to", "2026-05-31", cwd=tmp_path
    )
    assert later.stdout.splitlines()[1:] == []
    backwards = bot(
        *db, "invoices", "export", "--from", "2026-05-01", "--to", "2026-04-01", cwd=tmp_path
    )
    assert backwards.returncode == 2


async def _fail_first(path: Path) -> str:
    async with Database(str(path)) as db, db.unit_of_work() as uow:
        [head, *_] = await uow.events.claim(at(date(2027, 1, 1)), at(date(2027, 1, 2)), 10)
        await uow.events.mark_failed(head, at(date(2026, 4, 20)), "http 410")
        await uow.commit()
        return head.webhook_id


async def _due_ids(path: Path) -> list[str]:
    async with Database(str(path)) as db, db.unit_of_work(write=False) as uow:
        return [e.webhook_id for e in await uow.events.due(at(date(2027, 1, 1)), 10)]


def test_a_failed_event_is_listed_and_retried_by_the_operator(
    bot: Bot, history: Path, tmp_path: Path
) -> None:
    db = ("--database", str(history))
    failed = asyncio.run(_fail_first(history))
    listed = json.loads(bot(*db, "webhooks", "list", "--failed", "--json", cwd=tmp_path).stdout)
    assert [(e["webhook_id"], e["status"], e["last_error"]) for e in listed] == [
        (failed, "failed", "http 410")
    ]
    text = bot(*db, "webhooks", "list", cwd=tmp_path).stdout
    assert "failed" in text
    assert "http 410" in text
    assert failed not in asyncio.run(_due_ids(history))
    assert bot(*db, "webhooks", "retry", str(listed[0]["id"]), cwd=tmp_path).returncode == 0
    assert failed in asyncio.run(_due_ids(history))
    assert bot(*db, "webhooks", "list", "--failed", cwd=tmp_path).stdout == "No failed events.\n"
    again = bot(*db, "webhooks", "retry", str(listed[0]["id"]), cwd=tmp_path)
    assert again.returncode == 2
    assert "has not failed" in again.stderr
    everything = bot(*db, "webhooks", "retry", "--all-failed", "--json", cwd=tmp_path)
    assert json.loads(everything.stdout) == {"retried": 0}


def test_cli_bookings_without_webhook_settings_still_record_their_events(
    bot: Bot, history: Path, tmp_path: Path
) -> None:
    # The `bot` helper passes no ADDONS_WEBHOOK_* setting: a one-off call leaves no gap.
    db = ("--database", str(history))
    before = json.loads(bot(*db, "webhooks", "list", "--json", cwd=tmp_path).stdout)
    booked = bot(*db, "addons", "book", "T0002", "storage", "2", "--by", "ops", cwd=tmp_path)
    assert booked.returncode == 0, booked.stderr
    after = json.loads(bot(*db, "webhooks", "list", "--json", cwd=tmp_path).stdout)
    new = [e for e in after if e["id"] not in {b["id"] for b in before}]
    assert sorted((e["team_id"], e["type"], e["status"]) for e in new) == [
        ("T0002", "addon.booked", "pending"),
        ("T0002", "entitlements.changed", "pending"),
    ]


def test_the_workspace_list_finds_workspaces_without_a_customer(
    bot: Bot, history: Path, tmp_path: Path
) -> None:
    db = ("--database", str(history))
    tarif = ("--plan", "CloudCRM Business", "--plan-price", "49.00")
    done = bot(*db, "workspace", "set", TEAM, "--customer", "C-4711", *tarif, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    listed = json.loads(bot(*db, "workspace", "list", "--json", cwd=tmp_path).stdout)
    # invoiced through April's period: the May invoice is due, so it is issued today
    today = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    assert listed == [
        {
            "team_id": TEAM,
            "name": None,
            "installed": False,
            "customer": "C-4711",
            "plan": {"name": "CloudCRM Business", "price": "49.00"},
            "active_addons": 1,  # users x1 (the x3 was withdrawn)
            "next_invoice_on": today,
        },
        {
            "team_id": "T0002",
            "name": None,
            "installed": False,
            "customer": None,
            "plan": None,
            "active_addons": 1,
            "next_invoice_on": today,
        },
    ]
    text = bot(*db, "workspace", "list", cwd=tmp_path).stdout
    assert "Tarif CloudCRM Business 49.00 EUR" in text.splitlines()[0]
    without = bot(*db, "workspace", "list", "--without-customer", cwd=tmp_path)
    assert without.stdout.splitlines()[0].startswith("T0002")
    assert len(without.stdout.splitlines()) == 1
    assert "not installed" in without.stdout


def test_a_replay_queues_a_workspace_s_events_again_from_a_sequence(
    bot: Bot, history: Path, tmp_path: Path
) -> None:
    db = ("--database", str(history))
    replayed = bot(*db, "webhooks", "replay", TEAM, "--since", "3", "--json", cwd=tmp_path)
    assert replayed.returncode == 0, replayed.stderr
    events = json.loads(bot(*db, "webhooks", "list", "--json", cwd=tmp_path).stdout)
    mine = [e for e in events if e["team_id"] == TEAM]
    assert json.loads(replayed.stdout) == {"replayed": sum(e["sequence"] >= 3 for e in mine)}
    unknown = bot(*db, "webhooks", "replay", "T_NEVER", "--since", "1", cwd=tmp_path)
    assert (unknown.returncode, unknown.stderr.strip()) == (
        2,
        "addons-bot: error: no workspace T_NEVER",
    )
