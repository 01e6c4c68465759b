"""Contacts, their conversation state, the inbound de-duplication log and the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, utcnow


class Contact(Base):
    """A person as one channel knows them: (channel, platform user id) is unique."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When and to which text version the contact agreed to the processing of personal data.
    consent_at: Mapped[datetime | None] = mapped_column(default=None)
    consent_version: Mapped[str | None] = mapped_column(String(32), default=None)
    #: Set when the platform says the bot can no longer write to them (blocked the bot).
    unreachable_at: Mapped[datetime | None] = mapped_column(default=None)

    state: Mapped[ConversationState | None] = relationship(
        back_populates="contact", uselist=False, cascade="all, delete-orphan", lazy="raise"
    )


class ConversationState(Base):
    """Where a contact is in a conversation: the active flow, its step and its data."""

    __tablename__ = "conversation_states"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str | None] = mapped_column(String(64), default=None)
    step: Mapped[str | None] = mapped_column(String(64), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The options of the last reply that offered some, as [[id, label], ...]: lets a user answer
    #: with a number or a label on channels without buttons.
    last_buttons: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="state", lazy="raise")


class InboundLog(Base):
    """Every processed platform update, so a redelivery is recognised and dropped."""

    __tablename__ = "inbound_log"
    __table_args__ = (UniqueConstraint("channel", "update_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(128))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The error id when the update could not be processed (recorded so it is not retried).
    failed: Mapped[str | None] = mapped_column(String(16), default=None)


class OutboxMessage(Base):
    """A message to deliver. Written in the same transaction as the state change that caused it.

    ``payload`` is the channel-neutral reply (text, buttons, attachments, meta); the channel's
    renderer turns it into platform messages when it is sent. ``parts_sent`` counts the platform
    messages already accepted, so a long reply split in several parts resumes where it stopped.
    Once the row is finished (sent, failed, dropped) the payload is emptied: what delivery
    accounting needs (channel, chat, status, times, parts, ``intent``) stays, the text does not.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "status", "channel", "next_attempt_at"),
        # What a chat received after a time (bot/engine.py: is a typed number still meant for
        # the options the person was offered, or did a message without options come since?).
        Index("ix_outbox_chat", "channel", "chat_id", "created_at"),
        # Ids never given twice, on SQLite too (migration 0016): the sender marks a row sent by
        # its id after the platform accepted it, and an erasure may delete the row meanwhile.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    is_group: Mapped[bool] = mapped_column(default=False)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), default=None
    )
    #: The person a message to someone else is about (a notice, a relayed question): deleted
    #: with that person's data.
    subject_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), default=None, index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column()
    #: The reply's meta intent (e.g. ``faq:abroad.cost``, ``notice``), kept after the body goes.
    intent: Mapped[str | None] = mapped_column(String(64), default=None)
    #: The officers' notice this message was made from: it goes when the notice does (erasure).
    notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), default=None, index=True
    )
    #: pending → sent | failed (permanent error, reason in last_error) | dropped (unreachable)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    parts_sent: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    #: The platform's id of the (last part of the) message once sent: an officer's reply to a
    #: notice on Telegram names it.
    platform_message_id: Mapped[str | None] = mapped_column(String(32), default=None)
    #: 0 conversation (replies, notices), 1 bulk (announcements): bulk never delays a reply.
    priority: Mapped[int] = mapped_column(default=0, server_default="0")
