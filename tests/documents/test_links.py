"""`serve` answers GET /documents/... for a valid, unexpired signed link only."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot import services
from bot.adapters.clock import TestClock
from bot.adapters.documents.web import document_routes
from bot.bootstrap import document_links, load_settings
from tests.documents.world import at, configure, world
from tests.slack.mock_slack import MockSlack


@pytest.fixture
async def served(
    slack_mock: MockSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[str, str, bytes, TestClock]]:
    """(base URL of the route, the event's link path, the stored PDF, the server's clock)."""
    configure(
        monkeypatch, slack_mock, tmp_path / "a.db", ADDONS_PUBLIC_URL="https://addons.example"
    )
    async with world(slack_mock) as w:
        await w.book_one_user()
        w.clock.set(at(date(2026, 4, 18)))
        await w.tick()
        stored = await services.get_document(w.rt.ctx, services.INVOICE, 1, "pdf")
        assert stored is not None
        links = document_links(load_settings())
        assert links is not None
        clock = TestClock(w.clock.now())
        app = web.Application()
        app.add_routes(document_routes(w.rt.ctx, links, clock))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        events = await services.list_webhook_events(w.rt.ctx)
        [issued] = [e for e in events if e.type == "invoice.issued"]
        url = json.loads(issued.body)["data"]["document"]["url"]
        path = url.removeprefix("https://addons.example")
        try:
            yield f"http://127.0.0.1:{port}", path, stored.content, clock
        finally:
            await runner.cleanup()


async def get(url: str) -> tuple[int, bytes, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.read(), response.headers.get("Content-Type", "")


async def test_the_events_link_returns_the_stored_pdf(
    served: tuple[str, str, bytes, TestClock],
) -> None:
    base, path, pdf, _ = served
    assert await get(base + path) == (200, pdf, "application/pdf")


async def test_a_forged_or_altered_link_is_refused(
    served: tuple[str, str, bytes, TestClock],
) -> None:
    base, path, _, _ = served
    forged = path[:-4] + ("0000" if not path.endswith("0000") else "1111")
    assert (await get(base + forged))[0] == 403
    other = path.replace("/invoice/1/", "/invoice/2/")
    assert (await get(base + other))[0] == 403
    assert (await get(base + path.split("?")[0]))[0] == 403


async def test_an_expired_link_is_refused(served: tuple[str, str, bytes, TestClock]) -> None:
    base, path, _, clock = served
    clock.advance(timedelta(days=31))
    assert (await get(base + path))[0] == 403
