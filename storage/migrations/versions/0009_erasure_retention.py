"""erasure follows data, outbox bodies do not outlive delivery

- ``faq_fallbacks.contact_id`` and ``notices.contact_id`` (ON DELETE CASCADE): the asker's
  unanswered questions and hand-off questions go with their data;
- ``outbox.notice_id`` (ON DELETE CASCADE): officers' messages made from a notice go with it;
- ``outbox.intent``: what a finished row keeps of its payload, which is emptied (existing
  finished rows included).

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

_FINISHED = ("sent", "failed", "dropped")


def upgrade() -> None:
    with op.batch_alter_table("faq_fallbacks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_faq_fallbacks_contact_id"), ["contact_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_faq_fallbacks_contact_id_contacts"),
            "contacts", ["contact_id"], ["id"], ondelete="CASCADE",
        )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_notices_contact_id"), ["contact_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_notices_contact_id_contacts"),
            "contacts", ["contact_id"], ["id"], ondelete="CASCADE",
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intent", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("notice_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_notice_id"), ["notice_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_notice_id_notices"),
            "notices", ["notice_id"], ["id"], ondelete="CASCADE",
        )
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("payload", sa.JSON()),
        sa.column("intent", sa.String()),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(outbox.c.id, outbox.c.status, outbox.c.payload)).all()
    for row_id, status, payload in rows:
        meta = payload.get("meta") if isinstance(payload, dict) else None
        intent = meta.get("intent") if isinstance(meta, dict) else None
        values: dict[str, object] = {"intent": str(intent)[:64] if intent else None}
        if status in _FINISHED:
            values["payload"] = {}
        conn.execute(sa.update(outbox).where(outbox.c.id == row_id).values(**values))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_notice_id_notices"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_notice_id"))
        batch_op.drop_column("notice_id")
        batch_op.drop_column("intent")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notices_contact_id_contacts"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_notices_contact_id"))
        batch_op.drop_column("contact_id")
    with op.batch_alter_table("faq_fallbacks", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_faq_fallbacks_contact_id_contacts"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_faq_fallbacks_contact_id"))
        batch_op.drop_column("contact_id")
