"""Officer accounts: a contact bound to a role and, for commune officers, a unit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Officer(Base):
    """Roles: commune (one unit), office (all units), training (training centre), admin."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), default=None, index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: How the officer signs answers to people (optional, set by the officer with /tenhienthi).
    public_name: Mapped[str | None] = mapped_column(String(100), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class SigninFailure(Base):
    """One wrong ``/canbo`` code, kept an hour: at most a few per account per hour are heard,
    so invitation codes cannot be guessed by trying (kept in the database, so a restart does
    not reset the count)."""

    __tablename__ = "signin_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
