"""A channel's outbox rows as the sender reads and settles them: the chat's next row and whether
its contact can be written to, a part recorded as sent, a backoff, a final status, a chat
dropped. bot/sender.py decides when and in which order; this module only reads and writes rows.

A finished row (sent, failed, dropped) keeps no body: storage.repositories.FINISHED_PAYLOAD.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, String, Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.rate_limits import ChannelLimits
from handlers.types import Channel
from storage.db import Database
from storage.models import Contact, OutboxMessage
from storage.outreach_repo import unreachable
from storage.redact import mask_numbers
from storage.repositories import FINISHED_PAYLOAD

log = logging.getLogger(__name__)

_OUTBOX: Table = OutboxMessage.__table__  # type: ignore[assignment]
#: A part accepted by the platform, and a row's last part: Core statements built once and run
#: for many rows at a time (executemany). Built per send, as ORM statements, they were a large
#: share of the event loop's work per announcement, work that people's replies queue behind.
_PART_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        parts_sent=bindparam("parts"),
        # An officer may answer a notice by replying to it (Telegram names the message).
        platform_message_id=func.coalesce(
            bindparam("message_id", type_=String), _OUTBOX.c.platform_message_id
        ),
    )
)
# The body goes only with the last part: until it is accepted, a restart resumes from it.
_ROW_SENT = _PART_SENT.values(
    status="sent", sent_at=bindparam("sent_at"), last_error=None, payload=FINISHED_PAYLOAD
)
#: PostgreSQL: the rows no other transaction holds, locked, with what they still wait for.
_LOCK = (
    select(_OUTBOX.c.id, _OUTBOX.c.status, _OUTBOX.c.parts_sent)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .with_for_update(skip_locked=True)
)


#: A chat's oldest pending row, and whether its contact is unreachable.
Found = tuple[OutboxMessage, bool]


@dataclass(frozen=True, slots=True)
class PartSent:
    """Part ``parts`` (counted from 1) of row ``row_id`` was accepted as ``message_id``."""

    row_id: int
    parts: int
    last: bool
    message_id: str | None
    at: datetime


class OutboxRows:
    """The rows of ``channel`` in ``db``; times come from ``clock``."""

    def __init__(
        self, db: Database, channel: Channel, limits: ChannelLimits,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.channel = channel
        self.limits = limits
        self.clock = clock

    async def next_row(self, chat_id: str) -> Found | None:
        """The chat's oldest pending row, and whether its contact is unreachable: one read
        (each read before a send is a wait on a busy machine, a reply's included)."""
        found = await self.oldest_rows([chat_id])
        return found.get(chat_id)

    async def oldest_rows(self, chat_ids: Collection[str]) -> dict[str, Found]:
        """``next_row`` of each of these chats (those with a pending row), in one read."""
        if not chat_ids:
            return {}
        pending = (
            OutboxMessage.status == "pending",
            OutboxMessage.channel == self.channel.value,
        )
        query = select(OutboxMessage, Contact.unreachable_at, Contact.last_seen_at).outerjoin(
            Contact, Contact.id == OutboxMessage.contact_id
        )
        if len(chat_ids) == 1:
            # One chat (a reply's read): its oldest row directly, not the grouped form.
            (chat_id,) = chat_ids
            query = query.where(*pending, OutboxMessage.chat_id == chat_id)
            query = query.order_by(OutboxMessage.id).limit(1)
        else:
            oldest = (
                select(func.min(OutboxMessage.id))
                .where(*pending, OutboxMessage.chat_id.in_(chat_ids))
                .group_by(OutboxMessage.chat_id)
            )
            query = query.where(OutboxMessage.id.in_(oldest))
        async with self.db.reader() as session:
            rows = (await session.execute(query)).all()
        found: dict[str, Found] = {}
        for row, unreachable_at, last_seen_at in rows:
            if row.contact_id is None:  # a chat known by its id only (officers' groups)
                found[row.chat_id] = row, await self._is_unreachable(row)
            else:
                found[row.chat_id] = row, unreachable(unreachable_at, last_seen_at)
        return found

    @staticmethod
    async def lock(session: AsyncSession, row_ids: list[int]) -> dict[int, tuple[str, int]]:
        """PostgreSQL: lock these rows until ``session`` ends, skipping any another transaction
        holds (it is sending them); returns each locked row's (status, parts sent)."""
        result = await session.execute(_LOCK, {"ids": row_ids})
        return {row_id: (status, parts_sent) for row_id, status, parts_sent in result}

    def part_sent(
        self, row: OutboxMessage, total: int, index: int, sent_id: str = ""
    ) -> PartSent:
        """Part ``index`` of ``total`` was accepted by the platform (as ``sent_id``): what
        ``record_parts`` writes."""
        return PartSent(
            row.id, index + 1, index + 1 == total, str(sent_id)[:32] or None, self.clock()
        )

    @staticmethod
    async def record_parts(session: AsyncSession, parts: list[PartSent]) -> None:
        """Write parts accepted (of any rows): one statement per kind, many rows each."""
        for last, statement in ((False, _PART_SENT), (True, _ROW_SENT)):
            params = [
                {"row_id": p.row_id, "parts": p.parts, "message_id": p.message_id}
                | ({"sent_at": p.at} if last else {})
                for p in parts
                if p.last is last
            ]
            if params:
                await session.execute(statement, params)

    async def record(
        self, session: AsyncSession, row: OutboxMessage, total: int, index: int, sent_id: str = ""
    ) -> None:
        """Part ``index`` of ``total`` was accepted by the platform (as ``sent_id``)."""
        await self.record_parts(session, [self.part_sent(row, total, index, sent_id)])
        row.parts_sent = index + 1

    async def back_off(self, row: OutboxMessage, reason: str) -> float | None:
        """Retry ``row`` later; returns the delay in seconds, or None when it was given up."""
        attempts = row.attempts + 1
        if attempts >= self.limits.max_attempts:
            log.error("%s: message %s given up after %d attempts", self.channel, row.id, attempts)
            await self.finish(row, "failed", reason, attempts=attempts)
            return None
        delay: float = min(self.limits.backoff_base * 2 ** (attempts - 1), self.limits.backoff_max)
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(
                    attempts=attempts,
                    next_attempt_at=self.clock() + timedelta(seconds=delay),
                    last_error=_reason(reason),
                )
            )
        return delay

    async def finish(
        self, row: OutboxMessage, status: str, reason: str, *, attempts: int | None = None
    ) -> None:
        values: dict[str, object] = {
            "status": status,
            "last_error": _reason(reason),
            "payload": FINISHED_PAYLOAD,
        }
        if attempts is not None:
            values["attempts"] = attempts
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
            )

    async def drop_chat(
        self, row: OutboxMessage, reason: str, *, mark_contact: bool = False
    ) -> None:
        """The chat cannot be written to: every pending row of it becomes "dropped"."""
        now = self.clock()
        async with self.db.transaction() as session:
            if mark_contact:
                contact = await session.scalar(self._contact_query(row))
                if contact is not None:
                    contact.unreachable_at = now
                # The row id, not the platform's chat id: logs carry no personal identifiers.
                log.info(
                    "%s: message %s: chat unreachable (%s); its pending messages dropped",
                    self.channel,
                    row.id,
                    reason,
                )
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.channel == self.channel.value,
                    OutboxMessage.chat_id == row.chat_id,
                )
                .values(status="dropped", last_error=_reason(reason), payload=FINISHED_PAYLOAD)
            )

    async def _is_unreachable(self, row: OutboxMessage) -> bool:
        """Unreachable until the person writes again (last_seen_at after unreachable_at)."""
        async with self.db.reader() as session:
            contact = await session.scalar(self._contact_query(row))
        return contact is not None and unreachable(contact.unreachable_at, contact.last_seen_at)

    def _contact_query(self, row: OutboxMessage) -> Select[Contact]:
        if row.contact_id is not None:
            return select(Contact).where(Contact.id == row.contact_id)
        return select(Contact).where(
            Contact.channel == self.channel.value, Contact.platform_user_id == row.chat_id
        )


def _reason(text: str) -> str:
    """An error as stored in ``last_error``: short, and no phone- or ID-like number."""
    return mask_numbers(text)[:1000]
