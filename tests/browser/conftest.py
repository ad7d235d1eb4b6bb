"""A headless Chromium per test (a fresh profile), and the app and Slack it visits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.browser.chromium import Browser, require_chromium, start
from tests.slack.authorizing import AuthorizingSlack, authorizing_slack
from tests.slack.installing import InstallingApp, installing_app


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    """Chromium from Debian's packages; screenshots go to the test's tmp_path."""
    require_chromium()
    driver = start(tmp_path / "profile")
    try:
        yield Browser(driver, tmp_path)
    finally:
        driver.quit()


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[AuthorizingSlack]:
    """Slack with workspaces Alpha and Bravo, and its authorize page."""
    async with authorizing_slack() as mock:
        yield mock


@pytest_asyncio.fixture
async def app(slack: AuthorizingSlack, tmp_path: Path) -> AsyncIterator[InstallingApp]:
    """The app in OAuth mode; Slack sends the browser back to its /slack/oauth_redirect."""
    async with installing_app(slack, tmp_path / "addons.db") as running:
        slack.redirect_url = running.base + "/slack/oauth_redirect"
        yield running
