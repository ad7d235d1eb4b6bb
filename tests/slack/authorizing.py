"""Slack's authorize page, as the many-workspaces Slack serves it to a browser.

``GET /oauth/v2/authorize`` (the Add to Slack link) checks the client id and the scopes,
then shows a page naming the app's scopes, with *Allow* and *Cancel*. Both send the
browser to the app's redirect URL, as Slack does: with a code for the chosen workspace
and the state, or with ``error=access_denied``. Like Slack's, the redirect URL is the
app's configured one (``redirect_url``, set once the app listens).
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from aiohttp import web

from bot.adapters.slack_install.flow import SCOPES as APP_SCOPES
from tests.slack.installing import CLIENT_ID, CLIENT_SECRET, alpha, bravo
from tests.slack.mock_slack import ManyWorkspaces, Workspace

SCOPES = ",".join(APP_SCOPES)  # what the app asks for (manifest.yaml)
# What a proxy in front of Slack answers when Slack is down: a page, not JSON.
ERROR_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"


class AuthorizingSlack(ManyWorkspaces):
    """The many-workspaces Slack, with the page where an admin allows the app."""

    def __init__(self, client_id: str, client_secret: str, *workspaces: Workspace) -> None:
        super().__init__(client_id, client_secret, *workspaces)
        self.redirect_url: str | None = None  # the app's /slack/oauth_redirect
        self.choosing = next(iter(self.workspaces))  # the workspace the admin picks
        self.authorize_queries: list[dict[str, str]] = []
        # method -> (status, content type) of its next answers: an HTML error page each
        self.html_answers: dict[str, list[tuple[int, str]]] = {}

    def routes(self) -> list[web.RouteDef]:
        """The authorize page and the admin's answer to it; HTML error pages if scripted."""
        return [
            web.route("*", "/api/{method}", self._maybe_error_page),
            web.get("/oauth/v2/authorize", self._authorize),
            web.get("/oauth/v2/decide", self._decide),
        ]

    async def _maybe_error_page(self, request: web.Request) -> web.Response:
        queue = self.html_answers.get(request.match_info["method"])
        if not queue:
            return await self._handle_api(request)
        status, content_type = queue.pop(0)
        return web.Response(status=status, body=ERROR_PAGE.encode(), content_type=content_type)

    async def _authorize(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.authorize_queries.append(query)
        if query.get("client_id") != self.client_id or query.get("scope") != SCOPES:
            return web.Response(status=400, text="invalid_client_id or invalid_scope")
        team = self.workspaces[self.choosing]
        state = query.get("state", "")
        allow = urlencode({"state": state, "team": team.team_id, "allow": "1"})
        cancel = urlencode({"state": state, "team": team.team_id})
        scopes = "".join(f"<li>{escape(s)}</li>" for s in SCOPES.split(","))
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<title>Slack: allow the app</title><link rel="icon" href="data:,"></head><body>'
            f"<h1>Install into {escape(team.name)}</h1><ul>{scopes}</ul>"
            f'<a id="allow" href="/oauth/v2/decide?{escape(allow)}">Allow</a> '
            f'<a id="cancel" href="/oauth/v2/decide?{escape(cancel)}">Cancel</a>'
            "</body></html>"
        )
        return web.Response(text=page, content_type="text/html")

    async def _decide(self, request: web.Request) -> web.Response:
        if self.redirect_url is None:
            return web.Response(status=400, text="no redirect URL configured")
        state = request.query.get("state", "")
        if request.query.get("allow") == "1":
            back = {"code": self.code_for(request.query["team"]), "state": state}
        else:
            back = {"error": "access_denied", "state": state}
        raise web.HTTPFound(f"{self.redirect_url}?{urlencode(back)}")


def authorizing_slack(*workspaces: Workspace) -> AuthorizingSlack:
    """The Slack (not yet started) of Alpha and Bravo, or of ``workspaces``."""
    return AuthorizingSlack(CLIENT_ID, CLIENT_SECRET, *(workspaces or (alpha(), bravo())))
