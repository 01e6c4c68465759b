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

from sqlalchemy import Table, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.outreach.class_changed import tell_class_changes
from handlers.outreach.new_class import offer_new_courses
from handlers.types import Attachment, Reply, reply_to_payload
from messages import t
from scheduler.claims import is_quiet
from storage.course_announcements import JOINABLE
from storage.course_changes import pending_mark
from storage.db import Database, conflict_insert
from storage.models import (
    Broadcast,
    BroadcastRecipient,
    Contact,
    Course,
    OutboxMessage,
    Subscription,
    utcnow,
)
from storage.outreach_repo import BULK, UNREACHABLE, audience, halt_broadcast, unreachable
from storage.repositories import FINISHED_PAYLOAD

log = logging.getLogger(__name__)

#: Announcements of one channel pending in the outbox at most (≈ 4 s of Telegram's 30/s).
WINDOW = 120
#: Rows queued by one pass at most: short transactions, so people's turns never wait long.
BATCH = 60
#: Recipients written by one transaction when a broadcast starts (about 10 ms on SQLite).
RECIPIENTS_PER_WRITE = 100

_OUTBOX: Table = OutboxMessage.__table__  # type: ignore[assignment]


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
    async with db.reader() as session:
        due = (
            await session.execute(
                select(Broadcast.id, Broadcast.status)
                .where(Broadcast.status.in_(("scheduled", "sending")), Broadcast.send_at <= now)
                .order_by(Broadcast.send_at, Broadcast.id)
            )
        ).all()
    queued = 0
    for broadcast_id, status in due:
        if status == "scheduled":
            await _start(db, broadcast_id)
        queued += await _dispatch(db, broadcast_id, policy, now)
    return queued


