"""The Web API client, measured: failures by method and status, views by their latency."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.observability import metrics
from bot.adapters.observability.context import current

# The calls that draw what a user waits for after pressing something.
VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})


class MeasuredWebClient(AsyncWebClient):
    """slack_sdk's client; every call's failure is counted, every view's latency observed."""

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        """Call ``api_method`` as slack_sdk does, counting what went wrong."""
        try:
            response = await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            answer = error.response
            status = str(answer.status_code) if answer is not None else "none"
            code = str(answer.get("error", "")) if answer is not None else ""
            metrics.SLACK_API_ERRORS.labels(api_method, status, code or "none").inc()
            raise
        except (aiohttp.ClientError, OSError, TimeoutError):
            metrics.SLACK_API_ERRORS.labels(api_method, "connection", "none").inc()
            raise
        request = current()
        if request is not None and api_method in VIEW_METHODS:
            metrics.VIEW_SECONDS.labels(api_method).observe(request.elapsed())
        return response


def measured(client: AsyncWebClient) -> AsyncWebClient:
    """``client`` as a MeasuredWebClient with the same settings (itself if it is one).

    Bolt makes a plain client for every request; its middleware swaps in this one.
    """
    if isinstance(client, MeasuredWebClient):
        return client
    copy = MeasuredWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        session=client.session,
        trust_env_in_session=client.trust_env_in_session,
        headers=client.headers,
        logger=client.logger,
        retry_handlers=client.retry_handlers,
    )
    copy.default_params = dict(client.default_params)  # team_id, as Bolt set it
    return copy
