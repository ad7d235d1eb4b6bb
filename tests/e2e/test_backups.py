"""Backups that restore: a populated PostgreSQL database through `pg_dump -Fc` and
`pg_restore` into a new database, and a SQLite file through its online backup; the app
reads the copy (the invoices, and the tokens with the key kept apart from the dump)."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.adapters.slack_install.crypto import TokenKeyError
from bot.bootstrap import bootstrap
from tests import postgres
from tests.e2e.lifecycle_world import cli, populate, rows_of_every_table
from tests.slack.installing import (
    ADMIN_B,
    KEY,
    TEAM_A,
    TEAM_B,
    installing_app,
    many_workspaces,
    oauth_settings,
)
from tests.slack.mock_slack import ManyWorkspaces


async def reads_the_copy(slack: ManyWorkspaces, original: str, copy: str) -> None:
    """The copy holds the same rows, its invoices list alike, its token works with KEY
    and nothing opens it with another key."""
    assert await rows_of_every_table(copy) == await rows_of_every_table(original)
    listed = cli(copy, "invoices", "list", TEAM_A, "--json")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == cli(original, "invoices", "list", TEAM_A, "--json").stdout
    assert '"number"' in listed.stdout
    async with installing_app(slack, copy, key=KEY) as app:
        answer = await app.post(app.signer(TEAM_B).slash_command(user_id=ADMIN_B))
        assert answer.status == 200
        filled = await slack.wait_for("views.update")
        assert filled[-1].token == slack.token_of(TEAM_B)
    with pytest.raises(TokenKeyError, match="1 of 1 installed"):
        async with bootstrap(oauth_settings(slack, copy, Fernet.generate_key().decode())):
            pass


def pg_dump(url: str) -> bytes:
    """`pg_dump -Fc` of the database: the custom format pg_restore reads."""
    done = subprocess.run(
        ["pg_dump", "-Fc", "--no-owner", "-d", url], capture_output=True, check=True, timeout=120
    )
    return done.stdout


def pg_restore(dump: bytes, url: str) -> None:
    """`pg_restore` of the dump into the (empty) database."""
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", url],
        input=dump,
        capture_output=True,
        check=True,
        timeout=120,
    )


async def test_a_pg_dump_restores_into_a_new_database_the_app_reads() -> None:
    with postgres.fresh_database() as original, postgres.fresh_database(migrated=False) as copy:
        async with many_workspaces() as slack:
            await populate(original, KEY, slack)
            dump = pg_dump(original)
            assert KEY.encode() not in dump  # the key is kept apart from the dump
            pg_restore(dump, copy)
            await reads_the_copy(slack, original, copy)


async def test_a_sqlite_online_backup_restores_and_the_app_reads_it(tmp_path: Path) -> None:
    original, copy = tmp_path / "addons.db", tmp_path / "backup.db"
    async with many_workspaces() as slack:
        await populate(str(original), KEY, slack)
        with sqlite3.connect(original) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        assert KEY.encode() not in copy.read_bytes()
        await reads_the_copy(slack, str(original), str(copy))
