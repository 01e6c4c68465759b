"""Applicant cases (intake), and notices waiting for the officers they concern."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Case(Base):
    """One person registered for work abroad or a class. ``ref`` is what people quote.

    Phone and citizen id are stored encrypted (``*_enc``); see storage.crypto.
    """

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    #: The contact who registered (the worker, or a relative for them).
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None, index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # abroad | course
    status: Mapped[str] = mapped_column(String(32), default="new")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None, index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), default=None)
    relationship_to_registrant: Mapped[str] = mapped_column(String(32), default="self")
    full_name: Mapped[str | None] = mapped_column(String(200), default=None)
    date_of_birth: Mapped[date | None] = mapped_column(default=None)
    gender: Mapped[str | None] = mapped_column(String(16), default=None)
    phone_enc: Mapped[str | None] = mapped_column(Text, default=None)
    citizen_id_enc: Mapped[str | None] = mapped_column(Text, default=None)
    village: Mapped[str | None] = mapped_column(String(200), default=None)
    ethnicity: Mapped[str | None] = mapped_column(String(64), default=None)
    household_status: Mapped[str | None] = mapped_column(String(32), default=None)
    market: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notice(Base):
    """Something officers of a unit must be told (new case, dossier ready...).

    Stored until it has been turned into outbox messages for the right officers, so nothing is
    lost while no officer account exists yet.
    """

    __tablename__ = "notices"
    #: Ids never given twice, on SQLite too (migration 0016): «Thông báo chung» carries one,
    #: and an erasure deletes the notices about the person.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None, index=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), default=None
    )
    #: The person the notice is about or from when no case says it (a hand-off question): the
    #: notice, and the officers' messages made from it, go with that person's data on erasure.
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), default=None, index=True
    )
    #: Message key and its placeholders (rendered for each officer at delivery).
    text_key: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
