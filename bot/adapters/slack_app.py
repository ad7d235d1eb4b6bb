"""The Slack side: the Web API client, the Bolt AsyncApp and its HTTP server."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import ClientSession, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
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

from bot.adapters.install_pages.pages import INSTALL
from bot.adapters.install_pages.routes import REDIRECT, install_routes
from bot.adapters.observability.bolt_logs import quiet_bolt, web_api_logger
from bot.adapters.observability.context import current, kind_of, team_of
from bot.adapters.observability.slack_api import MeasuredWebClient, measured
from bot.adapters.observability.web import Lifecycle, add_operator_routes, measure_slack
from bot.adapters.slack_install.flow import InstallFlow
from bot.adapters.slack_retries import REASON_HEADER, RETRY_HEADER, SeenRequests
from bot.ports import ANSWERED, Busy, FrontDoor
from bot.settings import Settings
from storage import Database

logger = logging.getLogger("addons")

SLACK_PATH = "/slack/events"
# The mark @app.error leaves in a request's context when the store could not be read.
STORE_BUSY = "addons_store_busy"
# The front door each app was built with (bootstrap hands it in with the listeners).
_DOORS: weakref.WeakKeyDictionary[AsyncApp, FrontDoor] = weakref.WeakKeyDictionary()
INSTALL_PATH = INSTALL
REDIRECT_PATH = REDIRECT
# What a user of a workspace without an installation reads (Bolt answers it for us).
NOT_INSTALLED = (
    "Zusatzoptionen ist in diesem Workspace nicht (mehr) installiert: bitte eine "
    "Administratorin oder einen Administrator, die App über „Add to Slack“ neu zu "
    "installieren. / The app is not installed in this workspace (any more): please ask "
    "an admin to add it again with “Add to Slack”."
)


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
    settings: Settings,
    *,
    interactive: bool = False,
    session: ClientSession | None = None,
    token: str | None = None,
) -> AsyncWebClient:
    """The Web API client: Slack's base URL or a mock.

    The schedule's client retries lost connections and honours 429 Retry-After waits.
    Listeners' client (``interactive``) retries a lost connection once and a rate limit
    only if Slack asks for at most a second. A shared ``session`` keeps connections (and
    their TLS handshakes) alive between calls; without one each call opens its own.
    ``token`` is one workspace's (OAuth mode); by default SLACK_BOT_TOKEN, none in OAuth mode.
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
    return MeasuredWebClient(
        # OAuth mode: each workspace's own token, set per request or per message
        token=token or (None if settings.oauth else settings.slack_bot_token),
        base_url=settings.slack_api_url,
        retry_handlers=handlers,
        session=session,
        logger=web_api_logger(),
    )


def build_app(
    settings: Settings,
    listeners: Callable[[AsyncApp], None],
    *,
    client: AsyncWebClient,
    oauth_flow: InstallFlow | None = None,
    door: FrontDoor | None = None,
) -> AsyncApp:
    """The real Bolt app, ``listeners`` registering every listener on it; does no I/O.

    ``door`` decides each signed request's workspace before Bolt authorizes it and words
    the answers given before any listener runs (``web_application`` asks it).

    With ``oauth_flow`` (OAuth mode) Bolt finds each workspace's token in the flow's
    installation store; without it, the client's one bot token serves.
    """
    quiet_bolt(logger)  # before Bolt makes its loggers from this one
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret,
        oauth_flow=oauth_flow,
        installation_store_bot_only=True if oauth_flow is not None else None,
        user_facing_authorize_error_message=NOT_INSTALLED,
        # Unhandled requests are answered 404 at once instead of after 3 s.
        raise_error_for_unhandled_request=False,
        logger=logger,
    )

    listeners(app)
    if door is not None:
        _DOORS[app] = door

    @app.middleware
    async def describe(
        body: dict[str, Any], context: AsyncBoltContext, next_: Callable[[], Awaitable[None]]
    ) -> None:
        # What the request is and whose, for its metrics and log lines; Bolt's client of
        # this request measured, for Slack API failures and view latency (observability).
        request = current()
        if request is not None:
            request.kind, request.team_id = kind_of(body), team_of(body)
        context["client"] = measured(context.client)
        await next_()

    @app.error
    async def on_error(error: Exception, body: dict[str, Any], context: AsyncBoltContext) -> None:
        # One place for the unexpected: logged with its trace, never shown to the user.
        if isinstance(error, Busy):  # the store cannot be read (authorization): answered
            context[STORE_BUSY] = True  # as busy by the HTTP layer, which reads this mark
            logger.warning("the store could not be read for a signed request: busy")
            return
        request = current()
        if request is not None:
            request.failed = True
        logger.error("unhandled error in a Slack listener", exc_info=error)

    return app


