"""The schema, declared once: every table, column, key and index, as SQLAlchemy Core.

Money is integer cents. Dates are ``Date`` columns (ISO text ``YYYY-MM-DD`` on SQLite),
instants are ``Instant`` columns (UTC ISO-8601 text on SQLite). The migrations in
``storage.migrations`` create exactly these tables; the repositories query them.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
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
    Column("total_cents", Integer, nullable=False),
    Column("created_at", Instant, nullable=False),
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
    Column("total_cents", Integer, nullable=False),
    Column("created_at", Instant, nullable=False),
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

INVOICE_COUNTER = "invoice_number"
CORRECTION_COUNTER = "correction_number"
