"""The Web API client, measured: failures by method and status, views by their latency."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.observability import metrics
from bot.observability.context import current

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