def web_application(
    app: AsyncApp,
    signing_secret: str,
    path: str = SLACK_PATH,
    *,
    db: Database | None = None,
    lifecycle: Lifecycle | None = None,
    routes: Sequence[web.RouteDef] = (),
) -> web.Application:
    """aiohttp application: POST /slack/events into Bolt; /healthz, /readyz and /metrics.

    Every Slack request is counted, timed and logged by ``bot.adapters.observability.web``;
    /readyz is there when the ``db`` to check is given; ``routes`` are served beside
    (CloudCRM's signed way in).

    The signature is checked on the raw bytes before anything parses them, so a forged,
    stale or unsigned request is a 401 whatever its body looks like; a signed body that
    Bolt cannot make sense of is a 400, never a 500 with a trace.
    """
    verifier = SignatureVerifier(signing_secret)
    seen = SeenRequests()  # Slack's retries of what this process has taken already

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
        if not seen.first(raw) and RETRY_HEADER in request.headers:
            logger.info(
                "Slack's retry %s (%s) of a request already taken: acknowledged, not done again",
                request.headers[RETRY_HEADER],
                request.headers.get(REASON_HEADER, "no reason given"),
            )
            return web.Response(status=200)
        answered = asyncio.Event()  # listeners update their view only once this is set
        try:
            return await _dispatch(app, request, answered)
        finally:
            answered.set()

    lifecycle = lifecycle or Lifecycle()
    web_app = web.Application(middlewares=[measure_slack(path, lifecycle)])
    web_app.add_routes([web.post(path, slack)])
    add_operator_routes(web_app, db, lifecycle)
    if isinstance(app.oauth_flow, InstallFlow):
        web_app.add_routes(install_routes(app.oauth_flow))
    web_app.add_routes(routes)
    return web_app


async def _dispatch(app: AsyncApp, request: web.Request, answered: asyncio.Event) -> web.Response:
    """A signed request through Bolt; every answer is a valid one for its kind."""
    door = _DOORS.get(app)
    try:
        bolt_request = await to_bolt_request(request)
        if not isinstance(bolt_request.body, dict):
            raise ValueError("the body is not a JSON object or form")
        described = current()  # before Bolt authorizes: its lines name the workspace
        if described is not None:
            described.kind = kind_of(bolt_request.body)
            described.team_id = team_of(bolt_request.body)
        if door is not None:
            admitted = door.admit(bolt_request.body)
            if isinstance(admitted, dict):  # its team fields disagree: refused, nothing done
                logger.warning("refused a signed request whose team fields disagree")
                return web.json_response(admitted)
            if admitted is not None:  # Bolt's authorization reads the team from here
                bolt_request.context["team_id"] = admitted
        bolt_request.context[ANSWERED] = answered
        response = await app.async_dispatch(bolt_request)
    except Exception as error:  # a signed body Bolt cannot read: Slack's never are
        logger.warning("unreadable signed request: %s", error)
        return web.json_response({"error": "bad request"}, status=400)
    if door is not None and bolt_request.context.get(STORE_BUSY):  # nothing changed
        return web.json_response(door.busy(bolt_request.body))
    if response.status >= 500:  # listeners answer their own failures; this is Bolt
        logger.warning("Bolt could not handle a signed request (%s)", response.status)
        return web.json_response({"error": "bad request"}, status=400)
    if door is not None and _plain_text_to_a_view_submission(bolt_request.body, response):
        # Bolt's "not installed" is plain text: a modal needs a response_action
        return web.json_response(door.tell(bolt_request.body, str(response.body)))
    answer = await to_aiohttp_response(response)
    await answer.prepare(request)  # written now, so that it leaves before any
    await answer.write_eof()  # views.update the listener sends after it
    return answer


def _plain_text_to_a_view_submission(body: dict[str, Any], response: BoltResponse) -> bool:
    content_type = "".join(response.headers.get("content-type", []))
    return (
        body.get("type") == "view_submission"
        and response.status == 200
        and bool(response.body)
        and "json" not in content_type
    )
