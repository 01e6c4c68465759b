"""applicant intake: registration drafts and case reference counters

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_intake_drafts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_drafts")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_intake_drafts_contact_id")),
    )
    with op.batch_alter_table("intake_drafts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_drafts_updated_at"), ["updated_at"], unique=False
        )
    op.create_table(
        "case_counters",
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_case_counters")),
    )


def downgrade() -> None:
    op.drop_table("case_counters")
    with op.batch_alter_table("intake_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_drafts_updated_at"))
    op.drop_table("intake_drafts")
