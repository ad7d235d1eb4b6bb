"""The OAuth callback when Slack says no or is not there: an honest status, one log line."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from slack_sdk.errors import SlackApiError

from bot.adapters.observability.slack_api import MeasuredWebClient
from tests.slack.authorizing import AuthorizingSlack, authorizing_slack
from tests.slack.installing import TEAM_A, InstallingApp, alpha, installing_app


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[AuthorizingSlack]:
    """Slack with workspaces Alpha and Bravo, and its authorize page."""
    async with authorizing_slack() as mock:
        yield mock


@pytest_asyncio.fixture
async def app(slack: AuthorizingSlack, tmp_path: Path) -> AsyncIterator[InstallingApp]:
    """The app in OAuth mode, nothing installed yet."""
    async with installing_app(slack, tmp_path / "addons.db") as running:
        yield running


def warnings_and_worse(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the app logged at WARNING or above, from any logger."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def assert_one_line_without_trace(caplog: pytest.LogCaptureFixture, *words: str) -> None:
    """Exactly one warning, naming ``words``, with no traceback and no code or secret."""
    logged = warnings_and_worse(caplog)
    assert len(logged) == 1, [r.getMessage() for r in logged]
    (record,) = logged
    assert record.exc_info is None
    message = record.getMessage()
    for word in words:
        assert word in message
    assert "code-" not in message  # the code Slack handed the browser
    assert "client-secret" not in message


async def test_a_code_slack_did_not_issue_is_a_400_page_and_one_log_line(
    app: InstallingApp, caplog: pytest.LogCaptureFixture
) -> None:
    state, cookie = await app.install_page()
    caplog.clear()
    answer = await app.redirect(f"code=code-not-issued&state={state}", cookie)
    assert answer.status == 400
    assert "Slack hat die Installation nicht bestätigt" in answer.text
    assert_one_line_without_trace(caplog, "invalid_code", "refused")
    assert await app.installed_teams() == []


@pytest.mark.parametrize("content_type", ["text/html", "application/json"])
async def test_slack_answering_an_html_error_page_is_a_503_page_and_one_log_line(
    app: InstallingApp,
    slack: AuthorizingSlack,
    caplog: pytest.LogCaptureFixture,
    content_type: str,
) -> None:
    state, cookie = await app.install_page()
    slack.html_answers["oauth.v2.access"] = [(502, content_type)] * 3
    caplog.clear()
    answer = await app.redirect(f"code={slack.code_for(TEAM_A)}&state={state}", cookie)
    assert answer.status == 503
    assert "Slack nicht erreichbar" in answer.text
    assert 'href="/slack/install?lang=de"' in answer.text
    assert_one_line_without_trace(caplog, "unreachable", "HTTP 502")
    assert await app.installed_teams() == []


async def test_slack_not_listening_is_a_503_page_and_one_log_line(
    app: InstallingApp, slack: AuthorizingSlack, caplog: pytest.LogCaptureFixture
) -> None:
    state, cookie = await app.install_page()
    code = slack.code_for(TEAM_A)
    await slack.stop()
    caplog.clear()
    answer = await app.redirect(f"code={code}&state={state}", cookie)
    assert answer.status == 503
    assert app.headers["Retry-After"] == "60"
    assert_one_line_without_trace(caplog, "unreachable")


async def test_an_org_install_is_given_back_even_when_slack_first_answers_an_html_page(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        authorizing_slack(alpha(enterprise_id="E0ORG00001", org_install=True)) as slack,
        installing_app(slack, tmp_path / "addons.db") as app,
    ):
        slack.html_answers["auth.revoke"] = [(502, "application/json")]
        caplog.clear()
        answer = await app.install(TEAM_A)
        assert answer.status == 400
        assert "Enterprise Grid" in answer.text
        assert slack.revoked == set(slack.workspaces[TEAM_A].tokens)
        assert_one_line_without_trace(caplog, "org_install", "given back")


async def test_an_org_install_whose_token_cannot_be_given_back_says_so_in_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        authorizing_slack(alpha(enterprise_id="E0ORG00001", org_install=True)) as slack,
        installing_app(slack, tmp_path / "addons.db") as app,
    ):
        slack.html_answers["auth.revoke"] = [(503, "text/html")] * 9
        caplog.clear()
        answer = await app.install(TEAM_A)
        assert answer.status == 400
        assert slack.revoked == set()
        assert_one_line_without_trace(caplog, "could NOT be given back", "HTTP 503")
        assert slack.workspaces[TEAM_A].tokens[0] not in caplog.text


@pytest.mark.parametrize("content_type", ["text/html", "application/json"])
async def test_the_measured_client_reports_a_non_json_answer_as_a_slack_api_error(
    slack: AuthorizingSlack, content_type: str
) -> None:
    slack.html_answers["auth.test"] = [(502, content_type)]
    client = MeasuredWebClient(token="xoxb-any", base_url=slack.url)
    with pytest.raises(SlackApiError):
        await client.auth_test()


async def test_expired_states_are_purged_by_the_schedule(app: InstallingApp) -> None:
    for _ in range(3):
        await app.install_page()
    app.clock.advance(timedelta(minutes=10))
    await app.install_page()  # issued now: it stays
    assert await app.state_rows() == 4
    stop = asyncio.Event()
    task = app.rt.start_schedule(app.clock, stop)
    try:
        for _ in range(100):
            if await app.state_rows() == 1:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
    assert await app.state_rows() == 1
