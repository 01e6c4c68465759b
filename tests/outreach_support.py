"""Shared set-up of the outreach tests: people with subscriptions, cases and blocks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.app import App
from storage.models import Case, Contact, Unit
from storage.outreach_repo import stop_all, subscribe
from storage.repositories import get_or_create_contact


async def unit_id(app: App, name: str) -> int:
    async with app.db.session() as session:
        found = await session.scalar(
            select(Unit.id).where(Unit.name == name, Unit.valid_to.is_(None))
        )
    assert found is not None
    return found


async def person(
    app: App,
    user: str,
    now: datetime,
    *,
    unit: int | None = None,
    topics: list[str] | None = None,
    stopped: bool = False,
    blocked: bool = False,
    case: tuple[str, int | None] | None = None,
    case_status: str = "new",
    market: str | None = None,
    channel: str = "telegram",
) -> int:
    """A contact with the given subscription, stop, block and case; returns its id."""
    async with app.db.transaction() as session:
        contact = await get_or_create_contact(session, channel, user, "", now)
        if topics is not None:
            await subscribe(session, contact.id, unit, topics, now)
        if stopped:
            await stop_all(session, contact.id, now)
        if blocked:
            contact.unreachable_at = now + timedelta(seconds=1)
        if case is not None:
            kind, case_unit = case
            session.add(
                Case(
                    ref=f"HY-2026-{contact.id:05d}",
                    contact_id=contact.id,
                    kind=kind,
                    status=case_status,
                    unit_id=case_unit,
                    market=market,
                    created_at=now,
                    updated_at=now,
                )
            )
        return contact.id


async def contact_of(app: App, contact_id: int) -> Contact:
    async with app.db.session() as session:
        found = await session.get(Contact, contact_id)
    assert found is not None
    return found
