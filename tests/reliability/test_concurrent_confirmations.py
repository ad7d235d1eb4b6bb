"""A hundred submissions of one confirmation at the same moment, over signed HTTP.

Slack users double-click, Slack retries, and proxies replay: the same confirmation view
arrives many times at once. It must book (or cancel) exactly once, and every copy must
get a proper answer in time (200; Bolt answers 404 when a listener misses Slack's 3 s).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from handlers import blocks, requests
from tests.reliability.support import consistency_problems, count
from tests.slack.flows import (
    anchor_workspace,
    book_through_overview,
    cancel_button,
    open_overview,
    press,
    row_ids,
    submit_and_see,
    texts,
    until,
)
from tests.slack.harness import Answer, RunningApp, running_app
from tests.slack.mock_slack import ADMIN, MockSlack

COPIES = 100


async def _all_at_once(app: RunningApp, view: dict[str, Any]) -> tuple[list[Answer], float]:
    """Submit ``view`` COPIES times concurrently; the answers and the slowest one's time."""
    requests = [app.signer.view_submission(user_id=ADMIN, view=view) for _ in range(COPIES)]

    async def timed(index: int) -> tuple[Answer, float]:
        started = time.perf_counter()
        answer = await app.post(requests[index])
        return answer, time.perf_counter() - started

    results = await asyncio.gather(*(timed(i) for i in range(COPIES)))
    return [a for a, _ in results], max(s for _, s in results)


def _working(answer: Answer) -> bool:
    """Whether a submission was answered at once with "Wird gebucht …" (or gekündigt)."""
    body = answer.json()
    return bool(
        body["response_action"] == "update"
        and body["view"]["callback_id"] == blocks.CALLBACK_WORKING
    )


async def _results(mock: MockSlack, view_id: str, after: int) -> list[str]:
    """What each copy finally showed in place of the submitted view (views.update)."""

    def shown() -> list[str]:
        return [
            "\n".join(texts(c.params["view"]["blocks"]))
            for c in mock.calls_to("views.update")[after:]
            if c.params.get("view_id") == view_id
        ]

    await until(lambda: len(shown()) >= COPIES)
    return shown()


async def test_a_hundred_simultaneous_submissions_of_one_confirmation_book_exactly_once(
    slack_mock: MockSlack,
    tmp_path: Path,
) -> None:
    path = tmp_path / "addons.db"
    async with running_app(slack_mock, path) as app:
        await anchor_workspace(app)
        overview = await open_overview(app)
        confirmation = await press(
            app, overview, blocks.ACTION_ADD, "users", typed={requests.qty_block_id("users"): "3"}
        )
        redraws = len(slack_mock.calls_to("views.update"))

        answers, slowest = await _all_at_once(app, confirmation)

        assert [a.status for a in answers] == [200] * COPIES, [a.status for a in answers]
        # Each copy is answered at once with "Wird gebucht …", then shown what happened.
        assert all(_working(a) for a in answers)
        assert slowest < 3.0, slowest
        results = await _results(slack_mock, confirmation["id"], redraws)
        assert len([r for r in results if r.startswith("Gebucht:")]) == 1, results[:3]
        repeated = [r for r in results if "Diese Buchung wurde bereits ausgeführt" in r]
        assert len(repeated) == COPIES - 1
        await slack_mock.wait_for("views.update", redraws + 2 * COPIES, timeout=10)

    assert count(path, "SELECT COUNT(*) FROM addons") == 1
    assert count(path, "SELECT COUNT(*) FROM addons WHERE option = 'users' AND quantity = 3") == 1
    assert count(path, "SELECT COUNT(*) FROM invoice_lines") == 1
    assert count(path, "SELECT COUNT(*) FROM idempotency_keys") == 1
    assert count(path, "SELECT COUNT(*) FROM audit_log WHERE action = 'book'") == 1
    assert consistency_problems(path) == []
    # The overview everyone returns to shows the one booking, once.
    assert len(row_ids(slack_mock.views[overview["id"]])) == 1


async def test_a_hundred_simultaneous_submissions_over_app_home_say_booked_once(
    slack_mock: MockSlack,
    tmp_path: Path,
) -> None:
    """Without an overview below, each copy is told what happened: one "Gebucht", the
    rest "bereits ausgeführt" with the same add-on."""
    path = tmp_path / "addons.db"
    async with running_app(slack_mock, path) as app:
        await anchor_workspace(app)
        await app.send(app.signer.app_home_opened(user_id=ADMIN), "views.publish")
        home = slack_mock.home[ADMIN]
        modal = await press(app, home, blocks.ACTION_OPEN_BOOKING, "users", expect="views.open")
        # Weiter: "Wird berechnet …", then the confirmation in the modal's place.
        confirmation = await submit_and_see(app, modal, typed={requests.qty_block_id("users"): "2"})
        confirmation = slack_mock.views[modal["id"]]  # as Slack stores it, same id
        assert confirmation["callback_id"] == blocks.CALLBACK_CONFIRM_BOOKING
        redraws = len(slack_mock.calls_to("views.update"))

        answers, slowest = await _all_at_once(app, confirmation)

        assert [a.status for a in answers] == [200] * COPIES
        assert slowest < 3.0, slowest
        assert all(_working(a) for a in answers)
        notices = await _results(slack_mock, modal["id"], redraws)
        booked = [n for n in notices if n.startswith("Gebucht:")]
        repeated = [n for n in notices if "Diese Buchung wurde bereits ausgeführt" in n]
        assert len(booked) == 1, notices[:3]
        assert len(repeated) == COPIES - 1, [n for n in notices if n not in repeated][:3]
        assert all("Zusätzliche Benutzer (+2)" in n for n in notices)

    assert count(path, "SELECT COUNT(*) FROM addons") == 1
    assert count(path, "SELECT COUNT(*) FROM invoice_lines") == 1
    assert count(path, "SELECT COUNT(*) FROM idempotency_keys") == 1
    assert consistency_problems(path) == []


async def test_a_hundred_simultaneous_withdrawal_confirmations_withdraw_once(
    slack_mock: MockSlack,
    tmp_path: Path,
) -> None:
    """The same holds for Kündigen: one withdrawal, one audit entry, one message per
    recipient; the other copies are told it is already withdrawn, nothing changes."""
    path = tmp_path / "addons.db"
    async with running_app(slack_mock, path) as app:
        await anchor_workspace(app)
        overview = await book_through_overview(app, "storage", 2)
        [addon_id] = row_ids(overview)
        assert cancel_button(overview, addon_id)
        confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon_id))
        assert confirmation["callback_id"] == blocks.CALLBACK_CONFIRM_CANCEL

        answers, slowest = await _all_at_once(app, confirmation)

        assert [a.status for a in answers] == [200] * COPIES
        assert slowest < 3.0, slowest
        assert all(_working(a) for a in answers)
        results = await _results(slack_mock, confirmation["id"], 0)
        assert len([r for r in results if r.startswith("Widerrufen:")]) == 1, results[:3]
        assert len([r for r in results if "bereits am" in r]) == COPIES - 1, results[:3]

    assert count(path, "SELECT COUNT(*) FROM addons WHERE status = 'withdrawn'") == 1
    assert count(path, "SELECT COUNT(*) FROM audit_log WHERE action = 'withdrawal'") == 1
    assert count(path, "SELECT COUNT(*) FROM invoice_lines") == 0  # the draft is struck
    assert count(path, "SELECT COUNT(*) FROM outbox WHERE kind = 'withdrawn'") == 1
    assert consistency_problems(path) == []
