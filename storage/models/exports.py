"""Files the bot made for an officer: a dossier's PDF, a survey round's results."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow

#: How long a file made for an officer is kept: its download link on Zalo lives as long
#: (handlers/officials/documents.py), and the officer can ask for it again.
EXPORT_LIFETIME = timedelta(hours=24)


class ExportFile(Base):
    """A made file and whom it is about. The row names the file in the store (``sha256``), so it
    stays while the row does: the nightly sweep drops rows older than ``EXPORT_LIFETIME``, and
    a person's erasure drops those of their case (through ``case_id``) and of the survey rounds
    they answered, whose results list their answers: the file goes with them."""

    __tablename__ = "export_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), default=None, index=True
    )
    survey_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_rounds.id", ondelete="CASCADE"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
