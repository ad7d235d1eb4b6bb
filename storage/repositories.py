"""The repositories of ``bot.ports`` on SQLAlchemy Core: add-ons, idempotency keys and
CloudCRM's requests, and the base every repository shares (subscriptions are in
``storage.subscriptions``, the invoice ledger in ``storage.ledger``, the audit log and
the outbox in ``storage.journal``).

Every query of a workspace's rows is scoped by its team id. The statements are built
once, at import, with bound parameters: SQLAlchemy compiles each once per dialect and
caches it, so a call costs only its parameters and its one trip to the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update

from domain.addons import AddOn, Status
from storage.executor import Executor
from storage.tables import (
    addons,
    idempotency_keys,
    inbound_requests,
)

Row = tuple[Any, ...]


class Repository:
    """A repository works inside its unit of work's connection and transaction."""

    def __init__(self, executor: Executor) -> None:
        self._x = executor

    async def _workspace(self, team_id: str) -> None:
        """Before a statement about ``team_id``: a writer holds that workspace alone until
        it ends (nothing on SQLite, whose writer holds the whole file already)."""
        await self._x.lock_workspace(team_id)

    async def _all(self, statement: Any, params: dict[str, Any] | None = None) -> list[Row]:
        return await self._x.rows(statement, params)

    async def _one(self, statement: Any, params: dict[str, Any] | None = None) -> Row | None:
        rows = await self._x.rows(statement, params)
        return rows[0] if rows else None


# -- add-ons --------------------------------------------------------------------------

_a = addons
_ADDON = select(
    _a.c.id,
    _a.c.option,
    _a.c.quantity,
    _a.c.booked_on,
    _a.c.billed_until,
    _a.c.status,
    _a.c.effective_on,
    _a.c.ended_on,
)
_ADDON_GET = _ADDON.where(_a.c.team_id == bindparam("team_id"), _a.c.id == bindparam("id"))
_ADDON_NEWEST = _ADDON.where(_a.c.team_id == bindparam("team_id")).order_by(_a.c.id.desc())
_ADDON_LIVE = _ADDON.where(
    _a.c.team_id == bindparam("team_id"),
    # or_ rather than in_: an IN list is expanded at execution, not compiled once
    or_(_a.c.status == Status.ACTIVE.value, _a.c.status == Status.CANCELLATION_PENDING.value),
).order_by(_a.c.id)
# What decides whether an add-on counts on a day (AddOn.in_force_on), and the summed
# quantity of each such group: the live add-ons' entitlements in few rows.
_IN_FORCE_KEYS = (_a.c.option, _a.c.booked_on, _a.c.status, _a.c.effective_on, _a.c.ended_on)
_ADDON_LIVE_TOTALS = (
    select(*_IN_FORCE_KEYS, func.sum(_a.c.quantity))
    .where(
        _a.c.team_id == bindparam("team_id"),
        or_(_a.c.status == Status.ACTIVE.value, _a.c.status == Status.CANCELLATION_PENDING.value),
    )
    .group_by(*_IN_FORCE_KEYS)
    .order_by(*_IN_FORCE_KEYS)
)
_ADDON_INSERT = insert(_a)
_ADDON_SAVE = (
    update(_a)
    .where(_a.c.team_id == bindparam("b_team_id"), _a.c.id == bindparam("b_id"))
    .values(
        billed_until=bindparam("billed_until"),
        status=bindparam("status"),
        effective_on=bindparam("effective_on"),
        ended_on=bindparam("ended_on"),
    )
)
_ADDON_COUNT = select(func.count()).select_from(_a).where(_a.c.team_id == bindparam("team_id"))


def _addon(row: Row) -> AddOn:
    return AddOn(
        id=row[0],
        option=row[1],
        quantity=row[2],
        booked_on=row[3],
        billed_until=row[4],
        status=Status(row[5]),
        effective_on=row[6],
        ended_on=row[7],
    )


def _addon_change(team_id: str, addon: AddOn) -> dict[str, Any]:
    return {
        "b_team_id": team_id,
        "b_id": addon.id,
        "billed_until": addon.billed_until,
        "status": addon.status.value,
        "effective_on": addon.effective_on,
        "ended_on": addon.ended_on,
    }


