"""Metrics: what is counted when, readiness and the outbox backlog, measured Slack calls."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError

from bot import services
from bot.adapters.observability import metrics
from bot.adapters.observability.slack_api import MeasuredWebClient, measured
from bot.adapters.observability.store import ObservedStore
from bot.adapters.observability.web import outcome_of, refresh_store_figures
from bot.services import Context
from bot.settings import Settings
from domain.errors import DomainError
from storage import Database
from storage.database import migrate
from storage.health import outbox_backlog, ready
from tests.slack.mock_slack import ADMIN, BOT_TOKEN, MockSlack, default_users

NOW = datetime(2026, 4, 3, 8, 0, tzinfo=UTC)
TEAM = "T0METRICS"


def _value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


async def _context(path: Path) -> tuple[Database, Context]:
    db = Database(str(path))
    await db.open()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return db, Context(ObservedStore(db), settings.catalog())


async def test_a_booking_is_counted_once_when_it_commits_and_a_repeat_is_not(
    tmp_path: Path,
) -> None:
    db, ctx = await _context(tmp_path / "a.db")
    try:
        await services.set_workspace(ctx, TEAM, date(2026, 3, 18), NOW)
        before = _value("addons_bookings_total")
        key = str(uuid.uuid4())
        booked = await services.book(ctx, TEAM, "users", 2, NOW, key=key, actor=ADMIN)
        await services.book(ctx, TEAM, "users", 2, NOW, key=key, actor=ADMIN)  # repeated
        assert _value("addons_bookings_total") == before + 1
        withdrawals = _value("addons_withdrawals_total")
        quote = await services.quote_cancellation(ctx, TEAM, booked.addon.id, NOW)
        await services.cancel(ctx, TEAM, booked.addon.id, quote.outcome, NOW, actor=ADMIN)
        assert _value("addons_withdrawals_total") == withdrawals + 1
    finally:
        await db.close()


async def test_a_booking_that_fails_is_not_counted(tmp_path: Path) -> None:
    db, ctx = await _context(tmp_path / "a.db")
    try:
        await services.set_workspace(ctx, TEAM, date(2026, 3, 18), NOW)
        before = _value("addons_bookings_total")
        with pytest.raises(DomainError):
            await services.book(ctx, TEAM, "users", 0, NOW, key="k", actor=ADMIN)
        assert _value("addons_bookings_total") == before
    finally:
        await db.close()


async def test_readiness_names_a_missing_file_and_a_schema_behind(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = Database(str(path))
    assert await ready(db) == f"the database file {path} is missing"
    assert not path.exists()  # the probe did not create it
    await migrate(str(path), 1)
    reason = await ready(db)
    assert reason is not None
    assert reason.startswith("the database is at schema version 1, not ")
    await migrate(str(path))
    assert await ready(db) is None


async def test_the_outbox_backlog_and_its_gauges(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = Database(str(path))
    await db.open()
    try:
        async with db.unit_of_work() as uow:
            await uow.outbox.add(TEAM, "e1", "invoice", {}, NOW)
            await uow.outbox.add(TEAM, "e2", "invoice", {}, datetime.now(UTC))
            await uow.commit()
        backlog = await outbox_backlog(db)
        assert backlog.pending == 2
        assert backlog.oldest == NOW
        await refresh_store_figures(db)
        assert _value("addons_outbox_backlog") == 2
        assert _value("addons_outbox_oldest_pending_age_seconds") > 3600
    finally:
        await db.close()
    errors = _value("addons_metrics_store_errors_total")
    path.rename(tmp_path / "gone.db")
    await refresh_store_figures(db)  # the scrape still answers, with the last figures
    assert _value("addons_metrics_store_errors_total") == errors + 1
    assert _value("addons_outbox_backlog") == 2


def test_outcomes_are_few_and_fixed() -> None:
    assert outcome_of(200, failed=False) == "ok"
    assert outcome_of(200, failed=True) == "error"
    assert outcome_of(401, failed=False) == "unauthorized"
    assert outcome_of(503, failed=False) == "refused"
    assert outcome_of(418, failed=False) == "http_418"


async def test_slack_api_failures_are_counted_by_method_status_and_error() -> None:
    async with MockSlack(default_users(), token=BOT_TOKEN) as mock:
        client = MeasuredWebClient(token=BOT_TOKEN, base_url=mock.url)
        labels = {"method": "chat.postMessage", "status": "200", "error": "channel_not_found"}
        before = _value("addons_slack_api_errors_total", **labels)
        mock.fail("chat.postMessage", status=200, error="channel_not_found")
        with pytest.raises(SlackApiError):
            await client.chat_postMessage(channel="C1", text="hello")
        await client.chat_postMessage(channel=ADMIN, text="hello")
        assert _value("addons_slack_api_errors_total", **labels) == before + 1


def test_a_plain_client_is_measured_with_the_same_settings() -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    plain = AsyncWebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:1/api/", team_id="T1")
    copy = measured(plain)
    assert isinstance(copy, MeasuredWebClient)
    assert (copy.token, copy.base_url, copy.default_params) == (
        BOT_TOKEN,
        plain.base_url,
        {"team_id": "T1"},
    )
    assert measured(copy) is copy
