"""Reads and writes for free-text answering: the fallback log and the gaps report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FallbackQuestion
from storage.redact import mask_numbers

_TEXT_MAX = 500


@dataclass(frozen=True, slots=True)
class Gap:
    """A question (grouped by its normalised key) the bot could not answer."""

    key: str
    count: int
    example: str
    nearest_topic: str | None
    last_seen: datetime


def record_fallback_question(
    session: AsyncSession,
    *,
    text: str,
    key: str,
    outcome: str,
    nearest_topic: str | None,
    score: float,
    channel: str,
    now: datetime,
    contact_id: int | None = None,
) -> None:
    """Log one unanswered (or unclear) question, phone- and ID-like numbers masked.

    ``contact_id`` is never shown (``kb gaps`` groups by wording); it lets the asker's erasure
    request find the row."""
    session.add(FallbackQuestion(
        text=logged_text(text), key=logged_text(key), outcome=outcome,
        nearest_topic=nearest_topic, score=score, channel=channel, created_at=now,
        contact_id=contact_id,
    ))


def logged_text(text: str) -> str:
    """What the fallback log stores of ``text``: numbers masked, cut to the column size."""
    return mask_numbers(text)[:_TEXT_MAX]


async def find_gaps(
    session: AsyncSession,
    *,
    since: datetime | None = None,
    outcomes: tuple[str, ...] = ("fallback",),
    limit: int = 20,
) -> list[Gap]:
    """The most frequent unanswered questions, most asked first."""
    count = func.count(FallbackQuestion.id)
    query = (
        select(FallbackQuestion.key, count, func.max(FallbackQuestion.text),
               func.max(FallbackQuestion.nearest_topic), func.max(FallbackQuestion.created_at))
        .where(FallbackQuestion.outcome.in_(outcomes))
        .group_by(FallbackQuestion.key)
        .order_by(count.desc(), func.max(FallbackQuestion.created_at).desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(FallbackQuestion.created_at >= since)
    rows = (await session.execute(query)).all()
    return [Gap(key, int(n), text, topic, last) for key, n, text, topic, last in rows]
