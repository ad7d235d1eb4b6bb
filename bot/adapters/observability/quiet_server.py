"""aiohttp's server, minus its noise about requests that are not HTTP it can read.

A request line or header over aiohttp's 8,190 bytes (or any request it cannot parse)
is answered 400 by aiohttp itself, which logs it at ERROR with a traceback and echoes
the start of the offending line (the URL, perhaps with a token in it) in the body. Here
it is one INFO line without the URL, and the body says only "400 Bad Request".
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

logger = logging.getLogger("addons.requests")


class _QuietRequestHandler(RequestHandler):
    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> StreamResponse:
        """A request aiohttp could not parse: one line, a bare 400; anything else as before."""
        if status != 400 or not isinstance(exc, HttpProcessingError):
            return super().handle_error(request, status, exc, message)
        logger.info(
            "refused a request that is not readable HTTP from %s (%s)",
            request.remote,
            type(exc).__name__,
        )
        response = web.Response(status=400, text="400 Bad Request\n")
        response.force_close()
        return response


class _QuietServer(web.Server):
    def __call__(self) -> RequestHandler:
        return _QuietRequestHandler(self, loop=self._loop, **self._kwargs)


class QuietAppRunner(web.AppRunner):
    """``web.AppRunner`` whose connections answer unreadable requests quietly."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        # The one seam aiohttp offers: the server is the connections' factory.
        server.__class__ = _QuietServer
        return server
