"""`addons-bot keys rotate` as a process, on SQLite and PostgreSQL: every stored token
(superseded installs too) ends up under the new key, the old key can go, and every
workspace's token still works against Slack; the start-up check reads every install."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from bot.adapters.slack_install.crypto import TokenKeyError
from bot.bootstrap import bootstrap
from tests import postgres
from tests.e2e.lifecycle_world import cli, rows_of_every_table
from tests.slack.installing import (
    ADMIN_A,
    ADMIN_B,
    TEAM_A,
    TEAM_B,
    installing_app,
    many_workspaces,
    oauth_settings,
)
from tests.slack.mock_slack import ManyWorkspaces

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
TOKENS = {"bot_token", "bot_refresh_token", "user_token", "user_refresh_token"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own: a SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "addons.db")
        return
    with postgres.fresh_database() as url:
        yield url


async def stored_tokens(database: str) -> list[str]:
    """Every token of every installation and bot row, as stored."""
    from sqlalchemy import select

    from storage import Database
    from storage.tables import slack_bots, slack_installations

    db = Database(database, pool_size=1)
    await db.open()
    try:
        found: list[str] = []
        async with db.engine.connect() as conn:
            for table in (slack_bots, slack_installations):
                names = [c for c in table.columns if c.name in TOKENS]
                for row in await conn.execute(select(*names)):
                    found += [value for value in row if value is not None]
        return found
    finally:
        await db.close()


def opens(key: str, stored: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(stored.encode())
    except InvalidToken:
        return False
    return True


async def answers_with_its_token(slack: ManyWorkspaces, database: str, key: str) -> None:
    """The app, started with ``key`` alone, opens each workspace's modal with its token."""
    async with installing_app(slack, database, key=key) as app:
        for team, admin in ((TEAM_A, ADMIN_A), (TEAM_B, ADMIN_B)):
            before = len(slack.calls_to("views.open"))
            updates = len(slack.calls_to("views.update"))
            answer = await app.post(app.signer(team).slash_command(user_id=admin))
            assert answer.status == 200
            # The overview is opened (and filled, if a placeholder came first) with the
            # workspace's token.
            opened = await slack.wait_for("views.open", count=before + 1)
            assert opened[-1].token == slack.token_of(team)
            filled = slack.calls_to("views.update")[updates:]
            assert all(c.token == slack.token_of(team) for c in filled)


async def test_keys_rotate_leaves_no_token_under_the_old_key_and_every_workspace_works(
    database: str,
) -> None:
    async with many_workspaces() as slack:
        async with installing_app(slack, database, key=OLD) as app:
            for team in (TEAM_A, TEAM_B, TEAM_A):  # Alpha twice: a superseded row
                assert (await app.install(team)).status == 200
        stored = await stored_tokens(database)
        assert len(stored) >= 6
        assert all(opens(OLD, s) for s in stored)
        # The new key alone opens no current installation: start-up names how many.
        with pytest.raises(TokenKeyError, match="2 of 2 installed"):
            async with bootstrap(oauth_settings(slack, database, NEW)):
                pass

        done = cli(database, "keys", "rotate", ADDONS_TOKEN_KEY=f"{NEW},{OLD}")
        assert done.returncode == 0, done.stderr
        assert f"Re-encrypted {len(stored)} token(s)" in done.stdout
        assert "0 under an older key (the old key can go)" in done.stdout
        assert OLD not in done.stdout + done.stderr
        rotated = await stored_tokens(database)
        assert len(rotated) == len(stored)
        assert all(opens(NEW, s) and not opens(OLD, s) for s in rotated)
        await answers_with_its_token(slack, database, NEW)

        again = cli(database, "keys", "rotate", "--json", ADDONS_TOKEN_KEY=NEW)
        assert again.returncode == 0, again.stderr
        assert '"rotated": 0' in again.stdout


async def test_a_token_no_key_opens_is_reported_and_exits_one(tmp_path: Path) -> None:
    database = str(tmp_path / "addons.db")
    async with many_workspaces() as slack, installing_app(slack, database, key=OLD) as app:
        assert (await app.install(TEAM_A)).status == 200
    before = await rows_of_every_table(database)
    done = cli(database, "keys", "rotate", ADDONS_TOKEN_KEY=NEW)
    assert done.returncode == 1
    assert "under an older key (no key of ADDONS_TOKEN_KEY opens them)" in done.stdout
    assert await rows_of_every_table(database) == before


async def test_serve_with_a_key_that_opens_no_stored_token_stops_in_one_line(
    database: str, tmp_path: Path
) -> None:
    # The red team saw Alembic's INFO lines before the one line: nothing else is printed.
    from tests.e2e.test_oauth_mode import serve

    async with many_workspaces() as slack, installing_app(slack, database, key=OLD) as app:
        assert (await app.install(TEAM_A)).status == 200
    done = serve(tmp_path, ADDONS_DATABASE=database, ADDONS_TOKEN_KEY=NEW)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "ADDONS_TOKEN_KEY" in done.stderr
    assert NEW not in done.stderr + done.stdout
