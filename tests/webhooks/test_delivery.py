"""The sender against a real receiver: signed, in order, once per 2xx, whatever it answers."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.webhooks.receiver import FORGED, SECRET, Receiver, ok
from tests.webhooks.support import TEAM, eventually, fast, sending, sequences, shop


async def test_every_event_arrives_signed_in_order_once(receiver: Receiver, tmp_path: Path) -> None:
    async with shop(tmp_path / "a.db") as s:
        for _ in range(3):
            await s.book()
        async with sending(s.db, fast(receiver.url)):
            arrivals = await receiver.wait_for(6)
            await asyncio.sleep(0.1)  # room for a duplicate, were there one
        events = await s.events()
    assert all(a.verified for a in arrivals)
    assert len(receiver.arrivals) == 6
    assert sequences([a.body for a in arrivals]) == [(TEAM, n) for n in range(1, 7)]
    assert [a.webhook_id for a in arrivals] == [e.webhook_id for e in events]
    assert [a.body.decode() for a in arrivals] == [e.body for e in events]
    assert all(e.sent_at is not None and e.attempts == 1 for e in events)


async def test_500_five_times_then_429_then_200_delivers_each_event_in_order(
    receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script = [ok(500)] * 5 + [ok(429, {"Retry-After": "1"})]
    async with shop(tmp_path / "a.db") as s:
        await s.book()
        await s.book()
        async with sending(s.db, fast(receiver.url, max_delay=5.0)):
            await receiver.wait_for(4)
        events = await s.events()
    first = [a for a in receiver.arrivals if a.webhook_id == events[0].webhook_id]
    assert [a.status for a in first] == [500] * 5 + [429, 200]
    assert all(a.verified for a in receiver.arrivals)
    # Retry-After is honoured: the next try came no sooner than a second later.
    assert first[6].at - first[5].at >= 1.0
    # Nothing of the workspace overtook the event that was being retried.
    assert sequences([a.body for a in receiver.delivered()]) == [(TEAM, n) for n in range(1, 5)]
    assert events[0].attempts == 7
    assert sum(1 for a in receiver.arrivals if a.webhook_id == events[1].webhook_id) == 1


async def test_a_receiver_that_is_down_gets_every_event_once_it_is_up(tmp_path: Path) -> None:
    receiver = await Receiver().start()
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    await receiver.stop()
    async with shop(tmp_path / "a.db") as s:
        await s.book()
        async with sending(s.db, fast(receiver.url)):

            async def refused() -> bool:
                return bool((await s.events())[0].last_error)

            await eventually(refused)
            back = await Receiver().start(port)
            try:
                arrivals = await back.wait_for(2)
            finally:
                await back.stop()
        events = await s.events()
    assert events[0].attempts >= 2
    assert [a.webhook_id for a in arrivals] == [e.webhook_id for e in events]


async def test_a_client_error_is_given_up_after_a_few_tries_and_the_rest_goes_on(
    receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script = [ok(400)] * 3
    async with shop(tmp_path / "a.db") as s:
        await s.book()
        async with sending(s.db, fast(receiver.url)):
            await receiver.wait_for(1)
        events = await s.events()
    assert [a.status for a in receiver.arrivals] == [400, 400, 400, 200]
    assert events[0].failed_at is not None
    assert (events[0].attempts, events[0].last_error) == (3, "http 400")
    assert events[1].sent_at is not None


@pytest.mark.parametrize("status", [408, 429, 503])
async def test_timeouts_throttling_and_server_errors_are_retried_not_given_up(
    receiver: Receiver, tmp_path: Path, status: int
) -> None:
    receiver.script = [ok(status)] * 4
    async with shop(tmp_path / "a.db") as s:
        await s.book()
        async with sending(s.db, fast(receiver.url)):
            await receiver.wait_for(2)
        events = await s.events()
    assert [a.status for a in receiver.arrivals[:5]] == [status] * 4 + [200]
    assert all(e.sent_at is not None for e in events)


async def _endless(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(status=200)
    await response.prepare(request)
    while True:
        await response.write(b"x" * 65536)
        await asyncio.sleep(0)


async def _silent(_: web.Request) -> web.StreamResponse:
    await asyncio.sleep(3600)
    return web.Response()


async def test_a_huge_or_endless_answer_never_holds_the_sender(
    receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script = [ok(200, body=b"y" * 5_000_000), _endless]
    async with shop(tmp_path / "a.db") as s:
        await s.book()
        await s.book()
        async with sending(s.db, fast(receiver.url)):
            # The endless answer's 200 counts: the sender hangs up after the read limit
            # (the receiver records that one with status 0, as it never finished).
            await receiver.wait_for(3)
            arrivals = sorted(receiver.arrivals, key=lambda a: a.at)
        events = await s.events()
    assert [a.webhook_id for a in arrivals[:4]] == [e.webhook_id for e in events]
    assert all(e.attempts == 1 and e.sent_at is not None for e in events)


async def test_a_receiver_that_never_answers_times_out_and_is_tried_again(
    receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script = [_silent]
    async with shop(tmp_path / "a.db") as s:
        await s.book()
        async with sending(s.db, fast(receiver.url, timeout=0.3)):
            await receiver.wait_for(2)
        events = await s.events()
    first = [a for a in receiver.arrivals if a.webhook_id == events[0].webhook_id]
    assert len(first) >= 2
    assert first[-1].status == 200


async def test_each_workspace_keeps_its_order_while_another_one_waits(
    receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script = [ok(500)] * 3
    async with shop(tmp_path / "a.db", teams=("T_A", "T_B")) as s:
        await s.book("T_A")
        await s.book("T_B")
        await s.book("T_A")
        async with sending(s.db, fast(receiver.url)):
            await receiver.wait_for(6)
    delivered = sequences([a.body for a in receiver.delivered()])
    for team in ("T_A", "T_B"):
        mine = [n for t, n in delivered if t == team]
        assert mine == sorted(mine) == list(range(1, len(mine) + 1))
    assert len(delivered) == 6


async def test_a_receiver_with_another_secret_rejects_every_signature(tmp_path: Path) -> None:
    forged = await Receiver(secret=FORGED).start()
    try:
        async with shop(tmp_path / "a.db") as s:
            await s.book()
            async with sending(s.db, fast(forged.url)):
                arrivals = await forged.wait_for(2)
    finally:
        await forged.stop()
    assert [a.verified for a in arrivals] == [False, False]
    with pytest.raises(WebhookVerificationError):
        Webhook(FORGED).verify(arrivals[0].body, arrivals[0].headers)
    assert Webhook(SECRET).verify(arrivals[0].body, arrivals[0].headers)["type"] == "addon.booked"


async def test_during_a_rotation_each_delivery_verifies_with_the_old_and_the_new_secret(
    tmp_path: Path,
) -> None:
    # CloudCRM may hold either secret while it switches: every delivery carries both.
    old = await Receiver(secret=SECRET).start()
    new = await Receiver(secret=FORGED).start()
    try:
        for receiver in (old, new):
            async with shop(tmp_path / f"{receiver.secret[-8:]}.db") as s:
                await s.book()
                config = replace(fast(receiver.url), secret=f"{FORGED} {SECRET}")
                async with sending(s.db, config):
                    arrivals = await receiver.wait_for(2)
            assert [a.verified for a in arrivals] == [True, True]
            assert len(arrivals[0].headers["webhook-signature"].split()) == 2
    finally:
        await old.stop()
        await new.stop()


async def test_each_failed_try_is_a_warning_and_a_given_up_event_an_error(
    receiver: Receiver, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.adapters.observability import metrics

    def count(outcome: str) -> float:
        value = metrics.REGISTRY.get_sample_value(
            "addons_webhook_deliveries_total", {"outcome": outcome}
        )
        return value or 0.0

    before = {o: count(o) for o in ("sent", "retry", "failed")}
    receiver.script = [ok(503), ok(503), ok(400), ok(400), ok(400)]
    caplog.set_level("WARNING", logger="addons.webhooks")
    async with shop(tmp_path / "a.db") as s:
        await s.book()

        async def both_done() -> bool:  # the first given up, the second sent at last
            return count("failed") > before["failed"] and count("sent") > before["sent"]

        async with sending(s.db, fast(receiver.url)):
            await eventually(both_done)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    first = warnings[0].getMessage()
    assert "http 503" in first
    assert "addon.booked" in first
    assert TEAM in first
    assert "next try at" in first
    assert len(errors) == 1
    assert "given up after 3 tries: http 400" in errors[0].getMessage()
    assert count("retry") - before["retry"] == len(warnings) == 4
    assert count("failed") - before["failed"] == 1
