"""Platform updates stored on arrival and processed after (webhook: store, acknowledge, process)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class StoredUpdate(Base):
    """One received update waiting to be processed; deleted once processed.

    ``user_key`` keeps one person's updates in order across worker processes: an update is
    claimed only when no earlier update of the same person is still waiting. ``status`` is
    ``pending`` (``not_before`` = when it may be tried), ``processing`` (claimed until
    ``not_before``: a worker that died lets it go then) or ``failed`` (a poison update, kept
    without its payload so it is never retried).
    """

    __tablename__ = "stored_updates"
    __table_args__ = (
        UniqueConstraint("channel", "update_key"),
        Index("ix_stored_updates_waiting", "status", "not_before"),
        Index("ix_stored_updates_user", "channel", "user_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(128))
    user_key: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    error_id: Mapped[str] = mapped_column(String(16), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
