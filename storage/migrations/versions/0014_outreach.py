"""outreach: subscriptions, broadcasts, survey rounds; outbox priority

Revision ID: 0014
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0010"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def _fk(table: str, col: str, ref: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_{table}_{col}_{ref}"), ondelete=ondelete
    )


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("stopped_at", _TS, nullable=True),
        _fk("subscriptions", "contact_id", "contacts", "CASCADE"),
        _fk("subscriptions", "unit_id", "units"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_subscriptions_contact_id")),
    )
    op.create_index(op.f("ix_subscriptions_unit_id"), "subscriptions", ["unit_id"])
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("unit_ids", sa.JSON(), nullable=False),
        sa.Column("interest", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photo_sha256", sa.String(length=64), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("send_at", _TS, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=True),
        sa.Column("stop_reason", sa.Text(), nullable=True),
        _fk("broadcasts", "officer_id", "officers", "SET NULL"),
        _fk("broadcasts", "course_id", "courses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    op.create_index(op.f("ix_broadcasts_status"), "broadcasts", ["status"])
    op.create_table(
        "broadcast_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        _fk("broadcast_recipients", "broadcast_id", "broadcasts", "CASCADE"),
        _fk("broadcast_recipients", "contact_id", "contacts", "CASCADE"),
        _fk("broadcast_recipients", "outbox_id", "outbox", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_recipients")),
        sa.UniqueConstraint(
            "broadcast_id",
            "contact_id",
            name=op.f("uq_broadcast_recipients_broadcast_id_contact_id"),
        ),
    )
    op.create_index(
        "ix_broadcast_recipients_waiting", "broadcast_recipients", ["broadcast_id", "status"]
    )
    op.create_table(
        "survey_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("unit_ids", sa.JSON(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", _TS, nullable=False),
        sa.Column("closed_at", _TS, nullable=True),
        _fk("survey_rounds", "officer_id", "officers", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_rounds")),
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("consent_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        _fk("survey_responses", "round_id", "survey_rounds", "CASCADE"),
        _fk("survey_responses", "contact_id", "contacts", "CASCADE"),
        _fk("survey_responses", "unit_id", "units"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint(
            "round_id", "contact_id", name=op.f("uq_survey_responses_round_id_contact_id")
        ),
    )
    op.create_index(op.f("ix_survey_responses_contact_id"), "survey_responses", ["contact_id"])


def downgrade() -> None:
    op.drop_table("survey_responses")
    op.drop_table("survey_rounds")
    op.drop_table("broadcast_recipients")
    op.drop_table("broadcasts")
    op.drop_table("subscriptions")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("priority")
