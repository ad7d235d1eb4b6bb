"""What the browser sees after Slack sends it back: the success page or a failure page."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.adapters.install_pages import pages
from bot.adapters.install_pages.language import choose
from bot.adapters.slack_install.state import SignedStateStore
from bot.ports import Clock
from bot.services import Context, ensure_workspace, record_installation

logger = logging.getLogger("addons.install")

# Bolt's failure reasons (and the flow's own) -> the page and its status.
_PAGES = {
    "access_denied": ("denied", 200),  # the admin said no in Slack: nothing went wrong
    "invalid_code": ("refused", 400),
    "slack_unreachable": ("unreachable", 503),
}
_STATE_REASONS = ("invalid_browser", "invalid_state", "missing_code")


class InstallFailed(BoltError):
    """The callback ends on a failure page: ``reason`` for the page, ``str`` for the log."""

    reason = "failed"
    status = 400


class SlackRefused(InstallFailed):
    """Slack answered oauth.v2.access with an error (an invalid or used code, say)."""

    reason = "invalid_code"


class SlackUnreachable(InstallFailed):
    """Slack did not answer, or not with JSON (an error page of a proxy, a 5xx)."""

    reason = "slack_unreachable"
    status = 503


class OrgInstallRefused(BoltError):
    """An Enterprise Grid org-wide install: this app is installed per workspace."""


class NotStored(BoltError):
    """The installation could not be written to the database."""


@dataclass(frozen=True)
class Site:
    """Slack's web address (from SLACK_API_URL) and the pages' default language."""

    slack_web: str  # "https://slack.com/"
    default_language: str


def language_of(site: Site, request: AsyncBoltRequest) -> str:
    """German or English for the browser that sent ``request``."""
    accept = request.headers.get("accept-language", [None])[0]
    return choose(accept, site.default_language, request.query.get("lang", [None])[0])


def html(body: str, status: int) -> BoltResponse:
    """An HTML page that no cache keeps (it may name a workspace)."""
    headers: dict[str, str | Sequence[str]] = {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
    }
    if status == 503:
        headers["Retry-After"] = "60"
    return BoltResponse(status=status, body=body, headers=headers)


def verdict(args: AsyncFailureArgs, states: SignedStateStore) -> tuple[str, int]:
    """Which failure page, with which status."""
    if isinstance(args.error, OrgInstallRefused):
        return "org_install", 400
    if isinstance(args.error, NotStored):
        return "failed", 503
    if args.reason in _STATE_REASONS:
        state = args.request.query.get("state", [None])[0]
        return ("expired" if states.judge(state) == "expired" else "invalid"), 400
    return _PAGES.get(args.reason, ("refused", 400))  # any other ?error= from Slack


def callbacks(
    ctx: Context, clock: Clock, site: Site, states: SignedStateStore
) -> AsyncCallbackOptions:
    """The success page (with an audit entry) and the failure pages."""

    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        installed = args.installation
        team = str(installed.team_id)
        now = clock.now()
        await ensure_workspace(ctx, team, now)
        await record_installation(
            ctx,
            team,
            now,
            "slack_installed",
            "slack",
            {"team_name": installed.team_name, "installer": installed.user_id},
        )
        logger.info("installed in %s", team)
        if installed.app_id:
            open_app = "slack://app?" + urlencode({"team": team, "id": installed.app_id})
            open_web = (
                site.slack_web
                + "app_redirect?"
                + urlencode({"app": installed.app_id, "team": team})
            )
        else:
            open_app = "slack://open?" + urlencode({"team": team})
            open_web = site.slack_web
        lang = language_of(site, args.request)
        return html(pages.installed(lang, installed.team_name or team, open_app, open_web), 200)

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        kind, status = verdict(args, states)
        detail = f"{args.reason} ({args.error})" if args.error is not None else args.reason
        logger.warning("installation failed, %s page (%s): %s", kind, status, detail)
        return html(pages.failed(language_of(site, args.request), kind), status)

    return AsyncCallbackOptions(success=success, failure=failure)
