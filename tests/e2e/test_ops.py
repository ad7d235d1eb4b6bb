"""Operating `serve` and `scheduler`: readiness, metrics and JSON logs of real processes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot import services
from bot.slack_fake import SIGNING_SECRET
from bot.slack_fake.wire import DEFAULT_TEAM
from tests.e2e.ops_serve import driving, environment, free_port, logged, prepare, started
from tests.slack.flows import book_through_overview
from tests.slack.mock_slack import ADMIN, BOT_TOKEN, MockSlack

SLACK_TOKEN = re.compile(r"xox[bpare]-")


def samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a /metrics answer: (name, labels) -> value."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(exposition)
        for s in family.samples
    }


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    """One sample's value (0 if absent)."""
    return found.get((name, frozenset(labels.items())), 0.0)


async def test_readiness_turns_503_while_the_database_file_is_gone_and_200_when_it_is_back(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    database = tmp_path / "addons.db"
    port = free_port()
    env = environment(slack_mock, database, port)
    async with started("serve", env, port, tmp_path) as process:
        assert await process.get("/readyz") == (200, "ok")
        away = tmp_path / "moved-away.db"
        database.rename(away)
        status, reason = await process.get("/readyz")
        assert status == 503
        assert reason == "database unreachable\n"  # to the world; the details in the log
        assert await logged(process, f"not ready: the database file {database} is missing")
        assert await process.get("/healthz") == (200, "ok")  # alive all the same
        away.rename(database)
        assert await process.get("/readyz") == (200, "ok")
        assert await process.stop() == 0


async def test_readiness_names_a_database_that_is_not_at_the_current_migration(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    database = tmp_path / "addons.db"
    port = free_port()
    async with started("serve", environment(slack_mock, database, port), port, tmp_path) as process:
        assert await process.get("/readyz") == (200, "ok")
        import sqlite3

        with sqlite3.connect(database) as conn:  # as if another app version moved it back
            conn.execute("DELETE FROM alembic_version")
        status, reason = await process.get("/readyz")
        assert status == 503
        assert reason == "the database is empty: run `addons-bot migrate`\n"


async def test_metrics_count_a_booking_made_through_signed_http_and_name_nobody(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    database = tmp_path / "addons.db"
    await prepare(database)
    port = free_port()
    env = environment(slack_mock, database, port)
    async with started("serve", env, port, tmp_path) as process:
        before = samples((await process.get("/metrics"))[1])
        async with driving(process, slack_mock, database) as app:
            now = datetime.now(UTC)
            await services.set_workspace(app.ctx, DEFAULT_TEAM, now.date(), now)
            await book_through_overview(app, "users", 3)
        status, text = await process.get("/metrics")
    assert status == 200
    after = samples(text)
    assert value(before, "addons_bookings_total") == 0
    assert value(after, "addons_bookings_total") == 1
    assert value(after, "addons_cancellations_total") == 0
    submitted = {"kind": "view_submission", "outcome": "ok"}
    assert value(after, "addons_slack_requests_total", **submitted) == 1
    assert value(after, "addons_slack_requests_total", kind="command", outcome="ok") == 1
    assert value(after, "addons_slack_requests_total", kind="block_actions", outcome="ok") == 1
    assert value(after, "addons_slack_ack_seconds_count", kind="view_submission") == 1
    assert value(after, "addons_slack_view_seconds_count", method="views.update") >= 1
    assert ("addons_outbox_backlog", frozenset()) in after
    labels = {v for (_, pairs) in after for (_, v) in pairs}
    for secret in (DEFAULT_TEAM, ADMIN, BOT_TOKEN, SIGNING_SECRET):
        assert not any(secret in label for label in labels), secret


async def test_the_scheduler_serves_metrics_on_addons_metrics_port(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    port = free_port()
    env = environment(slack_mock, tmp_path / "addons.db", 1, ADDONS_METRICS_PORT=str(port))
    async with started("scheduler", env, port, tmp_path) as process:
        status, text = await process.get("/metrics")
        assert status == 200
        found = samples(text)
        assert ("addons_billing_run_seconds_count", frozenset()) in found
        assert value(found, "addons_outbox_backlog") == 0
        assert await process.get("/readyz") == (200, "ok")
        assert await process.stop() == 0


async def test_the_json_log_of_a_booking_is_one_object_per_line_and_holds_no_secret(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    database = tmp_path / "addons.db"
    await prepare(database)
    port = free_port()
    env = environment(slack_mock, database, port, ADDONS_LOG_FORMAT="json")
    async with started("serve", env, port, tmp_path) as process:
        async with driving(process, slack_mock, database) as app:
            now = datetime.now(UTC)
            await services.set_workspace(app.ctx, DEFAULT_TEAM, now.date(), now)
            await book_through_overview(app, "users", 2)
        assert await process.stop() == 0
    lines = [line for line in process.stderr if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    booked = [r for r in records if r.get("kind") == "view_submission"]
    assert booked
    assert booked[0]["team_id"] == DEFAULT_TEAM
    assert booked[0]["duration"] >= 0
    output = "".join(lines)
    assert BOT_TOKEN not in output
    assert SIGNING_SECRET not in output
    assert not SLACK_TOKEN.search(output)
