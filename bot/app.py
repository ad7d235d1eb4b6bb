"""The Slack side: the Web API client, the Bolt AsyncApp and its HTTP server."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import ClientSession, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.services import Context
from bot.settings import Settings
from handlers import actions, commands, home, views
from handlers.answered import ANSWERED
from handlers.auth import UserDirectory
from handlers.deps import SlackDeps

logger = logging.getLogger("addons")

SLACK_PATH = "/slack/events"


class BriefRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Retry a 429 once, and only when Slack asks for at most ``max_wait`` seconds.

    Listeners have Slack's 3 seconds; a longer Retry-After would outlast them, so the
    user is told politely instead of waiting in vain.
    """

    def __init__(self, max_wait: int = 1) -> None:
        super().__init__(max_retry_count=1)
        self._max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = next((v[0] for k, v in response.headers.items() if k.lower() == "retry-after"), "")
        return wait.isdigit() and int(wait) <= self._max_wait


def web_client(
    settings: Settings, *, interactive: bool = False, session: ClientSession | None = None
) -> AsyncWebClient:
    """The Web API client: Slack's base URL or a mock.

    The schedule's client retries lost connections and honours 429 Retry-After waits.
    Listeners' client (``interactive``) retries a lost connection once and a rate limit
    only if Slack asks for at most a second. A shared ``session`` keeps connections (and
    their TLS handshakes) alive between calls; without one each call opens its own.
    """
    handlers: list[AsyncRetryHandler] = [
        AsyncConnectionErrorRetryHandler(max_retry_count=1),
        BriefRateLimitRetry(),
    ]
    if not interactive:
        handlers = [
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ]
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=handlers,
        session=session,
    )


def build_app(
    settings: Settings,
    ctx: Context,
    clock: Clock,
    *,
    client: AsyncWebClient | None = None,
    users: UserDirectory | None = None,
) -> AsyncApp:
    """The real Bolt app with every listener registered; does no I/O itself."""
    client = client or web_client(settings, interactive=True)
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret,
        # Unhandled requests are answered 404 at once instead of after 3 s.
        raise_error_for_unhandled_request=False,
        logger=logger,
    )
    deps = SlackDeps(
        ctx=ctx,
        clock=clock,
        users=users or UserDirectory(settings.billing_admins, settings.user_cache_seconds),
        default_lang=settings.default_locale,
    )
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    home.register(app, deps)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        # One place for the unexpected: logged with its trace, never shown to the user.
        logger.error("unhandled error in a Slack listener", exc_info=error)

    return app


def web_application(app: AsyncApp, signing_secret: str, path: str = SLACK_PATH) -> web.Application:
    """aiohttp application: POST /slack/events into Bolt, GET /healthz for the platform.

    The signature is checked on the raw bytes before anything parses them, so a forged,
    stale or unsigned request is a 401 whatever its body looks like; a signed body that
    Bolt cannot make sense of is a 400, never a 500 with a trace.
    """
    verifier = SignatureVerifier(signing_secret)

    async def slack(request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = raw.decode("utf-8")
            signed = verifier.is_valid(
                body,
                request.headers.get("X-Slack-Request-Timestamp"),
                request.headers.get("X-Slack-Signature"),
            )
        except ValueError:  # undecodable bytes or a timestamp that is no number
            signed = False
        if not signed:
            return web.json_response({"error": "invalid request"}, status=401)
        answered = asyncio.Event()  # listeners update their view only once this is set
        try:
            try:
                bolt_request = await to_bolt_request(request)
                if not isinstance(bolt_request.body, dict):
                    raise ValueError("the body is not a JSON object or form")
                bolt_request.context[ANSWERED] = answered
                response = await app.async_dispatch(bolt_request)
            except Exception as error:  # a signed body Bolt cannot read: Slack's never are
                logger.warning("unreadable signed request: %s", error)
                return web.json_response({"error": "bad request"}, status=400)
            if response.status >= 500:  # listeners answer their own failures; this is Bolt
                logger.warning("Bolt could not handle a signed request (%s)", response.status)
                return web.json_response({"error": "bad request"}, status=400)
            answer = await to_aiohttp_response(response)
            await answer.prepare(request)  # written now, so that it leaves before any
            await answer.write_eof()  # views.update the listener sends after it
            return answer
        finally:
            answered.set()

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application()
    web_app.add_routes([web.post(path, slack), web.get("/healthz", healthz)])
    return web_app
