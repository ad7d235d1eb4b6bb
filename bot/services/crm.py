"""What CloudCRM sets on a workspace through the signed way in (POST /crm/v1/...)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.services.context import Context, subscription_of
from bot.services.events import emit
from bot.services.retry import retrying
from bot.services.shapes import workspace_to_json
from bot.services.workspace_changes import BillingChange, billing_changes, with_billing
from bot.services.workspaces import told_to_cloudcrm
from domain.workspace import Subscription, check_customer

# The actor CloudCRM's changes carry in the audit log.
CRM_ACTOR = "cloudcrm"


@dataclass(frozen=True)
class CrmChanges:
    """The fields CloudCRM may set: the customer number (None leaves it as it is), and
    the Rechnungsdaten, mandate and Tarif values ``billing`` names (as ``workspace set``)."""

    customer: str | None = None
    billing: BillingChange = field(default_factory=BillingChange)


@dataclass(frozen=True)
class CrmAnswer:
    """The workspace after the request, and whether this request changed anything."""

    subscription: Subscription
    applied: bool


@retrying
async def apply_crm_changes(
    ctx: Context, team_id: str, webhook_id: str, changes: CrmChanges, now: datetime
) -> CrmAnswer:
    """Apply CloudCRM's request once per webhook-id, in one transaction with its event.

    UnknownWorkspace for a team the app has never seen; a field that does not validate
    raises its DomainError (InvalidBillingDetail names the field) and nothing is stored
    (the id neither, so a fixed resend works). The values are checked and applied as the
    operator's ``workspace set`` applies them (``bot.services.workspace_changes``).
    """
    if changes.customer is not None:
        check_customer(changes.customer)
    async with ctx.db.unit_of_work() as uow:
        old = await subscription_of(uow, team_id)
        if not await uow.inbound.first_time(team_id, webhook_id, now):
            return CrmAnswer(old, applied=False)
        new = replace(old, customer=changes.customer or old.customer)
        new = with_billing(new, changes.billing, new.today(now))
        if new != old:
            await uow.subscriptions.save(new)
            await uow.audit.record(
                team_id,
                now,
                CRM_ACTOR,
                "workspace_set",
                customer=new.customer,
                request=webhook_id,
                **billing_changes(old, new),
            )
        if told_to_cloudcrm(new) != told_to_cloudcrm(old):
            await emit(uow, team_id, "workspace.updated", workspace_to_json(new, now), now)
        await uow.commit()
    return CrmAnswer(new, applied=True)