async def _start(db: Database, broadcast_id: int) -> None:
    """Once: the audience is fixed when the broadcast starts. It is read without the write
    lock and its recipients written ``RECIPIENTS_PER_WRITE`` at a time, each write its own
    short transaction: in one, 3,000 recipients held SQLite's single writer 360 ms, and every
    reply of that moment waited behind it. A recipient is written once whatever happens (unique
    per broadcast and contact), so a start cut short is finished by the next pass; one
    cancelled meanwhile has its recipients skipped as a cancellation does."""
    async with db.reader() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None or broadcast.status != "scheduled":
            return
        who = await audience(session, [int(u) for u in broadcast.unit_ids], broadcast.interest)
    ids = who.contact_ids
    for start in range(0, len(ids), RECIPIENTS_PER_WRITE):
        async with db.transaction() as session:
            # One statement executed for many rows, not one multi-row VALUES: that is compiled
            # anew each time, 17 ms of the event loop per 100 recipients on PostgreSQL against
            # about 4 ms, and a 10,000-recipient start made people's replies wait behind it.
            await session.execute(
                conflict_insert(session, BroadcastRecipient)
                .on_conflict_do_nothing(index_elements=["broadcast_id", "contact_id"]),
                [{"broadcast_id": broadcast_id, "contact_id": cid, "status": "waiting"}
                 for cid in ids[start : start + RECIPIENTS_PER_WRITE]],
            )
    async with db.transaction() as session:
        broadcast = await session.scalar(
            select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update()
        )
        if broadcast is None:
            return
        if broadcast.status == "scheduled":
            broadcast.status = "sending"
        elif broadcast.finished_at is not None:
            # Cancelled while its recipients were written: none of them is waiting.
            await session.execute(
                update(BroadcastRecipient)
                .where(BroadcastRecipient.broadcast_id == broadcast_id,
                       BroadcastRecipient.status == "waiting")
                .values(status="skipped", reason=broadcast.status)
            )


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one pass will do for a broadcast, read before the write transaction: the counts
    over all its recipients are the slow part, and SQLite's single write lock (which people's
    turns need too) must not be held while they are made."""

    refused: tuple[int, int] | None  # (failed, sent) when the broadcast must stop
    batches: dict[str, list[_Waiting]]  # channel → the recipients this pass may queue
    left: int  # recipients still waiting

    @property
    def writes(self) -> bool:
        """Whether the pass has anything to write: a batch, a stop, or the end."""
        return bool(self.batches) or self.refused is not None or self.left == 0


async def _plan(db: Database, broadcast_id: int, policy: DispatchPolicy) -> _Plan:
    """A channel's recipients are queued a full batch at a time: once its window has room for
    ``BATCH`` (or for all it has left), not a few rows every pass. Each pass that queues costs
    the event loop about 20 ms whatever its size (a dozen statements, a write transaction), which
    people's replies wait behind; at 30 sends a second, refilling each second cost 0.8 ms per
    announcement. A pass with nothing to queue reads two counts and writes nothing."""
    async with db.reader() as session:
        waiting = (
            await session.execute(
                select(Contact.channel, func.count())
                .join(BroadcastRecipient, BroadcastRecipient.contact_id == Contact.id)
                .where(
                    BroadcastRecipient.broadcast_id == broadcast_id,
                    BroadcastRecipient.status == "waiting",
                )
                .group_by(Contact.channel)
            )
        ).all()
        pending = await _pending_bulk(session) if waiting else {}
        batches = {}
        for channel, left in waiting:
            room = policy.window - pending.get(channel, 0)
            if room > 0 and room >= min(BATCH, policy.window, left):
                batches[channel] = await _waiting(session, broadcast_id, channel, room)
        refused = await _refused(session, broadcast_id, policy) if batches else None
    return _Plan(refused, batches, sum(n for _, n in waiting))


async def _refused(
    session: AsyncSession, broadcast_id: int, policy: DispatchPolicy
) -> tuple[int, int] | None:
    """(failed, sent) when the platform refused the broadcast often enough to stop it. Counted
    over all its recipients, so only by a pass about to queue more of them."""
    counts = dict(
        (
            await session.execute(
                select(OutboxMessage.status, func.count())
                .join(BroadcastRecipient, BroadcastRecipient.outbox_id == OutboxMessage.id)
                .where(BroadcastRecipient.broadcast_id == broadcast_id)
                .group_by(OutboxMessage.status)
            )
        ).all()
    )
    failed, sent = counts.get("failed", 0), counts.get("sent", 0)
    return (failed, sent) if failed >= policy.max_refusals and failed > sent else None


async def _dispatch(db: Database, broadcast_id: int, policy: DispatchPolicy, now: datetime) -> int:
    plan = await _plan(db, broadcast_id, policy)
    if not plan.writes:
        return 0
    queued = 0
    async with db.transaction() as session:
        broadcast = await session.scalar(
            select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update()
        )
        if broadcast is None or broadcast.status != "sending":
            return 0
        if plan.refused is not None:
            failed, sent = plan.refused
            log.warning("broadcast %s stopped: %d refusals, %d sent", broadcast.id, failed, sent)
            reason = t("outreach.report.refused", failed=failed, sent=sent)
            await halt_broadcast(session, broadcast, "stopped", now, reason)
            return 0
        taken = 0
        for channel, batch in plan.batches.items():
            queued += await _queue_batch(session, broadcast, channel, batch, now)
            taken += len(batch)
        if taken >= plan.left:
            broadcast.status = "done"
            broadcast.finished_at = now
    return queued


async def _pending_bulk(session: AsyncSession) -> dict[str, int]:
    """Announcements pending in the outbox, per channel (a few hundred rows at most)."""
    rows = await session.execute(
        select(OutboxMessage.channel, func.count())
        .where(OutboxMessage.status == "pending", OutboxMessage.priority == BULK)
        .group_by(OutboxMessage.channel)
    )
    return {channel: int(n) for channel, n in rows}


#: A recipient still waiting, as read before the write: (recipient row, contact, chat id,
#: contact unreachable since, contact last seen, announcements stopped at).
_Waiting = tuple[int, int, str, datetime | None, datetime, datetime | None]


async def _waiting(
    session: AsyncSession, broadcast_id: int, channel: str, room: int
) -> list[_Waiting]:
    """Up to ``room`` (and ``BATCH``) recipients of the broadcast on ``channel`` still waiting,
    oldest first. Read before the write transaction, not in it: on SQLite people's turns wait
    for its single write lock. A recipient who stops or is queued by another process
    meanwhile is caught by the write's own check of their status."""
    rows = await session.execute(
        select(
            BroadcastRecipient.id,
            Contact.id,
            Contact.platform_user_id,
            Contact.unreachable_at,
            Contact.last_seen_at,
            Subscription.stopped_at,
        )
        .join(Contact, Contact.id == BroadcastRecipient.contact_id)
        .outerjoin(Subscription, Subscription.contact_id == Contact.id)
        .where(
            BroadcastRecipient.broadcast_id == broadcast_id,
            BroadcastRecipient.status == "waiting",
            Contact.channel == channel,
        )
        .order_by(BroadcastRecipient.id)
        .limit(min(room, BATCH))
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def _queue_batch(
    session: AsyncSession, broadcast: Broadcast, channel: str, rows: list[_Waiting],
    now: datetime,
) -> int:
    """Queue these waiting recipients on ``channel``; returns how many were queued.

    Plain column reads and one statement per kind of write (no ORM objects): this runs inside
    the write transaction, and on SQLite people's turns wait for its single write lock (at
    about 14 ms, ORM-built, it was the longest wait a reply met during a broadcast)."""
    if not rows:
        return 0
    # Those another pass queued since they were read (a second process, or a pass that took
    # the write lock first) are not written again: a look up by key, where the read was a join.
    still = set(
        await session.scalars(
            select(BroadcastRecipient.id).where(
                BroadcastRecipient.id.in_([row[0] for row in rows]),
                BroadcastRecipient.status == "waiting",
            )
        )
    )
    rows = [row for row in rows if row[0] in still]
    payload = reply_to_payload(announcement(broadcast))
    skipped: dict[str, list[int]] = {}
    queued: list[dict[str, object]] = []  # outbox rows
    recipient_of: dict[int, int] = {}  # contact → its recipient row
    for recipient_id, contact_id, chat_id, unreachable_at, last_seen_at, stopped_at in rows:
        if stopped_at is not None:
            skipped.setdefault("stopped", []).append(recipient_id)
        elif unreachable(unreachable_at, last_seen_at):
            skipped.setdefault(UNREACHABLE, []).append(recipient_id)
        else:
            row = {
                "channel": channel,
                "chat_id": chat_id,
                "contact_id": contact_id,
                "payload": payload,
                "status": "pending",
                "created_at": now,
                "next_attempt_at": now,
                "priority": BULK,
            }
            queued.append(row)
            recipient_of[contact_id] = recipient_id
    for reason, ids in skipped.items():
        await session.execute(
            update(BroadcastRecipient)
            .where(BroadcastRecipient.id.in_(ids), BroadcastRecipient.status == "waiting")
            .values(status="skipped", reason=reason)
            .execution_options(synchronize_session=False)
        )
    if not queued:
        return 0
    # One INSERT for the batch. Its ids are matched to recipients by contact (a contact is one
    # recipient of a broadcast), not by the order given: asking SQLAlchemy to keep that order
    # (``sort_by_parameter_order``) makes it send one INSERT per row on SQLite, 5.4 ms for 14
    # rows inside the write lock where the one statement takes 1.4 ms.
    inserted = await session.execute(
        insert(_OUTBOX).returning(_OUTBOX.c.contact_id, _OUTBOX.c.id), queued
    )
    # Only recipients still waiting become queued: one who said stop after they were read
    # (before this transaction), or whom another process queued meanwhile, stays as they are,
    # and the row just written for them is cancelled, never sent. (Locking the rows read
    # instead deadlocks with the person's turn, which holds their contact row that the new
    # outbox row's key needs.)
    outbox_of: dict[int, int] = {
        recipient_of[contact_id]: outbox_id for contact_id, outbox_id in inserted
    }
    taken = set(
        await session.scalars(
            update(BroadcastRecipient)
            .where(BroadcastRecipient.id.in_(outbox_of), BroadcastRecipient.status == "waiting")
            .values(status="queued", outbox_id=case(outbox_of, value=BroadcastRecipient.id))
            .returning(BroadcastRecipient.id)
            .execution_options(synchronize_session=False)
        )
    )
    late = [outbox_id for recipient_id, outbox_id in outbox_of.items() if recipient_id not in taken]
    if late:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(late))
            .values(status="cancelled", last_error="stopped", payload=FINISHED_PAYLOAD)
            .execution_options(synchronize_session=False)
        )
    return len(queued) - len(late)


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
        #: The classes as last seen (highest id, count, how many may be announced today): the
        #: offers' write transaction is taken only when they changed, not every poll (SQLite
        #: has one writer: people's turns). The last one changes when a class's start date is
        #: put right (``courses add --code …``): a class that had started is offered then.
        self._courses_seen: tuple[int | None, int, int] | None = None
        #: The classes' changes not told yet, as last handled (highest id, count): a change left
        #: waiting (a class moved to a day gone by) is not looked at again every poll.
        self._changes_seen: tuple[int | None, int] | None = None

    async def _offer_new_courses(self) -> int:
        now = self.clock()
        today = now.astimezone(self.policy.zone).date()
        open_now = case(
            (Course.status.in_(JOINABLE) & (Course.start_date >= today), 1), else_=0
        )
        async with self.db.reader() as session:
            max_id, count, announceable = (await session.execute(
                select(func.max(Course.id), func.count(Course.id), func.sum(open_now))
            )).one()
        seen = (max_id, count, int(announceable or 0))
        if seen == self._courses_seen:
            return 0
        async with self.db.transaction() as session:
            offers = await offer_new_courses(session, now, self.policy.zone)
        self._courses_seen = seen
        return offers

    async def _tell_class_changes(self) -> int:
        """People registered for a class that moved or was cancelled (by a command in another
        process, or an officer's file) are told, and its officers; never in the quiet hours,
        when the changes wait. A read each poll; the write only when there is a change."""
        now = self.clock()
        if is_quiet(now, self.policy.zone, self.policy.quiet_start, self.policy.quiet_end):
            return 0
        async with self.db.reader() as session:
            seen = await pending_mark(session)
        if not seen[1] or seen == self._changes_seen:
            return 0
        async with self.db.transaction() as session:
            told = await tell_class_changes(session, now, self.policy.zone)
        self._changes_seen = seen
        return told

    async def run(self) -> None:
        while not self._stopping.is_set():
            # Each part on its own: a class change that cannot be told (a failing row) must
            # not hold up the announcements, nor they the offers.
            written = 0
            for part in (self._offer_new_courses, self._tell_class_changes, self._dispatch):
                try:
                    written += await part()
                except Exception:
                    log.exception("broadcast dispatcher: %s failed; retrying", part.__name__)
            if written and self.on_commit:
                self.on_commit()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.poll_interval)

    async def _dispatch(self) -> int:
        return await dispatch_once(self.db, self.policy, self.clock())

    def stop(self) -> None:
        self._stopping.set()
