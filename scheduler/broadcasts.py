"""Broadcast delivery: turns due announcements into outbox rows, a few at a time.

An announcement is not written to the outbox all at once: its recipients are fixed first (one
``broadcast_recipients`` row each, unique per broadcast and contact), then queued in small
batches as the senders drain them. So the outbox never holds thousands of rows a stop, a
cancellation or a repeated platform refusal would have to chase, a person who says stop
mid-broadcast is skipped, and a restart resumes from the rows' state: nobody is lost, nobody is
written to twice. Nothing is queued inside the quiet hours.

Runs in ``python -m bot run`` as a poll loop (``Dispatcher.run``), so a broadcast created by
``python -m bot broadcast send`` in another process is picked up within ``poll_interval``.
Several processes on one PostgreSQL database: the broadcast row is locked ``FOR UPDATE`` while
its batch is queued, so two dispatchers never queue the same recipient.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.outreach.new_class import offer_new_courses
from handlers.types import Attachment, Reply, reply_to_payload
from messages import t
from scheduler.claims import is_quiet
from storage.db import Database
from storage.models import (
    Broadcast,
    BroadcastRecipient,
    Contact,
    OutboxMessage,
    Subscription,
    utcnow,
)
from storage.outreach_repo import BULK, audience, halt_broadcast, is_unreachable

log = logging.getLogger(__name__)

#: Announcements of one channel pending in the outbox at most (≈ 4 s of Telegram's 30/s).
WINDOW = 120
#: Rows queued by one pass at most: short transactions, so people's turns never wait long.
BATCH = 60


@dataclass(frozen=True, slots=True)
class DispatchPolicy:
    zone: ZoneInfo
    quiet_start: int = 21
    quiet_end: int = 7
    window: int = WINDOW
    #: Stop a broadcast after this many refusals, when they outnumber its successful sends.
    max_refusals: int = 20


def announcement(broadcast: Broadcast) -> Reply:
    """What each recipient receives: the text, then one line saying how to stop."""
    reply = Reply(
        f"{broadcast.text}\n\n{t('outreach.stop_line')}",
        meta={"intent": f"broadcast:{broadcast.id}"},
    )
    if broadcast.photo_sha256:
        reply.attachments.append(Attachment("photo", sha256=broadcast.photo_sha256))
    return reply


async def dispatch_once(db: Database, policy: DispatchPolicy, now: datetime) -> int:
    """One pass over the due broadcasts; returns how many outbox rows were queued."""
    if is_quiet(now, policy.zone, policy.quiet_start, policy.quiet_end):
        return 0
    async with db.session() as session:
        due = (
            await session.scalars(
                select(Broadcast.id)
                .where(Broadcast.status.in_(("scheduled", "sending")), Broadcast.send_at <= now)
                .order_by(Broadcast.send_at, Broadcast.id)
            )
        ).all()
    queued = 0
    for broadcast_id in due:
        async with db.transaction() as session:
            queued += await _dispatch(session, broadcast_id, policy, now)
    return queued


async def _dispatch(
    session: AsyncSession, broadcast_id: int, policy: DispatchPolicy, now: datetime
) -> int:
    broadcast = await session.scalar(
        select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update()
    )
    if broadcast is None or broadcast.status not in ("scheduled", "sending"):
        return 0
    if broadcast.status == "scheduled":
        await _fix_recipients(session, broadcast)
        broadcast.status = "sending"
    if await _refused_too_often(session, broadcast, policy, now):
        return 0
    queued = 0
    for channel in await _channels_waiting(session, broadcast.id):
        room = policy.window - await _pending_bulk(session, channel)
        if room > 0:
            queued += await _queue_batch(session, broadcast, channel, room, now)
    left = await session.scalar(
        select(func.count()).where(
            BroadcastRecipient.broadcast_id == broadcast.id, BroadcastRecipient.status == "waiting"
        )
    )
    if not left:
        broadcast.status = "done"
        broadcast.finished_at = now
    return queued


async def _fix_recipients(session: AsyncSession, broadcast: Broadcast) -> None:
    who = await audience(session, [int(u) for u in broadcast.unit_ids], broadcast.interest)
    if not who.contact_ids:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(who.contact_ids), 1000):
        chunk = who.contact_ids[start : start + 1000]
        await session.execute(
            insert(BroadcastRecipient)
            .values(
                [
                    {"broadcast_id": broadcast.id, "contact_id": cid, "status": "waiting"}
                    for cid in chunk
                ]
            )
            .on_conflict_do_nothing(index_elements=["broadcast_id", "contact_id"])
        )


async def _channels_waiting(session: AsyncSession, broadcast_id: int) -> list[str]:
    return list(
        (
            await session.scalars(
                select(Contact.channel)
                .join(BroadcastRecipient, BroadcastRecipient.contact_id == Contact.id)
                .where(
                    BroadcastRecipient.broadcast_id == broadcast_id,
                    BroadcastRecipient.status == "waiting",
                )
                .distinct()
            )
        ).all()
    )


async def _pending_bulk(session: AsyncSession, channel: str) -> int:
    count = await session.scalar(
        select(func.count()).where(
            OutboxMessage.status == "pending",
            OutboxMessage.channel == channel,
            OutboxMessage.priority == BULK,
        )
    )
    return int(count or 0)


async def _queue_batch(
    session: AsyncSession, broadcast: Broadcast, channel: str, room: int, now: datetime
) -> int:
    rows = (
        await session.execute(
            select(BroadcastRecipient, Contact, Subscription.stopped_at)
            .join(Contact, Contact.id == BroadcastRecipient.contact_id)
            .outerjoin(Subscription, Subscription.contact_id == Contact.id)
            .where(
                BroadcastRecipient.broadcast_id == broadcast.id,
                BroadcastRecipient.status == "waiting",
                Contact.channel == channel,
            )
            .order_by(BroadcastRecipient.id)
            .limit(min(room, BATCH))
        )
    ).all()
    payload = reply_to_payload(announcement(broadcast))
    queued: list[tuple[BroadcastRecipient, OutboxMessage]] = []
    for recipient, contact, stopped_at in rows:
        if stopped_at is not None:
            recipient.status, recipient.reason = "skipped", "stopped"
            continue
        if is_unreachable(contact):
            recipient.status, recipient.reason = "skipped", "unreachable"
            continue
        row = OutboxMessage(
            channel=contact.channel,
            chat_id=contact.platform_user_id,
            contact_id=contact.id,
            payload=payload,
            status="pending",
            created_at=now,
            next_attempt_at=now,
            priority=BULK,
        )
        queued.append((recipient, row))
    # One INSERT for the batch: the transaction (and SQLite's single write lock, which the
    # chatting people's turns need too) is held as briefly as possible.
    session.add_all([row for _, row in queued])
    await session.flush()
    for recipient, row in queued:
        recipient.status, recipient.outbox_id = "queued", row.id
    return len(queued)


async def _refused_too_often(
    session: AsyncSession, broadcast: Broadcast, policy: DispatchPolicy, now: datetime
) -> bool:
    """Repeated refusals by the platform (failed sends outnumbering sent ones): stop."""
    rows = (
        await session.execute(
            select(OutboxMessage.status, func.count())
            .join(BroadcastRecipient, BroadcastRecipient.outbox_id == OutboxMessage.id)
            .where(BroadcastRecipient.broadcast_id == broadcast.id)
            .group_by(OutboxMessage.status)
        )
    ).all()
    counts = dict((status, n) for status, n in rows)
    failed, sent = counts.get("failed", 0), counts.get("sent", 0)
    if failed < policy.max_refusals or failed <= sent:
        return False
    reason = t("outreach.report.refused", failed=failed, sent=sent)
    log.warning("broadcast %s stopped: %d refusals, %d sent", broadcast.id, failed, sent)
    await halt_broadcast(session, broadcast, "stopped", now, reason)
    return True


class Dispatcher:
    """Polls for due broadcasts until ``stop()``; wakes the senders after queuing."""

    def __init__(
        self,
        db: Database,
        policy: DispatchPolicy,
        *,
        clock: Callable[[], datetime] = utcnow,
        on_commit: Callable[[], None] | None = None,
        poll_interval: float = 1.0,
    ) -> None:
        self.db = db
        self.policy = policy
        self.clock = clock
        self.on_commit = on_commit
        self.poll_interval = poll_interval
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                async with self.db.transaction() as session:
                    offers = await offer_new_courses(session, self.clock())
                queued = await dispatch_once(self.db, self.policy, self.clock())
                if (offers or queued) and self.on_commit:
                    self.on_commit()
            except Exception:
                log.exception("broadcast dispatcher: pass failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.poll_interval)

    def stop(self) -> None:
        self._stopping.set()
