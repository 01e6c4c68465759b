"""What makes a scheduled send happen at most once: quiet hours, a per-database job lock, and the
sent-log claim written in the same transaction as the outbox rows."""

from __future__ import annotations

import zlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.config import in_quiet_hours
from storage.db import conflict_insert
from storage.models.plan import AlertSent

QUIET_START = 21
QUIET_END = 7


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def local_day(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def is_quiet(now: datetime, zone: ZoneInfo, start: int = QUIET_START, end: int = QUIET_END) -> bool:
    """Between ``start`` and ``end`` o'clock local time nobody is written to."""
    return in_quiet_hours(now.astimezone(zone).hour, (start, end))


async def lock_job(session: AsyncSession, job: str) -> None:
    """Serialise runs of ``job`` across processes for this transaction (PostgreSQL; SQLite has a
    single writer anyway)."""
    if _dialect(session) == "postgresql":
        key = zlib.crc32(f"hamyen-job:{job}".encode())
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def claim(session: AsyncSession, rule: str, subject: str, day: date, now: datetime) -> bool:
    """Record that ``rule`` was sent for ``subject`` on ``day``; False if it already was.

    A concurrent transaction inserting the same key waits for ours and then inserts nothing, so
    the caller writes its outbox rows only when this returns True.
    """
    result = await session.execute(
        conflict_insert(session, AlertSent)
        .values(rule=rule, subject=subject, day=day, sent_at=now)
        .on_conflict_do_nothing(index_elements=["rule", "subject", "day"])
        .returning(AlertSent.id)
    )
    return result.scalar() is not None
