"""Outreach: announcement subscriptions, broadcasts and their recipients, survey rounds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Subscription(Base):
    """What announcements one contact chose to receive; ``stopped_at`` set = receives none.

    Stopping keeps the choice (unit, topics) so that "nhận lại" can undo it in one step.
    """

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None, index=True)
    #: Interests: "training", "scam", "abroad" (any country) or "abroad:<country key>".
    topics: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)


class Broadcast(Base):
    """One announcement: its text, audience (units × interest) and when it may go out."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The officer who wrote it; None from the terminal.
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), default=None
    )
    #: Unit ids targeted; empty = every unit (office-level only).
    unit_ids: Mapped[list[Any]] = mapped_column(default=list)
    interest: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    #: A stored photo (content hash in the file store), or "".
    photo_sha256: Mapped[str] = mapped_column(String(64), default="")
    #: A course this announcement is about (its waiting list is told too).
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), default=None)
    #: scheduled → sending → done | cancelled | stopped (repeated refusals by the platform)
    status: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    send_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    stop_reason: Mapped[str | None] = mapped_column(Text, default=None)


class BroadcastRecipient(Base):
    """One recipient of one broadcast: unique, so nobody gets an announcement twice, whatever
    restarts or second processes do. waiting → queued (an outbox row) | skipped (stopped,
    unreachable or cancelled before it was queued)."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "contact_id"),
        Index("ix_broadcast_recipients_waiting", "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), default=None
    )
    reason: Mapped[str | None] = mapped_column(String(64), default=None)


class SurveyRound(Base):
    """A training-needs survey round, open for some units (empty = all) with one questionnaire
    version."""

    __tablename__ = "survey_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(32))
    unit_ids: Mapped[list[Any]] = mapped_column(default=list)
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), default=None
    )
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class SurveyResponse(Base):
    """One person's answers in one round (unique), saved after every answer (resumable)."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("round_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: draft (being answered) | complete
    status: Mapped[str] = mapped_column(String(16), default="draft")
    consent_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
