"""Bolt's OAuth flow for "Add to Slack", with this app's pages and its audit entries.

Bolt's ``AsyncOAuthFlow`` keeps the protocol (state cookie, state store, code exchange);
this subclass draws the landing page, exchanges the code itself so that "Slack said no"
(400) is told from "Slack could not be reached" (503), refuses org-wide installs, and
hands every outcome to ``pages`` (the callbacks below), each logged in one line.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_callback_options import AsyncFailureArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.install_pages import pages
from bot.adapters.slack_install.callbacks import (
    InstallFailed,
    NotStored,
    OrgInstallRefused,
    Site,
    SlackRefused,
    SlackUnreachable,
    callbacks,
    language_of,
)
from bot.adapters.slack_install.clients import Installed
from bot.adapters.slack_install.state import STATE_SECONDS, SignedStateStore
from bot.adapters.slack_install.store import EncryptedInstallationStore
from bot.ports import Clock
from bot.services import Context
from storage import Database

logger = logging.getLogger("addons.install")

# The bot scopes of manifest.yaml: what the app's calls need, nothing more.
SCOPES = ("commands", "chat:write", "users:read", "files:write", "im:write")
# A ?team= the install page passes on to Slack's authorize URL (Bolt does not encode it).
TEAM_ID = re.compile(r"[TE][A-Z0-9]{2,30}")
# Giving back an org-wide install's token: tries, and the pause before each retry.
REVOKE_TRIES = 3
REVOKE_PAUSE = 0.5
UNREACHABLE = (aiohttp.ClientError, OSError, TimeoutError)


def slack_web(api_url: str) -> str:
    """Slack's web address for SLACK_API_URL: ``https://slack-gov.com/api/`` gives
    ``https://slack-gov.com/`` (where /oauth/v2/authorize and /app_redirect are)."""
    parts = urlsplit(api_url)
    path = parts.path.rstrip("/")
    path = path.removesuffix("/api") if path.endswith("/api") else path
    return urlunsplit((parts.scheme, parts.netloc, path + "/", "", ""))


def unreachable(error: SlackApiError) -> bool:
    """Whether a SlackApiError means Slack was not there, rather than that it said no."""
    answer: Any = error.response
    status = int(getattr(answer, "status_code", None) or getattr(answer, "status", None) or 0)
    data = getattr(answer, "data", None)
    return status >= 500 or status == 429 or not isinstance(data, dict) or "error" not in data


def described(error: BaseException) -> str:
    """An error in a few words for the log: Slack's error code or the HTTP status; no body."""
    if isinstance(error, SlackApiError):
        answer: Any = error.response
        data = getattr(answer, "data", None)
        if isinstance(data, dict) and data.get("error"):
            return str(data["error"])
        status = getattr(answer, "status_code", None) or getattr(answer, "status", "?")
        return f"HTTP {status}, not a Slack API answer"
    return type(error).__name__


def _installation(answer: Any, bot_id: str | None) -> Installation:
    """oauth.v2.access's answer as slack_sdk's Installation (bot fields, as Bolt reads them)."""
    team = answer.get("team") or {}
    enterprise = answer.get("enterprise") or {}
    installer = answer.get("authed_user") or {}
    return Installation(
        app_id=answer.get("app_id"),
        enterprise_id=enterprise.get("id"),
        enterprise_name=enterprise.get("name"),
        team_id=team.get("id"),
        team_name=team.get("name"),
        bot_token=answer.get("access_token"),
        bot_id=bot_id,
        bot_user_id=answer.get("bot_user_id"),
        bot_scopes=answer.get("scope"),
        bot_refresh_token=answer.get("refresh_token"),
        bot_token_expires_in=answer.get("expires_in"),
        user_id=installer.get("id"),  # type: ignore[arg-type]  # None without an installer, as in Bolt
        is_enterprise_install=bool(answer.get("is_enterprise_install")),
        token_type=answer.get("token_type"),
    )


