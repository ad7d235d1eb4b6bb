"""The install pages over HTTP: what they say, in which language, from where, and why."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html import escape
from pathlib import Path

import pytest
import pytest_asyncio

from bot.adapters.install_pages import markdown
from bot.adapters.install_pages.texts import SCOPE_REASONS
from bot.adapters.slack_install.flow import SCOPES, slack_web
from tests.slack.authorizing import AuthorizingSlack, authorizing_slack
from tests.slack.installing import TEAM_A, InstallingApp, installing_app
from tests.slack.test_manifest import _list_after

ROOT = Path(__file__).resolve().parents[2]
GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9,de;q=0.5"}


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


async def test_the_landing_page_names_the_app_what_it_does_and_each_scope_with_its_reason(
    app: InstallingApp,
) -> None:
    page, _ = await app.get("/slack/install", headers=GERMAN)
    assert page.status == 200
    assert '<html lang="de">' in page.text
    assert "CloudCRM Add-ons" in page.text
    assert "Zusatzoptionen (Add-ons) buchen und kündigen" in page.text
    assert "Zu Slack hinzufügen" in page.text
    assert list(SCOPES) == _list_after("bot")  # the manifest's scopes, no more, no fewer
    for scope in SCOPES:
        assert f"<code>{scope}</code>" in page.text
        assert SCOPE_REASONS["de"][scope].split(",")[0] in page.text
    assert 'href="/privacy?lang=de"' in page.text


async def test_the_landing_page_speaks_english_to_a_browser_that_prefers_it(
    app: InstallingApp,
) -> None:
    page, _ = await app.get("/slack/install", headers=ENGLISH)
    assert '<html lang="en">' in page.text
    assert "Add to Slack" in page.text
    assert "Book and cancel add-ons" in page.text
    assert "Zusatzoptionen" not in page.text


@pytest.mark.parametrize(
    ("accept_language", "query", "lang"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "", "en"),  # the first language the pages speak
        ("fr-FR,fr;q=0.9", "", "de"),  # none of them: ADDONS_DEFAULT_LOCALE's
        ("en;q=0.2,de;q=0.7", "", "de"),  # weights, not order
        ("de-DE", "?lang=en", "en"),  # the switch link wins
        ("", "?lang=xx", "de"),
    ],
)
async def test_the_language_follows_the_weights_of_accept_language_and_the_switch(
    app: InstallingApp, accept_language: str, query: str, lang: str
) -> None:
    page, _ = await app.get("/slack/install" + query, headers={"Accept-Language": accept_language})
    assert f'<html lang="{lang}">' in page.text


async def test_the_root_is_the_landing_page_too(app: InstallingApp) -> None:
    page, cookies = await app.get("/", headers=ENGLISH)
    assert page.status == 200
    assert "Add to Slack" in page.text
    assert "slack-app-oauth-state" in cookies


async def test_the_pages_take_nothing_from_another_host(app: InstallingApp) -> None:
    page, _ = await app.get("/slack/install", headers=GERMAN)
    assert "<img" not in page.text
    assert "<svg" in page.text  # Slack's mark, drawn in the page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    outside = [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert outside == [link_of(page.text)]  # only the Add to Slack link leaves the app
    async with app.session.get(app.base + "/slack/install") as response:
        policy = response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in policy
    assert "style-src 'self'" in policy
    async with app.session.get(app.base + "/static/addons.css") as response:
        assert response.status == 200
        assert response.content_type == "text/css"
        assert "url(" not in await response.text()  # no font or image from elsewhere


async def test_a_head_request_stores_no_state(app: InstallingApp) -> None:
    async with app.session.head(app.base + "/slack/install") as response:
        assert response.status == 405
    assert await app.state_rows() == 0


async def test_the_privacy_notice_served_is_docs_privacy_notice_md(app: InstallingApp) -> None:
    page, _ = await app.get("/privacy", headers=ENGLISH)
    assert page.status == 200
    notice = (ROOT / "docs" / "privacy-notice.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.+)$", notice, re.MULTILINE)
    assert len(headings) >= 3
    for heading in headings:
        assert f">{escape(heading, quote=False)}</h" in page.text
    for bold in re.findall(r"\*\*(.+?)\*\*", notice):
        assert f"<strong>{escape(bold, quote=False)}</strong>" in page.text
    assert "**" not in page.text
    assert 'href="/slack/install?lang=en"' in page.text


def test_the_notices_markdown_becomes_html_with_everything_else_escaped() -> None:
    text = (
        "# Title <b>\n\nA **bold** `code` [link](/privacy) [bad](javascript:x)\nmore.\n\n"
        "- one\n  two\n- three"
    )
    assert markdown.to_html(text) == (
        "<h1>Title &lt;b&gt;</h1>"
        '<p>A <strong>bold</strong> <code>code</code> <a href="/privacy">link</a> '
        "[bad](javascript:x) more.</p>"
        "<ul><li>one two</li><li>three</li></ul>"
    )


async def test_the_add_to_slack_link_goes_to_the_host_of_slack_api_url(
    app: InstallingApp, slack: AuthorizingSlack
) -> None:
    page, _ = await app.get("/slack/install")
    assert link_of(page.text).startswith(f"{slack.base}/oauth/v2/authorize?state=")
    assert slack_web("https://slack.com/api/") == "https://slack.com/"
    assert slack_web("https://slack-gov.com/api/") == "https://slack-gov.com/"
    assert slack_web("http://127.0.0.1:9/api") == "http://127.0.0.1:9/"


async def test_a_team_that_is_no_team_id_is_not_passed_on_to_slack(app: InstallingApp) -> None:
    page, _ = await app.get("/slack/install?team=T0ALPHA001%26scope%3Dadmin")
    assert "team=" not in link_of(page.text)
    page, _ = await app.get("/slack/install?team=T0ALPHA001")
    assert link_of(page.text).endswith("&amp;team=T0ALPHA001")


def link_of(page: str) -> str:
    """The Add to Slack button's href, as written in the page."""
    found = re.search(r'class="add-to-slack" href="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


async def test_a_forged_state_is_called_invalid_not_expired(app: InstallingApp) -> None:
    _, cookie = await app.install_page()
    forged = "9999999999.forged.aaaaaaaaaaaaaaaaaaaaaaaa"
    answer = await app.redirect(f"code={app.mock.code_for(TEAM_A)}&state={forged}", cookie)
    assert answer.status == 400
    assert "Link ungültig" in answer.text
    assert "abgelaufen" not in answer.text
    assert 'href="/slack/install?lang=de"' in answer.text  # the way back


async def test_a_state_older_than_ten_minutes_is_called_expired(app: InstallingApp) -> None:
    from datetime import timedelta

    state, cookie = await app.install_page()
    app.clock.advance(timedelta(minutes=10, seconds=1))
    answer = await app.redirect(f"code={app.mock.code_for(TEAM_A)}&state={state}", cookie)
    assert answer.status == 400
    assert "Link abgelaufen" in answer.text
    assert await app.installed_teams() == []
