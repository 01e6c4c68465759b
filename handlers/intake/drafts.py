"""Unfinished registration forms: load, save, delete, and the daily expiry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState, IntakeDraft

#: Used when the caller has no settings at hand (HandlerConfig.intake_expiry_days default).
DEFAULT_EXPIRY_DAYS = 30
FLOW = "intake"


async def get_draft(session: AsyncSession, contact_id: int) -> IntakeDraft | None:
    return await session.scalar(_DRAFT_OF, {"contact_id": contact_id})


#: Built once (asked on every menu): see storage/repositories.py.
_DRAFT_OF = select(IntakeDraft).where(IntakeDraft.contact_id == bindparam("contact_id"))


async def record_draft(
    session: AsyncSession, contact_id: int, step: str, data: dict[str, Any], now: datetime
) -> IntakeDraft:
    """Start a new form for the contact, replacing any unfinished one."""
    await session.execute(delete(IntakeDraft).where(IntakeDraft.contact_id == contact_id))
    draft = IntakeDraft(
        contact_id=contact_id, step=step, data=dict(data), created_at=now, updated_at=now
    )
    session.add(draft)
    await session.flush()
    return draft


def touch(draft: IntakeDraft, now: datetime, *, step: str | None = None, **values: Any) -> None:
    """Merge answers into the draft (a new dict, so the JSON column is seen as changed)."""
    if values:
        draft.data = {**draft.data, **values}
    if step is not None:
        draft.step = step
    draft.updated_at = now


def drop(draft: IntakeDraft, *keys: str) -> None:
    draft.data = {k: v for k, v in draft.data.items() if k not in keys}


def is_expired(draft: IntakeDraft, now: datetime, days: int) -> bool:
    return draft.updated_at < now - timedelta(days=days)


async def expire_drafts(
    session: AsyncSession, now: datetime, *, days: int = DEFAULT_EXPIRY_DAYS
) -> int:
    """Delete forms untouched for ``days`` days and take their owners out of the form.

    Called daily by the scheduler (pass ``settings.intake_expiry_days``); the flow also checks
    lazily on the user's next message. Returns how many forms were deleted.
    """
    cutoff = now - timedelta(days=days)
    owners = list(
        await session.scalars(select(IntakeDraft.contact_id).where(IntakeDraft.updated_at < cutoff))
    )
    if not owners:
        return 0
    await session.execute(delete(IntakeDraft).where(IntakeDraft.contact_id.in_(owners)))
    await session.execute(
        update(ConversationState)
        .where(ConversationState.contact_id.in_(owners), ConversationState.flow == FLOW)
        .values(flow=None, step=None, data={})
    )
    return len(owners)
