"""The operator CLI end to end: exit codes, one-line errors, and the documented JSON."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.entrypoints.cli import main
from domain.catalog import Catalog
from domain.periods import BillingSchedule, prorate
from tests.environment import SELLER_ENV, process_environment

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
TEAM = "T0001"
ADDON_KEYS = {
    "id",
    "option",
    "quantity",
    "status",
    "booked_on",
    "billed_until",
    "effective_on",
    "ended_on",
}
INVOICE_KEYS = {"number", "team_id", "issued_on", "period_start", "period_end", "total", "lines"}
LINE_KEYS = {"kind", "addon_id", "from", "to", "quantity", "amount"}
AUDIT_KEYS = {"id", "at", "actor", "action", "addon_id", "before", "after", "detail"}
NO_BILLING_DETAILS = {
    "company": None,
    "street": None,
    "postcode": None,
    "city": None,
    "country": None,
    "vat_id": None,
    "invoice_email": None,
    "buyer_reference": None,
    "sepa_mandate": None,
}


def on(day: str, hour: int = 12) -> datetime:
    """An instant on a calendar day in Berlin."""
    return datetime(*date.fromisoformat(day).timetuple()[:3], hour, tzinfo=BERLIN)


class Cli:
    """Runs ``main`` in-process against one database file, at a chosen instant."""

    def __init__(self, path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.path = path
        self.capsys = capsys
        self.out = self.err = ""

    def __call__(self, *argv: str, day: str = "2026-04-03") -> int:
        self.capsys.readouterr()
        status = main([*argv, "--database", str(self.path)], now=on(day))
        self.out, self.err = self.capsys.readouterr()
        return status

    def json(self, *argv: str, day: str = "2026-04-03") -> Any:
        assert self(*argv, "--json", day=day) == 0, self.err
        return json.loads(self.out)

    def refused(self, *argv: str, day: str = "2026-04-03") -> str:
        """Run a command that must fail with exit 2 and one line on stderr; return it."""
        assert self(*argv, day=day) == 2, self.out
        assert self.out == ""
        assert self.err.startswith("addons-bot: error: ")
        assert self.err.count("\n") == 1, self.err
        return self.err.strip()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No stray .env or ADDONS_* variable decides anything here."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("ADDONS_", "SLACK_")):
            monkeypatch.delenv(name)
    for name, value in SELLER_ENV.items():  # `billing run` names the seller
        monkeypatch.setenv(name, value)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "addons.db", capsys)


@pytest.fixture
def workspace(cli: Cli) -> str:
    assert cli("workspace", "set", TEAM, "--anchor", "2026-03-18", day="2026-03-18") == 0
    return TEAM


def dump(path: Path) -> list[tuple[Any, ...]]:
    """Every row of every table, to show that a refused command changed nothing."""
    with sqlite3.connect(path) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return [(name, *row) for name in names for row in conn.execute(f"SELECT * FROM {name}")]


# -- workspaces and bookings ----------------------------------------------------------


def test_workspace_set_creates_the_file_and_reports_the_current_period(cli: Cli) -> None:
    assert (
        cli(
            "workspace",
            "set",
            TEAM,
            "--anchor",
            "2026-03-18",
            "--tz",
            "Europe/Vienna",
            "--locale",
            "en",
            day="2026-04-03",
        )
        == 0
    )
    assert cli.path.exists()
    assert "2026-03-18..2026-04-17" in cli.out
    assert cli.json("workspace", "set", TEAM, "--anchor", "2026-03-18") == {
        "team_id": TEAM,
        "anchor": "2026-03-18",
        "timezone": "Europe/Vienna",
        "locale": "en",
        "customer": None,
        "period_start": "2026-03-18",
        "period_end": "2026-04-17",
        "billing_admins": [],
        "billing_details": NO_BILLING_DETAILS,
        "plan": None,
        "installed": False,
        "installed_on": None,
    }


def test_booking_prints_the_help_page_example_and_lists_it_as_json(
    cli: Cli,
    workspace: str,
) -> None:
    assert cli("addons", "book", TEAM, "users", "1", "--by", "alice") == 0
    assert "Booked add-on #1" in cli.out
    assert "2.85 EUR" in cli.out
    assert "5.90 EUR" in cli.out
    assert "2026-04-17" in cli.out
    [addon] = cli.json("addons", "list", TEAM)
    assert addon == {
        "id": 1,
        "option": "users",
        "quantity": 1,
        "status": "active",
        "booked_on": "2026-04-03",
        "billed_until": "2026-04-17",
        "effective_on": None,
        "ended_on": None,
    }
    assert cli("addons", "list", TEAM) == 0
    assert "#1" in cli.out
    assert "active" in cli.out
    assert "5.90 EUR/month" in cli.out


def test_book_json_says_what_was_charged(cli: Cli, workspace: str) -> None:
    booked = cli.json("addons", "book", TEAM, "storage", "3", "--by", "alice")
    assert booked["created"] is True
    assert set(booked["addon"]) >= ADDON_KEYS
    assert booked["addon"]["quantity"] == 3
    assert (booked["monthly_price"], booked["prorated"]) == ("17.70", "8.56")
    assert (booked["period_start"], booked["period_end"]) == ("2026-03-18", "2026-04-17")


def test_the_same_key_books_once_from_the_command_line(cli: Cli, workspace: str) -> None:
    assert cli("addons", "book", TEAM, "users", "2", "--by", "alice", "--key", "ticket-7") == 0
    assert cli("addons", "book", TEAM, "users", "2", "--by", "alice", "--key", "ticket-7") == 0
    assert "Already booked" in cli.out
    assert "nothing changed" in cli.out
    assert len(cli.json("addons", "list", TEAM)) == 1
    # Without --key every invocation is a new booking.
    assert cli("addons", "book", TEAM, "users", "2", "--by", "alice") == 0
    assert len(cli.json("addons", "list", TEAM)) == 2


# -- cancelling -----------------------------------------------------------------------


def test_cancelling_within_fourteen_days_is_a_withdrawal_with_the_refund(
    cli: Cli,
    workspace: str,
) -> None:
    cli("addons", "book", TEAM, "users", "1", "--by", "alice")
    assert cli("addons", "cancel", TEAM, "1", "--by", "bob", day="2026-04-10") == 0
    assert "withdrawal" in cli.out
    assert "Widerruf" in cli.out
    # the draft 2,85 € and the renewal 5,90 € leave the next consolidated invoice
    assert (
        "ended at once; 8.75 EUR excl. VAT removed from the next consolidated invoice, "
        "never charged." in cli.out
    )
    assert "refunded" not in cli.out
    assert cli.json("invoice", "preview", TEAM, day="2026-04-10")["lines"] == []
    [addon] = cli.json("addons", "list", TEAM)
    assert (addon["status"], addon["ended_on"], addon["billed_until"]) == (
        "withdrawn",
        "2026-04-10",
        None,
    )


def test_cancelling_later_is_a_cancellation_to_the_period_end(
    cli: Cli,
    workspace: str,
) -> None:
    cli("addons", "book", TEAM, "users", "1", "--by", "alice")
    done = cli.json("addons", "cancel", TEAM, "1", "--by", "bob", day="2026-04-20")
    assert (done["outcome"], done["on"], done["refund"]) == ("cancellation", "2026-05-17", "0.00")
    assert done["addon"]["status"] == "cancellation_pending"
    assert done["addon"]["effective_on"] == "2026-05-17"
    assert cli("addons", "cancel", TEAM, "1", "--by", "bob", day="2026-04-21") == 2
    assert "already cancelled" in cli.err


def test_a_cancellation_can_be_taken_back(cli: Cli, workspace: str) -> None:
    cli("addons", "book", TEAM, "users", "1", "--by", "alice")
    assert cli("addons", "cancel", TEAM, "1", "--by", "bob", day="2026-04-20") == 0
    assert "Kündigung zum 2026-05-17" in cli.out
    assert cli("addons", "undo-cancel", TEAM, "1", "--by", "bob", day="2026-04-21") == 0
    assert "active again" in cli.out
    [addon] = cli.json("addons", "list", TEAM)
    assert (addon["status"], addon["effective_on"]) == ("active", None)
    assert "no scheduled cancellation" in cli.refused(
        "addons", "undo-cancel", TEAM, "1", "--by", "bob", day="2026-04-21"
    )


# -- invoices and the billing run -----------------------------------------------------


def test_a_billing_run_as_of_a_future_day_is_refused(cli: Cli, workspace: str) -> None:
    cli("addons", "book", TEAM, "users", "1", "--by", "alice")
    assert "lies in the future" in cli.refused("billing", "run", "--as-of", "2026-04-18")
    assert cli.json("invoices", "list", TEAM) == []


def test_the_billing_run_issues_the_previewed_invoice_once(cli: Cli, workspace: str) -> None:
    cli("addons", "book", TEAM, "users", "1", "--by", "alice")
    preview = cli.json("invoice", "preview", TEAM)
    assert set(preview) >= INVOICE_KEYS
    assert (preview["number"], preview["issued_on"], preview["total"]) == (
        None,
        "2026-04-18",
        "8.75",
    )
    assert [(line["kind"], line["amount"]) for line in preview["lines"]] == [
        ("proration", "2.85"),
        ("renewal", "5.90"),
    ]
    assert all(set(line) >= LINE_KEYS for line in preview["lines"])

    assert cli.json("billing", "run", "--as-of", "2026-04-17", day="2026-04-17")["issued"] == []
    run = cli.json("billing", "run", "--as-of", "2026-04-18", day="2026-04-18")
    assert run["now"] == "2026-04-18T12:00:00+00:00"
    [issued] = run["issued"]
    assert preview.pop("due_now") == []
    assert {**preview, "number": 1} == issued
    assert run["turns"] == [
        {
            "team_id": TEAM,
            "period_start": "2026-04-18",
            "period_end": "2026-05-17",
            "invoice_number": 1,
            "deactivated": [],
            "renewed": 1,
        }
    ]
    assert cli.json("billing", "run", "--as-of", "2026-04-18", day="2026-04-18") == {
        "now": "2026-04-18T12:00:00+00:00",
        "issued": [],
        "turns": [],
    }

    assert cli.json("invoices", "list", TEAM) == [issued]
    assert cli.json("invoices", "show", "1") == issued
    assert cli("invoices", "show", "1") == 0
    assert "Invoice 1 for T0001" in cli.out
    assert "8.75 EUR" in cli.out
    assert cli("billing", "run", "--as-of", "2026-05-18", day="2026-05-18") == 0
    assert "Issued invoice 2 to T0001" in cli.out
    assert "5.90 EUR" in cli.out
    assert "1 invoice(s) issued" in cli.out


def test_a_withdrawal_of_an_invoiced_booking_issues_a_correction_the_cli_lists_and_shows(
    cli: Cli, workspace: str
) -> None:
    cli("addons", "book", TEAM, "users", "1", "--by", "alice", day="2026-04-17")
    cli("billing", "run", "--as-of", "2026-04-18", day="2026-04-18")
    assert cli("addons", "cancel", TEAM, "1", "--by", "bob", day="2026-04-20") == 0
    assert "0.19 EUR" not in cli.out  # the invoiced total is refunded, not a line of it
    # 6.09 net and its 19 % VAT (1.16) were invoiced: the gross is what comes back
    assert (
        "6.09 EUR excl. VAT (7.25 EUR gross) refunded with correction K-1 to invoice 1" in cli.out
    )
    assert "nothing charged" not in cli.out  # it was charged: it is refunded
    correction, invoice = cli.json("invoices", "list", TEAM)
    assert (invoice["type"], invoice["number"], invoice["total"]) == ("invoice", 1, "6.09")
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("6.09", "1.16", "7.25")
    assert correction.pop("seller")["name"] == SELLER_ENV["ADDONS_SELLER_NAME"]
    assert correction.pop("buyer")["name"] == TEAM  # no company, no Slack name: the team id
    assert correction.pop("payment")["method"] == "transfer"
    assert correction == {
        "type": "correction",
        "number": 1,
        "team_id": TEAM,
        "customer": None,
        "corrects": 1,
        "issued_on": "2026-04-20",
        "total": "-6.09",
        "currency": "EUR",
        "net": "-6.09",
        "vat": "-1.16",
        "gross": "-7.25",
        "tax": [{"category": "S", "rate": "19.00", "basis": "-6.09", "amount": "-1.16"}],
        "lines": [
            {
                "kind": "credit",
                "addon_id": 1,
                "option": "users",
                "from": "2026-04-17",
                "to": "2026-04-17",
                "quantity": 1,
                "amount": "-0.19",
                "reverses_line": 1,
            },
            {
                "kind": "credit",
                "addon_id": 1,
                "option": "users",
                "from": "2026-04-18",
                "to": "2026-05-17",
                "quantity": 1,
                "amount": "-5.90",
                "reverses_line": 2,
            },
        ],
    }
    shown = cli.json("invoices", "show", "K-1")
    assert {k: v for k, v in shown.items() if k not in ("seller", "buyer", "payment")} == correction
    as_process = run("invoices", "show", "K-1", "--json", database=cli.path)  # a real process
    assert (as_process.returncode, json.loads(as_process.stdout)) == (0, shown)
    assert cli.json("invoices", "show", "1") == invoice  # the invoice stays as issued
    assert cli("invoices", "show", "k-1") == 0
    assert "Correction K-1 (Rechnungskorrektur)" in cli.out
    assert "corrects invoice 1" in cli.out
    assert "-6.09 EUR" in cli.out
    assert "VAT 19.00 % (S)" in cli.out
    assert "-7.25 EUR" in cli.out  # the gross it pays back
    assert cli("invoices", "list", TEAM) == 0
    assert "K-1" in cli.out
    assert "-6.09 EUR excl. VAT, VAT -1.16 EUR, gross -7.25 EUR" in cli.out
    before = dump(cli.path)
    assert "unknown correction: 2" in cli.refused("invoices", "show", "K-2")
    assert "use 17 or K-3" in cli.refused("invoices", "show", "K-x")
    assert dump(cli.path) == before
    # Nothing is left to bill: the next turn issues no invoice with a negative total.
    assert cli.json("billing", "run", "--as-of", "2026-05-18", day="2026-05-18")["issued"] == []


def test_the_audit_log_names_the_operator(cli: Cli, workspace: str) -> None:
    cli("addons", "book", TEAM, "users", "1", "--by", "alice")
    cli("addons", "cancel", TEAM, "1", "--by", "bob", day="2026-04-05")
    entries = cli.json("audit", TEAM)
    assert all(set(entry) >= AUDIT_KEYS for entry in entries)
    assert [(e["actor"], e["action"], e["addon_id"], e["before"], e["after"]) for e in entries] == [
        ("operator:bob", "withdrawal", 1, "active", "withdrawn"),
        ("operator:alice", "book", 1, None, "active"),
        ("operator", "workspace_set", None, None, None),
    ]
    # Nothing was invoiced: the 8.75 left the Entwurf, nothing is refunded.
    assert entries[0]["detail"] == {
        "on": "2026-04-05",
        "removed_from_drafts": "8.75",
        "refund": "0.00",
        "refund_gross": "0.00",
    }
    assert datetime.fromisoformat(entries[1]["at"]) == on("2026-04-03")
    assert cli("audit", TEAM) == 0
    assert "operator:alice" in cli.out


# -- bad input ------------------------------------------------------------------------


def test_bad_input_gives_one_line_exit_two_and_changes_nothing(
    cli: Cli,
    workspace: str,
) -> None:
    cli("addons", "book", TEAM, "users", "1", "--by", "alice")
    before = dump(cli.path)
    for argv, says in (
        (("addons", "list", "T_NOBODY"), "unknown workspace: T_NOBODY"),
        (("addons", "book", "T_NOBODY", "users", "1", "--by", "x"), "unknown workspace"),
        (("addons", "book", TEAM, "users", "0", "--by", "x"), "from 1 to 1000"),
        (("addons", "book", TEAM, "users", "1001", "--by", "x"), "from 1 to 1000"),
        (("addons", "book", TEAM, "users", "two", "--by", "x"), "whole number"),
        (("addons", "book", TEAM, "users", "1.5", "--by", "x"), "whole number"),
        (("addons", "book", TEAM, "users", "-1", "--by", "x"), ""),
        (("addons", "book", TEAM, "printer", "1", "--by", "x"), "unknown add-on option"),
        (("addons", "book", TEAM, "users", "1"), "--by"),
        (("addons", "book", TEAM, "users", "1", "--by", " "), "name"),
        (("addons", "cancel", TEAM, "99", "--by", "x"), "no add-on 99"),
        (("addons", "cancel", TEAM, "one", "--by", "x"), "whole number"),
        (("addons", "undo-cancel", TEAM, "99", "--by", "x"), "no add-on 99"),
        (("invoices", "show", "42"), "unknown invoice: 42"),
        (("invoices", "show", "x"), "whole number"),
        (("invoice", "preview", "T_NOBODY"), "unknown workspace"),
        (("audit", "T_NOBODY"), "unknown workspace"),
        (("billing", "run", "--as-of", "2026-02-30"), "not a date"),
        (("billing", "run", "--as-of", "18.04.2026"), "YYYY-MM-DD"),
        (("workspace", "set", TEAM, "--anchor", "2026-13-01"), "not a date"),
        (
            ("workspace", "set", TEAM, "--anchor", "2026-03-18", "--tz", "Mars/Base"),
            "unknown time zone",
        ),
        (("workspace", "set", TEAM, "--anchor", "2026-03-01"), "anchor cannot change"),
        (("workspace", "set", TEAM, "--anchor", "2026-03-18", "--locale", "fr"), "locale"),
        (("addons",), "SUBCOMMAND"),
        (("nonsense",), "invalid choice"),
    ):
        assert says in cli.refused(*argv), argv
    assert dump(cli.path) == before


def test_a_pure_usage_error_does_not_create_the_database(cli: Cli) -> None:
    cli.refused("workspace", "set", TEAM, "--anchor", "soon")
    cli.refused("workspace", "set", TEAM, "--anchor", "2026-03-18", "--tz", "Nowhere/Land")
    cli.refused("addons", "book", TEAM, "users", "0", "--by", "x")
    cli.refused("addons", "book", TEAM, "printer", "1", "--by", "x")
    assert "team id" in cli.refused("workspace", "set", "", "--anchor", "2026-03-18")
    assert "no database at" in cli.refused("addons", "list", TEAM)
    assert "no database at" in cli.refused("billing", "run")
    assert "must not be empty" in cli.refused("--database", "", "migrate")
    assert not cli.path.exists()


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "addons-bot" in capsys.readouterr().out
    assert main(["billing", "run", "--help"]) == 0
    assert "12:00 UTC" in capsys.readouterr().out


# -- the database option and migrations -----------------------------------------------


def test_database_is_accepted_before_and_after_the_command_and_from_the_environment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second, third = (str(tmp_path / n) for n in ("one.db", "two.db", "three.db"))
    now = on("2026-04-03")
    assert (
        main(["--database", first, "workspace", "set", "T1", "--anchor", "2026-03-18"], now=now)
        == 0
    )
    assert (
        main(["workspace", "set", "T2", "--anchor", "2026-03-18", "--database", second], now=now)
        == 0
    )
    monkeypatch.setenv("ADDONS_DATABASE", third)
    assert main(["workspace", "set", "T3", "--anchor", "2026-03-18"], now=now) == 0
    capsys.readouterr()
    for path, team in ((first, "T1"), (second, "T2"), (third, "T3")):
        assert main(["addons", "list", team, "--json", "--database", path], now=now) == 0
        assert main(["addons", "list", team, "--database", first], now=now) == (
            0 if path == first else 2
        )
    assert main(["audit", "T3", "--json"], now=now) == 0  # from ADDONS_DATABASE


def test_migrate_applies_pending_migrations_and_says_which(cli: Cli) -> None:
    assert cli("migrate") == 0
    assert "0001_initial.sql" in cli.out
    assert "0002_outbox.sql" in cli.out
    assert cli("migrate") == 0
    assert "Nothing to do" in cli.out


def test_migrate_brings_a_file_of_the_previous_version_up_to_date(cli: Cli) -> None:
    import asyncio

    from storage.database import migrate

    asyncio.run(migrate(str(cli.path), target=1))
    assert cli("migrate") == 0
    assert "0002_outbox.sql" in cli.out
    assert "0001" not in cli.out


def test_a_database_from_a_newer_app_is_refused(cli: Cli) -> None:
    with sqlite3.connect(cli.path) as conn:
        conn.execute("PRAGMA user_version = 99")
    assert "upgrade the app" in cli.refused("migrate")
    assert "upgrade the app" in cli.refused("addons", "list", TEAM)


# -- as a separate process, at the real date ------------------------------------------


def run(*argv: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = process_environment()
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv, "--database", str(database)],
        cwd=database.parent,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )


def recent_anchor() -> date:
    """An anchor within reach of the real today (README, Decisions): the 18th before it."""
    today = datetime.now(UTC).date()
    return (today if today.day >= 18 else today - timedelta(days=28)).replace(day=18)


def test_the_installed_entry_point_books_today_and_refuses_bad_input(tmp_path: Path) -> None:
    database = tmp_path / "ops.db"
    anchor = recent_anchor()
    done = run("workspace", "set", TEAM, "--anchor", anchor.isoformat(), database=database)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""

    done = run("addons", "book", TEAM, "users", "1", "--by", "ops", "--json", database=database)
    assert done.returncode == 0, done.stderr
    booked = json.loads(done.stdout)
    # The CLI books on the real "today"; compute what that day must cost.
    today = date.fromisoformat(booked["addon"]["booked_on"])
    assert abs((today - datetime.now(UTC).astimezone(BERLIN).date()).days) <= 1
    period = BillingSchedule(anchor).period_containing(today)
    expected = prorate(Catalog()["users"].monthly_price(1), period, today)
    assert booked["prorated"] == str(expected.amount)
    assert booked["addon"]["billed_until"] == period.end.isoformat()

    [addon] = json.loads(run("addons", "list", TEAM, "--json", database=database).stdout)
    assert set(addon) >= ADDON_KEYS
    assert addon["status"] == "active"

    done = run("addons", "list", "T_NOBODY", database=database)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "addons-bot: error: unknown workspace: T_NOBODY\n"

    audit = json.loads(run("audit", TEAM, "--json", database=database).stdout)
    assert [e["actor"] for e in audit] == ["operator:ops", "operator"]


def test_a_usage_error_in_a_separate_process_leaves_no_file(tmp_path: Path) -> None:
    database = tmp_path / "never.db"
    done = run("billing", "run", "--as-of", "tomorrow", database=database)
    assert done.returncode == 2
    assert done.stderr == (
        "addons-bot: error: billing run: argument --as-of: not a date: "
        "'tomorrow' (use YYYY-MM-DD)\n"
    )
    assert not database.exists()


def test_a_file_that_is_not_a_database_fails_with_one_line_and_exits(tmp_path: Path) -> None:
    database = tmp_path / "notes.db"
    database.write_text("not a database")
    done = run("addons", "list", TEAM, database=database)
    assert done.returncode == 1
    assert done.stderr == (
        f"addons-bot: error: cannot use the database {database}: file is not a database\n"
    )


def test_ids_beyond_the_databases_integers_are_one_line_and_exit_2(tmp_path: Path) -> None:
    database = tmp_path / "ops.db"
    assert (
        run(
            "workspace", "set", TEAM, "--anchor", recent_anchor().isoformat(), database=database
        ).returncode
        == 0
    )
    before = dump(database)
    for argv, where in (
        (("addons", "cancel", TEAM, "9223372036854775808", "--by", "x"), "ADDON_ID"),
        (("addons", "undo-cancel", TEAM, str(2**64), "--by", "x"), "ADDON_ID"),
        (("invoices", "show", "99999999999999999999"), "NUMBER"),
    ):
        done = run(*argv, database=database)
        assert (done.returncode, done.stdout) == (2, ""), argv
        [line] = done.stderr.splitlines()
        assert line.startswith("addons-bot: error: ")
        assert where in line
        assert "too large" in line
    largest = run("invoices", "show", str(2**63 - 1), database=database)
    assert (largest.returncode, largest.stderr) == (
        2,
        f"addons-bot: error: unknown invoice: {2**63 - 1}\n",
    )
    assert dump(database) == before


# -- how far back dates may reach (README, Decisions) ------------------------------------


def test_dates_before_the_workspace_could_exist_are_refused_and_change_nothing(
    cli: Cli,
    workspace: str,
) -> None:
    before = dump(cli.path)
    assert cli.refused("billing", "run", "--as-of", "0001-01-01") == (
        "addons-bot: error: --as-of 0001-01-01 lies more than 12 months back; it may go "
        "back to 2025-04-03 at the earliest"
    )
    assert "more than 12 months back" in cli.refused(
        "workspace", "set", TEAM, "--anchor", "2026-03-18", "--as-of", "0001-01-01"
    )
    assert "(--anchor 2026-01-01 gives the same periods)" in cli.refused(
        "workspace", "set", "T0NEW", "--anchor", "0001-01-01"
    )
    assert "more than 12 months from 2026-04-03" in cli.refused(
        "workspace", "set", "T0NEW", "--anchor", "2027-04-04"
    )
    assert dump(cli.path) == before


def test_the_reach_is_twelve_months_to_the_day(cli: Cli, workspace: str) -> None:
    assert cli("billing", "run", "--as-of", "2025-04-03") == 0, cli.err
    cli.refused("billing", "run", "--as-of", "2025-04-02")
    assert cli("workspace", "set", "T0NEW", "--anchor", "2025-04-03") == 0, cli.err
    assert cli("workspace", "set", "T0NEXT", "--anchor", "2027-04-03") == 0, cli.err
    assert (
        cli("workspace", "set", "T0OLD", "--anchor", "2025-01-10", "--as-of", "2025-04-03") == 0
    ), cli.err


def test_an_anchor_out_of_reach_on_a_new_file_creates_no_file(cli: Cli) -> None:
    cli.refused("workspace", "set", TEAM, "--anchor", "0001-01-01")
    assert not cli.path.exists()


def test_a_workspace_may_name_its_own_old_anchor_again_but_not_move_it_far(
    cli: Cli,
    workspace: str,
) -> None:
    later = "2028-06-01"  # two years after the anchor 2026-03-18
    assert (
        cli.json("workspace", "set", TEAM, "--anchor", "2026-03-18", "--locale", "en", day=later)[
            "locale"
        ]
        == "en"
    )
    assert "more than 12 months" in cli.refused(
        "workspace", "set", TEAM, "--anchor", "2026-03-19", day=later
    )
