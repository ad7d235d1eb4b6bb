"""What every use case needs (the store, the catalog, the defaults) and the lookups they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.ports import UnitOfWork, UnitOfWorkSource
from domain.addons import AddOn
from domain.catalog import Catalog
from domain.errors import UnknownAddOn, UnknownWorkspace
from domain.terms import Invoicing
from domain.workspace import DEFAULT_TIMEZONE, Subscription

# An instant, or a clock to read it from. A write use case reads a clock only once it
# holds the workspace (and again on each retry): a ``now`` read before waiting for the
# lock may lie before a period turn that committed meanwhile.
Now = datetime | Callable[[], datetime]

# The actor named in the audit log for what the schedule does on its own.
SYSTEM_ACTOR = "billing-run"


@dataclass(frozen=True)
class Context:
    """What every use case needs: the store, the catalog and the defaults."""

    db: UnitOfWorkSource
    catalog: Catalog = field(default_factory=Catalog)
    default_locale: str = "de"
    default_timezone: str = DEFAULT_TIMEZONE
    billing_admins: tuple[str, ...] = ()
    # Each invoice and correction gets its document (PDF, XML) through an outbox job,
    # and its DM and event wait for it (bot.services.documents)
    documents: bool = False
    # The seller, the standard VAT rate and the payment days every document is issued with
    invoicing: Invoicing = field(default_factory=Invoicing)


async def subscription_of(uow: UnitOfWork, team_id: str) -> Subscription:
    """The workspace's subscription, or UnknownWorkspace."""
    sub = await uow.subscriptions.get(team_id)
    if sub is None:
        raise UnknownWorkspace(team_id)
    return sub


async def addon_of(uow: UnitOfWork, team_id: str, addon_id: int) -> AddOn:
    """One add-on of this workspace, or UnknownAddOn (also for another workspace's id)."""
    addon = await uow.addons.get(team_id, addon_id)
    if addon is None:
        raise UnknownAddOn(addon_id)
    return addon


def instant(now: Now) -> datetime:
    """The instant to act at: ``now`` itself, or what the clock says at this moment."""
    return now if isinstance(now, datetime) else now()
