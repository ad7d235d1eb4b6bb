"""Use cases: short async functions over one unit of work each; ``now`` is always passed in.

Every write happens inside ``async with ctx.db.unit_of_work() as uow`` and is committed at
its end, so a crash half-way leaves nothing behind. ``now`` is an aware instant; each use
case turns it into the workspace's calendar date in its billing time zone. The use cases
know the domain and the ports of ``bot.ports``, never a concrete store.
"""

from __future__ import annotations

from bot.services.billing_run import (
    PeriodTurn,
    billing_run,
    iter_billing_run,
    run_workspace,
    stream_subscriptions,
)
from bot.services.booking import Booked, book, quote_booking
from bot.services.cancelling import (
    Cancelled,
    Refunded,
    cancel,
    cancellation_offer,
    money_figures,
    quote_cancellation,
    undo_cancellation,
)
from bot.services.context import SYSTEM_ACTOR, Context
from bot.services.crm import CRM_ACTOR, CrmAnswer, CrmChanges, apply_crm_changes
from bot.services.documents import (
    CORRECTION,
    INVOICE,
    JOB,
    document_json,
    document_owner_exists,
    get_document,
    make_document,
)
from bot.services.events import (
    emit,
    event_status,
    list_webhook_events,
    replay_webhook_events,
    retry_webhook_events,
)
from bot.services.export import documents_issued_between
from bot.services.reading import (
    Overview,
    audit_log,
    ensured_overview,
    get_addon,
    get_correction,
    get_entitlements,
    get_invoice,
    list_addons,
    list_corrections,
    list_documents,
    list_invoices,
    overview,
    preview_invoice,
    preview_invoices,
)
from bot.services.shapes import (
    addon_to_json,
    correction_to_json,
    document_to_json,
    invoice_to_json,
    workspace_to_json,
)
from bot.services.workspace_changes import (
    KEEP,
    BillingChange,
    Keep,
    MandateInput,
    PlanInput,
)
from bot.services.workspaces import (
    WorkspaceRow,
    billing_admins_of,
    ensure_workspace,
    get_workspace,
    list_workspaces,
    name_workspace,
    next_invoice_on,
    record_installation,
    set_billing_admins,
    set_billing_details,
    set_workspace,
)
from domain.parties import DETAIL_FIELDS  # the CLI and CloudCRM's fields

__all__ = [
    "CORRECTION",
    "CRM_ACTOR",
    "DETAIL_FIELDS",
    "INVOICE",
    "JOB",
    "KEEP",
    "SYSTEM_ACTOR",
    "BillingChange",
    "Booked",
    "Cancelled",
    "Context",
    "CrmAnswer",
    "CrmChanges",
    "Keep",
    "MandateInput",
    "Overview",
    "PeriodTurn",
    "PlanInput",
    "Refunded",
    "WorkspaceRow",
    "addon_to_json",
    "apply_crm_changes",
    "audit_log",
    "billing_admins_of",
    "billing_run",
    "book",
    "cancel",
    "cancellation_offer",
    "correction_to_json",
    "document_json",
    "document_owner_exists",
    "document_to_json",
    "documents_issued_between",
    "emit",
    "ensure_workspace",
    "ensured_overview",
    "event_status",
    "get_addon",
    "get_correction",
    "get_document",
    "get_entitlements",
    "get_invoice",
    "get_workspace",
    "invoice_to_json",
    "iter_billing_run",
    "list_addons",
    "list_corrections",
    "list_documents",
    "list_invoices",
    "list_webhook_events",
    "list_workspaces",
    "make_document",
    "money_figures",
    "name_workspace",
    "next_invoice_on",
    "overview",
    "preview_invoice",
    "preview_invoices",
    "quote_booking",
    "quote_cancellation",
    "record_installation",
    "replay_webhook_events",
    "retry_webhook_events",
    "run_workspace",
    "set_billing_admins",
    "set_billing_details",
    "set_workspace",
    "stream_subscriptions",
    "undo_cancellation",
    "workspace_to_json",
]
