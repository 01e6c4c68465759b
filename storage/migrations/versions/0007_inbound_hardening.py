"""inbound hardening: failed updates in the inbound log, wrong /canbo codes

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed", sa.String(length=16), nullable=True))
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_signin_failures_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_failures")),
    )
    with op.batch_alter_table("signin_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signin_failures_contact_id"), ["contact_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("signin_failures")
    with op.batch_alter_table("inbound_log", schema=None) as batch_op:
        batch_op.drop_column("failed")
