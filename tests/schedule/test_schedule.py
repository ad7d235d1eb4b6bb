"""Time passes on its own: billing turns, deactivations and messages without anyone typing."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from bot.adapters.billing_schedule import run_schedule, tick
from bot.adapters.clock import TestClock
from bot.adapters.dm_sender import LEASE, Delivery, deliver_due
from bot.adapters.slack_app import web_client
from bot.ports import OutboxMessage, Render
from bot.services import Context
from bot.settings import Settings
from domain.addons import Outcome
from handlers.notifications import renderer
from storage import Database
from tests.slack.mock_slack import ADMIN, BOT_TOKEN, DEFAULT_TEAM, MockSlack, SlackUser

TEAM = DEFAULT_TEAM
BERLIN_MORNING = timedelta(hours=8)  # 08:00 UTC is 09:00/10:00 in Berlin


def at(day: date) -> datetime:
    """That day, in the morning in Berlin, as an aware UTC instant."""
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + BERLIN_MORNING


@dataclass
class World:
    ctx: Context
    clock: TestClock
    client: AsyncWebClient
    mock: MockSlack

    async def tick(self) -> tuple[list[services.PeriodTurn], Delivery]:
        return await tick(self.ctx, self.client, self.clock, renderer(self.ctx, self.client, "de"))

    def messages(self) -> list[dict[str, object]]:
        return [c.params for c in self.mock.calls_to("chat.postMessage") if c.status == 200]


def _client(mock: MockSlack) -> AsyncWebClient:
    # pydantic-settings takes _env_file at run time but its typed signature does not list it.
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_api_url=mock.url,
    )
    return web_client(settings)


@asynccontextmanager
async def world(
    mock: MockSlack, path: Path, start: date = date(2026, 4, 3)
) -> AsyncIterator[World]:
    db = Database(str(path))
    await db.open()
    ctx = Context(db)
    clock = TestClock(at(start))
    try:
        await services.set_workspace(ctx, TEAM, date(2026, 3, 18), clock.now())
        yield World(ctx, clock, _client(mock), mock)
    finally:
        await db.close()


async def book_one_user(w: World, key: str = "k1") -> int:
    booked = await services.book(w.ctx, TEAM, "users", 1, w.clock.now(), key=key, actor=ADMIN)
    return booked.addon.id


async def test_a_period_end_issues_the_invoice_and_tells_the_admin_without_anyone_typing(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    async with world(slack_mock, tmp_path / "a.db") as w:
        await book_one_user(w)
        turns, _ = await w.tick()
        # nothing is due on the booking day
        assert turns == []
        assert w.messages() == []
        w.clock.set(at(date(2026, 4, 18)))
        turns, _ = await w.tick()
        [turn] = turns
        assert turn.invoice is not None
        assert turn.invoice.number == 1
        assert str(turn.invoice.total.amount) == "8.75"
        [message] = w.messages()
        assert message["channel"] == ADMIN
        assert "Nr. 1" in str(message["text"])
        assert "8,75 €" in str(message["text"])
        assert "2,85 €" in str(message["blocks"])
        assert "5,90 €" in str(message["blocks"])
        state = await services.overview(w.ctx, TEAM, w.clock.now())
        assert [i.number for i in state.last_invoices] == [1]


async def test_a_cancelled_add_on_ends_and_its_seat_drops_on_the_right_day(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    async with world(slack_mock, tmp_path / "a.db") as w:
        addon_id = await book_one_user(w)
        w.clock.set(at(date(2026, 4, 20)))  # past the withdrawal window (03.04. + 14)
        await w.tick()
        await services.cancel(
            w.ctx, TEAM, addon_id, Outcome.CANCELLATION, w.clock.now(), actor=ADMIN
        )
        w.clock.set(at(date(2026, 5, 17)))  # the last day it is paid for
        await w.tick()
        assert (await services.get_entitlements(w.ctx, TEAM, w.clock.now())).seats == 1
        w.clock.set(at(date(2026, 5, 18)))
        turns, _ = await w.tick()
        assert turns[0].deactivated == (addon_id,)
        assert turns[0].invoice is None  # nothing renewed, nothing else owed: no invoice
        assert (await services.get_entitlements(w.ctx, TEAM, w.clock.now())).seats == 0
        [addon] = await services.list_addons(w.ctx, TEAM)
        assert addon.status.value == "ended"
        assert addon.ended_on == date(2026, 5, 17)
        texts = [str(m["text"]) for m in w.messages()]
        assert any("beendet" in text.lower() and "17.05.2026" in text for text in texts)


async def test_missed_periods_are_caught_up_in_order(slack_mock: MockSlack, tmp_path: Path) -> None:
    async with world(slack_mock, tmp_path / "a.db") as w:
        await book_one_user(w)
        w.clock.set(at(date(2026, 7, 1)))  # the service was down since April
        turns, _ = await w.tick()
        assert [(t.period.start, t.invoice and t.invoice.number) for t in turns] == [
            (date(2026, 4, 18), 1),
            (date(2026, 5, 18), 2),
            (date(2026, 6, 18), 3),
        ]
        assert len(w.messages()) == 3
        again, _ = await w.tick()
        assert again == []
        assert len(w.messages()) == 3


async def test_two_schedulers_at_once_issue_one_invoice_and_send_one_message(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    path = tmp_path / "shared.db"
    async with world(slack_mock, path) as w:
        await book_one_user(w)
        other_db = Database(str(path))
        await other_db.open()
        try:
            other = World(Context(other_db), w.clock, _client(slack_mock), slack_mock)
            w.clock.set(at(date(2026, 6, 20)))
            (turns_a, _), (turns_b, _) = await asyncio.gather(w.tick(), other.tick())
        finally:
            await other_db.close()
        # A Counter, not sorted(): the numbers are typed int | None and None does not sort.
        numbers = Counter(t.invoice.number for t in turns_a + turns_b if t.invoice)
        assert numbers == Counter([1, 2, 3])
        invoices = await services.list_invoices(w.ctx, TEAM)
        assert sorted(i.period.start for i in invoices) == [
            date(2026, 4, 18),
            date(2026, 5, 18),
            date(2026, 6, 18),
        ]
        assert len(w.messages()) == 3


async def test_slack_down_then_rate_limiting_delivers_each_message_exactly_once(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    async with world(slack_mock, tmp_path / "a.db") as w:
        withdrawn = await book_one_user(w, "first")
        await book_one_user(w, "second")
        slack_mock.fail("chat.postMessage", status=500, times=4)
        # a withdrawal and an invoice: two events, each to be delivered once
        w.clock.set(at(date(2026, 4, 17)))  # the last day of the withdrawal window
        await services.cancel(
            w.ctx, TEAM, withdrawn, Outcome.WITHDRAWAL, w.clock.now(), actor=ADMIN
        )
        w.clock.set(at(date(2026, 4, 18)))
        for _ in range(6):  # Slack answers 500 for a while: each beat retries later
            w.clock.advance(timedelta(minutes=30))
            if len(slack_mock.calls_to("chat.postMessage")) >= 4:
                break
            await w.tick()
        slack_mock.rate_limit("chat.postMessage", retry_after=1, times=3)
        for _ in range(10):
            w.clock.advance(timedelta(minutes=30))
            await w.tick()
        delivered = w.messages()
        texts = sorted(str(m["text"]) for m in delivered)
        assert len(delivered) == 2, texts
        assert any("Nr. 1" in text for text in texts)
        assert any("widerruf" in text.lower() for text in texts)
        assert slack_mock.calls_to("chat.postMessage")[0].status == 500


async def test_a_sender_killed_between_sending_and_marking_sends_again_after_its_lease(
    slack_mock: MockSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with world(slack_mock, tmp_path / "a.db") as w:
        await book_one_user(w)
        w.clock.set(at(date(2026, 4, 18)))
        await services.billing_run(w.ctx, w.clock.now())

        from storage import journal

        original = journal.Outbox.mark_sent

        async def die(self: object, message_id: int, now: datetime) -> None:
            raise KeyboardInterrupt("killed between sending and marking")

        monkeypatch.setattr(journal.Outbox, "mark_sent", die)
        with pytest.raises(KeyboardInterrupt):
            await deliver_due(w.ctx, w.client, w.clock, renderer(w.ctx, w.client, "de"))
        monkeypatch.setattr(journal.Outbox, "mark_sent", original)
        assert len(w.messages()) == 1
        await w.tick()  # the lease still holds: nobody sends it twice at once
        assert len(w.messages()) == 1
        w.clock.advance(LEASE + timedelta(seconds=1))
        await w.tick()  # the lease ran out: at least once, so it goes out again
        await w.tick()
        assert len(w.messages()) == 2
        assert {str(m["text"]) for m in w.messages()} == {str(w.messages()[0]["text"])}


async def test_a_permanent_error_is_recorded_and_not_retried_forever(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    async with world(slack_mock, tmp_path / "a.db") as w:
        await book_one_user(w)
        slack_mock.fail("chat.postMessage", status=200, error="account_inactive", times=1)
        w.clock.set(at(date(2026, 4, 18)))
        _, delivery = await w.tick()
        assert delivery.failed == 1
        for _ in range(3):
            w.clock.advance(timedelta(hours=2))
            await w.tick()
        assert len(slack_mock.calls_to("chat.postMessage")) == 1
        async with w.ctx.db.unit_of_work(write=False) as uow:
            [row] = await uow.outbox.all(TEAM)
        assert row["failed_at"]
        assert row["last_error"] == "account_inactive"


async def test_the_background_schedule_ticks_at_start_and_stops_when_told(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    async with world(slack_mock, tmp_path / "a.db") as w:
        await book_one_user(w)
        w.clock.set(at(date(2026, 4, 18)))
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_schedule(w.ctx, w.client, w.clock, renderer(w.ctx, w.client, "de"), 0.05, stop)
        )
        await slack_mock.wait_for("chat.postMessage")
        stop.set()
        await asyncio.wait_for(task, 5)
        assert [i.number for i in await services.list_invoices(w.ctx, TEAM)] == [1]


async def test_an_admin_demoted_since_the_booking_receives_no_invoice(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    async with world(slack_mock, tmp_path / "a.db") as w:
        await book_one_user(w)
        slack_mock.add_user(SlackUser(ADMIN, is_admin=False, locale="de-DE"))
        w.clock.set(at(date(2026, 4, 18)))
        _, delivery = await w.tick()
        assert delivery.failed == 1
        assert w.messages() == []
        async with w.ctx.db.unit_of_work(write=False) as uow:
            [row] = await uow.outbox.all(TEAM)
        assert "no longer an admin" in row["last_error"]


async def test_a_message_that_cannot_be_drawn_does_not_hold_up_the_others(
    slack_mock: MockSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with world(slack_mock, tmp_path / "a.db") as w:
        withdrawn = await book_one_user(w, "first")
        await book_one_user(w, "second")
        await services.cancel(
            w.ctx, TEAM, withdrawn, Outcome.WITHDRAWAL, w.clock.now(), actor=ADMIN
        )
        w.clock.set(at(date(2026, 4, 18)))
        real: Render = renderer(w.ctx, w.client, "de")

        async def broken_for_withdrawals(message: OutboxMessage) -> dict[str, object]:
            if message.kind == "withdrawn":
                raise KeyError("refund_cents")
            return await real(message)

        await services.billing_run(w.ctx, w.clock.now())
        delivery = await deliver_due(w.ctx, w.client, w.clock, broken_for_withdrawals)
        assert (delivery.sent, delivery.retried) == (1, 1)
        assert ["Nr. 1" in str(m["text"]) for m in w.messages()] == [True]
        assert "could not send message withdrawn" in caplog.text


async def test_a_withdrawal_of_an_invoiced_booking_sends_the_rechnungskorrektur_as_a_message(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    async with world(slack_mock, tmp_path / "a.db", start=date(2026, 4, 17)) as w:
        addon_id = await book_one_user(w)  # the last day of the period: 0,19 € as a draft
        w.clock.set(at(date(2026, 4, 18)))
        await w.tick()  # invoice no. 1: 0,19 € and the renewal 5,90 €
        w.clock.set(at(date(2026, 4, 20)))
        done = await services.cancel(
            w.ctx, TEAM, addon_id, Outcome.WITHDRAWAL, w.clock.now(), actor=ADMIN
        )
        [correction] = done.corrections
        await w.tick()
        texts = [str(m["text"]) for m in w.messages()]
        assert (
            "Rechnungskorrektur K-1 vom 20.04.2026 zu Rechnung Nr. 1: -6,09 € netto, "
            "-7,25 € brutto." in texts
        )
        [withdrawn] = [text for text in texts if text.startswith("Widerruf vom")]
        assert withdrawn == (
            "Widerruf vom 20.04.2026: Zusätzliche Benutzer (+1) ist storniert. 6,09 € erstatten "
            "wir Ihnen mit einer Rechnungskorrektur zu Rechnung Nr. 1. Außerdem werden 5,90 € "
            "von Ihrer nächsten Sammelrechnung entfernt."
        )
        assert "nicht berechnet" not in " ".join(texts)
        [message] = [m for m in w.messages() if "Rechnungskorrektur K-1" in str(m["text"])]
        assert message["channel"] == ADMIN
        shown = str(message["blocks"])
        assert "Korrigiert Rechnung Nr. 1" in shown
        assert "-0,19 €" in shown
        assert "-5,90 €" in shown
        assert "Summe netto: -6,09 €" in shown
        assert "Gesamtbetrag brutto: -7,25 €" in shown  # the VAT of what it reverses
        assert "7,25 € erstatten wir Ihnen bis 04.05.2026." in shown
        assert correction.number == 1
        # the next turn bills nothing for it: no negative invoice, no second message
        w.clock.set(at(date(2026, 5, 18)))
        turns, _ = await w.tick()
        assert turns[0].invoice is None
