"""Reads and writes of the core tables, used by the engine and the sender."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact, ConversationState, InboundLog, OutboxMessage


async def get_or_create_contact(
    session: AsyncSession, channel: str, platform_user_id: str, display_name: str, now: datetime
) -> Contact:
    """The contact for (channel, user id), created on first contact; last_seen_at refreshed."""
    contact = await session.scalar(
        select(Contact).where(
            Contact.channel == channel, Contact.platform_user_id == platform_user_id
        )
    )
    if contact is None:
        contact = Contact(
            channel=channel,
            platform_user_id=platform_user_id,
            display_name=display_name,
            created_at=now,
            last_seen_at=now,
        )
        session.add(contact)
        await session.flush()
    else:
        contact.last_seen_at = now
        if display_name and not contact.display_name:
            contact.display_name = display_name
    return contact


async def get_state_for_update(
    session: AsyncSession, contact_id: int, now: datetime
) -> ConversationState:
    """The contact's state row, locked for this transaction (PostgreSQL), created if missing."""
    state = await session.scalar(
        select(ConversationState)
        .where(ConversationState.contact_id == contact_id)
        .with_for_update()
    )
    if state is None:
        state = ConversationState(contact_id=contact_id, data={}, last_buttons=[], updated_at=now)
        session.add(state)
        await session.flush()
    return state


async def seen_update(session: AsyncSession, channel: str, update_key: str) -> bool:
    found = await session.scalar(
        select(InboundLog.id).where(
            InboundLog.channel == channel, InboundLog.update_key == update_key
        )
    )
    return found is not None


def record_update(
    session: AsyncSession, channel: str, update_key: str, contact_id: int | None, now: datetime
) -> None:
    session.add(
        InboundLog(channel=channel, update_key=update_key, contact_id=contact_id, received_at=now)
    )


def record_outbox(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    payload: dict[str, Any],
    now: datetime,
    contact_id: int | None = None,
    is_group: bool = False,
) -> OutboxMessage:
    row = OutboxMessage(
        channel=channel,
        chat_id=chat_id,
        is_group=is_group,
        contact_id=contact_id,
        payload=payload,
        status="pending",
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    return row


async def mark_sent(session: AsyncSession, ids: list[int], now: datetime) -> None:
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status="sent", sent_at=now)
        )
