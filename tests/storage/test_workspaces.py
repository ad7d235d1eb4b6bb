"""Workspaces: created on first use, configured by the operator, anchors fixed by add-ons."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot import services
from domain.errors import AnchorLocked, InvalidTimezone, UnknownWorkspace
from tests.storage.helpers import ANCHOR, TEAM, at, book


async def test_the_first_use_creates_the_workspace_with_today_as_its_anchor(
    ctx: services.Context,
) -> None:
    sub = await services.ensure_workspace(ctx, TEAM, at("2026-04-03"))
    assert (sub.anchor, sub.timezone, sub.locale) == (date(2026, 4, 3), "Europe/Berlin", "de")
    again = await services.ensure_workspace(ctx, TEAM, at("2026-06-01"))
    assert again.anchor == date(2026, 4, 3)
    assert [e.action for e in await services.audit_log(ctx, TEAM)] == ["workspace_created"]


async def test_today_is_taken_in_the_billing_time_zone(ctx: services.Context) -> None:
    # 23:30 UTC on 17.04. is already 18.04. in Berlin.
    sub = await services.ensure_workspace(ctx, TEAM, datetime(2026, 4, 17, 23, 30, tzinfo=UTC))
    assert sub.anchor == date(2026, 4, 18)


async def test_setting_a_workspace_stores_anchor_zone_and_language(
    ctx: services.Context,
) -> None:
    await services.set_workspace(
        ctx, TEAM, ANCHOR, at("2026-04-03"), timezone="America/New_York", locale="en"
    )
    sub = await services.get_workspace(ctx, TEAM)
    assert (sub.anchor, sub.timezone, sub.locale) == (ANCHOR, "America/New_York", "en")
    # Nothing before the current period is due: the workspace did not exist then.
    assert sub.closed_through == ANCHOR


async def test_an_unknown_time_zone_is_refused_and_nothing_is_stored(
    ctx: services.Context,
) -> None:
    with pytest.raises(InvalidTimezone):
        await services.set_workspace(ctx, TEAM, ANCHOR, at("2026-04-03"), timezone="Mars/Base")
    with pytest.raises(UnknownWorkspace):
        await services.get_workspace(ctx, TEAM)


async def test_the_anchor_cannot_change_once_add_ons_exist(
    ctx: services.Context,
    workspace: str,
) -> None:
    await book(ctx, "2026-04-03")
    with pytest.raises(AnchorLocked):
        await services.set_workspace(ctx, TEAM, date(2026, 3, 1), at("2026-04-04"))
    # The language may still change.
    sub = await services.set_workspace(ctx, TEAM, ANCHOR, at("2026-04-04"), locale="en")
    assert (sub.anchor, sub.locale) == (ANCHOR, "en")


async def test_moving_the_anchor_takes_today_in_the_workspaces_own_time_zone(
    ctx: services.Context,
) -> None:
    # 11:00 UTC on 17.04. is already 18.04. on Kiritimati (UTC+14), the start of a period.
    now = datetime(2026, 4, 17, 11, 0, tzinfo=UTC)
    await services.set_workspace(ctx, TEAM, date(2026, 3, 1), now, timezone="Pacific/Kiritimati")
    sub = await services.set_workspace(ctx, TEAM, ANCHOR, now)
    assert sub.timezone == "Pacific/Kiritimati"
    assert sub.closed_through == date(2026, 4, 18)


async def test_a_unit_of_work_reads_a_subscription_once_and_again_after_storing_it(
    ctx: services.Context,
    workspace: str,
) -> None:
    async with ctx.db.unit_of_work() as uow:
        first = await uow.subscriptions.get(TEAM)
        assert first is not None
        assert await uow.subscriptions.get(TEAM) is first  # from memory: the workspace is held
        await uow.subscriptions.save(replace(first, locale="en", customer="K-1"))
        again = await uow.subscriptions.get(TEAM)
        assert again is not first
        assert again is not None
        assert (again.locale, again.customer) == ("en", "K-1")
        await uow.commit()
    assert (await services.get_workspace(ctx, TEAM)).customer == "K-1"
