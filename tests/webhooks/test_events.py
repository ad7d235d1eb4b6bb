"""Every change queues its events in its own transaction, on both stores, in order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import services
from bot.ports import UnitOfWorkSource
from domain.addons import Outcome
from tests.stores import STORES, Store, open_store

TEAM = "T0001"
ADMIN = "U_ADMIN"
BERLIN = ZoneInfo("Europe/Berlin")


def at(day: date) -> datetime:
    """Noon in Berlin."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=BERLIN)


@pytest.fixture(params=STORES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(request.param, tmp_path) as opened:
        yield opened


async def queued(db: UnitOfWorkSource) -> list[dict[str, Any]]:
    """The bodies of every queued event, oldest first."""
    async with db.unit_of_work(write=False) as uow:
        events = await uow.events.listing(limit=1000)
    return [json.loads(e.body) for e in reversed(events)]


async def book(ctx: services.Context, option: str, quantity: int, day: date, key: str) -> int:
    booked = await services.book(ctx, TEAM, option, quantity, at(day), key=key, actor=ADMIN)
    return booked.addon.id


async def test_a_workspace_s_life_queues_each_event_once_in_order_with_the_totals(
    store: Store,
) -> None:
    ctx = services.Context(store.db)
    await services.set_workspace(ctx, TEAM, date(2026, 3, 18), at(date(2026, 4, 3)))
    await services.set_workspace(ctx, TEAM, None, at(date(2026, 4, 3)), customer="C-4711")
    users = await book(ctx, "users", 2, date(2026, 4, 3), "k1")
    storage = await book(ctx, "storage", 1, date(2026, 4, 3), "k2")
    await book(ctx, "storage", 1, date(2026, 4, 3), "k2")  # a repeated confirmation
    await services.cancel(ctx, TEAM, users, Outcome.WITHDRAWAL, at(date(2026, 4, 5)), actor=ADMIN)
    await services.billing_run(ctx, at(date(2026, 4, 18)))
    await services.cancel(
        ctx, TEAM, storage, Outcome.CANCELLATION, at(date(2026, 4, 20)), actor=ADMIN
    )
    await services.undo_cancellation(ctx, TEAM, storage, at(date(2026, 4, 21)), actor=ADMIN)
    await services.cancel(
        ctx, TEAM, storage, Outcome.CANCELLATION, at(date(2026, 4, 22)), actor=ADMIN
    )
    await services.billing_run(ctx, at(date(2026, 5, 18)))
    await services.billing_run(ctx, at(date(2026, 5, 18)))  # a rerun queues nothing

    events = await queued(store.db)
    assert events[0]["type"] == "workspace.updated"
    assert events[0]["data"]["customer"] == "C-4711"
    events = events[1:]
    assert [e["type"] for e in events] == [
        "addon.booked",
        "entitlements.changed",
        "addon.booked",
        "entitlements.changed",
        "addon.withdrawn",
        "entitlements.changed",
        "invoice.issued",
        "addon.cancelled",
        "addon.cancellation_revoked",
        "addon.cancelled",
        "addon.ended",
        "entitlements.changed",  # nothing left to invoice in May: no invoice
    ]
    assert [e["data"]["sequence"] for e in events] == list(range(2, 14))
    assert {(e["data"]["team_id"], e["data"]["customer"]) for e in events} == {(TEAM, "C-4711")}
    totals = [
        (e["data"]["seats"], e["data"]["storage_gb"], e["data"]["as_of"])
        for e in events
        if e["type"] == "entitlements.changed"
    ]
    assert totals == [
        (2, 0, "2026-04-03"),
        (2, 10, "2026-04-03"),
        (0, 10, "2026-04-05"),
        (0, 0, "2026-05-18"),
    ]
    assert events[4]["data"]["status"] == "withdrawn"
    assert events[7]["data"]["effective_on"] == "2026-05-17"
    assert events[10]["data"]["id"] == storage
    assert events[10]["data"]["status"] == "ended"


async def test_add_on_and_invoice_events_carry_exactly_the_cli_shapes(store: Store) -> None:
    ctx = services.Context(store.db)
    await services.set_workspace(ctx, TEAM, date(2026, 3, 18), at(date(2026, 4, 3)))
    addon_id = await book(ctx, "users", 1, date(2026, 4, 3), "k1")
    await services.billing_run(ctx, at(date(2026, 4, 18)))
    booked, _, issued = await queued(store.db)
    addon = await services.get_addon(ctx, TEAM, addon_id)
    invoice = (await services.list_invoices(ctx, TEAM))[0]
    extra = {"team_id": TEAM, "customer": None}
    # as it was booked: billed until the first period's end (renewed since)
    then = {**services.addon_to_json(addon), "billed_until": "2026-04-17"}
    assert booked["data"] == {**then, **extra, "sequence": 1}
    assert issued["data"] == {**services.invoice_to_json(invoice), **extra, "sequence": 3}
    assert issued["timestamp"] == at(date(2026, 4, 18)).isoformat()


async def test_each_workspace_counts_its_own_sequence(store: Store) -> None:
    ctx = services.Context(store.db)
    for team in ("T_A", "T_B"):
        await services.set_workspace(ctx, team, date(2026, 3, 18), at(date(2026, 4, 3)))
    for n, team in enumerate(("T_A", "T_B", "T_A")):
        await services.book(ctx, team, "users", 1, at(date(2026, 4, 3)), key=f"k{n}", actor=ADMIN)
    events = await queued(store.db)
    assert [(e["data"]["team_id"], e["data"]["sequence"]) for e in events] == [
        ("T_A", 1),
        ("T_A", 2),
        ("T_B", 1),
        ("T_B", 2),
        ("T_A", 3),
        ("T_A", 4),
    ]


async def test_every_change_is_recorded_whatever_the_process_was_configured_with(
    store: Store,
) -> None:
    # The context of a process without ADDONS_WEBHOOK_URL is the same as with it: the
    # event log belongs to the database.
    ctx = services.Context(store.db)
    await services.set_workspace(ctx, TEAM, date(2026, 3, 18), at(date(2026, 4, 3)))
    await book(ctx, "users", 1, date(2026, 4, 3), "k1")
    assert [e["type"] for e in await queued(store.db)] == [
        "addon.booked",
        "entitlements.changed",
    ]


async def test_a_new_customer_number_is_told_once_and_the_same_one_not_again(
    store: Store,
) -> None:
    ctx = services.Context(store.db)
    await services.set_workspace(ctx, TEAM, date(2026, 3, 18), at(date(2026, 4, 3)))
    for day in (4, 5):
        await services.set_workspace(ctx, TEAM, None, at(date(2026, 4, day)), customer="C-1")
    await services.set_workspace(ctx, TEAM, None, at(date(2026, 4, 6)), locale="en")
    events = await queued(store.db)
    assert [(e["type"], e["data"]["customer"]) for e in events] == [("workspace.updated", "C-1")]


async def test_an_installation_and_an_uninstall_are_told_as_the_workspace_s_life(
    store: Store,
) -> None:
    ctx = services.Context(store.db)
    await services.set_workspace(ctx, TEAM, date(2026, 3, 18), at(date(2026, 4, 3)))
    await services.record_installation(
        ctx, TEAM, at(date(2026, 4, 3)), "slack_installed", "slack", {"team_name": "Acme"}
    )
    await services.record_installation(
        ctx, TEAM, at(date(2026, 4, 9)), "slack_uninstalled", "slack", {}
    )
    events = await queued(store.db)
    assert [(e["type"], e["data"]["sequence"]) for e in events] == [
        ("workspace.installed", 1),
        ("workspace.uninstalled", 2),
    ]
    assert events[0]["data"]["team_name"] == "Acme"
    assert events[1]["data"]["reason"] == "slack_uninstalled"


async def test_a_replay_queues_the_workspace_s_events_again_with_their_ids(store: Store) -> None:
    ctx = services.Context(store.db)
    await services.set_workspace(ctx, TEAM, date(2026, 3, 18), at(date(2026, 4, 3)))
    await book(ctx, "users", 1, date(2026, 4, 3), "k1")
    sent = at(date(2026, 4, 3))
    async with store.db.unit_of_work() as uow:  # delivered, head of the queue first
        while claimed := await uow.events.claim(sent, sent, 10):
            for event in claimed:
                await uow.events.mark_sent(event, sent)
        await uow.commit()
    before = {e.sequence: e.webhook_id for e in await services.list_webhook_events(ctx)}

    replayed = await services.replay_webhook_events(ctx, TEAM, 2, at(date(2026, 4, 4)))

    after = await services.list_webhook_events(ctx)
    assert replayed == 1
    assert {e.sequence: services.event_status(e) for e in after} == {1: "sent", 2: "pending"}
    assert {e.sequence: e.webhook_id for e in after} == before


async def test_events_and_slack_messages_never_mix(store: Store) -> None:
    ctx = services.Context(store.db, billing_admins=("U_BILLING",))
    await services.set_workspace(ctx, TEAM, date(2026, 3, 18), at(date(2026, 4, 3)))
    addon_id = await book(ctx, "users", 1, date(2026, 4, 3), "k1")
    await services.cancel(
        ctx, TEAM, addon_id, Outcome.WITHDRAWAL, at(date(2026, 4, 4)), actor=ADMIN
    )
    async with store.db.unit_of_work(write=False) as uow:
        messages = await uow.outbox.due(at(date(2027, 1, 1)), 100)
        events = await uow.events.due(at(date(2027, 1, 1)), 100)
    assert {m.kind for m in messages} == {"withdrawn"}
    assert [e.type for e in events] == ["addon.booked"]  # the head of the workspace's queue


async def test_a_change_that_fails_queues_no_event(store: Store) -> None:
    ctx = services.Context(store.db)
    await services.set_workspace(ctx, TEAM, date(2026, 3, 18), at(date(2026, 4, 3)))
    with pytest.raises(Exception, match="quantity"):
        await book(ctx, "users", 0, date(2026, 4, 3), "k1")
    assert await queued(store.db) == []


async def test_a_withdrawal_of_an_invoiced_amount_queues_its_correction(store: Store) -> None:
    ctx = services.Context(store.db)
    await services.set_workspace(ctx, TEAM, date(2026, 3, 18), at(date(2026, 4, 3)))
    await services.set_workspace(ctx, TEAM, None, at(date(2026, 4, 3)), customer="C-4711")
    addon = await book(ctx, "users", 1, date(2026, 4, 15), "k1")
    await services.billing_run(ctx, at(date(2026, 4, 18)))  # invoice 1 carries it
    await services.cancel(ctx, TEAM, addon, Outcome.WITHDRAWAL, at(date(2026, 4, 20)), actor=ADMIN)

    events = await queued(store.db)
    assert [e["type"] for e in events][-3:] == [
        "correction.issued",
        "addon.withdrawn",
        "entitlements.changed",
    ]
    [correction] = [e["data"] for e in events if e["type"] == "correction.issued"]
    assert correction["type"] == "correction"
    assert correction["corrects"] == 1
    assert correction["customer"] == "C-4711"
    assert correction["team_id"] == TEAM
    assert correction["total"].startswith("-")
    assert all(line["kind"] == "credit" for line in correction["lines"])
