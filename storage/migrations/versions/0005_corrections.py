"""0005_corrections: the Rechnungskorrektur, a document of its own with its own numbers.

Revision ID: 0005_corrections
Revises: 0002_outbox

Credit lines already on invoices stay as they are (history is never rewritten); new
withdrawals of invoiced amounts write a correction instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import Instant

revision = "0005_corrections"
down_revision: str | None = "0002_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the corrections and their lines, and start their counter at 0."""
    op.create_table(
        "corrections",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("team_id", sa.Text, sa.ForeignKey("subscriptions.team_id"), nullable=False),
        sa.Column("corrects", sa.Integer, sa.ForeignKey("invoices.number"), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("total_cents", sa.Integer, nullable=False),
        sa.Column("created_at", Instant, nullable=False),
    )
    op.create_index("corrections_by_team", "corrections", ["team_id", "number"])
    op.create_table(
        "correction_lines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "correction_number",
            sa.Integer,
            sa.ForeignKey("corrections.number"),
            nullable=False,
        ),
        sa.Column("team_id", sa.Text, sa.ForeignKey("subscriptions.team_id"), nullable=False),
        sa.Column("addon_id", sa.Integer, sa.ForeignKey("addons.id"), nullable=False),
        sa.Column("option", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("from_day", sa.Date, nullable=False),
        sa.Column("to_day", sa.Date, nullable=False),
        sa.Column("amount_cents", sa.Integer, nullable=False),
        sa.Column("credits_line_id", sa.Integer, sa.ForeignKey("invoice_lines.id"), nullable=False),
    )
    op.create_index("correction_lines_by_number", "correction_lines", ["correction_number"])
    counters = sa.table("counters", sa.column("name", sa.Text), sa.column("value", sa.Integer))
    op.bulk_insert(counters, [{"name": "correction_number", "value": 0}])


def downgrade() -> None:
    """Drop the corrections and their counter."""
    op.execute("DELETE FROM counters WHERE name = 'correction_number'")
    op.drop_table("correction_lines")
    op.drop_table("corrections")
