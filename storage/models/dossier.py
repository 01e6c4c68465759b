"""The support dossier of a case: its documents, each checklist item's state, and the history.

Files themselves live in the FileStore by content hash; these rows are the metadata. Every row
hangs off a case with ``ON DELETE CASCADE`` so deleting a case (privacy request) removes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class DossierDocument(Base):
    """One page (an image) or one file (a PDF) sent for a checklist item."""

    __tablename__ = "dossier_documents"
    #: Ids never given twice, on SQLite too (migration 0016): the family's «Xóa»/«Thay» buttons
    #: carry a page's id, and pages are removed and replaced.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(32))
    #: 1-based order within the item, renumbered when a page is removed.
    page: Mapped[int] = mapped_column()
    #: photo | document (how it is shown back: an image or a file)
    kind: Mapped[str] = mapped_column(String(16))
    mime_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: Pages inside a PDF (1 for an image), for the export and the officer's summary.
    page_count: Mapped[int] = mapped_column(default=1)
    sender_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DossierItem(Base):
    """The review state of one checklist item of a case (absent row: nothing sent yet)."""

    __tablename__ = "dossier_items"
    __table_args__ = (UniqueConstraint("case_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(32))
    #: missing | sent | rejected | approved (see handlers.dossier.states)
    status: Mapped[str] = mapped_column(String(16), default="missing")
    #: The officer's reason when rejected: a preset key (mo, thieu_trang...) or free text.
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DossierEvent(Base):
    """History: every state change of a dossier, who made it, when and why."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str | None] = mapped_column(String(32), default=None)
    #: sent | removed | replaced | approved | rejected | ready | complete | reminded | stopped
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    actor_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None
    )
    #: family | officer | cli | system — kept even when the contact is gone.
    actor_role: Mapped[str] = mapped_column(String(16), default="family")
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DossierTracker(Base):
    """Per-case bookkeeping: overall status, the ready notice and the family reminders."""

    __tablename__ = "dossier_trackers"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    #: open (collecting) | ready (waiting for review) | complete (đủ điều kiện nộp)
    status: Mapped[str] = mapped_column(String(16), default="open")
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_notified_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminder_at: Mapped[datetime | None] = mapped_column(default=None)
    reminders_stopped_at: Mapped[datetime | None] = mapped_column(default=None)
