"""Fixtures for the tests' Slack (tests/slack/mock_slack.py, over bot/slack_fake)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack.flows import anchor_workspace
from tests.slack.harness import RunningApp, running_app
from tests.slack.mock_slack import BOT_TOKEN, MockSlack, SlackUser, default_users


@pytest.fixture
def slack_users() -> list[SlackUser]:
    """The people users.info knows; override in a test module to change them."""
    return default_users()


@pytest_asyncio.fixture
async def slack_mock(slack_users: list[SlackUser]) -> AsyncIterator[MockSlack]:
    """A started mock Slack Web API on 127.0.0.1; ``slack_mock.url`` ends in "/api/"."""
    async with MockSlack(slack_users, token=BOT_TOKEN) as mock:
        yield mock


@pytest.fixture
def slack_client(slack_mock: MockSlack) -> AsyncWebClient:
    """A slack_sdk client talking to the mock with the bot token it accepts."""
    return AsyncWebClient(token=BOT_TOKEN, base_url=slack_mock.url)


@pytest_asyncio.fixture
async def app(slack_mock: MockSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    """The real app on 03.04.2026, its workspace anchored on the 18th (DESIGN §3)."""
    async with running_app(slack_mock, tmp_path / "addons.db") as running:
        await anchor_workspace(running)
        yield running
