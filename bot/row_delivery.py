"""One outbox row's remaining parts, delivered: each paced, sent, and recorded as the platform
accepts it; what the platform raises settles the row (module doc of bot/sender.py).

How a part is claimed and recorded depends on the database:

    SQLite       one process: the rate slot first, then the send; the part is recorded in the
                 engine's group commit (the turns' transactions), if the sender has one
    PostgreSQL   several processes may send: a reply's part is sent while its row is locked
                 ``FOR UPDATE SKIP LOCKED`` and recorded in that same transaction; an
                 announcement's shares such a transaction with others (bot/bulk_claims.py)

bot/sender.py decides which rows, when and in which order; this module sends one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot.bulk_claims import BulkClaims
from bot.delivery import (
    PermanentError,
    Retracting,
    RetryLaterError,
    TransientError,
    Transport,
    UnreachableError,
)
from bot.outbox_rows import OutboxRows, PartSent
from bot.pacer import Slot
from bot.rate_limits import RateLimiter
from bot.render import Rendered, render
from handlers.types import reply_from_payload
from storage.db import Database
from storage.group_commit import Gathered, GroupCommit
from storage.models import OutboxMessage
from storage.repositories import retracted_message

log = logging.getLogger(__name__)


def delivery_units(parts: list[Rendered]) -> list[Rendered]:
    """One platform message per unit: a part with attachments becomes its text, then one unit per
    attachment, with the buttons on the last unit (so ``parts_sent`` can count each send)."""
    units: list[Rendered] = []
    for part in parts:
        if not part.attachments:
            units.append(part)
            continue
        if part.text:
            units.append(Rendered(part.text))
        units += [Rendered("", attachments=[a]) for a in part.attachments]
        units[-1].buttons = part.buttons
    return units


class RowDelivery:
    """Sends rows of ``rows.channel`` through ``transport`` at ``limiter``'s pace.

    ``stale(chat_id)``: the person wrote since the chat's row was read (SQLite: an announcement
    waiting for its place is then not sent; the chat is read again). ``wake()``: look for work
    (a backoff has ended).
    """

    def __init__(
        self,
        db: Database,
        rows: OutboxRows,
        transport: Transport,
        limiter: RateLimiter,
        *,
        stale: Callable[[str], bool],
        wake: Callable[[], None],
        max_claims: int = 6,
        batch: GroupCommit | None = None,
        bulk_record_within: float = 0.2,
    ) -> None:
        self.db = db
        self.rows = rows
        self.transport = transport
        self.channel = transport.channel
        self.limiter = limiter
        self._stale = stale
        self._wake = wake
        #: SQLite: the engine's group commit, so that what was sent is recorded in the turns'
        #: transactions: a transaction per send (30 a second in a broadcast) held the single
        #: write lock in front of people's turns, for tens of ms each on a busy machine.
        #: The parts sent meanwhile are written by one unit of the batch, in one statement.
        #: An announcement's waits up to ``bulk_record_within`` seconds for a batch that
        #: people's turns start, rather than start one of its own: during a broadcast such
        #: transactions came 20 times a second, and a turn arriving during one waited for it.
        #: (The price: a crash, not a stop, may repeat the announcements of that last moment.)
        self._parts_sent: Gathered[PartSent] | None = None
        self._bulk_parts_sent: Gathered[PartSent] | None = None
        if batch is not None:
            self._parts_sent = Gathered(batch, rows.record_parts)
            self._bulk_parts_sent = Gathered(batch, rows.record_parts, within=bulk_record_within)
        #: PostgreSQL: rows locked at once, each waiting for its rate slot on a pooled connection.
        self._claims = asyncio.Semaphore(max_claims)
        #: Sends under way that must be recorded even if their worker is cancelled.
        self.inflight: set[asyncio.Task[Any]] = set()
        #: PostgreSQL: announcements' parts are claimed, sent and recorded a batch at a time.
        self.bulk: BulkClaims | None = None
        if not db.is_sqlite:
            self.bulk = BulkClaims(db, rows, self._paced_send, self._track)

    async def send_row(self, row: OutboxMessage, unreachable: bool = False) -> bool:
        """Deliver the remaining parts of ``row``; False when the chat must wait (backoff)."""
        if unreachable:
            await self.rows.drop_chat(row, "contact unreachable")
            return True
        if retracted_message(row.payload) is not None:
            units = [Rendered("")]  # one call, which deletes (``_send_in``)
        else:
            units = delivery_units(render(reply_from_payload(row.payload), self.channel))
        index = row.parts_sent
        while index < len(units):
            try:
                if not await self._send_unit(row, units, index):
                    return False  # another process is sending this row: its chat is theirs
            except RetryLaterError as exc:
                log.warning("%s: rate limited, pausing %.1f s", self.channel, exc.retry_after)
                self.limiter.pause(exc.retry_after)
                continue
            except TransientError as exc:
                await self._back_off(row, str(exc))
                return False
            except UnreachableError as exc:
                await self.rows.drop_chat(row, str(exc), mark_contact=True)
                return True
            except PermanentError as exc:
                log.warning("%s: message %s refused: %s", self.channel, row.id, exc)
                await self.rows.finish(row, "failed", str(exc))
                return True
            except Exception as exc:
                # A bug or an unreadable attachment: keep the row, retry later, never lose it.
                log.exception("%s: unexpected error sending message %s", self.channel, row.id)
                await self._back_off(row, f"{type(exc).__name__}: {exc}")
                return False
            index += 1
        return True

    async def _shielded(self, work: Coroutine[Any, Any, bool]) -> bool:
        # A send the platform may already have accepted must be recorded even during shutdown.
        task = asyncio.create_task(work)
        self._track(task)
        return await asyncio.shield(task)

    def _track(self, task: asyncio.Task[Any]) -> None:
        """The sender's ``stop()`` waits (up to its grace) for this task's sends to be recorded."""
        self.inflight.add(task)
        task.add_done_callback(self.inflight.discard)

    async def _send_unit(self, row: OutboxMessage, units: list[Rendered], index: int) -> bool:
        """Send part ``index`` of ``row`` and record it; False if another sender has the row."""
        bulk = row.priority > 0
        if self.db.is_sqlite:
            # One process per SQLite file, and its single writer lock must not wait on the network.
            slot = await self.limiter.acquire(row.chat_id, is_group=row.is_group, bulk=bulk)
            if bulk and self._stale(row.chat_id):
                # The person wrote while this announcement waited for its place, perhaps to
                # say stop (which cancels it): the chat is read again before anything is sent.
                slot.release()
                return False
            return await self._shielded(self._deliver(row, units, index, slot))
        if bulk and self.bulk is not None:
            return await self.bulk.deliver(row, units, index)
        # The rate slot is taken AFTER the row is locked, so the pace is measured right before
        # the request (a lock taken after the slot delayed some sends and earned 429s at the
        # limit). Each claim holds a pooled connection while it waits: few at a time.
        async with self._claims:
            return await self._shielded(self._claim_and_deliver(row, units, index))

    async def _deliver(
        self, row: OutboxMessage, units: list[Rendered], index: int, slot: Slot
    ) -> bool:
        sent_id = await self._send_in(slot, row, units[index])
        parts_sent = self._bulk_parts_sent if row.priority > 0 else self._parts_sent
        if parts_sent is not None:
            await parts_sent.add([self.rows.part_sent(row, len(units), index, sent_id)])
            row.parts_sent = index + 1
            return True
        async with self.db.transaction() as session:
            await self.rows.record(session, row, len(units), index, sent_id)
        return True

    async def _claim_and_deliver(
        self, row: OutboxMessage, units: list[Rendered], index: int
    ) -> bool:
        async with self.db.transaction() as session:
            # The lock is held across the send: a part goes out once whatever other processes
            # do. SKIP LOCKED: a row locked elsewhere is being sent there, do not wait for it.
            free = await self.rows.lock(session, [row.id])
            if free.get(row.id) != ("pending", index):
                return False
            sent_id = await self._paced_send(row, units[index])
            await self.rows.record(session, row, len(units), index, sent_id)
        return True

    async def _back_off(self, row: OutboxMessage, reason: str) -> None:
        delay = await self.rows.back_off(row, reason)
        if delay is not None:
            asyncio.get_running_loop().call_later(delay, self._wake)

    async def _paced_send(self, row: OutboxMessage, unit: Rendered) -> str:
        """Wait for the rate slot of ``row``'s chat, then send ``unit`` in it."""
        slot = await self.limiter.acquire(
            row.chat_id, is_group=row.is_group, bulk=row.priority > 0
        )
        return await self._send_in(slot, row, unit)

    async def _send_in(self, slot: Slot, row: OutboxMessage, unit: Rendered) -> str:
        """Send while holding the rate slot; it is released once the platform answered, which
        is what keeps the limit whatever the network or the machine delays (bot/pacer.py).
        Returns the platform's id of the message sent ("" for a retraction)."""
        try:
            retracted = retracted_message(row.payload)
            if retracted is None:
                return await self.transport.send(row.chat_id, unit, is_group=row.is_group)
            if not isinstance(self.transport, Retracting):
                raise PermanentError(f"{self.channel} cannot delete a delivered message")
            await self.transport.retract(row.chat_id, retracted, is_group=row.is_group)
            return ""
        finally:
            slot.release()
