"""0007_doc: the documents (ZUGFeRD PDF, CII XML, XRechnung) of invoices and corrections.

Revision ID: 0007_doc
Revises: 0006_crm

Each file is written once when its invoice or correction is issued and never changed
(GoBD): no column is ever updated, and the SHA-256 of the bytes is kept beside them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import Instant

revision = "0007_doc"
down_revision: str | None = "0006_crm"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the documents table."""
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner", sa.Text, nullable=False),  # invoice or correction
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("team_id", sa.Text, sa.ForeignKey("subscriptions.team_id"), nullable=False),
        sa.Column("format", sa.Text, nullable=False),  # pdf, xml or xrechnung
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.CheckConstraint("owner IN ('invoice', 'correction')", name="documents_owner"),
        sa.UniqueConstraint("owner", "number", "format", name="documents_once"),
    )


def downgrade() -> None:
    """Drop the documents table."""
    op.drop_table("documents")
