"""New classes: the officers of the class's commune (or the office) get a one-tap offer to
announce it to the people interested there; the announcement reaches the subscribers of
"training" in that commune and, through the audience rule, the people whose class registration
is still open there (the waiting list included).

``offer_new_courses`` runs in the dispatcher's loop: a course nobody was offered yet (no
``course_offer`` notice) gets its offer once. Courses present when the feature first runs are
marked as seen without an offer, so a first start does not flood officers. A course added or
imported from the terminal (``python -m bot courses add|import``) calls ``start_offering``
first, so that first look cannot swallow it: the running bot offers it like any new course.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import CallbackData
from handlers.officials.accounts import (
    get_officer_contacts,
    officers_for_unit,
    record_for_officers,
)
from handlers.types import Button, Reply
from messages import t
from storage.models import Course, Notice, Unit

KIND = "course_offer"


@dataclass(frozen=True)
class AnnounceCourse(CallbackData, prefix="broadcast:course"):
    """The offer to announce a new class (the composer, handlers/outreach/compose.py, acts)."""

    course_id: int


def offer_button(course_id: int) -> Button:
    return AnnounceCourse(course_id).button(t("compose.button.announce_course"))


async def course_text(session: AsyncSession, course: Course) -> str:
    unit = await session.get(Unit, course.unit_id) if course.unit_id else None
    return t(
        "compose.course_text",
        occupation=course.occupation,
        venue=course.venue or (unit.name if unit else ""),
        start=course.start_date.strftime("%d/%m/%Y"),
    )


async def _offered(session: AsyncSession) -> set[int]:
    return {
        int(n.params.get("course_id", 0))
        for n in await session.scalars(select(Notice).where(Notice.kind == KIND))
    }


async def start_offering(session: AsyncSession, now: datetime) -> None:
    """Before the first course is added from outside the bot: if no offer was ever made, the
    courses that exist now are marked as seen (what the bot's first look would do), so the
    course about to be added is the one offered."""
    if not await _offered(session):
        # Course 0 (none) too: with no course yet, the bot's first look must still see that
        # it is not the first.
        session.add(_seen(None, 0, now))
        for course in await session.scalars(select(Course)):
            session.add(_seen(course.unit_id, course.id, now))


def _seen(unit_id: int | None, course_id: int, now: datetime) -> Notice:
    return Notice(
        kind=KIND,
        unit_id=unit_id,
        text_key="compose.course_offer",
        params={"course_id": course_id},
        created_at=now,
        delivered_at=now,
    )


async def offer_new_courses(session: AsyncSession, now: datetime) -> int:
    """Offer each course not offered yet; returns how many offers were queued."""
    offered = await _offered(session)
    bootstrap = not offered
    new = [
        c for c in await session.scalars(select(Course).order_by(Course.id)) if c.id not in offered
    ]
    if not new:
        return 0
    officers = [] if bootstrap else await get_officer_contacts(session)
    sent = 0
    for course in new:
        # The first pass ever only marks what exists; a course added later is offered.
        if not bootstrap and course.status not in ("cancelled", "finished"):
            sent += await record_for_officers(
                session,
                officers_for_unit(officers, course.unit_id),
                Reply(
                    t("compose.course_offer", text=await course_text(session, course)),
                    [[offer_button(course.id)]],
                    meta={"intent": "notice", "notice": KIND},
                ),
                now,
            )
        session.add(_seen(course.unit_id, course.id, now))
    return sent
