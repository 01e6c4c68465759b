"""threads (person ↔ officers), case status history, officer display name, outbox subject and
platform message id, notice subject

Revision ID: 0013
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0009"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def _fk(table: str, col: str, ref: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_{table}_{col}_{ref}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("waiting_since", _TS, nullable=True),
        sa.Column("reminded_at", _TS, nullable=True),
        sa.Column("escalated_at", _TS, nullable=True),
        sa.Column("closed_at", _TS, nullable=True),
        _fk("threads", "contact_id", "contacts", "CASCADE"),
        _fk("threads", "unit_id", "units"),
        _fk("threads", "case_id", "cases", "CASCADE"),
        _fk("threads", "officer_id", "officers", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threads")),
    )
    with op.batch_alter_table("threads") as batch_op:
        batch_op.create_index(batch_op.f("ix_threads_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_threads_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_threads_waiting_since"), ["waiting_since"], unique=False
        )
    op.create_table(
        "thread_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=16), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        _fk("thread_messages", "thread_id", "threads", "CASCADE"),
        _fk("thread_messages", "officer_id", "officers", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_messages")),
    )
    with op.batch_alter_table("thread_messages") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_thread_messages_thread_id"), ["thread_id"], unique=False
        )
    op.create_table(
        "case_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        _fk("case_status_changes", "case_id", "cases", "CASCADE"),
        _fk("case_status_changes", "officer_id", "officers", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_status_changes")),
    )
    with op.batch_alter_table("case_status_changes") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_status_changes_case_id"), ["case_id"], unique=False
        )
    with op.batch_alter_table("officers") as batch_op:
        batch_op.add_column(sa.Column("public_name", sa.String(length=100), nullable=True))
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("subject_contact_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("platform_message_id", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_subject_contact_id_contacts"),
            "contacts",
            ["subject_contact_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_subject_contact_id"), ["subject_contact_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_subject_contact_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_subject_contact_id_contacts"), type_="foreignkey"
        )
        batch_op.drop_column("platform_message_id")
        batch_op.drop_column("subject_contact_id")
    with op.batch_alter_table("officers") as batch_op:
        batch_op.drop_column("public_name")
    op.drop_table("case_status_changes")
    op.drop_table("thread_messages")
    op.drop_table("threads")
