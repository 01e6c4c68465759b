"""export_files: the files the bot made for an officer (a dossier's PDF, a survey round's
results) and whom they are about, so that a person's erasure removes them from the file store
at once instead of leaving them to the nightly sweep (storage/models/exports.py)

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "export_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("survey_round_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_export_files_case_id_cases"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["survey_round_id"], ["survey_rounds.id"],
                                name=op.f("fk_export_files_survey_round_id_survey_rounds"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_files")),
    )
    for column in ("sha256", "case_id", "survey_round_id", "created_at"):
        op.create_index(op.f(f"ix_export_files_{column}"), "export_files", [column])


def downgrade() -> None:
    op.drop_table("export_files")
