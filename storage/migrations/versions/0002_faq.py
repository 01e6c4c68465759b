"""fallback log and knowledge-base tables

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_fallbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("nearest_topic", sa.String(length=64), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_fallbacks")),
    )
    with op.batch_alter_table("faq_fallbacks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_faq_fallbacks_key"), ["key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_faq_fallbacks_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("faq_fallbacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faq_fallbacks_created_at"))
        batch_op.drop_index(batch_op.f("ix_faq_fallbacks_key"))
    op.drop_table("faq_fallbacks")
