"""PostgreSQL: announcements' parts claimed, sent and recorded a batch at a time.

Every part of an outbox row is sent while its row is locked ``FOR UPDATE SKIP LOCKED`` and is
recorded in that same transaction, so two processes never send it twice (bot/row_delivery.py). A
reply has that transaction to itself. An announcement's part shares it with the other
announcements' parts waiting meanwhile: their rows are locked together, each part goes out as its
rate slot comes, and all are recorded in one statement before the one COMMIT. A transaction per
part (BEGIN, the lock, the record, COMMIT: each a trip through the driver on the event loop, 24
times a second at the limit) was a third of the loop's work per announcement, work that people's
replies queue behind.

At most ``concurrent`` batches are open, each of at most ``max_batch`` parts; a batch holds its
rows' locks while its parts go out (a few tenths of a second at the limit). A part whose row is
locked elsewhere, or no longer waits for that part, is not sent. Each caller learns its part's
fate after the COMMIT: sent, not its to send (False), or what the platform raised for it (with
its row's lock released, so the caller can back the row off); the batch's other parts are
recorded as usual. If the transaction itself fails, every caller gets that error and its part is
sent again later, as when a row's own transaction fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.outbox_rows import OutboxRows, PartSent
from bot.render import Rendered
from storage.db import Database
from storage.models import OutboxMessage

#: Sends one part (waiting for its rate slot) and returns the platform's id of the message.
SendPart = Callable[[OutboxMessage, Rendered], Awaitable[str]]


@dataclass(slots=True)
class _Claim:
    row: OutboxMessage
    unit: Rendered
    index: int
    total: int
    future: asyncio.Future[bool]
    sent: PartSent | None = None
    error: Exception | None = None


class BulkClaims:
    """Claims, sends and records announcement parts in shared transactions (module doc)."""

    def __init__(
        self,
        db: Database,
        rows: OutboxRows,
        send: SendPart,
        track: Callable[[asyncio.Task[None]], None],
        *,
        concurrent: int = 2,
        max_batch: int = 8,
    ) -> None:
        self.db = db
        self.rows = rows
        self.send = send
        #: Told of each batch's task: a stopping sender waits for sends in flight to be recorded.
        self.track = track
        self.concurrent = concurrent
        self.max_batch = max_batch
        self._waiting: list[_Claim] = []
        self._open = 0
        self._start_soon = False
        #: Batches committed and parts recorded in them, for benchmarks and tests.
        self.batches = 0
        self.parts = 0

    async def deliver(self, row: OutboxMessage, units: list[Rendered], index: int) -> bool:
        """Send part ``index`` of ``row`` in the next batch; False if it is not ours to send."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Claim(row, units[index], index, len(units), future))
        if not self._start_soon:
            # Announcement workers start several at a time (one lookup's batch): a batch opened
            # after the current callbacks takes them all, not the first alone.
            self._start_soon = True
            asyncio.get_running_loop().call_soon(self._start)
        # A stopping sender cancels its workers: the part in flight is still recorded.
        return await asyncio.shield(future)

    def _start(self) -> None:
        self._start_soon = False
        while self._waiting and self._open < self.concurrent:
            batch = self._waiting[: self.max_batch]
            del self._waiting[: self.max_batch]
            self._open += 1
            task = asyncio.create_task(self._run(batch), name="send:announcements")
            task.add_done_callback(self._closed)
            self.track(task)

    def _closed(self, _task: asyncio.Task[None]) -> None:
        self._open -= 1
        self._start()

    async def _run(self, batch: list[_Claim]) -> None:
        try:
            async with self.db.transaction() as session:
                free = await self.rows.lock(session, [claim.row.id for claim in batch])
                claimed = [c for c in batch if free.get(c.row.id) == ("pending", c.index)]
                await asyncio.gather(*(self._send(claim) for claim in claimed))
                parts = [claim.sent for claim in claimed if claim.sent is not None]
                if parts:
                    await self.rows.record_parts(session, parts)
        except Exception as exc:
            for claim in batch:
                if not claim.future.done():
                    claim.future.set_exception(exc)
            return
        except BaseException:
            for claim in batch:
                claim.future.cancel()
            raise
        self.batches += 1
        self.parts += len(parts)
        for claim in batch:
            if claim.future.done():
                continue
            if claim.error is not None:
                claim.future.set_exception(claim.error)
            elif claim.sent is not None:
                claim.row.parts_sent = claim.index + 1
                claim.future.set_result(True)
            else:
                claim.future.set_result(False)

    async def _send(self, claim: _Claim) -> None:
        try:
            sent_id = await self.send(claim.row, claim.unit)
        except Exception as exc:  # the caller decides (retry later, back off, drop, fail)
            claim.error = exc
        else:
            claim.sent = self.rows.part_sent(claim.row, claim.total, claim.index, sent_id)
