"""The failing path: Slack or a use case fails after ack() and the user still hears back.

Bolt's trap (see handlers/common.py): with process_before_response=False a listener that
raises after ack() turns into a 3-second wait and a 404 "unhandled request". Every test
here asserts a quick 200, a polite notice in the user's language and the trace in the log.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from bot import services
from handlers import blocks
from tests.slack.flows import (
    addons,
    book_directly,
    open_overview,
    press,
    submit,
    texts,
    until,
    view_text,
)
from tests.slack.harness import Answer, RunningApp
from tests.slack.mock_slack import ADMIN, OWNER

SORRY = "Da ist leider etwas schiefgegangen"
QUICK = 1.5  # seconds; Slack gives up after 3


async def _timed(app: RunningApp, request: Any) -> Answer:
    start = time.monotonic()
    answer = await app.post(request)
    assert time.monotonic() - start < QUICK
    assert answer.status == 200, (answer.status, answer.text)
    return answer


def _boom(*args: object, **kwargs: object) -> Any:
    raise RuntimeError("the database caught fire")


def _logged(caplog: pytest.LogCaptureFixture, message: str = "the database caught fire") -> bool:
    return any(
        record.exc_info and message in str(record.exc_info[1])
        for record in caplog.records
        if record.levelno >= logging.ERROR
    )


async def test_a_failing_use_case_behind_addons_shows_a_notice_in_the_modal(
    app: RunningApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(services, "ensured_overview", _boom)
    await _timed(app, app.signer.slash_command(user_id=ADMIN))
    [update] = await app.mock.wait_for("views.update")
    assert update.params["view_id"] == next(iter(app.mock.views))  # the loading modal
    assert SORRY in view_text(update.params["view"])
    assert "fire" not in view_text(update.params["view"])  # the trace is for the log only
    assert _logged(caplog)


async def test_when_slack_refuses_the_overview_the_user_gets_an_ephemeral_notice(
    app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    app.mock.fail("views.open", status=500)
    await _timed(app, app.signer.slash_command(user_id=OWNER))
    [call] = await app.mock.wait_for("response_url")
    assert call.params["response_type"] == "ephemeral"
    assert "Sorry, something went wrong" in "\n".join(texts(call.params["blocks"]))
    assert _logged(caplog, "internal_error")


async def test_a_failing_push_after_hinzufuegen_is_answered_politely(
    app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    overview = await open_overview(app)
    app.mock.fail("views.push", status=500)
    await _timed(
        app,
        app.signer.click(user_id=ADMIN, view=overview, action_id=blocks.ACTION_ADD, value="users"),
    )
    calls = await app.mock.wait_for("views.push", 2)
    assert calls[0].status == 500
    assert calls[1].params["view"]["callback_id"] == blocks.CALLBACK_NOTICE
    assert SORRY in view_text(calls[1].params["view"])
    assert _logged(caplog, "internal_error")
    assert await addons(app) == []


async def test_a_failing_quote_after_kuendigen_is_answered_politely(
    app: RunningApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    addon = await book_directly(app)
    overview = await open_overview(app)
    monkeypatch.setattr(services, "cancellation_offer", _boom)
    notice = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id))
    assert SORRY in view_text(notice)
    assert _logged(caplog)


async def test_a_failing_booking_is_answered_in_the_confirmation_and_books_nothing(
    app: RunningApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    monkeypatch.setattr(services, "book", _boom)
    answer = await _timed(app, app.signer.view_submission(user_id=ADMIN, view=confirmation))
    assert answer.json()["view"]["callback_id"] == blocks.CALLBACK_WORKING  # "Wird gebucht …"
    shown = await app.mock.wait_for_view_update(confirmation["id"])
    assert SORRY in view_text(shown.params["view"])
    assert _logged(caplog)
    assert await addons(app) == []


async def test_a_booking_whose_redraw_fails_says_it_was_booked_not_try_again(
    app: RunningApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    monkeypatch.setattr(services, "ensured_overview", _boom)
    updates = len(app.mock.calls_to("views.update"))
    answer = await _timed(app, app.signer.view_submission(user_id=ADMIN, view=confirmation))
    assert answer.json()["view"]["callback_id"] == blocks.CALLBACK_WORKING
    shown = await app.mock.wait_for_view_update(confirmation["id"], after=updates)
    text = view_text(shown.params["view"])
    assert "Gebucht: Zusätzliche Benutzer (+1)" in text
    assert SORRY not in text
    await until(lambda: _logged(caplog))  # the redraw failed after the booking: logged
    assert len(await addons(app)) == 1


async def test_users_info_failing_is_answered_politely(
    app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    app.mock.fail("users.info", status=500)
    await _timed(app, app.signer.slash_command(user_id=ADMIN, text="liste"))
    [call] = await app.mock.wait_for("response_url")
    assert SORRY in "\n".join(texts(call.params["blocks"]))
    assert _logged(caplog, "internal_error")


async def test_a_rate_limited_users_info_is_retried(app: RunningApp) -> None:
    app.mock.rate_limit("users.info", retry_after=1)
    await _timed(app, app.signer.slash_command(user_id=ADMIN, text="liste"))
    [call] = await app.mock.wait_for("response_url")
    assert "Ihre Zusatzoptionen" in "\n".join(texts(call.params["blocks"]))
    assert [c.status for c in app.mock.calls_to("users.info")] == [429, 200]


async def test_a_long_rate_limit_is_not_waited_out_past_slacks_three_seconds(
    app: RunningApp,
) -> None:
    app.mock.rate_limit("users.info", retry_after=30)
    started = time.monotonic()
    await _timed(app, app.signer.slash_command(user_id=ADMIN, text="liste"))
    [call] = await app.mock.wait_for("response_url")
    assert time.monotonic() - started < 3.0
    assert SORRY in "\n".join(texts(call.params["blocks"]))
    assert [c.status for c in app.mock.calls_to("users.info")] == [429]


async def test_a_failing_app_home_is_logged_and_answered_at_once(
    app: RunningApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app.mock.fail("views.publish", status=500)
    await _timed(app, app.signer.app_home_opened(user_id=ADMIN))
    await app.mock.wait_for("views.publish")
    # The log record follows the failed call (the mock cannot wait for it).
    await until(lambda: _logged(caplog, "internal_error"))


async def test_a_tampered_confirmation_is_refused_as_no_longer_valid(app: RunningApp) -> None:
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    for metadata in (
        '{"option":"users","quantity":5,"nonce":"not-a-uuid"}',
        "",
        "[]",
        '{"option":"users","quantity":-3,"nonce":"' + "0" * 36 + '"}',
    ):
        answer = await submit(app, {**confirmation, "private_metadata": metadata})
        assert "Diese Abfrage ist nicht mehr gültig" in view_text(answer.json()["view"])
    assert await addons(app) == []
