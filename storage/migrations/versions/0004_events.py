"""0004_events: CloudCRM's events (the webhook outbox) and the customer link.

Revision ID: 0004_events
Revises: 0002_outbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import Instant

revision = "0004_events"
down_revision: str | None = "0003_workspaces"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the events table; give subscriptions a customer number."""
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Text, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("webhook_id", sa.Text, nullable=False, unique=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_try_at", Instant, nullable=False),
        sa.Column("sent_at", Instant),
        sa.Column("failed_at", Instant),
        sa.Column("last_error", sa.Text),
        sa.UniqueConstraint("team_id", "sequence"),
    )
    op.create_index("events_pending", "events", ["sent_at", "failed_at", "next_try_at"])
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("customer", sa.Text))


def downgrade() -> None:
    """Drop the events table and the customer number."""
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("customer")
    op.drop_table("events")
