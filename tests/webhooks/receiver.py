"""CloudCRM's side in the tests: a real HTTP receiver on 127.0.0.1 that verifies every
signature with the ``standardwebhooks`` library and answers as it is scripted to."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SECRET = "whsec_" + base64.b64encode(b"cloudcrm-test-signing-key-32byte").decode()
FORGED = "whsec_" + base64.b64encode(b"somebody-elses-key-of-32-bytes!!").decode()

Answer = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Arrival:
    """One request as the receiver got it."""

    webhook_id: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() on arrival
    verified: bool
    status: int  # what the receiver answered (0: it never answered)

    @property
    def event(self) -> dict[str, Any]:
        """The parsed body: type, timestamp, data."""
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


def ok(status: int = 200, headers: dict[str, str] | None = None, body: bytes = b"") -> Answer:
    """An answer with this status, headers and body."""

    async def answer(_: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers=headers, body=body)

    return answer


@dataclass
class Receiver:
    """Answers each request with the next scripted answer (then 200); records arrivals."""

    secret: str = SECRET
    script: list[Answer] = field(default_factory=list)
    arrivals: list[Arrival] = field(default_factory=list)
    url: str = ""
    received: int = 0  # requests read so far, answered or not
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = dict(request.headers)
        try:
            Webhook(self.secret).verify(body, headers)
            verified = True
        except WebhookVerificationError:
            verified = False
        answer = self.script.pop(0) if self.script else ok()
        arrival_at = time.monotonic()
        self.received += 1
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
        try:
            response = await answer(request)
        except asyncio.CancelledError:  # the sender hung up before the answer
            await self._record(headers, body, arrival_at, verified, 0)
            raise
        await self._record(headers, body, arrival_at, verified, response.status)
        return response

    async def _record(
        self, headers: dict[str, str], body: bytes, at: float, verified: bool, status: int
    ) -> None:
        wid = headers.get("webhook-id", headers.get("Webhook-Id", ""))
        self.arrivals.append(Arrival(wid, headers, body, at, verified, status))
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def start(self, port: int = 0) -> Receiver:
        """Listen on 127.0.0.1 (a free port unless one is given)."""
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/hooks", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{bound}/hooks"
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def wait_for(self, count: int, seconds: float = 15.0) -> list[Arrival]:
        """Wait until ``count`` requests were answered 2xx; every arrival so far."""
        assert self._changed is not None

        def enough() -> bool:
            return len(self.delivered()) >= count

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(enough), seconds)
        return list(self.arrivals)

    async def wait_received(self, count: int, seconds: float = 15.0) -> None:
        """Wait until ``count`` requests were read (answered or not)."""
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.received >= count), seconds)

    def delivered(self) -> list[Arrival]:
        """The arrivals answered with a 2xx, in order."""
        return [a for a in self.arrivals if 200 <= a.status < 300]