class AddOns(Repository):
    """A workspace's add-ons."""

    async def get(self, team_id: str, addon_id: int) -> AddOn | None:
        """One add-on of the workspace."""
        await self._workspace(team_id)
        row = await self._one(_ADDON_GET, {"team_id": team_id, "id": addon_id})
        return _addon(row) if row else None

    async def newest_first(self, team_id: str) -> list[AddOn]:
        """All add-ons, newest first."""
        await self._workspace(team_id)
        return [_addon(r) for r in await self._all(_ADDON_NEWEST, {"team_id": team_id})]

    async def live(self, team_id: str) -> list[AddOn]:
        """Active add-ons and those with a cancellation pending, oldest first."""
        await self._workspace(team_id)
        return [_addon(r) for r in await self._all(_ADDON_LIVE, {"team_id": team_id})]

    async def live_totals(self, team_id: str) -> list[AddOn]:
        """The live add-ons summed per option and per the dates and status that decide
        whether they count on a day, each group as one add-on (id 0) holding the summed
        quantity: what entitlements need, in a few rows however many bookings there are."""
        await self._workspace(team_id)
        rows = await self._all(_ADDON_LIVE_TOTALS, {"team_id": team_id})
        return [
            AddOn(
                id=0,
                option=option,
                quantity=int(quantity),
                booked_on=booked_on,
                billed_until=None,
                status=Status(status),
                effective_on=effective_on,
                ended_on=ended_on,
            )
            for option, booked_on, status, effective_on, ended_on, quantity in rows
        ]

    async def add(self, team_id: str, addon: AddOn, now: datetime) -> int:
        """Store a new add-on; return its id."""
        await self._workspace(team_id)
        written = await self._x.write(
            _ADDON_INSERT,
            {
                "team_id": team_id,
                "option": addon.option,
                "quantity": addon.quantity,
                "booked_on": addon.booked_on,
                "billed_until": addon.billed_until,
                "status": addon.status.value,
                "effective_on": addon.effective_on,
                "ended_on": addon.ended_on,
                "created_at": now,
            },
        )
        assert written.lastrowid is not None
        return written.lastrowid

    async def save(self, team_id: str, addon: AddOn) -> None:
        """Store a changed add-on."""
        await self._workspace(team_id)
        await self._x.write_later(_ADDON_SAVE, _addon_change(team_id, addon))

    async def save_many(self, team_id: str, addons: list[AddOn]) -> None:
        """Store changed add-ons, in one statement."""
        await self._workspace(team_id)
        if addons:
            await self._x.write_many(_ADDON_SAVE, [_addon_change(team_id, a) for a in addons])

    async def count(self, team_id: str) -> int:
        """How many add-ons the workspace has, in any status."""
        await self._workspace(team_id)
        row = await self._one(_ADDON_COUNT, {"team_id": team_id})
        return int(row[0]) if row else 0


# -- idempotency keys -----------------------------------------------------------------

_k = idempotency_keys
_KEY_INSERT = insert(_k)
_KEY_GET = select(_k.c.addon_id).where(
    _k.c.team_id == bindparam("team_id"), _k.c.key == bindparam("key")
)


_INBOUND_GET = select(inbound_requests.c.team_id).where(
    inbound_requests.c.webhook_id == bindparam("webhook_id")
)
_INBOUND_INSERT = insert(inbound_requests)


class InboundRequests(Repository):
    """CloudCRM's requests already applied, by their webhook-id."""

    async def first_time(self, team_id: str, webhook_id: str, now: datetime) -> bool:
        """Remember ``webhook_id``; False if it was applied before."""
        await self._workspace(team_id)
        if await self._one(_INBOUND_GET, {"webhook_id": webhook_id}):
            return False
        await self._x.write_later(
            _INBOUND_INSERT, {"webhook_id": webhook_id, "team_id": team_id, "received_at": now}
        )
        return True


class IdempotencyKeys(Repository):
    """Which add-on a confirmation key already booked."""

    async def get(self, team_id: str, key: str) -> int | None:
        """The add-on this key booked, if any."""
        await self._workspace(team_id)
        row = await self._one(_KEY_GET, {"team_id": team_id, "key": key})
        return int(row[0]) if row else None

    async def put(self, team_id: str, key: str, addon_id: int, now: datetime) -> None:
        """Remember that this key booked this add-on."""
        await self._workspace(team_id)
        await self._x.write_later(
            _KEY_INSERT, {"team_id": team_id, "key": key, "addon_id": addon_id, "created_at": now}
        )


__all__ = [
    "AddOns",
    "IdempotencyKeys",
    "InboundRequests",
    "Repository",
]
