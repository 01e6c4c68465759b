"""stored updates (webhook: store first, process after)

Revision ID: 0010
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_key", sa.String(length=128), nullable=False),
        sa.Column("user_key", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error_id", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_updates")),
        sa.UniqueConstraint(
            "channel", "update_key", name=op.f("uq_stored_updates_channel_update_key")
        ),
    )
    op.create_index("ix_stored_updates_waiting", "stored_updates", ["status", "not_before"])
    op.create_index("ix_stored_updates_user", "stored_updates", ["channel", "user_key", "id"])


def downgrade() -> None:
    op.drop_table("stored_updates")
