"""A demo that stays a demo: the console keeps its own file, and Slack never serves it.

Every test runs ``python -m bot`` as a process in an empty folder, with no Slack or
ADDONS_ variable but those it sets, and looks at the files afterwards.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.environment import clean_environment

ROOT = Path(__file__).resolve().parents[2]
# One worker runs this module (make test: --dist loadgroup), so its module-scoped
# fixture is set up once, not once per worker.
pytestmark = pytest.mark.xdist_group("demo-database")
DEMO = "T0DEMO"


def bot(*argv: str, cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGV`` in ``cwd`` with only the given SLACK_/ADDONS_ variables."""
    base = clean_environment()
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **env},
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=90,
    )


def teams(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT team_id FROM subscriptions ORDER BY 1")]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` with a hash of its bytes: equal means nothing was written."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file the console has used: the demo workspace with a booking and an invoice."""
    folder = tmp_path_factory.mktemp("demo")
    done = bot(
        "run",
        "--date",
        "2026-04-03",
        cwd=folder,
        stdin="/addons buchen users 1\n1\n:clock +1m\n:quit\n",
    )
    assert done.returncode == 0, done.stderr
    assert "invoice no. 1 issued" in done.stdout
    return folder / "addons-demo.db"


def test_run_without_credentials_opens_the_console_on_its_own_demo_file(
    demo_file: Path,
) -> None:
    folder = demo_file.parent
    assert teams(demo_file) == [DEMO]
    assert not (folder / "addons.db").exists()  # the file serve would use stays untouched


def test_run_says_which_file_the_console_uses(tmp_path: Path) -> None:
    done = bot("run", cwd=tmp_path, stdin=":quit\n")
    assert done.returncode == 0, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("No Slack credentials set")
    assert "./addons-demo.db" in line
    assert "database ./addons-demo.db" in done.stdout
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["addons-demo.db"]


@pytest.mark.parametrize(
    ("command", "credentials"),
    [
        ("serve", {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"}),
        ("socket", {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}),
        ("scheduler", {"SLACK_BOT_TOKEN": "xoxb-1"}),
        ("run", {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"}),
    ],
)
def test_slack_commands_refuse_a_database_holding_the_demo_and_write_nothing(
    demo_file: Path, tmp_path: Path, command: str, credentials: dict[str, str]
) -> None:
    shutil.copy(demo_file, tmp_path / "addons.db")
    before = fingerprint(tmp_path)
    done = bot(command, cwd=tmp_path, **credentials)
    assert (done.returncode, done.stdout) == (2, "")
    [line] = done.stderr.splitlines()
    assert line.startswith("addons-bot: error: ./addons.db holds the offline console's demo")
    assert DEMO in line
    assert "ADDONS_DATABASE" in line
    assert "xoxb-1" not in line
    assert "s3cret" not in line
    assert fingerprint(tmp_path) == before


def test_the_refusal_also_holds_for_a_file_given_with_database(
    demo_file: Path, tmp_path: Path
) -> None:
    shutil.copy(demo_file, tmp_path / "elsewhere.db")
    done = bot("scheduler", "--database", "elsewhere.db", cwd=tmp_path, SLACK_BOT_TOKEN="xoxb-1")
    assert done.returncode == 2
    assert "elsewhere.db holds the offline console's demo workspace" in done.stderr


def test_the_console_refuses_the_file_serve_uses_and_creates_nothing(tmp_path: Path) -> None:
    done = bot(
        "console",
        "--database",
        "./prod.db",
        cwd=tmp_path,
        ADDONS_DATABASE=str(tmp_path / "prod.db"),
    )
    assert (done.returncode, done.stdout) == (2, "")
    [line] = done.stderr.splitlines()
    assert "prod.db is the database `serve` uses (ADDONS_DATABASE)" in line
    assert list(tmp_path.iterdir()) == []
    # Without ADDONS_DATABASE, serve's file is ./addons.db.
    done = bot("console", "--database", "addons.db", cwd=tmp_path)
    assert done.returncode == 2
    assert "is the database `serve` uses" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_console_refuses_a_file_with_real_workspaces(tmp_path: Path) -> None:
    today = datetime.now(UTC).date().isoformat()
    made = bot(
        "workspace", "set", "T0REAL", "--anchor", today, "--database", "real.db", cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    before = fingerprint(tmp_path)
    done = bot("console", "--database", "real.db", cwd=tmp_path, stdin="/addons\n")
    assert (done.returncode, done.stdout) == (2, "")
    assert "real.db holds 1 workspace(s) besides the demo T0DEMO" in done.stderr
    assert fingerprint(tmp_path) == before
    assert teams(tmp_path / "real.db") == ["T0REAL"]


def test_a_mistyped_command_gets_the_consoles_hint_not_bolts(tmp_path: Path) -> None:
    done = bot("console", "--date", "2026-04-03", cwd=tmp_path, stdin="/addon\n/addons liste\n")
    assert done.returncode == 0, done.stderr
    answer = done.stdout.split("> /addon\n", 1)[1].split("]> ", 1)[0]
    assert "/addon is not a valid command." in answer
    assert "this app's command is /addons" in answer
    assert "Unhandled request" not in done.stderr
    assert "@app.command" not in done.stderr
    assert done.stderr == ""


def test_a_demo_still_in_the_write_ahead_log_is_seen(demo_file: Path, tmp_path: Path) -> None:
    """A console still running has its latest writes in the -wal file, not in the file."""
    path = tmp_path / "addons.db"
    with sqlite3.connect(demo_file) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        copy.execute("UPDATE subscriptions SET team_id = 'T0OTHER'")  # the file: no demo
    held = sqlite3.connect(path)
    try:
        assert held.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
        held.execute("PRAGMA wal_autocheckpoint = 0")  # keep the change in the log
        held.execute("UPDATE subscriptions SET team_id = ?", (DEMO,))
        held.commit()
        assert (tmp_path / "addons.db-wal").stat().st_size > 0
        done = bot("scheduler", cwd=tmp_path, SLACK_BOT_TOKEN="xoxb-1")
    finally:
        held.close()
    assert done.returncode == 2
    assert "holds the offline console's demo workspace" in done.stderr
