"""The install pages in a real browser: whole, in the browser's language, and the way
through Slack's authorize page back to the app (tests/browser/chromium.py drives it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.slack_fake import APP_ID
from tests.browser.chromium import Browser
from tests.slack.authorizing import AuthorizingSlack
from tests.slack.installing import TEAM_A, InstallingApp

DOCS_SHOT = Path(__file__).resolve().parents[2] / "docs" / "install-page.png"
Way = Callable[[Browser, "InstallingApp", AuthorizingSlack], Awaitable[None]]


async def test_the_landing_page_renders_whole_in_german(
    browser: Browser, app: InstallingApp
) -> None:
    await browser.speak("de-DE,de;q=0.9,en;q=0.8")
    await browser.open(app.base + "/slack/install")
    assert await browser.script("return document.documentElement.lang") == "de"
    page = await browser.text()
    assert "Zusatzoptionen (Add-ons) buchen und kündigen" in page
    assert "users:read" in page
    assert await browser.text(".add-to-slack") == "Zu Slack hinzufügen"
    mark = await browser.script(
        "const r = document.querySelector('.add-to-slack svg').getBoundingClientRect();"
        "return [r.width, r.height];"
    )
    assert mark == [22, 22]  # Slack's mark is drawn, at the stylesheet's size
    shot = (await browser.check_page("landing-de"))["shot"]
    if os.environ.get("ADDONS_UPDATE_SCREENSHOT") == "1":  # see docs/install-pages.md
        shutil.copyfile(shot, DOCS_SHOT)


async def test_the_landing_page_speaks_english_when_the_browser_asks_for_it(
    browser: Browser, app: InstallingApp
) -> None:
    await browser.speak("en-US,en;q=0.9")
    await browser.open(app.base + "/")
    assert await browser.script("return document.documentElement.lang") == "en"
    assert await browser.text(".add-to-slack") == "Add to Slack"
    assert "Zusatzoptionen" not in await browser.text()
    await browser.check_page("landing-en")


async def test_the_privacy_notice_opens_from_the_landing_page(
    browser: Browser, app: InstallingApp
) -> None:
    await browser.speak("de-DE")
    await browser.open(app.base + "/slack/install")
    await browser.click(".card a[href^='/privacy']")
    assert "Datenschutzhinweise" in await browser.text()
    await browser.check_page("privacy")


async def test_add_to_slack_passes_slacks_page_and_ends_on_the_success_page(
    browser: Browser, app: InstallingApp, slack: AuthorizingSlack
) -> None:
    await browser.speak("de-DE,de;q=0.9")
    await browser.open(app.base + "/slack/install")
    link = await browser.attribute(".add-to-slack", "href")
    state = parse_qs(urlparse(link).query)["state"][0]
    await browser.click(".add-to-slack")
    assert browser.url.startswith(slack.base + "/oauth/v2/authorize?")
    assert slack.authorize_queries[-1]["state"] == state
    await browser.click("#allow")
    assert browser.url.startswith(app.base + "/slack/oauth_redirect?code=")
    page = await browser.text()
    assert "Installiert" in page
    assert "„Alpha“" in page
    assert "Tippen Sie" in page
    opens = await browser.attribute(".action a.primary", "href")
    assert opens == f"slack://app?team={TEAM_A}&id={APP_ID}"
    fallback = await browser.attribute(".action a:not(.primary)", "href")
    assert fallback == f"{slack.base}/app_redirect?app={APP_ID}&team={TEAM_A}"
    await browser.check_page("installed")
    assert await app.installed_teams() == [TEAM_A]


async def test_cancelling_on_slacks_page_ends_on_a_page_with_the_way_back(
    browser: Browser, app: InstallingApp
) -> None:
    await browser.speak("en-US")
    await browser.open(app.base + "/slack/install")
    await browser.click(".add-to-slack")
    await browser.click("#cancel")
    assert "You cancelled the installation" in await browser.text()
    await browser.check_page("denied")
    await browser.click(".action a")
    assert browser.url == app.base + "/slack/install?lang=en"
    assert await browser.text(".add-to-slack") == "Add to Slack"
    assert await app.installed_teams() == []


async def _expired(browser: Browser, app: InstallingApp, slack: AuthorizingSlack) -> None:
    await browser.open(app.base + "/slack/install")
    app.clock.advance(timedelta(minutes=11))
    await browser.click(".add-to-slack")
    await browser.click("#allow")


async def _forged(browser: Browser, app: InstallingApp, slack: AuthorizingSlack) -> None:
    await browser.open(app.base + "/slack/install")
    code = slack.code_for(TEAM_A)
    await browser.open(f"{app.base}/slack/oauth_redirect?code={code}&state=1.forged.x")


async def _unreachable(browser: Browser, app: InstallingApp, slack: AuthorizingSlack) -> None:
    slack.html_answers["oauth.v2.access"] = [(502, "text/html")] * 3
    await browser.open(app.base + "/slack/install")
    await browser.click(".add-to-slack")
    await browser.click("#allow")


async def _org_install(browser: Browser, app: InstallingApp, slack: AuthorizingSlack) -> None:
    slack.workspaces[TEAM_A].enterprise_id = "E0ORG00001"
    slack.workspaces[TEAM_A].org_install = True
    await browser.open(app.base + "/slack/install")
    await browser.click(".add-to-slack")
    await browser.click("#allow")


@pytest.mark.parametrize(
    ("way", "status", "heading", "words"),
    [
        (_expired, 400, "Link abgelaufen", "älter als 10 Minuten"),
        (_forged, 400, "Link ungültig", "nicht von dieser Seite ausgestellt"),
        (_unreachable, 503, "Slack nicht erreichbar", "in ein paar Minuten"),
        (_org_install, 400, "Nicht unterstützt", "in jedem Workspace einzeln"),
    ],
    ids=["expired", "invalid", "unreachable", "org_install"],
)
async def test_each_error_page_says_what_happened_and_leads_back(
    browser: Browser,
    app: InstallingApp,
    slack: AuthorizingSlack,
    way: Way,
    status: int,
    heading: str,
    words: str,
) -> None:
    await browser.speak("de-DE,de;q=0.9")
    await way(browser, app, slack)
    assert await browser.text("h1") == heading
    assert words in await browser.text()
    await browser.check_page(f"error-{heading.split()[-1].lower()}", status)
    await browser.click(".action a")
    assert browser.url == app.base + "/slack/install?lang=de"
    assert await browser.text(".add-to-slack") == "Zu Slack hinzufügen"
    assert await app.installed_teams() == []
