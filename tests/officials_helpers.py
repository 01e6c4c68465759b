"""Shared set-up for the officials tests: officers bound through the real /canbo command, plan
rows, and the outbox as the sender would see it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from bot.app import App
from handlers.access import Role
from handlers.officials.accounts import record_invite
from handlers.types import Channel
from storage.models import OutboxMessage, Program, Unit
from storage.models.plan import PlanAllocation, PlanSubmission
from tests.helpers import Clock, say


async def unit_id(app: App, name: str) -> int:
    async with app.db.session() as session:
        found = await session.scalar(
            select(Unit.id).where(Unit.name == name, Unit.valid_to.is_(None))
        )
    assert found is not None, name
    return found


async def invite(app: App, clock: Clock, role: str, unit: str | None = None) -> str:
    uid = await unit_id(app, unit) if unit else None
    async with app.db.session() as session, session.begin():
        code, _ = await record_invite(
            session, role=Role(role), unit_id=uid, name="", now=clock.now()
        )
    return code


async def make_officer(
    app: App,
    clock: Clock,
    user: str,
    role: str,
    unit: str | None = None,
    channel: Channel = Channel.CONSOLE,
) -> list[dict[str, Any]]:
    """Invite and bind an officer; returns the output lines of the binding turn."""
    code = await invite(app, clock, role, unit)
    lines = await say(app, user, f"/canbo {code}", channel=channel)
    assert lines[0]["meta"]["intent"] == "flow:officials.bind.ok", lines
    return lines


async def add_plan(
    app: App,
    unit: str,
    program: str,
    year: int,
    target: int,
    deadline: date,
    submitted: tuple[int, ...] = (),
) -> None:
    uid = await unit_id(app, unit)
    async with app.db.session() as session, session.begin():
        pid = await session.scalar(select(Program.id).where(Program.code == program))
        assert pid is not None
        session.add(
            PlanAllocation(
                unit_id=uid,
                program_id=pid,
                year=year,
                target_trainees=target,
                list_deadline=deadline,
            )
        )
        for n in submitted:
            session.add(
                PlanSubmission(
                    unit_id=uid,
                    program_id=pid,
                    year=year,
                    submitted_on=deadline,
                    trainees=n,
                    source="import",
                )
            )


async def pending_outbox(app: App) -> list[OutboxMessage]:
    """Messages to officers (notices, alerts): rows addressed to no sender's own chat. The
    in-process turn shows (and marks sent) every row it produced, notices included, so they
    are found by whom they are for, not by their status."""
    async with app.db.session() as session:
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.contact_id.is_(None))
                .order_by(OutboxMessage.id)
            )
        )
