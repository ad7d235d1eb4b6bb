"""0001_initial: subscriptions, add-ons, the invoice ledger, idempotency and audit.

Revision ID: 0001_initial
Revises:

Written out column by column (not taken from ``storage.tables``), so this revision
creates the same schema however the declared tables grow later; a test checks that the
migrated schema matches ``storage.tables`` at head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import Instant

revision = "0001_initial"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the first schema and start the invoice counter at 0."""
    op.create_table(
        "subscriptions",
        sa.Column("team_id", sa.Text, primary_key=True),
        sa.Column("anchor", sa.Date, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.Column("locale", sa.Text, nullable=False),
        sa.Column("last_closed", sa.Date, nullable=False),
        sa.Column("created_at", Instant, nullable=False),
    )
    op.create_table(
        "addons",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Text, sa.ForeignKey("subscriptions.team_id"), nullable=False),
        sa.Column("option", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, sa.CheckConstraint("quantity > 0"), nullable=False),
        sa.Column("booked_on", sa.Date, nullable=False),
        sa.Column("billed_until", sa.Date),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("effective_on", sa.Date),
        sa.Column("ended_on", sa.Date),
        sa.Column("created_at", Instant, nullable=False),
    )
    op.create_index("addons_by_team_status", "addons", ["team_id", "status"])
    op.create_table(
        "invoices",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("team_id", sa.Text, sa.ForeignKey("subscriptions.team_id"), nullable=False),
        sa.Column("period_index", sa.Integer, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("total_cents", sa.Integer, nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.UniqueConstraint("team_id", "period_start"),
    )
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Text, sa.ForeignKey("subscriptions.team_id"), nullable=False),
        sa.Column("addon_id", sa.Integer, sa.ForeignKey("addons.id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("option", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("from_day", sa.Date, nullable=False),
        sa.Column("to_day", sa.Date, nullable=False),
        sa.Column("amount_cents", sa.Integer, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("invoice_number", sa.Integer, sa.ForeignKey("invoices.number")),
        sa.Column("credits_line_id", sa.Integer, sa.ForeignKey("invoice_lines.id")),
    )
    op.create_index("lines_by_team_invoice", "invoice_lines", ["team_id", "invoice_number"])
    op.create_index("lines_by_addon", "invoice_lines", ["addon_id"])
    counters = op.create_table(
        "counters",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.bulk_insert(counters, [{"name": "invoice_number", "value": 0}])
    op.create_table(
        "idempotency_keys",
        sa.Column("team_id", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("addon_id", sa.Integer, sa.ForeignKey("addons.id"), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("team_id", "key"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Text, nullable=False),
        sa.Column("at", Instant, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("addon_id", sa.Integer),
        sa.Column("before_status", sa.Text),
        sa.Column("after_status", sa.Text),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("audit_by_team", "audit_log", ["team_id", "id"])


def downgrade() -> None:
    """Drop the first schema."""
    for name in (
        "audit_log",
        "idempotency_keys",
        "counters",
        "invoice_lines",
        "invoices",
        "addons",
        "subscriptions",
    ):
        op.drop_table(name)