class InstallFlow(AsyncOAuthFlow):
    """Bolt's flow with the app's landing page, honest failures and org installs refused."""

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        settings: AsyncOAuthSettings,
        states: SignedStateStore,
        site: Site,
    ) -> None:
        super().__init__(client=client, logger=logger, settings=settings)
        self.states = states
        self.site = site

    async def build_authorize_url(self, state: str, request: AsyncBoltRequest) -> str:
        """Slack's authorize URL; a ``?team=`` is passed on only if it is a team id."""
        team = request.query.get("team", [""])[0]
        return self.settings.authorize_url_generator.generate(
            state=state, team=team if TEAM_ID.fullmatch(team) else None
        )

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        """The landing page with the Add to Slack button linking to ``url``."""
        return pages.landing(language_of(self.site, request), url, SCOPES)

    async def handle_callback(self, request: AsyncBoltRequest) -> BoltResponse:
        """Bolt's callback; a failed code exchange ends on its page like any failure."""
        try:
            return await super().handle_callback(request)
        except InstallFailed as error:
            args = AsyncFailureArgs(
                request=request,
                reason=error.reason,
                error=error,
                suggested_status_code=error.status,
                settings=self.settings,
                default=self.default_callback_options,
            )
            return await self.failure_handler(args)

    async def run_installation(self, code: str) -> Installation | None:
        """Exchange the code (oauth.v2.access, then auth.test for the bot id)."""
        try:
            answer = await self.client.oauth_v2_access(
                code=code,
                client_id=self.settings.client_id,
                client_secret=self.settings.client_secret,
                redirect_uri=self.settings.redirect_uri,
            )
            token = answer.get("access_token")
            bot_id = (await self.client.auth_test(token=token))["bot_id"] if token else None
        except SlackApiError as error:
            kind = SlackUnreachable if unreachable(error) else SlackRefused
            raise kind(f"oauth.v2.access: {described(error)}") from None
        except UNREACHABLE as error:
            raise SlackUnreachable(f"oauth.v2.access: {described(error)}") from None
        return _installation(answer, bot_id)

    async def store_installation(
        self, request: AsyncBoltRequest, installation: Installation
    ) -> None:
        """Save the installation, unless it is Enterprise Grid's org-wide one."""
        if installation.is_enterprise_install or not installation.team_id:
            given_back = await self._give_back(installation.bot_token)
            raise OrgInstallRefused(
                f"org-wide install of {installation.enterprise_id}; {given_back}"
            )
        try:
            await super().store_installation(request, installation)
        except SQLAlchemyError as error:
            raise NotStored(f"{installation.team_id} not stored: {type(error).__name__}") from None

    async def _give_back(self, token: str | None) -> str:
        """Revoke ``token``, retrying while Slack is unreachable; what came of it."""
        if not token:
            return "no token was issued"
        failure = ""
        for attempt in range(REVOKE_TRIES):
            if attempt:
                await asyncio.sleep(REVOKE_PAUSE * attempt)
            try:
                await self.client.auth_revoke(token=token)
                return "its token was given back"
            except SlackApiError as error:
                if not unreachable(error):  # invalid_auth and the like: the token is dead
                    return f"its token was given back ({described(error)})"
                failure = described(error)
            except UNREACHABLE as error:
                failure = described(error)
        return f"its token could NOT be given back ({failure}): revoke it in Slack"


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
    """The OAuth flow on the app's database; ``client`` speaks to SLACK_API_URL, and the
    Add to Slack link goes to the same host's /oauth/v2/authorize."""
    site = Site(slack_web(client.base_url), ctx.default_locale)
    states = SignedStateStore(db.writing_engine, client_secret, clock, STATE_SECONDS)
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(SCOPES),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=STATE_SECONDS,
        authorization_url=site.slack_web + "oauth/v2/authorize",
        callback_options=callbacks(ctx, clock, site, states),
    )
    # Bolt's authorization through the app's own: one workspace identity, one rotation.
    settings.authorize = WorkspaceAuthorize(tokens)
    return InstallFlow(client=client, settings=settings, states=states, site=site)
