"""The stored-updates queue: store on arrival, claim in order, finish or fail.

Claiming is safe across worker processes on PostgreSQL (``FOR UPDATE SKIP LOCKED``: two workers
never take the same row) and keeps each person's order: a row is taken only when no earlier row
of the same person is still pending or being processed. SQLite serves one process, where the
same statements simply run without the row locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import conflict_insert
from storage.models import StoredUpdate

#: A claimed row not finished within this time (its worker died) is taken again.
LEASE = timedelta(minutes=1)
#: Attempts before an update that keeps failing is recorded as failed and never tried again.
MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    channel: str
    payload: dict[str, Any]
    attempts: int


async def store_update(
    session: AsyncSession,
    channel: str,
    update_key: str,
    user_key: str,
    payload: dict[str, Any],
    now: datetime,
) -> bool:
    """Store an arriving update; False when it is already stored (a redelivery)."""
    stored = await session.scalar(
        conflict_insert(session, StoredUpdate)
        .values(
            channel=channel,
            update_key=update_key[:128],
            user_key=user_key[:64],
            payload=payload,
            status="pending",
            attempts=0,
            error_id="",
            received_at=now,
            not_before=now,
        )
        .on_conflict_do_nothing(index_elements=["channel", "update_key"])
        .returning(StoredUpdate.id)
    )
    return stored is not None


async def claim_updates(
    session: AsyncSession, channels: list[str], now: datetime, limit: int
) -> list[Claimed]:
    """Take up to ``limit`` waiting updates of ``channels``, oldest first, one per person."""
    waiting = or_(StoredUpdate.status == "pending", StoredUpdate.status == "processing")
    # Each person's earliest waiting update, in one pass over the waiting rows. (A NOT EXISTS
    # "no earlier waiting row of the same person" was planned as a nested loop over the whole
    # table on PostgreSQL, 70 ms for 1,000 rows, held inside the batch's transaction.)
    first_of_each = (
        select(func.min(StoredUpdate.id))
        .where(StoredUpdate.channel.in_(channels), waiting)
        .group_by(StoredUpdate.channel, StoredUpdate.user_key)
    )
    rows = (
        await session.scalars(
            select(StoredUpdate)
            .where(
                StoredUpdate.id.in_(first_of_each),
                waiting,
                StoredUpdate.not_before <= now,
            )
            .order_by(StoredUpdate.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    claimed = []
    for row in rows:
        row.status = "processing"
        row.attempts += 1
        row.not_before = now + LEASE
        claimed.append(Claimed(row.id, row.channel, row.payload or {}, row.attempts))
    return claimed


async def finish_updates(session: AsyncSession, ids: list[int]) -> None:
    """Processed: the inbound log now de-duplicates them, the stored copy goes."""
    if ids:
        await session.execute(delete(StoredUpdate).where(StoredUpdate.id.in_(ids)))


async def retry_or_fail(
    session: AsyncSession, row_id: int, attempts: int, error_id: str, now: datetime
) -> bool:
    """After a failed attempt: try again later, or (after MAX_ATTEMPTS) record it as failed,
    its payload dropped. True when it failed for good."""
    failed = attempts >= MAX_ATTEMPTS
    values: dict[str, Any] = (
        {"status": "failed", "payload": None, "error_id": error_id}
        if failed
        else {"status": "pending", "not_before": now + timedelta(seconds=2.0**attempts)}
    )
    await session.execute(update(StoredUpdate).where(StoredUpdate.id == row_id).values(**values))
    return failed


async def waiting_count(session: AsyncSession) -> int:
    """Stored updates not yet processed (failed ones excluded)."""
    count = await session.scalar(
        select(func.count()).select_from(StoredUpdate).where(StoredUpdate.status != "failed")
    )
    return int(count or 0)
