"""The outbox rows of one channel as the sender reads and writes them (bot/sender.py decides when).

Several processes on one PostgreSQL database (two ``python -m bot run``) never send the same part:
``claim`` locks a row ``FOR UPDATE SKIP LOCKED`` for the send and its record, and a sender only
ever works on the oldest pending row of a chat, leaving the chat when another process holds that
row, so a chat's order survives too. SQLite is one process and needs no claim.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.types import Channel
from storage.db import Database
from storage.models import Contact, OutboxMessage

Clock = Callable[[], datetime]


class OutboxRows:
    """Queries and updates of the pending outbox rows of ``channel``."""

    def __init__(self, db: Database, channel: Channel, clock: Clock) -> None:
        self.db = db
        self.channel = channel
        self.clock = clock

    async def pending_count(self) -> int:
        async with self.db.session() as session:
            count = await session.scalar(
                select(func.count()).where(
                    OutboxMessage.status == "pending", OutboxMessage.channel == self.channel.value
                )
            )
        return int(count or 0)

    async def due_chats(self) -> list[str]:
        """Chats with a row due now, the chat of the oldest such row first."""
        async with self.db.session() as session:
            result = await session.execute(
                select(OutboxMessage.chat_id, func.min(OutboxMessage.id).label("first"))
                .where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.channel == self.channel.value,
                    OutboxMessage.next_attempt_at <= self.clock(),
                )
                .group_by(OutboxMessage.chat_id)
                .order_by("first")
            )
            return [chat_id for chat_id, _ in result.all()]

    async def next_row(self, chat_id: str) -> OutboxMessage | None:
        """The oldest pending row of ``chat_id`` (due or not: it blocks the ones behind it)."""
        async with self.db.session() as session:
            return await session.scalar(
                select(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.channel == self.channel.value,
                    OutboxMessage.chat_id == chat_id,
                )
                .order_by(OutboxMessage.id)
                .limit(1)
            )

    @asynccontextmanager
    async def claim(self, row_id: int, index: int) -> AsyncIterator[AsyncSession | None]:
        """PostgreSQL: a transaction holding row ``row_id`` locked while it is still pending at
        part ``index``; None when another process holds the row or has moved it on."""
        async with self.db.transaction() as session:
            # The lock is held across the send: a part goes out once whatever other processes
            # do. SKIP LOCKED: a row locked elsewhere is being sent there, do not wait for it.
            fresh = await session.scalar(
                select(OutboxMessage)
                .where(OutboxMessage.id == row_id)
                .with_for_update(skip_locked=True)
            )
            held = fresh is not None and fresh.status == "pending" and fresh.parts_sent == index
            yield session if held else None

    async def record(
        self, session: AsyncSession, row: OutboxMessage, total: int, index: int
    ) -> None:
        """Part ``index`` of ``total`` was accepted by the platform."""
        values: dict[str, object] = {"parts_sent": index + 1}
        if index + 1 == total:
            values.update(status="sent", sent_at=self.clock(), last_error=None)
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
        )
        row.parts_sent = index + 1

    async def retry_later(
        self, row: OutboxMessage, reason: str, *, attempts: int, at: datetime
    ) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(attempts=attempts, next_attempt_at=at, last_error=reason[:1000])
            )

    async def finish(
        self, row: OutboxMessage, status: str, reason: str, *, attempts: int | None = None
    ) -> None:
        values: dict[str, object] = {"status": status, "last_error": reason[:1000]}
        if attempts is not None:
            values["attempts"] = attempts
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
            )

    async def is_unreachable(self, row: OutboxMessage) -> bool:
        """Unreachable until the person writes again (last_seen_at after unreachable_at)."""
        async with self.db.session() as session:
            contact = await session.scalar(self._contact_query(row))
        return (
            contact is not None
            and contact.unreachable_at is not None
            and contact.last_seen_at <= contact.unreachable_at
        )

    def _contact_query(self, row: OutboxMessage) -> Select[Contact]:
        if row.contact_id is not None:
            return select(Contact).where(Contact.id == row.contact_id)
        return select(Contact).where(
            Contact.channel == self.channel.value, Contact.platform_user_id == row.chat_id
        )

    async def drop_chat(self, row: OutboxMessage, reason: str, *, mark_contact: bool) -> None:
        """Every pending row of the chat becomes "dropped"; ``mark_contact``: the contact is
        marked unreachable too."""
        async with self.db.transaction() as session:
            if mark_contact:
                contact = await session.scalar(self._contact_query(row))
                if contact is not None:
                    contact.unreachable_at = self.clock()
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.channel == self.channel.value,
                    OutboxMessage.chat_id == row.chat_id,
                )
                .values(status="dropped", last_error=reason[:1000])
            )
