"""outbox: an index on (channel, chat_id, created_at), so that the messages a chat received after
a given time are found without reading the whole outbox (a typed number answers the options of
the latest message only: bot/engine.py asks whether a message came after them)

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.create_index("ix_outbox_chat", ["channel", "chat_id", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_chat")
