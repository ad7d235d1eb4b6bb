"""The install pages' routes: /, /slack/install, /slack/oauth_redirect, /privacy, /static/.

The landing page and the callback are Bolt's OAuth flow (``InstallFlow``); the privacy
notice and the stylesheet are files shipped in this package. Every answer carries a
Content-Security-Policy that allows nothing from elsewhere.
"""

from __future__ import annotations

from importlib import resources
from typing import Final

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.adapters.install_pages import pages
from bot.adapters.install_pages.language import choose
from bot.adapters.slack_install.flow import InstallFlow

REDIRECT: Final = "/slack/oauth_redirect"
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # the callback's URL carries the code and state
}
STATIC_TYPES: Final = {".css": "text/css", ".svg": "image/svg+xml"}


def _shipped(name: str) -> str:
    """A text file of this package (the stylesheet, the icon, the privacy notice)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _secured(answer: web.StreamResponse) -> web.StreamResponse:
    answer.headers.update(SECURITY_HEADERS)
    # The pages set the state cookie or name a workspace: no shared cache may keep them.
    answer.headers.setdefault("Cache-Control", "no-store")
    return answer


def install_routes(flow: InstallFlow) -> list[web.RouteDef]:
    """GET / and /slack/install (the landing page), /slack/oauth_redirect (Slack's way
    back), /privacy and the stylesheet and icon under /static/."""
    static = {
        f"{pages.STYLESHEET.rsplit('/', 1)[1]}": _shipped("static/addons.css"),
        f"{pages.ICON.rsplit('/', 1)[1]}": _shipped("static/icon.svg"),
    }
    notice = _shipped("privacy.md")

    async def install(request: web.Request) -> web.StreamResponse:
        bolt = await to_bolt_request(request)
        return _secured(await to_aiohttp_response(await flow.handle_installation(bolt)))

    async def redirect(request: web.Request) -> web.StreamResponse:
        bolt = await to_bolt_request(request)
        return _secured(await to_aiohttp_response(await flow.handle_callback(bolt)))

    async def privacy(request: web.Request) -> web.StreamResponse:
        lang = choose(
            request.headers.get("Accept-Language"),
            flow.site.default_language,
            request.query.get("lang"),
        )
        return _secured(web.Response(text=pages.privacy(lang, notice), content_type="text/html"))

    async def asset(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in static:
            raise web.HTTPNotFound()
        kind = STATIC_TYPES["." + name.rsplit(".", 1)[-1]]
        headers = {"Cache-Control": "public, max-age=3600"}
        return _secured(web.Response(text=static[name], content_type=kind, headers=headers))

    # No HEAD on the install pages: every GET of them stores a state.
    return [
        web.get("/", install, allow_head=False),
        web.get(pages.INSTALL, install, allow_head=False),
        web.get(REDIRECT, redirect, allow_head=False),
        web.get(pages.PRIVACY, privacy),
        web.get("/static/{name}", asset),
    ]
