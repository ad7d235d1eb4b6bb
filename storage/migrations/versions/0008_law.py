"""0008_law: invoices in law: Rechnungsdaten and Tarif per workspace, terms per document.

Revision ID: 0008_law
Revises: 0007_doc

Each workspace gets its Rechnungsdaten (buyer, optional SEPA mandate), its Tarif and its
name in Slack (the buyer's name without a company).
Each invoice and correction gets the day it was really issued (invoices before this
revision were issued on their period's first day: NULL reads as that), the terms fixed
when it was issued (seller, buyer, tax category, payment: JSON) and its VAT and gross.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_law"
down_revision: str | None = "0007_doc"
branch_labels = None
depends_on = None

_WORKSPACE = (
    ("company", sa.Text),
    ("street", sa.Text),
    ("postcode", sa.Text),
    ("city", sa.Text),
    ("country", sa.Text),
    ("vat_id", sa.Text),
    ("invoice_email", sa.Text),
    ("buyer_reference", sa.Text),
    ("sepa_mandate", sa.Text),
    ("sepa_iban", sa.Text),
    ("sepa_signed", sa.Date),
    ("plan_name", sa.Text),
    ("plan_price_cents", sa.Integer),
    ("slack_name", sa.Text),  # single-workspace mode: auth.test's team name
)
_INVOICE = (
    ("issued_on", sa.Date),
    ("plan_name", sa.Text),
    ("plan_cents", sa.Integer),
    ("terms", sa.Text),
    ("vat_cents", sa.Integer),
    ("gross_cents", sa.Integer),
)
_CORRECTION = (
    ("terms", sa.Text),
    ("vat_cents", sa.Integer),
    ("gross_cents", sa.Integer),
)


def upgrade() -> None:
    """Add the columns; every one may be NULL (nothing set, or issued before)."""
    for table, columns in (
        ("subscriptions", _WORKSPACE),
        ("invoices", _INVOICE),
        ("corrections", _CORRECTION),
    ):
        for name, kind in columns:
            op.add_column(table, sa.Column(name, kind))


def downgrade() -> None:
    """Drop them again."""
    for table, columns in (
        ("corrections", _CORRECTION),
        ("invoices", _INVOICE),
        ("subscriptions", _WORKSPACE),
    ):
        with op.batch_alter_table(table) as batch:
            for name, _ in reversed(columns):
                batch.drop_column(name)
