"""The operator CLI as production meets it: a closed pipe, a schema only `migrate` moves,
files that are no database yet, the demo workspace, spreadsheet formulas, a workspace
the billing run has not caught up with."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from storage.database import migrate
from tests.e2e.test_cli import (  # the fixtures too
    ROOT,
    TEAM,
    Cli,
    clean_environment,
    cli,
    dump,
    run,
    workspace,
)

__all__ = ["clean_environment", "cli", "workspace"]


def test_a_reader_closing_the_pipe_ends_the_command_quietly(cli: Cli, workspace: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "bot", "audit", TEAM, "--database", str(cli.path)],
        cwd=cli.path.parent,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stderr is not None
    child.stdout.close()  # as `| head -0` would: the first line written meets a closed pipe
    errors = child.stderr.read().decode()
    assert child.wait(timeout=60) == 141
    assert errors == ""


def test_a_schema_behind_is_refused_by_every_command_but_migrate(cli: Cli) -> None:
    import asyncio

    asyncio.run(migrate(str(cli.path), target=1))
    before = cli.path.read_bytes()
    for argv in (("addons", "list", TEAM), ("workspace", "set", TEAM, "--anchor", "2026-03-18")):
        line = cli.refused(*argv)
        assert "schema version 1, behind this app's" in line
        assert "`addons-bot migrate`" in line
    assert cli.path.read_bytes() == before
    assert cli("migrate") == 0
    assert cli("workspace", "set", TEAM, "--anchor", "2026-03-18") == 0


def test_a_read_command_on_an_empty_file_leaves_it_empty(cli: Cli) -> None:
    cli.path.write_bytes(b"")
    assert "an empty file at" in cli.refused("addons", "list", TEAM)
    assert cli.path.read_bytes() == b""


def test_a_directory_as_the_database_is_one_line_without_a_thread_s_trace(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    done = run("addons", "list", TEAM, database=folder)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "is a directory" in line
    assert list(folder.iterdir()) == []


def test_the_cli_does_not_create_the_demo_workspace(cli: Cli, workspace: str) -> None:
    before = dump(cli.path)
    assert "T0DEMO" in cli.refused("workspace", "set", "T0DEMO", "--anchor", "2026-03-18")
    assert dump(cli.path) == before


def test_a_limit_beyond_the_databases_integers_is_one_line(cli: Cli, workspace: str) -> None:
    line = cli.refused("webhooks", "list", "--limit", "99999999999999999999")
    assert "too large a limit" in line


def test_the_export_keeps_a_customer_number_from_becoming_a_formula(
    cli: Cli, workspace: str
) -> None:
    formula = '=HYPERLINK("http://x","y")'
    assert cli("workspace", "set", TEAM, "--customer", formula) == 0
    assert cli("addons", "book", TEAM, "users", "1", "--by", "ops", day="2026-04-03") == 0
    assert cli("billing", "run", day="2026-04-18") == 0
    args = ("invoices", "export", "--from", "2026-04-01", "--to", "2026-04-30")
    assert cli(*args, day="2026-04-20") == 0
    rows = list(csv.DictReader(io.StringIO(cli.out)))
    assert rows
    assert {row["customer"] for row in rows} == {"'" + formula}
    assert all(not value.startswith(("=", "+", "@")) for row in rows for value in row.values())
    assert float(rows[0]["line_amount"]) > 0  # amounts stay numbers


def test_the_preview_of_a_workspace_six_periods_behind_shows_every_invoice_due(
    cli: Cli,
) -> None:
    assert cli("workspace", "set", TEAM, "--anchor", "2026-03-18", day="2026-03-18") == 0
    assert cli("addons", "book", TEAM, "users", "1", "--by", "ops", day="2026-03-18") == 0
    shown = cli.json("invoice", "preview", TEAM, day="2026-09-20")
    due = shown["due_now"]
    assert [d["period_start"] for d in due] == [
        "2026-04-18",
        "2026-05-18",
        "2026-06-18",
        "2026-07-18",
        "2026-08-18",
        "2026-09-18",
    ]
    assert shown["period_start"] == "2026-10-18"
    run_json = cli.json("billing", "run", day="2026-09-20")
    issued = [i["total"] for i in run_json["issued"]]
    assert issued == [d["total"] for d in due]
    assert cli.json("invoice", "preview", TEAM, day="2026-09-20")["due_now"] == []
