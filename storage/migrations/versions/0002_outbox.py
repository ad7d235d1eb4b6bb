"""0002_outbox: the transactional outbox, messages to Slack stored with their change.

Revision ID: 0002_outbox
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import Instant

revision = "0002_outbox"
down_revision: str | None = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the outbox."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Text, nullable=False),
        sa.Column("event_key", sa.Text, nullable=False, unique=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_try_at", Instant, nullable=False),
        sa.Column("sent_at", Instant),
        sa.Column("failed_at", Instant),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("outbox_pending", "outbox", ["sent_at", "failed_at", "next_try_at"])


def downgrade() -> None:
    """Drop the outbox."""
    op.drop_table("outbox")
