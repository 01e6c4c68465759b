"""Reference data: administrative units, programmes, vocational courses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow

#: Stored instead of NULL so that (code, valid_from) can be a real unique key on every database.
OPEN_START = date(1900, 1, 1)


class Unit(Base):
    """A commune, ward or town. Codes are reused across the 2025 merger, hence valid_from."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("code", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    #: Diacritic-free lower-case name, for matching typed names.
    name_key: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    parent: Mapped[str | None] = mapped_column(String(120), default=None)
    valid_from: Mapped[date] = mapped_column(default=OPEN_START)
    valid_to: Mapped[date | None] = mapped_column(default=None)


class Program(Base):
    """A national target programme (or any funding line) trainees are planned under."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(300))


class Course(Base):
    """A vocational class: what is taught, where, when, how many seats."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    occupation: Mapped[str] = mapped_column(String(200))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), default=None)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    venue: Mapped[str] = mapped_column(String(300), default="")
    start_date: Mapped[date] = mapped_column()
    duration_days: Mapped[int | None] = mapped_column(default=None)
    duration_hours: Mapped[int | None] = mapped_column(default=None)
    seats: Mapped[int] = mapped_column(default=0)
    #: planned | open | full | running | finished | cancelled
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
