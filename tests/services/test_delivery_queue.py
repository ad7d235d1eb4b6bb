"""The one delivery queue of ``bot.ports`` on every store (memory, SQLite, PostgreSQL):
a claim leases, a record counts only while its lease holds, events go out head first."""

from __future__ import annotations

from datetime import date, timedelta

from tests.services.workspace import TEAM, at
from tests.stores import Store

OTHER = "T0002"
T0 = at(date(2026, 4, 1))


async def test_a_sender_whose_lease_ran_out_records_nothing_once_another_claimed(
    store: Store,
) -> None:
    async with store.db.unit_of_work() as uow:
        await uow.outbox.add(TEAM, "invoice:1:U1", "invoice_issued", {"number": 1}, T0)
        await uow.commit()
    async with store.db.unit_of_work() as uow:
        [late] = await uow.outbox.claim(T0, T0 + timedelta(minutes=1))
        assert await uow.outbox.claim(T0, T0 + timedelta(minutes=1)) == []  # leased
        await uow.commit()
    later = T0 + timedelta(minutes=2)  # the first lease ran out: due again
    async with store.db.unit_of_work() as uow:
        [current] = await uow.outbox.claim(later, later + timedelta(minutes=5))
        assert await uow.outbox.mark_sent(late, later) is False
        assert await uow.outbox.mark_sent(current, later) is True
        await uow.commit()
    async with store.db.unit_of_work(write=False) as uow:
        [row] = await uow.outbox.all(TEAM)
        assert await uow.outbox.due(later + timedelta(days=1)) == []
    assert row["attempts"] == 1
    assert row["sent_at"] is not None


async def test_a_workspaces_events_are_claimed_head_first_one_at_a_time(store: Store) -> None:
    async with store.db.unit_of_work() as uow:
        for team, sequence in ((TEAM, 1), (TEAM, 2), (OTHER, 1)):
            await uow.events.add(team, sequence, f"msg_{team}_{sequence}", "t", "{}", T0)
        await uow.commit()
    lease = T0 + timedelta(minutes=1)
    async with store.db.unit_of_work() as uow:
        first = await uow.events.claim(T0, lease)
        assert await uow.events.claim(T0, lease) == []
        await uow.commit()
    assert [e.webhook_id for e in first] == [f"msg_{TEAM}_1", f"msg_{OTHER}_1"]
    async with store.db.unit_of_work() as uow:
        assert await uow.events.retry_later(first[0], T0, "http 503") is True
        # the retry is due at T0 again, and still comes before the second event
        [again] = await uow.events.claim(T0, lease)
        assert again.webhook_id == f"msg_{TEAM}_1"
        assert await uow.events.mark_sent(again, T0) is True
        [second] = await uow.events.claim(T0, lease)
        await uow.commit()
    assert (second.webhook_id, again.attempts) == (f"msg_{TEAM}_2", 1)
