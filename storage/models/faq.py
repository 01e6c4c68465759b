"""Questions the bot could not answer, kept so officials can see what content is missing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class FallbackQuestion(Base):
    """One free-text question that got ``fallback`` (or ``clarify``).

    ``kb gaps`` shows the wording, never who asked (general.privacy). ``contact_id`` exists only
    so that "xóa dữ liệu của tôi" finds the asker's questions (the row goes with the contact);
    phone- and ID-like numbers are masked before the text is stored (storage.faq_repo).
    """

    __tablename__ = "faq_fallbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The message as received (NFC), cut to the column size.
    text: Mapped[str] = mapped_column(String(500))
    #: The normalised form: questions that differ only in diacritics or teencode group together.
    key: Mapped[str] = mapped_column(String(500), index=True)
    #: fallback | clarify
    outcome: Mapped[str] = mapped_column(String(16), default="fallback")
    #: The closest topic and its score, to help an official decide where the question belongs.
    nearest_topic: Mapped[str | None] = mapped_column(String(64), default=None)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    channel: Mapped[str] = mapped_column(String(16), default="")
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
