"""Each workspace's subscription on SQLAlchemy Core: anchor, zone, language, customer
number, billing admins, Rechnungsdaten and Tarif, and its name in Slack.

Statements are built once, at import, as in ``storage.repositories``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from domain.money import Money
from domain.parties import DETAIL_FIELDS, BillingDetails, SepaMandate
from domain.workspace import Plan, Subscription
from storage.executor import Executor
from storage.repositories import Repository, Row
from storage.tables import slack_bots, subscriptions

_s = subscriptions
# The Rechnungsdaten columns, in BillingDetails' order (the mandate kept apart).
_DETAILS = DETAIL_FIELDS
# The subscription columns 0008_law added, as ``_law_values`` fills them.
_WRITTEN_LAW = (
    *_DETAILS,
    "sepa_mandate",
    "sepa_iban",
    "sepa_signed",
    "plan_name",
    "plan_price_cents",
    "slack_name",
)
# The workspace's name in Slack: as its newest installation recorded it (OAuth mode), else
# as auth.test told it (single-workspace mode: bot.adapters.slack_name).
_SLACK_NAME = (
    select(slack_bots.c.team_name)
    .where(slack_bots.c.team_id == _s.c.team_id)
    .order_by(slack_bots.c.installed_at.desc())
    .limit(1)
    .scalar_subquery()
)
_SUB = select(
    _s.c.team_id,
    _s.c.anchor,
    _s.c.timezone,
    _s.c.locale,
    _s.c.last_closed,
    _s.c.customer,
    _s.c.billing_admins,
    *(_s.c[name] for name in _DETAILS),
    _s.c.sepa_mandate,
    _s.c.sepa_iban,
    _s.c.sepa_signed,
    _s.c.plan_name,
    _s.c.plan_price_cents,
    func.coalesce(_SLACK_NAME, _s.c.slack_name),
)
_SUB_GET = _SUB.where(_s.c.team_id == bindparam("team_id"))
_SUB_PAGE = (
    _SUB.where(_s.c.team_id > bindparam("after")).order_by(_s.c.team_id).limit(bindparam("n"))
)
_SUB_INSERT = insert(_s)
_SUB_SAVE = (
    update(_s)
    .where(_s.c.team_id == bindparam("b_team_id"))
    .values(
        anchor=bindparam("anchor"),
        timezone=bindparam("timezone"),
        locale=bindparam("locale"),
        last_closed=bindparam("last_closed"),
        customer=bindparam("customer"),
        billing_admins=bindparam("billing_admins"),
        **{name: bindparam(name) for name in _WRITTEN_LAW},
    )
)


def _subscription(row: Row) -> Subscription:
    admins = tuple(part for part in str(row[6] or "").split(",") if part)
    n = 7 + len(_DETAILS)
    values = dict(zip(_DETAILS, row[7:n], strict=True))
    reference, iban, signed, plan_name, plan_cents, slack_name = row[n : n + 6]
    mandate = SepaMandate(reference, iban, signed) if reference and iban and signed else None
    plan = Plan(plan_name, Money(plan_cents)) if plan_name and plan_cents is not None else None
    return Subscription(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        customer=row[5],
        billing_admins=admins,
        details=BillingDetails(**values, mandate=mandate),
        plan=plan,
        slack_name=slack_name,
    )


def _law_values(sub: Subscription) -> dict[str, Any]:
    """The Rechnungsdaten and the Tarif as columns."""
    details = sub.details
    mandate = details.mandate
    values: dict[str, Any] = {name: getattr(details, name) for name in _DETAILS}
    values["sepa_mandate"] = mandate.reference if mandate else None
    values["sepa_iban"] = mandate.iban if mandate else None
    values["sepa_signed"] = mandate.signed_on if mandate else None
    values["plan_name"] = sub.plan.name if sub.plan else None
    values["plan_price_cents"] = sub.plan.price.cents if sub.plan else None
    values["slack_name"] = sub.slack_name
    return values


class Subscriptions(Repository):
    """Each workspace's subscription.

    Read once per unit of work: a writer holds its workspace from the first read (no
    one else changes the subscription meanwhile) and a reader reads one snapshot, so a
    second read (a use case and each event it records) is answered from memory, after
    a change by what was stored."""

    def __init__(self, executor: Executor) -> None:
        super().__init__(executor)
        self._read: dict[str, Subscription | None] = {}

    async def get(self, team_id: str) -> Subscription | None:
        """The workspace's subscription, if it has one."""
        if team_id in self._read:
            return self._read[team_id]
        await self._workspace(team_id)
        row = await self._one(_SUB_GET, {"team_id": team_id})
        found = _subscription(row) if row else None
        self._read[team_id] = found
        return found

    async def add(self, sub: Subscription, now: datetime) -> None:
        """Store a new subscription."""
        self._read.pop(sub.team_id, None)
        await self._workspace(sub.team_id)
        await self._x.write(
            _SUB_INSERT,
            {
                "team_id": sub.team_id,
                "anchor": sub.anchor,
                "timezone": sub.timezone,
                "locale": sub.locale,
                "last_closed": sub.closed_through,
                "billing_admins": ",".join(sub.billing_admins),
                "created_at": now,
                "customer": sub.customer,
                **_law_values(sub),
            },
        )

    async def save(self, sub: Subscription) -> None:
        """Store a changed subscription."""
        read = self._read.pop(sub.team_id, None)
        await self._workspace(sub.team_id)
        await self._x.write_later(
            _SUB_SAVE,
            {
                "b_team_id": sub.team_id,
                "anchor": sub.anchor,
                "timezone": sub.timezone,
                "locale": sub.locale,
                "last_closed": sub.closed_through,
                "customer": sub.customer,
                "billing_admins": ",".join(sub.billing_admins),
                **_law_values(sub),
            },
        )
        if read is not None and read.slack_name == sub.slack_name:
            # A changed copy of what was read: a new read would give it back (its name
            # in Slack, read through the installations, is the one stored), so keep it.
            self._read[sub.team_id] = sub

    async def page_after(self, after: str, limit: int) -> list[Subscription]:
        """A page of subscriptions in team-id order, for runs over every workspace."""
        rows = await self._all(_SUB_PAGE, {"after": after, "n": limit})
        return [_subscription(r) for r in rows]
