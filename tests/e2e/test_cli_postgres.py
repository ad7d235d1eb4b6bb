"""The operator CLI as a process on a PostgreSQL database that fails mid-command: the
driver's error leaves storage as one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncpg

from tests.e2e.test_cli import ROOT, TEAM, recent_anchor
from tests.environment import clean_environment


def run(*argv: str, database: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = clean_environment()
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv, "--database", database],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_a_postgresql_failure_mid_command_is_one_line_and_exit_1(
    postgres_url: str, tmp_path: Path
) -> None:
    anchor = recent_anchor().isoformat()
    made = run("workspace", "set", TEAM, "--anchor", anchor, database=postgres_url, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    conn = await asyncpg.connect(postgres_url)
    try:  # the schema is still current (alembic_version), so the database opens
        await conn.execute("ALTER TABLE addons RENAME TO addons_elsewhere")
    finally:
        await conn.close()

    done = run("addons", "list", TEAM, database=postgres_url, cwd=tmp_path)

    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("addons-bot: error: the database postgresql://")
    assert line.endswith(' failed: relation "addons" does not exist')
    assert "Traceback" not in done.stderr
