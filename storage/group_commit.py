"""Group commit: units of work of different callers share one transaction.

A turn's own work is short; what costs is the transaction around it (BEGIN, COMMIT, and on
SQLite every statement crossing into the driver's thread while the single write lock is held).
``GroupCommit.run(work)`` queues ``work``; a flusher gathers what arrived meanwhile (at most
``max_batch`` units) and runs the units one after the other in ONE transaction. A unit that
raises gets its exception and only it: the transaction is rolled back and the other units run
again in a new one. (That replaces a SAVEPOINT per unit, which cost two statements, each a trip
to the driver, on every unit to save work only in the rare failing batch.) Results are handed
out only after the COMMIT, so a caller never acts on (acknowledges, sends) work that a crash
could still undo; units must therefore be safe to run again (database work, idempotent file
writes), which every turn is: nothing of it leaves the process before the commit.

If the shared transaction itself fails (the COMMIT, a broken connection, a deadlock between two
processes' batches on PostgreSQL), every unit of the batch is run again alone in its own
transaction, so one unit's trouble never becomes its neighbours'.

Callers keep their own ordering (the engine holds a per-contact lock while its unit is queued),
so two units of one contact never share a batch.

On SQLite one batch runs at a time (one writer). On PostgreSQL up to ``flushers`` batches run
at once, each in its own transaction on its own connection: work arriving while a batch runs
starts the next at once rather than wait for that one to commit (during a broadcast a turn so
queued behind another waited out the other's slowest moments too). Batches form again once
that many are in flight.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
Item = TypeVar("Item")
Work = Callable[[AsyncSession], Awaitable[Any]]


@dataclass(slots=True)
class _Unit:
    work: Work
    future: asyncio.Future[Any]
    result: Any = None


class _UnitFailed(Exception):
    """One unit raised: the batch is rolled back and run again without it."""

    def __init__(self, unit: _Unit, error: Exception) -> None:
        super().__init__(repr(error))
        self.unit = unit
        self.error = error


class GroupCommit:
    """Runs awaitable units of database work in shared transactions (see the module doc)."""

    def __init__(
        self,
        db: Database,
        *,
        window: float = 0.0,
        max_batch: int = 64,
        flushers: int | None = None,
    ) -> None:
        self.db = db
        self.window = window
        self.max_batch = max_batch
        #: Batches in flight at once (module doc): one on SQLite, four on PostgreSQL.
        self.flushers = flushers if flushers is not None else 1 if db.is_sqlite else 4
        self._pending: list[_Unit] = []
        self._flushing: set[asyncio.Task[None]] = set()
        #: Batches committed and units in them, for benchmarks and tests.
        self.batches = 0
        self.units = 0

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], *, within: float = 0.0) -> T:
        """Run ``work(session)`` in the next batch; returns its result once committed.
        ``within``: the unit may wait up to that many seconds for a batch that other work
        starts, and ride in it, rather than start a transaction of its own at once."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append(_Unit(work, future))
        if within > 0:
            loop.call_later(within, self._start)
        else:
            self._start()
        return await future

    def _start(self) -> None:
        self._flushing = {flusher for flusher in self._flushing if not flusher.done()}
        if self._pending and len(self._flushing) < self.flushers:
            self._flushing.add(asyncio.create_task(self._flush(), name="group-commit"))

    async def close(self, *, abort: bool = False) -> None:
        """Finish what is queued (shutdown); with ``abort``, roll back the batch in progress
        and drop the rest, as a crash would (their callers get CancelledError)."""
        if not abort:
            self._start()  # units still waiting to ride in someone else's batch
        flushing = list(self._flushing)
        if abort:
            for flusher in flushing:
                flusher.cancel()
        await asyncio.gather(*flushing, return_exceptions=True)
        for unit in self._pending:
            unit.future.cancel()
        self._pending.clear()

    async def _flush(self) -> None:
        while self._pending:
            if len(self._pending) < self.max_batch:
                # Let the callers woken by the last commit queue their next units.
                await asyncio.sleep(self.window)
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            try:
                await self._run_batch(batch)
            except asyncio.CancelledError:
                for unit in batch:
                    unit.future.cancel()
                raise

    async def _run_batch(self, batch: list[_Unit]) -> None:
        while batch := [u for u in batch if not u.future.done()]:
            try:
                await self._together(batch)
            except _UnitFailed as failed:
                # Everything was rolled back; the failing unit alone gets its error, the others
                # run again in a new transaction (without it, they cannot fail because of it).
                failed.unit.future.set_exception(failed.error)
                continue
            except Exception as exc:
                log.warning(
                    "group commit of %d units failed (%r); running them one by one",
                    len(batch),
                    exc,
                )
                for unit in batch:
                    await self._alone(unit)
                return
            self.batches += 1
            self.units += len(batch)
            for unit in batch:
                if not unit.future.done():
                    unit.future.set_result(unit.result)
            return

    async def _together(self, batch: list[_Unit]) -> None:
        async with self.db.transaction() as session:
            for unit in batch:
                try:
                    unit.result = await unit.work(session)
                    # Flushed per unit: a failing write is blamed on its own unit.
                    await session.flush()
                except Exception as exc:
                    raise _UnitFailed(unit, exc) from exc

    async def _alone(self, unit: _Unit) -> None:
        if unit.future.done():
            return
        try:
            async with self.db.transaction() as session:
                result = await unit.work(session)
        except Exception as exc:
            unit.future.set_exception(exc)
        else:
            unit.future.set_result(result)


class Gathered(Generic[Item]):
    """Items from many callers written by ONE unit of a batch (e.g. outbox rows marked sent:
    one UPDATE for the batch instead of one per turn).

    ``await gathered.add(items)`` returns once a unit holding them committed. The unit takes the
    items queued until it first runs and keeps exactly those if the batch runs it again (a
    neighbour failed), so nothing is written twice or dropped.
    """

    def __init__(
        self,
        batch: GroupCommit,
        write: Callable[[AsyncSession, list[Item]], Awaitable[None]],
        *,
        within: float = 0.0,
    ) -> None:
        self._batch = batch
        self._write = write
        #: How long the unit may wait to ride in a batch others start (GroupCommit.run).
        self._within = within
        self._items: list[Item] = []
        self._next: asyncio.Future[None] | None = None

    async def add(self, items: list[Item]) -> None:
        if self._next is None or self._next.done():
            self._items = []
            self._next = asyncio.ensure_future(
                self._batch.run(partial(self._unit, self._items), within=self._within)
            )
        self._items.extend(items)
        # Shielded: one caller cancelled must not cancel the write the others wait for.
        await asyncio.shield(self._next)

    async def _unit(self, items: list[Item], session: AsyncSession) -> None:
        if self._items is items:
            # From now on, new items go to the next unit.
            self._next = None
            self._items = []
        await self._write(session, items)
