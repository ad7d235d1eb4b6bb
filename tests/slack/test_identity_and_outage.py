"""One workspace identity, and a database that cannot be reached, in OAuth mode.

Signed HTTP into the real app (tests.slack.installing); the outage on a PostgreSQL
database of the test's own that stops accepting connections and drops those it had.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from bot import services
from handlers.blocks.ids import CALLBACK_CONFIRM_BOOKING
from handlers.i18n import t
from handlers.requests import BookingRequest
from tests import postgres
from tests.slack.flows import ANCHOR
from tests.slack.installing import (
    ADMIN_A,
    TEAM_A,
    TEAM_B,
    installing_app,
    many_workspaces,
)
from tests.slack.mock_slack import ManyWorkspaces

BUSY_DE = t("de", "error.busy")
DISAGREE_DE = t("de", "error.teams_disagree")


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[ManyWorkspaces]:
    """Slack with workspaces Alpha and Bravo."""
    async with many_workspaces() as mock:
        yield mock


def confirmation(team_of_view: str) -> dict[str, Any]:
    """A booking confirmation as Slack stores it, drawn in ``team_of_view``."""
    request = BookingRequest("users", 1, "nonce-edges-1", ANCHOR)
    return {
        "id": "V0CRAFTED1",
        "hash": "1.crafted",
        "type": "modal",
        "callback_id": CALLBACK_CONFIRM_BOOKING,
        "private_metadata": request.to_metadata(),
        "blocks": [],
        "team_id": team_of_view,
        "app_installed_team_id": team_of_view,
    }


def notice_text(answer_text: str) -> str:
    """The text of the modal a view submission's answer puts in place (it must be one)."""
    answer = json.loads(answer_text)
    assert answer["response_action"] == "update", answer
    return json.dumps(answer["view"]["blocks"], ensure_ascii=False)


async def test_a_request_whose_team_fields_disagree_is_refused_with_nothing_done(
    slack: ManyWorkspaces, tmp_path: Path
) -> None:
    async with installing_app(slack, tmp_path / "addons.db") as app:
        for team in (TEAM_A, TEAM_B):
            assert (await app.install(team)).status == 200
        await services.set_workspace(app.rt.ctx, TEAM_A, ANCHOR, app.clock.now())
        calls_before = len(slack.calls)
        # team.id says Alpha (whose admin this is), the view says Bravo: Bolt alone
        # would authorize with Bravo's token
        crafted = app.signer(TEAM_A).view_submission(user_id=ADMIN_A, view=confirmation(TEAM_B))
        answer = await app.post(crafted)
        assert answer.status == 200
        assert DISAGREE_DE in notice_text(answer.text)
        await asyncio.sleep(0.3)  # a listener would run after the answer
        assert slack.calls[calls_before:] == [], "no Slack call, with either token"
        assert await services.list_addons(app.rt.ctx, TEAM_A) == []


def _outage(url: str, *, on: bool) -> None:
    """Make the database refuse every connection (and drop its open ones), or allow again."""
    found = postgres.require_server()
    name = make_url(url).database
    statements = [f"ALTER DATABASE {name} ALLOW_CONNECTIONS {'false' if on else 'true'}"]
    if on:
        statements.append(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
    postgres._run(lambda: postgres._admin(found.url, *statements))


@pytest.fixture
def postgres_db() -> AsyncIterator[str]:  # type: ignore[misc]
    """A PostgreSQL database of the test's own, connections allowed again afterwards."""
    with postgres.fresh_database() as url:
        try:
            yield url
        finally:
            _outage(url, on=False)


async def test_a_database_outage_is_busy_never_not_installed_and_every_answer_is_valid(
    slack: ManyWorkspaces, postgres_db: str
) -> None:
    async with installing_app(slack, postgres_db) as app:
        assert (await app.install(TEAM_A)).status == 200
        await services.set_workspace(app.rt.ctx, TEAM_A, ANCHOR, app.clock.now())
        _outage(postgres_db, on=True)
        answer = await app.post(app.signer(TEAM_A).slash_command(user_id=ADMIN_A))
        assert answer.status == 200
        assert BUSY_DE in json.loads(answer.text)["text"]
        assert "nicht (mehr) installiert" not in answer.text
        submitted = app.signer(TEAM_A).view_submission(user_id=ADMIN_A, view=confirmation(TEAM_A))
        answer = await app.post(submitted)
        assert answer.status == 200
        assert BUSY_DE in notice_text(answer.text)
        _outage(postgres_db, on=False)
        assert postgres.fetch_sync(postgres_db, "SELECT count(*) FROM addons") == [(0,)]
        # "bitte erneut versuchen": once the database is back, the connections it dropped
        # are found gone (busy, once) and opened anew, and trying again works
        for _ in range(2):
            answer = await app.post(app.signer(TEAM_A).slash_command(user_id=ADMIN_A))
            assert answer.status == 200
            await asyncio.sleep(0.3)
        assert [post["text"] for post in slack.response_posts()] == [BUSY_DE]
        # the overview opens filled (views.open), or as a placeholder filled by views.update
        await slack.wait_for("views.open")
        opened = slack.last_view("views.open")
        if any(b.get("block_id") == "loading" for b in opened.get("blocks", [])):
            await slack.wait_for("views.update")
            opened = slack.last_view("views.update")
        assert opened["callback_id"] == "addons_overview"
