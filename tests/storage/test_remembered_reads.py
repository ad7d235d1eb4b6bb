"""What a unit of work reads once and remembers: the subscription, the acting admins and
the next event's sequence, each exactly as a new read would give it, also after the
unit of work changed it (on every engine)."""

from __future__ import annotations

from dataclasses import replace

from bot import services
from tests.storage.helpers import TEAM, at

NOW = at("2026-03-20")


async def test_the_subscription_as_stored_is_what_the_unit_of_work_reads_next(
    ctx: services.Context, workspace: str
) -> None:
    async with ctx.db.unit_of_work() as uow:
        read = await uow.subscriptions.get(TEAM)
        assert read is not None
        changed = replace(read, customer="K-7")
        await uow.subscriptions.save(changed)
        assert await uow.subscriptions.get(TEAM) == changed
        renamed = replace(changed, slack_name="Other name")
        await uow.subscriptions.save(renamed)  # its name in Slack may read otherwise: read
        again = await uow.subscriptions.get(TEAM)
        assert again is not renamed
        assert again is not None
        assert again.customer == "K-7"
        await uow.commit()
    async with ctx.db.unit_of_work(write=False) as uow:
        assert await uow.subscriptions.get(TEAM) == again


async def test_the_acting_admins_are_read_again_after_an_entry_is_recorded(
    ctx: services.Context, workspace: str
) -> None:
    async with ctx.db.unit_of_work() as uow:
        before = await uow.audit.slack_actors(TEAM)
        await uow.audit.record(TEAM, NOW, "U0NEWADMIN", "book", 1)
        after = await uow.audit.slack_actors(TEAM)
    assert "U0NEWADMIN" not in before
    assert after == sorted({*before, "U0NEWADMIN"})


async def test_the_next_sequence_counts_on_from_the_events_queued(
    ctx: services.Context, workspace: str
) -> None:
    async with ctx.db.unit_of_work() as uow:
        first = await uow.events.next_sequence(TEAM)
        await uow.events.add(TEAM, first, "msg_a", "addon.booked", "{}", NOW)
        second = await uow.events.next_sequence(TEAM)
        await uow.events.add(TEAM, second, "msg_b", "addon.booked", "{}", NOW)
        await uow.commit()
    async with ctx.db.unit_of_work() as uow:
        assert await uow.events.next_sequence(TEAM) == second + 1
    assert second == first + 1
