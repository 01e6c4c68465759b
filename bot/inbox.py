"""Webhooks store first and process after: an update is acknowledged once it is stored.

``Inbox.store`` (the webhook route's handler) writes the raw update to ``stored_updates``
(group-committed with everything else, so a burst of a thousand costs a few transactions) and
returns, so the platform gets its 200 in milliseconds. ``Inbox.run`` claims stored updates
(oldest first, one per person at a time, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so several
worker processes share one database) and hands each to its channel's processor (the same code
that polling uses: parse, download, ``engine.handle``); once that returned, the stored copy is
deleted (the inbound log now drops a redelivery). Updates stored but not processed when the
process stops are processed after the restart (by another worker once the lease runs out).
An update whose processing keeps raising is recorded as failed after a few attempts: it is
never retried forever and never answered with a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from storage.group_commit import Gathered, GroupCommit
from storage.inbox import Claimed, claim_updates, finish_updates, retry_or_fail, store_update

log = logging.getLogger(__name__)

Process = Callable[[dict[str, Any]], Awaitable[None]]
#: (update key, user key) of a raw update: the key de-duplicates, the user keeps order.
Keys = Callable[[dict[str, Any]], tuple[str, str]]


class Inbox:
    def __init__(
        self,
        batch: GroupCommit,
        clock: Callable[[], datetime],
        *,
        chunk: int = 100,
        idle_poll: float = 0.5,
    ) -> None:
        self.batch = batch
        self.clock = clock
        self.chunk = chunk
        self.idle_poll = idle_poll
        self._channels: dict[str, tuple[Keys, Process]] = {}
        self._wake = asyncio.Event()
        #: The updates processed while a batch runs are deleted in one statement with it.
        self._finished: Gathered[int] = Gathered(batch, finish_updates)

    def register(self, channel: str, keys: Keys, process: Process) -> None:
        self._channels[channel] = (keys, process)

    async def store(self, channel: str, payload: dict[str, Any]) -> None:
        """Store one arriving update (a repeat of a stored one is ignored); returns once
        committed, so acknowledging it afterwards loses nothing."""
        keys, _ = self._channels[channel]
        update_key, user_key = keys(payload)
        # Without a key there is nothing to de-duplicate on: store it as new.
        update_key = update_key or f"nokey:{uuid.uuid4().hex}"
        now = self.clock()
        await self.batch.run(
            lambda s: store_update(s, channel, update_key, user_key, payload, now)
        )
        self._wake.set()

    def handler(self, channel: str) -> Callable[[dict[str, Any]], Awaitable[None]]:
        """The webhook body handler for ``channel``."""
        return partial(self.store, channel)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Process stored updates until ``stop`` is set (or cancelled)."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            if not await self.process_waiting():
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.idle_poll)

    async def process_waiting(self) -> int:
        """Claim and process one round of waiting updates; returns how many were claimed."""
        channels = sorted(self._channels)
        now = self.clock()
        claimed = await self.batch.run(lambda s: claim_updates(s, channels, now, self.chunk))
        await asyncio.gather(*(self._process(c) for c in claimed))
        return len(claimed)

    async def _process(self, row: Claimed) -> None:
        _, process = self._channels[row.channel]
        try:
            await process(row.payload)
        except Exception:
            error_id = uuid.uuid4().hex[:8]
            log.exception("%s: stored update %d failed (error %s)", row.channel, row.id, error_id)
            now = self.clock()
            failed = await self.batch.run(
                lambda s: retry_or_fail(s, row.id, row.attempts, error_id, now)
            )
            if failed:
                log.error("%s: stored update %d recorded as failed", row.channel, row.id)
            return
        await self._finished.add([row.id])
