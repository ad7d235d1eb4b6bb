"""Bolt's OAuth flow for "Add to Slack", with this app's pages and its audit entries."""

from __future__ import annotations

import contextlib
import html
import logging
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.clock import Clock
from bot.adapters.slack_install.clients import Installed
from bot.adapters.slack_install.store import EncryptedInstallationStore, state_store
from bot.services import Context, ensure_workspace, record_installation
from storage import Database

logger = logging.getLogger("addons.install")

# The bot scopes of manifest.yaml: what the app's calls need, nothing more.
SCOPES = ("commands", "chat:write", "users:read")

_PAGES = {
    "installed": (
        "Installiert / Installed",
        "Zusatzoptionen ist jetzt in {team} installiert: tippe /addons in Slack. "
        "/ The app is now installed in {team}: type /addons in Slack.",
    ),
    "access_denied": (
        "Nicht installiert / Not installed",
        "Die Installation wurde in Slack abgebrochen; es wurde nichts gespeichert. "
        "/ The installation was cancelled in Slack; nothing was stored.",
    ),
    "org_install": (
        "Nicht unterstützt / Not supported",
        "Eine organisationsweite Installation (Enterprise Grid) wird nicht unterstützt: "
        "bitte in jedem Workspace einzeln installieren. / An organization-wide "
        "(Enterprise Grid) install is not supported: please install into each workspace.",
    ),
    "invalid_browser": (
        "Link abgelaufen / Link expired",
        "Bitte die Installation im selben Browser über die Installationsseite neu starten. "
        "/ Please start again from the install page, in the same browser.",
    ),
    "failed": (
        "Nicht installiert / Not installed",
        "Slack hat die Installation nicht bestätigt; es wurde nichts gespeichert. Bitte "
        "noch einmal versuchen. / Slack did not confirm the installation; nothing was "
        "stored. Please try again.",
    ),
}
_REASONS = {
    "access_denied": "access_denied",
    "org_install": "org_install",
    "invalid_browser": "invalid_browser",
    "invalid_state": "invalid_browser",
}


class OrgInstallRefused(BoltError):
    """An Enterprise Grid org-wide install: this app is installed per workspace."""


def page(kind: str, status: int, **values: str) -> BoltResponse:
    """A small bilingual HTML page."""
    title, text = _PAGES[kind]
    safe = {k: html.escape(v) for k, v in values.items()}
    body = (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><h1>{title}</h1>"
        f"<p>{text.format(**safe)}</p></body></html>"
    )
    return BoltResponse(
        status=status, body=body, headers={"Content-Type": "text/html; charset=utf-8"}
    )


class InstallFlow(AsyncOAuthFlow):
    """Bolt's flow; an org-wide install is refused (and its token given back) unsaved."""

    async def store_installation(
        self, request: AsyncBoltRequest, installation: Installation
    ) -> None:
        """Save the installation, unless it is Enterprise Grid's org-wide one."""
        if installation.is_enterprise_install or not installation.team_id:
            if installation.bot_token:
                with contextlib.suppress(SlackApiError):
                    await self.client.auth_revoke(token=installation.bot_token)
            raise OrgInstallRefused("org-wide installs are not supported")
        await super().store_installation(request, installation)


class WorkspaceAuthorize(AsyncAuthorize):
    """Bolt's authorization by the workspace the app decided (handlers.common.team_of,
    put into the context before dispatch), with the token ``Installed`` keeps current.

    Unlike Bolt's own, a store that cannot be read is not "not installed": its
    StorageBusy goes on to the HTTP layer, which answers "busy, nothing changed".
    """

    def __init__(self, tokens: Installed) -> None:
        self._tokens = tokens

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_: Any,
    ) -> AuthorizeResult | None:
        """The workspace's bot token and identity; None if it has no installation."""
        if not team_id:
            return None
        bot = await self._tokens.current_bot(team_id)
        if bot is None or bot.bot_token is None:
            return None
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )


def callbacks(ctx: Context, clock: Clock) -> AsyncCallbackOptions:
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
        return page("installed", 200, team=installed.team_name or team)

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        reason = "org_install" if isinstance(args.error, OrgInstallRefused) else args.reason
        logger.warning("installation failed: %s", reason)
        kind = _REASONS.get(reason, "failed")
        status = 200 if kind == "access_denied" else (400 if kind != "failed" else 502)
        return page(kind, status)

    return AsyncCallbackOptions(success=success, failure=failure)


def oauth_flow(
    db: Database,
    store: EncryptedInstallationStore,
    ctx: Context,
    clock: Clock,
    client: AsyncWebClient,
    client_id: str,
    client_secret: str,
    tokens: Installed,
) -> InstallFlow:
    """The OAuth flow on the app's database; ``client`` speaks to SLACK_API_URL."""
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(SCOPES),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=state_store(db),
        callback_options=callbacks(ctx, clock),
    )
    # Bolt's authorization through the app's own: one workspace identity, one rotation.
    settings.authorize = WorkspaceAuthorize(tokens)
    return InstallFlow(client=client, logger=logger, settings=settings)
