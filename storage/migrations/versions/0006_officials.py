"""officials, plan, alerts

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def _fk(table: str, col: str, ref: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_{table}_{col}_{ref}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "officer_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        _fk("officer_invites", "unit_id", "units"),
        _fk("officer_invites", "officer_id", "officers", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_officer_invites_code_hash")),
    )
    op.create_table(
        "plan_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("target_trainees", sa.Integer(), nullable=False),
        sa.Column("list_deadline", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("plan_allocations", "unit_id", "units"),
        _fk("plan_allocations", "program_id", "programs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_allocations")),
        sa.UniqueConstraint(
            "unit_id",
            "program_id",
            "year",
            name=op.f("uq_plan_allocations_unit_id_program_id_year"),
        ),
    )
    op.create_table(
        "plan_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("trainees", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("import_key", sa.String(length=80), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("plan_submissions", "unit_id", "units"),
        _fk("plan_submissions", "program_id", "programs"),
        _fk("plan_submissions", "officer_id", "officers", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_submissions")),
        sa.UniqueConstraint("import_key", name=op.f("uq_plan_submissions_import_key")),
    )
    with op.batch_alter_table("plan_submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_submissions_key", ["unit_id", "program_id", "year"], unique=False
        )
    op.create_table(
        "plan_submission_cases",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        _fk("plan_submission_cases", "case_id", "cases", "CASCADE"),
        _fk("plan_submission_cases", "submission_id", "plan_submissions", "CASCADE"),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_plan_submission_cases")),
    )
    with op.batch_alter_table("plan_submission_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_submission_cases_submission_id"), ["submission_id"], unique=False
        )
    op.create_table(
        "alert_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_log")),
        sa.UniqueConstraint("rule", "subject", "day", name=op.f("uq_alert_log_rule_subject_day")),
    )
    op.create_table(
        "history_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("occupation", sa.String(length=200), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("trainees", sa.Integer(), nullable=False),
        _fk("history_classes", "unit_id", "units"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_classes")),
        sa.UniqueConstraint("code", name=op.f("uq_history_classes_code")),
    )
    with op.batch_alter_table("history_classes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_history_classes_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_history_classes_opened_on"), ["opened_on"], unique=False
        )
    op.create_table(
        "history_class_programs",
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        _fk("history_class_programs", "class_id", "history_classes", "CASCADE"),
        _fk("history_class_programs", "program_id", "programs"),
        sa.PrimaryKeyConstraint("class_id", "program_id", name=op.f("pk_history_class_programs")),
    )
    op.create_table(
        "history_departures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("departed_on", sa.Date(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=64), nullable=False),
        _fk("history_departures", "unit_id", "units"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_departures")),
        sa.UniqueConstraint("code", name=op.f("uq_history_departures_code")),
    )
    with op.batch_alter_table("history_departures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_history_departures_unit_id"), ["unit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_history_departures_departed_on"), ["departed_on"], unique=False
        )


def downgrade() -> None:
    op.drop_table("history_departures")
    op.drop_table("history_class_programs")
    op.drop_table("history_classes")
    op.drop_table("alert_log")
    op.drop_table("plan_submission_cases")
    op.drop_table("plan_submissions")
    op.drop_table("plan_allocations")
    op.drop_table("officer_invites")
