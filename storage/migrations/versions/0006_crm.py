"""0006_crm: the requests CloudCRM sent to the signed way in, by webhook-id.

Revision ID: 0006_crm
Revises: 0005_corrections
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import Instant

revision = "0006_crm"
down_revision: str | None = "0005_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of CloudCRM's requests already applied."""
    op.create_table(
        "inbound_requests",
        sa.Column("webhook_id", sa.Text, primary_key=True),
        sa.Column("team_id", sa.Text, nullable=False),
        sa.Column("received_at", Instant, nullable=False),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("inbound_requests")
