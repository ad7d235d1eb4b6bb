"""A CloudCRM receiver per test, and the Slack mock fixtures for the flows through Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.slack.conftest import slack_client, slack_mock, slack_users
from tests.webhooks.receiver import Receiver

__all__ = ["receiver", "slack_client", "slack_mock", "slack_users"]


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A started receiver on 127.0.0.1 that answers 200 unless scripted otherwise."""
    started = await Receiver().start()
    try:
        yield started
    finally:
        await started.stop()
