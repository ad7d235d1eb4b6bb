"""The schema, declared once: every table, column, key and index, as SQLAlchemy Core.

Money is integer cents. Dates are ``Date`` columns (ISO text ``YYYY-MM-DD`` on SQLite),
instants are ``Instant`` columns (UTC ISO-8601 text on SQLite). The migrations in
``storage.migrations`` create exactly these tables; the repositories query them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.types import Instant

metadata = MetaData()

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("team_id", Text, primary_key=True),
    Column("anchor", Date, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("locale", Text, nullable=False),
    # the start of the last period whose turn is done
    Column("last_closed", Date, nullable=False),
    Column("created_at", Instant, nullable=False),
    Column("customer", Text),  # the CloudCRM customer number (0004_events)
    # this workspace's billing admins besides its Slack admins: Slack user ids, commas
    Column("billing_admins", Text, nullable=False, server_default=""),
    # the Rechnungsdaten and the Tarif (0008_law); NULL: not set
    Column("company", Text),
    Column("street", Text),
    Column("postcode", Text),
    Column("city", Text),
    Column("country", Text),
    Column("vat_id", Text),
    Column("invoice_email", Text),
    Column("buyer_reference", Text),
    Column("sepa_mandate", Text),
    Column("sepa_iban", Text),
    Column("sepa_signed", Date),
    Column("plan_name", Text),
    Column("plan_price_cents", Integer),
    Column("slack_name", Text),  # the name in Slack (auth.test), the buyer without a company
)

addons = Table(
    "addons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", Text, ForeignKey("subscriptions.team_id"), nullable=False),
    Column("option", Text, nullable=False),
    Column("quantity", Integer, CheckConstraint("quantity > 0"), nullable=False),
    Column("booked_on", Date, nullable=False),
    Column("billed_until", Date),
    Column("status", Text, nullable=False),
    Column("effective_on", Date),
    Column("ended_on", Date),
    Column("created_at", Instant, nullable=False),
    Index("addons_by_team_status", "team_id", "status"),
)

invoices = Table(
    "invoices",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("team_id", Text, ForeignKey("subscriptions.team_id"), nullable=False),
    Column("period_index", Integer, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("total_cents", Integer, nullable=False),  # net
    Column("created_at", Instant, nullable=False),
    # 0008_law: the day really issued (NULL: period_start), the Tarif line, the terms
    # fixed at issue (JSON: seller, buyer, tax, payment), VAT and gross
    Column("issued_on", Date),
    Column("plan_name", Text),
    Column("plan_cents", Integer),
    Column("terms", Text),
    Column("vat_cents", Integer),
    Column("gross_cents", Integer),
    # one consolidated invoice per workspace and period
    UniqueConstraint("team_id", "period_start"),
)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", Text, ForeignKey("subscriptions.team_id"), nullable=False),
    Column("addon_id", Integer, ForeignKey("addons.id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("option", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("from_day", Date, nullable=False),
    Column("to_day", Date, nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("invoice_number", Integer, ForeignKey("invoices.number")),  # NULL: a draft
    Column("credits_line_id", Integer, ForeignKey("invoice_lines.id")),
    Index("lines_by_team_invoice", "team_id", "invoice_number"),
    Index("lines_by_addon", "addon_id"),
)

corrections = Table(
    "corrections",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("team_id", Text, ForeignKey("subscriptions.team_id"), nullable=False),
    Column("corrects", Integer, ForeignKey("invoices.number"), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("total_cents", Integer, nullable=False),  # net, negative
    Column("created_at", Instant, nullable=False),
    Column("terms", Text),  # 0008_law: its invoice's buyer and category (JSON)
    Column("vat_cents", Integer),
    Column("gross_cents", Integer),
    Index("corrections_by_team", "team_id", "number"),
)

correction_lines = Table(
    "correction_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("correction_number", Integer, ForeignKey("corrections.number"), nullable=False),
    Column("team_id", Text, ForeignKey("subscriptions.team_id"), nullable=False),
    Column("addon_id", Integer, ForeignKey("addons.id"), nullable=False),
    Column("option", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("from_day", Date, nullable=False),
    Column("to_day", Date, nullable=False),
    Column("amount_cents", Integer, nullable=False),  # negative: a credit
    Column("credits_line_id", Integer, ForeignKey("invoice_lines.id"), nullable=False),
    Index("correction_lines_by_number", "correction_number"),
)

counters = Table(
    "counters",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Integer, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("team_id", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("addon_id", Integer, ForeignKey("addons.id"), nullable=False),
    Column("created_at", Instant, nullable=False),
    PrimaryKeyConstraint("team_id", "key"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", Text, nullable=False),
    Column("at", Instant, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("addon_id", Integer),
    Column("before_status", Text),
    Column("after_status", Text),
    Column("detail", Text, nullable=False, server_default="{}"),
    Index("audit_by_team", "team_id", "id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", Text, nullable=False),
    # one message per event, whatever retries happen
    Column("event_key", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),
    Column("payload", Text, nullable=False),  # JSON: what to say, rendered at send time
    Column("created_at", Instant, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_try_at", Instant, nullable=False),
    Column("sent_at", Instant),
    Column("failed_at", Instant),
    Column("last_error", Text),
    Index("outbox_pending", "sent_at", "failed_at", "next_try_at"),
)

# Events for CloudCRM's webhook, apart from the Slack outbox: neither sender sees the
# other's rows. ``sequence`` is gapless per workspace, taken in the change's transaction.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", Text, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("webhook_id", Text, nullable=False, unique=True),  # the same on every resend
    Column("type", Text, nullable=False),
    Column("body", Text, nullable=False),  # the exact JSON bytes signed and sent
    Column("created_at", Instant, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_try_at", Instant, nullable=False),
    Column("sent_at", Instant),
    Column("failed_at", Instant),
    Column("last_error", Text),
    UniqueConstraint("team_id", "sequence"),
    Index("events_pending", "sent_at", "failed_at", "next_try_at"),
)

# What CloudCRM sent to POST /crm/v1/workspaces/{team_id}, by its webhook-id: a request
# resent (the same id) is applied once.
inbound_requests = Table(
    "inbound_requests",
    metadata,
    Column("webhook_id", Text, primary_key=True),
    Column("team_id", Text, nullable=False),
    Column("received_at", Instant, nullable=False),
)


# Slack's installations (OAuth v2), as slack_sdk's SQLAlchemy stores query them; their
# tokens are Fernet-encrypted before they reach these rows (bot.adapters.slack_install.crypto).
slack_installations = Table(
    "slack_installations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", Text),  # encrypted tokens are longer than Slack's own
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", Text),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", Text),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", Text),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", Text),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", Text),
    Column("is_enterprise_install", Boolean, nullable=False, default=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)

slack_bots = Table(
    "slack_bots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", Text),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", Text),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, nullable=False, default=False),
    Column("installed_at", DateTime, nullable=False),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)

# The documents of invoices and corrections (0007_doc): each file written once (GoBD).
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner", Text, nullable=False),  # invoice or correction
    Column("number", Integer, nullable=False),
    Column("team_id", Text, ForeignKey("subscriptions.team_id"), nullable=False),
    Column("format", Text, nullable=False),  # pdf, xml or xrechnung
    Column("filename", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("created_at", Instant, nullable=False),
    CheckConstraint("owner IN ('invoice', 'correction')", name="documents_owner"),
    UniqueConstraint("owner", "number", "format", name="documents_once"),
)

INVOICE_COUNTER = "invoice_number"
CORRECTION_COUNTER = "correction_number"
