"""ADDONS_DATABASE through the command line, as a process: a PostgreSQL URL is used, and
a database that cannot be used is one line naming the setting, exit 2, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from tests import postgres
from tests.environment import SELLER_ENV

ROOT = Path(__file__).resolve().parents[2]


def addons_bot(cwd: Path, database: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``addons-bot`` in ``cwd`` with ADDONS_DATABASE set."""
    env = {**os.environ, **SELLER_ENV, "PYTHONPATH": str(ROOT), "ADDONS_DATABASE": database}
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def refused_in_one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert "ADDONS_DATABASE" in line
    return line


def test_migrate_on_a_postgresql_url_applies_every_migration(
    tmp_path: Path, empty_postgres_url: str
) -> None:
    done = addons_bot(tmp_path, empty_postgres_url, "migrate")
    assert done.returncode == 0, done
    assert "Applied to postgresql://" in done.stdout
    again = addons_bot(tmp_path, empty_postgres_url, "migrate")
    assert "Nothing to do" in again.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_database_of_another_kind_is_refused(tmp_path: Path) -> None:
    line = refused_in_one_line(
        addons_bot(tmp_path, "mysql://addons:pw@localhost/addons", "migrate")
    )
    assert "mysql://" in line
    assert "pw" not in line
    assert list(tmp_path.iterdir()) == []


def test_a_server_that_does_not_answer_is_refused_without_showing_the_password(
    tmp_path: Path,
) -> None:
    done = addons_bot(tmp_path, "postgresql://addons:s3cret@127.0.0.1:1/addons", "migrate")
    line = refused_in_one_line(done)
    assert "s3cret" not in line
    assert "127.0.0.1:1" in line


def test_a_user_the_server_does_not_know_is_refused(tmp_path: Path, postgres_url: str) -> None:
    stranger = make_url(postgres_url).set(username="no_such_user", password=None)
    url = stranger.render_as_string(hide_password=False)
    line = refused_in_one_line(addons_bot(tmp_path, url, "migrate"))
    assert "no_such_user" in line


def test_a_database_of_a_newer_schema_is_refused_and_nothing_is_written(
    tmp_path: Path, postgres_url: str
) -> None:
    postgres.fetch_sync(postgres_url, "UPDATE alembic_version SET version_num = '9999_future'")
    done = addons_bot(tmp_path, postgres_url, "workspace", "set", "T0001", "--anchor", "2026-03-18")
    line = refused_in_one_line(done)
    assert "upgrade the app" in line
    assert postgres.fetch_sync(postgres_url, "SELECT COUNT(*) FROM subscriptions") == [(0,)]


def test_serve_refuses_a_postgresql_database_holding_the_demo_workspace(
    tmp_path: Path, postgres_url: str
) -> None:
    postgres.fetch_sync(
        postgres_url,
        "INSERT INTO subscriptions VALUES "
        "('T0DEMO', '2026-03-18', 'Europe/Berlin', 'de', '2026-03-18', now())",
    )
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "test-secret"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path,
        env={
            **os.environ,
            **SELLER_ENV,
            **env,
            "PYTHONPATH": str(ROOT),
            "ADDONS_DATABASE": postgres_url,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = refused_in_one_line(done)
    assert "T0DEMO" in line
