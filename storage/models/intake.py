"""Registration forms in progress, and the per-year counters behind case references."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class IntakeDraft(Base):
    """An unfinished registration: one per chat at a time.

    Kept apart from the conversation state because typing "menu" clears that state, and the
    user must still be able to continue days later. Phone and citizen id inside ``data`` are
    encrypted like the case columns. Deleted on confirmation, cancel, or after
    ``intake_expiry_days`` without activity.
    """

    __tablename__ = "intake_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CaseCounter(Base):
    """The last case number handed out for (prefix, year): HY-2026-00042 is number 42.

    Incremented with UPDATE ... RETURNING in the case's own transaction, so concurrent
    registrations queue on the row lock and numbers stay unique and gap-free.
    """

    __tablename__ = "case_counters"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)
