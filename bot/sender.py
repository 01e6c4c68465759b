"""The outbox sender: delivers pending OutboxMessage rows of one channel through its Transport.

Rows are taken per chat in id order (one worker per chat keeps a chat's messages in order; chats
run in parallel). Each row is rendered for the channel into platform messages; ``parts_sent`` is
committed right after the platform accepts each one, so a split reply resumes where it stopped and
only a message accepted in the instant before a crash can repeat. A row that retracts a message
(queued by an erasure) is one call that deletes it instead, paced as a send (bot/delivery.py). What
the transport raises decides the rest (see bot/delivery.py):

    RetryLaterError   the whole channel pauses ``retry_after`` seconds, then the part is retried
    TransientError    the row backs off exponentially (attempts, next_attempt_at), then retries
    UnreachableError  the contact is marked unreachable, its pending rows become "dropped"
    PermanentError    the row becomes "failed" with the reason in last_error

A finished row (sent, failed, dropped) keeps no body. Reading and settling rows is
bot/outbox_rows.py, sending one row bot/row_delivery.py; this module decides which chats to
work, when, and in which order.

The engine calls ``notify(replies)`` after each commit with the chats its turn wrote to: they
start at once, with no outbox-wide lookup in front of a person's reply (during a broadcast that
lookup ran ~30 times a second and was most of the replies' slowest waits). Other writers call
``notify()`` for a lookup now; a periodic poll catches rows written by other processes and rows
whose backoff has ended. Announcement chats are looked up a batch at a time (``bulk_batch``)
and started from that batch as their workers finish, not by a lookup per finished chat.

Several processes on one PostgreSQL database (two ``python -m bot run``) never send the same part:
each part is sent while its row is locked ``FOR UPDATE SKIP LOCKED`` and recorded in that same
transaction (announcements' parts a batch at a time: bot/bulk_claims.py), and a sender only
ever works on the oldest pending row of a chat, leaving the chat when another process holds that
row, so a chat's order survives too. SQLite is one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.delivery import Transport
from bot.outbox_rows import Found, OutboxRows
from bot.pacer import Timer
from bot.rate_limits import ChannelLimits, RateLimiter
from bot.row_delivery import RowDelivery
from handlers.types import Channel
from storage.db import Database
from storage.group_commit import GroupCommit
from storage.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


#: A chat whose worker raised (not a platform refusal: those are retried per row) is started
#: again after this pause, doubling up to the maximum.
WORKER_BACKOFF_BASE = 0.5
WORKER_BACKOFF_MAX = 60.0


class Sender:
    """Drains the outbox of ``transport.channel``; ``run()`` until ``stop()``."""

    def __init__(
        self,
        db: Database,
        transport: Transport,
        limits: ChannelLimits,
        *,
        clock: Clock = utcnow,
        timer: Timer | None = None,
        poll_interval: float = 2.0,
        max_workers: int = 64,
        max_claims: int = 6,
        max_bulk_workers: int = 16,
        bulk_batch: int = 32,
        shutdown_grace: float = 10.0,
        batch: GroupCommit | None = None,
        bulk_record_within: float = 0.2,
    ) -> None:
        self.db = db
        self.transport = transport
        self.channel: Channel = transport.channel
        self.limits = limits
        self.clock = clock
        #: Reading and settling the rows; this class decides when and in which order.
        self.rows = OutboxRows(db, self.channel, limits, clock)
        self.poll_interval = poll_interval
        self.shutdown_grace = shutdown_grace
        self._wake = asyncio.Event()
        self._stopping = False
        self._workers: dict[str, asyncio.Task[None]] = {}
        self.max_workers = max_workers
        #: Chats that got new rows while their worker ran: started again when it ends, in case
        #: it had already read the chat's last row.
        #: (The value: whether those rows are all announcements.)
        self._again: dict[str, bool] = {}
        #: The last lookup found due chats it could not start for want of a free worker.
        self._starved = False
        #: Announcements (outbox priority 1) use at most this many workers and their own claims,
        #: so the chats of people talking to the bot always find a free worker and connection.
        self.max_bulk_workers = max_bulk_workers
        self._bulk_chats: set[str] = set()
        #: Announcement chats of the last lookup not started yet (oldest first): a finished
        #: announcement worker starts the next of them; the lookup runs again once they are gone.
        self.bulk_batch = bulk_batch
        self._bulk_backlog: deque[str] = deque()
        #: The last lookup found as many announcement chats as it asked for: there may be more.
        self._bulk_more = False
        #: The backlog chats' next rows, read together after the lookup (one read, not one per
        #: recipient). Only a worker started from the backlog uses its chat's row, and only if
        #: nothing started or named the chat since it was read; anything else drops it.
        self._prefetched: dict[str, Found] = {}
        #: While a lookup runs: the chats started or named meanwhile (their rows as read may
        #: be sent or cancelled by the time the lookup ends).
        self._touched: set[str] | None = None
        #: Announcement chats named by a commit while their worker runs (the person wrote, and
        #: may have said stop): the announcement read before is read again before it is sent.
        self._stale: set[str] = set()
        #: Set while ``run()`` is not running, so that ``stop()`` can wait for it to return.
        self._idle = asyncio.Event()
        self._idle.set()
        #: Chats whose worker raised: (consecutive failures, not before this timer time). A
        #: worker that keeps failing is started again after a doubling pause, not in a tight loop.
        self._resting: dict[str, tuple[int, datetime]] = {}
        #: Pacing runs on ``timer`` (the loop's clock; a virtual one in tests).
        self._limiter = RateLimiter(limits, timer)
        #: Sending one row: paced, claimed and recorded (SQLite: in ``batch``, the engine's
        #: group commit, if given); this class decides which rows, when and in which order.
        self.delivery = RowDelivery(
            db,
            self.rows,
            transport,
            self._limiter,
            stale=self._stale.__contains__,
            wake=self._wake.set,
            max_claims=max_claims,
            batch=batch,
            bulk_record_within=bulk_record_within,
        )

    def expect_reply(self) -> Callable[[], None]:
        """A message arrived on this channel: keep a place of the overall pace for its reply
        (bot/pacer.py ``expect``). Returns the call that withdraws it (the turn wrote none)."""
        return self._limiter.expect_reply()

    def notify(self, replies: Collection[tuple[str, str]] = ()) -> None:
        """New rows were committed. ``replies``: the (channel, chat id) of conversation rows
        (the engine's after a turn): those chats of this channel start at once. Without them,
        look for work now rather than at the next poll."""
        if not replies:
            self._wake.set()
            return
        for channel, chat_id in dict.fromkeys(replies):
            if channel != self.channel.value:
                continue
            if self._touched is not None:
                self._touched.add(chat_id)
            if chat_id in self._workers:
                self._stale.add(chat_id)
            if not self._start(chat_id, bulk=False):
                self._wake.set()  # it cannot start now: the lookup finds the chat later

    async def run(self) -> None:
        """Deliver until ``stop()``; a database hiccup is logged and retried at the next poll."""
        self._idle.clear()
        try:
            while not self._stopping:
                self._wake.clear()
                try:
                    await self._start_due_chats()
                except Exception:
                    log.exception("%s sender: cannot read the outbox; retrying", self.channel)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval)
        finally:
            self._idle.set()

    async def stop(self) -> None:
        """Let in-flight sends finish and record (up to the grace period), cancel waiting ones."""
        self._stopping = True
        self._wake.set()
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if self.delivery.inflight:
            await asyncio.wait(self.delivery.inflight, timeout=self.shutdown_grace)
        # run() returns by itself once stopping: cancelling it inside a database call would leave
        # a connection to be closed after the database is gone (which hangs the event loop).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), self.shutdown_grace)

    async def drain(self, within: float = 30.0) -> None:
        """Wait until no row is pending and no worker runs (tests, one-shot delivery)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            self.notify()
            await asyncio.sleep(0.05)
            if not self._workers and not await self._pending_count():
                return
        raise TimeoutError("outbox not drained")

    async def _pending_count(self) -> int:
        async with self.db.reader() as session:
            count = await session.scalar(
                select(func.count()).where(
                    OutboxMessage.status == "pending", OutboxMessage.channel == self.channel.value
                )
            )
        return int(count or 0)

    async def _due_chats(self, wanted: int) -> tuple[list[str], list[str]]:
        """The chats with due rows: those with a conversation row, and up to ``wanted`` of
        those with announcements only that have no worker and are not in the backlog, each
        oldest first. Two grouped reads over the pending rows (few: the dispatcher queues an
        announcement a window at a time); the announcements' one is limited, so a lookup costs
        the same whatever the size of the broadcast."""
        now = self.clock()
        due = (
            OutboxMessage.status == "pending",
            OutboxMessage.channel == self.channel.value,
            OutboxMessage.next_attempt_at <= now,
        )
        first = func.min(OutboxMessage.id)
        async with self.db.reader() as session:
            urgent = list(
                await session.scalars(
                    select(OutboxMessage.chat_id)
                    .where(*due, OutboxMessage.priority == 0)
                    .group_by(OutboxMessage.chat_id)
                    .order_by(first)
                )
            )
            if wanted <= 0:
                return urgent, []
            taken = set(self._workers).union(self._bulk_backlog)
            bulk = await session.scalars(
                select(OutboxMessage.chat_id)
                .where(*due)
                .group_by(OutboxMessage.chat_id)
                .having(func.min(OutboxMessage.priority) > 0)
                .order_by(first)
                # The chats already taken are among the oldest: skipped after the read.
                .limit(wanted + len(taken))
            )
            return urgent, [chat for chat in bulk if chat not in taken][:wanted]

    async def _start_due_chats(self) -> None:
        wanted = self.bulk_batch - len(self._bulk_backlog)
        self._touched = set()
        try:
            urgent, bulk = await self._due_chats(wanted)
            found = await self.rows.oldest_rows(bulk)
            # A chat started or named during the reads: its row as read may be gone already.
            busy = self._touched.union(self._workers)
            for chat_id in busy:
                found.pop(chat_id, None)
        finally:
            self._touched = None
        self._prefetched.update(found)
        self._starved = False
        for chat_id in urgent:
            if not self._start(chat_id, bulk=False) and self._full():
                self._starved = True
                break
        # Fewer than asked for: no other announcement is due now; the next lookup waits for
        # the dispatcher's notify() or the poll, not for a worker to finish.
        self._bulk_more = wanted <= 0 or len(bulk) >= wanted
        # A chat the rows' read found nothing for was served between the two reads (on SQLite
        # the first read's snapshot can predate a worker's record, and the worker be gone by the
        # time the lookup looks at who is busy): starting it would only read that it is done.
        self._bulk_backlog.extend(chat for chat in bulk if chat in found or chat in busy)
        self._start_backlog()

    def _full(self, *, bulk: bool = False) -> bool:
        if len(self._workers) >= self.max_workers:
            return True
        return bulk and len(self._bulk_chats) >= self.max_bulk_workers

    def _start(self, chat_id: str, *, bulk: bool) -> bool:
        """Start a worker for ``chat_id`` (or tell its running worker to look again); False
        when it cannot start now (no free worker, resting after failures, stopping)."""
        found = self._prefetched.pop(chat_id, None)  # any start but the first from it drops it
        if self._touched is not None:
            self._touched.add(chat_id)
        if self._stopping:
            return False
        if chat_id in self._workers:
            self._again[chat_id] = self._again.get(chat_id, True) and bulk
            return True
        resting = self._resting.get(chat_id)
        if resting is not None and resting[1] > self.clock():
            return False
        if self._full(bulk=bulk):
            return False
        task = asyncio.create_task(
            self._drain_chat(chat_id, found if bulk else None), name=f"send:{chat_id}"
        )
        self._workers[chat_id] = task
        if bulk:
            self._bulk_chats.add(chat_id)
        task.add_done_callback(functools.partial(self._worker_done, chat_id))
        return True

    def _start_backlog(self) -> None:
        """Start announcement chats of the last lookup while announcement workers are free."""
        while self._bulk_backlog and not self._full(bulk=True):
            self._start(self._bulk_backlog.popleft(), bulk=True)

    def _worker_done(self, chat_id: str, task: asyncio.Task[None]) -> None:
        self._workers.pop(chat_id, None)
        self._stale.discard(chat_id)
        was_bulk = chat_id in self._bulk_chats
        self._bulk_chats.discard(chat_id)
        again = self._again.pop(chat_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s sender: a chat's worker failed", self.channel, exc_info=task.exception())
            failures = self._resting[chat_id][0] + 1 if chat_id in self._resting else 1
            pause = min(WORKER_BACKOFF_MAX, WORKER_BACKOFF_BASE * 2 ** (failures - 1))
            self._resting[chat_id] = (failures, self.clock() + timedelta(seconds=pause))
            if not self._stopping:
                asyncio.get_running_loop().call_later(pause, self._wake.set)
            again = None
        else:
            self._resting.pop(chat_id, None)
        if self._stopping:
            return
        if again is not None:
            # Rows came for this chat while its worker ran: it may have read its last row first.
            self._start(chat_id, bulk=again)
        if was_bulk:
            self._start_backlog()
            if not self._bulk_backlog and self._bulk_more:
                self._wake.set()  # the batch is used up: look up the next one
        if self._starved:
            self._wake.set()

    async def _drain_chat(self, chat_id: str, first: Found | None = None) -> None:
        """Send this chat's rows oldest first; stop at the first row that must wait. A chat
        started for announcements stops after one: a recipient rarely has a second, which the
        next lookup finds (a reply that comes meanwhile starts the chat again at once), so a
        recipient costs no read of its own (``first``: its row as the lookup's batch read
        it), not a second one finding nothing."""
        while not self._stopping:
            if first is None:
                self._stale.discard(chat_id)  # what is read now is as fresh as can be
                found = await self._next_row(chat_id)
            else:
                found, first = first, None
            if found is None or found[0].next_attempt_at > self.clock():
                return
            if not await self.delivery.send_row(*found):
                return
            if found[0].priority > 0 and chat_id in self._bulk_chats:
                return

    async def _next_row(self, chat_id: str) -> Found | None:
        """The chat's oldest pending row and whether its contact is unreachable (the one read
        before each send; tests count and interrupt it here)."""
        return await self.rows.next_row(chat_id)
