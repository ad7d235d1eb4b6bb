"""Fixtures for the tests' Slack (tests/slack/mock_slack.py, over bot/slack_fake)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_fake import SIGNING_SECRET
from tests.slack.flows import anchor_workspace
from tests.slack.harness import RunningApp, running_app
from tests.slack.mock_slack import BOT_TOKEN, MockSlack, SlackUser, default_users

# Any Slack token: bot (xoxb-), user (xoxp-), app (xoxa-), refresh (xoxr-), config (xoxe-).
SLACK_TOKEN = re.compile(r"xox[bpare]-")


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


class _EveryLine(logging.Handler):
    """Keeps every log line written during a test, as a handler would write it."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(autouse=True)
def no_secret_in_any_log_line() -> Iterator[None]:
    """Every Slack test: no log line holds a token or the signing secret.

    Every line at INFO and above, the level the processes run at, is kept. (DEBUG would
    make aiosqlite log each statement and slow the suite down enough to change it.)
    """
    lines = _EveryLine()
    root = logging.getLogger()
    level = root.level
    root.addHandler(lines)
    root.setLevel(min(level, logging.INFO) if level else logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(lines)
        root.setLevel(level)
    leaks = [line for line in lines.lines if _secret_in(line)]
    assert not leaks, f"{len(leaks)} log lines hold a secret, the first: {leaks[0][:300]}"


def _secret_in(line: str) -> bool:
    return BOT_TOKEN in line or SIGNING_SECRET in line or SLACK_TOKEN.search(line) is not None
