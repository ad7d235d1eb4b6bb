"""What `run`, `serve`, `socket` and `scheduler` say about the Slack variables, as processes.

A half-set configuration names the missing variable instead of falling back to the
console; a blank (whitespace) credential counts as not set and is refused before any
file is opened; no credential ever appears in what is printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.environment import clean_environment

ROOT = Path(__file__).resolve().parents[2]


def bot(*argv: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGV`` in ``cwd`` with only the given SLACK_/ADDONS_ variables."""
    base = clean_environment()
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), **env},
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("given", "missing", "mode"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-half"}, "SLACK_SIGNING_SECRET", "HTTP"),
        ({"SLACK_SIGNING_SECRET": "half-secret"}, "SLACK_BOT_TOKEN", "HTTP"),
        ({"SLACK_APP_TOKEN": "xapp-half"}, "SLACK_BOT_TOKEN", "Socket Mode"),
        (
            {"SLACK_SIGNING_SECRET": "half-secret", "SLACK_APP_TOKEN": "xapp-half"},
            "SLACK_BOT_TOKEN",
            "Socket Mode",
        ),
    ],
)
def test_run_with_a_half_set_configuration_names_the_missing_variable(
    tmp_path: Path, given: dict[str, str], missing: str, mode: str
) -> None:
    done = bot("run", cwd=tmp_path, **given)
    assert (done.returncode, done.stdout) == (2, "")
    [line] = done.stderr.splitlines()
    assert line.startswith(f"addons-bot: {missing} is not set, but ")
    assert all(name in line for name in given)
    assert f"({mode})" in line
    assert "offline console" in line  # how to get the console instead
    assert not any(value in line for value in given.values())
    assert list(tmp_path.iterdir()) == []  # no console, no database


@pytest.mark.parametrize(
    ("command", "env", "named"),
    [
        (
            "serve",
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": " "},
            "SLACK_SIGNING_SECRET",
        ),
        ("serve", {"SLACK_BOT_TOKEN": " \t ", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ("socket", {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "  "}, "SLACK_APP_TOKEN"),
        ("scheduler", {"SLACK_BOT_TOKEN": "   "}, "SLACK_BOT_TOKEN"),
    ],
)
def test_a_blank_credential_is_refused_like_an_empty_one_before_anything_opens(
    tmp_path: Path, command: str, env: dict[str, str], named: str
) -> None:
    done = bot(command, cwd=tmp_path, **env)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"addons-bot: {named} is not set (see README, 'Connect to Slack')\n"
    assert list(tmp_path.iterdir()) == []  # nothing opened, nothing migrated


def test_blank_credentials_alone_still_mean_the_console(tmp_path: Path) -> None:
    done = bot(
        "run",
        "--database",
        "demo.db",
        cwd=tmp_path,
        SLACK_BOT_TOKEN=" ",
        SLACK_SIGNING_SECRET="",
        SLACK_APP_TOKEN="\t",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("/addons offline console")


def test_a_credential_with_spaces_inside_is_a_bad_setting_and_is_not_echoed(
    tmp_path: Path,
) -> None:
    done = bot(
        "serve", cwd=tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="top secret value"
    )
    assert (done.returncode, done.stdout) == (2, "")
    [line] = done.stderr.splitlines()
    assert line.startswith("addons-bot: error: bad setting SLACK_SIGNING_SECRET: ")
    assert "top secret" not in line
    assert list(tmp_path.iterdir()) == []


# -- migrate --json and --version --------------------------------------------------------


def test_migrate_json_lists_the_applied_migrations_and_the_schema_version(
    tmp_path: Path,
) -> None:
    first = bot("migrate", "--json", "--database", "new.db", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert set(report) == {"database", "applied", "schema_version"}
    assert report["database"] == "new.db"
    assert len(report["applied"]) == report["schema_version"] >= 1
    again = bot("--database", "new.db", "migrate", "--json", cwd=tmp_path)
    assert json.loads(again.stdout) == {**report, "applied": []}
    text = bot("migrate", "--database", "new.db", cwd=tmp_path)
    assert text.stdout == (
        f"Nothing to do: new.db is at schema version {report['schema_version']}.\n"
    )


def test_version_prints_the_app_and_schema_version_and_opens_nothing(tmp_path: Path) -> None:
    done = bot("--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    schema = json.loads(bot("migrate", "--json", "--database", "x.db", cwd=tmp_path).stdout)
    assert done.stdout == (
        f"addons-bot {version('addons-bot')} (schema version {schema['schema_version']})\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]  # only migrate's file
