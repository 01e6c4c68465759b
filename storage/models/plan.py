"""Officer invitations, the training plan, what units submitted, the alert sent-log, and the
historical figures behind the half-year report."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class OfficerInvite(Base):
    """A one-time code an officer sends as ``/canbo CODE``. Only the code's SHA-256 is kept, so a
    leaked database does not leak usable codes."""

    __tablename__ = "officer_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), default=None
    )


class PlanAllocation(Base):
    """How many trainees a unit must list under a programme in a year, and by when."""

    __tablename__ = "plan_allocations"
    __table_args__ = (UniqueConstraint("unit_id", "program_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    year: Mapped[int] = mapped_column()
    target_trainees: Mapped[int] = mapped_column()
    list_deadline: Mapped[date] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanSubmission(Base):
    """Trainees a unit put on its list. Several per allocation; the counts add up.

    ``import_key`` identifies a row that came from a file (unit, programme, year, date), so a
    re-import overwrites it instead of adding it again; chat and bot rows have none.
    """

    __tablename__ = "plan_submissions"
    __table_args__ = (Index("ix_plan_submissions_key", "unit_id", "program_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    year: Mapped[int] = mapped_column()
    submitted_on: Mapped[date] = mapped_column()
    trainees: Mapped[int] = mapped_column()
    #: import | chat | bot-confirmed
    source: Mapped[str] = mapped_column(String(16))
    import_key: Mapped[str | None] = mapped_column(String(80), default=None, unique=True)
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), default=None
    )
    #: The list the officer attached (xlsx or photo), in the FileStore.
    file_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubmissionCase(Base):
    """An applicant registered through the bot, confirmed onto a list: counted once, ever."""

    __tablename__ = "plan_submission_cases"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("plan_submissions.id", ondelete="CASCADE"), index=True
    )


class AlertSent(Base):
    """One row per alert rule × subject (a unit, or the district) × local day.

    The unique key is the claim: a job inserts it in the same transaction as the outbox rows, so
    restarts and a second scheduler process cannot send the same alert twice.
    """

    __tablename__ = "alert_log"
    __table_args__ = (UniqueConstraint("rule", "subject", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column()
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class HistoricalClass(Base):
    """A vocational class that was organised (one physical class, whatever funds it)."""

    __tablename__ = "history_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    occupation: Mapped[str] = mapped_column(String(200))
    opened_on: Mapped[date] = mapped_column(index=True)
    trainees: Mapped[int] = mapped_column()


class HistoricalClassProgram(Base):
    """A programme funding line of a class: a class co-funded by two programmes has two lines,
    and "classes opened under programme X" counts these lines."""

    __tablename__ = "history_class_programs"

    class_id: Mapped[int] = mapped_column(
        ForeignKey("history_classes.id", ondelete="CASCADE"), primary_key=True
    )
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), primary_key=True)


class HistoricalDeparture(Base):
    """Workers of a unit who left to work abroad under contract, as reported for a date."""

    __tablename__ = "history_departures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    departed_on: Mapped[date] = mapped_column(index=True)
    workers: Mapped[int] = mapped_column()
    market: Mapped[str] = mapped_column(String(64), default="")
