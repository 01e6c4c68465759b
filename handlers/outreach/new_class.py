"""New classes: the officers of the class's commune (or the office) get a one-tap offer to
announce it to the people interested there; the announcement reaches the subscribers of
"training" in that commune and, through the audience rule, the people whose class registration
is still open there (the waiting list included).

``offer_new_courses`` runs in the dispatcher's loop: a course nobody was offered yet (no
``course_offer`` notice) gets its offer once. Courses present when the feature first runs are
marked as seen without an offer, so a first start does not flood officers. A course added or
imported from the terminal (``python -m bot courses add|import``) calls ``start_offering``
first, so that first look cannot swallow it: the running bot offers it like any new course.

Each officer gets at most one offer per pass: one new class in their scope is offered as before
(«Thông báo lớp này»); several (an imported file) come as one summary — how many, the first
few by start date — with «Thông báo chung» (one announcement listing the classes, as many as
fit the length limit) and «Chỉ báo lớp …» for each class shown. The classes of a summary are
kept in a ``course_batch`` notice, whose id the «Thông báo chung» button carries.

A class that started before today (local date), or is cancelled or finished, is never offered
(storage/course_announcements.announceable): the registration form does not list it, so an
announcement "Ai muốn học, gõ đăng ký học nghề" would send people to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from textwrap import shorten as _shorten
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import CallbackData
from handlers.config import VIETNAM
from handlers.officials.accounts import (
    get_officer_contacts,
    officers_for_unit,
    record_for_officers,
)
from handlers.types import Button, Reply
from messages import t
from storage.course_announcements import CLOSED, JOINABLE, announceable
from storage.models import Course, Notice, Unit

KIND = "course_offer"
#: The classes one summary offer is about (params ``course_ids``), named by its button.
BATCH_KIND = "course_batch"
#: Classes named one by one in a summary offer (each with its own option).
SHOWN = 3
#: A trade named on an option is cut to this many characters (an option is one short line).
LABEL_TRADE = 30


@dataclass(frozen=True)
class AnnounceCourse(CallbackData, prefix="broadcast:course"):
    """The offer to announce a new class (the composer, handlers/outreach/compose.py, acts).
    ``again``: «Vẫn gửi lại» under the message saying the class was announced by that
    announcement; only then is a second one sent (a stale tap of the offer is told instead)."""

    course_id: int
    again: int | None = None


@dataclass(frozen=True)
class AnnounceCourses(CallbackData, prefix="broadcast:courses"):
    """A summary offer's «Thông báo chung»: the classes of the ``course_batch`` notice."""

    batch_id: int


def offer_button(course_id: int) -> Button:
    return AnnounceCourse(course_id).button(t("compose.button.announce_course"))


def shorten(text: str, most: int) -> str:
    return _shorten(text, most, placeholder="…")


async def batch_courses(session: AsyncSession, batch_id: int, today: date) -> list[Course]:
    """The classes of a summary offer that may still be announced (not cancelled or finished,
    not started before ``today``), by start date; none for an id that is no batch."""
    batch = await session.get(Notice, batch_id)
    if batch is None or batch.kind != BATCH_KIND:
        return []
    ids = [int(i) for i in batch.params.get("course_ids", [])]
    found = await session.scalars(
        select(Course)
        .where(Course.id.in_(ids), Course.status.in_(JOINABLE), Course.start_date >= today)
        .order_by(Course.start_date, Course.id)
    )
    return list(found)


async def courses_text(
    session: AsyncSession, courses: list[Course], limit: int
) -> tuple[str, list[Course]]:
    """One announcement of several classes: a line each, by start date, as many as fit in
    ``limit`` characters (the rest counted on a last line); and the classes it names."""
    lines: list[str] = []
    for shown, course in enumerate(courses):
        line = t("compose.course_item", line=await course_line(session, course))
        rest = len(courses) - shown - 1
        tail = [t("compose.courses_more", count=rest)] if rest else []
        text = t("compose.courses_text", lines="\n".join([*lines, line, *tail]))
        if len(text) > limit:
            break
        lines.append(line)
    more = len(courses) - len(lines)
    tail = [t("compose.courses_more", count=more)] if more else []
    return t("compose.courses_text", lines="\n".join([*lines, *tail])), courses[:len(lines)]


async def course_line(session: AsyncSession, course: Course) -> str:
    """The class as one line of a list (the joint announcement, the offer's summary)."""
    return await _about(session, course, "compose.course_line")


async def course_text(session: AsyncSession, course: Course) -> str:
    """The class's own announcement."""
    return await _about(session, course, "compose.course_text")


async def _about(session: AsyncSession, course: Course, key: str) -> str:
    unit = await session.get(Unit, course.unit_id) if course.unit_id else None
    return t(
        key,
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


async def offer_new_courses(
    session: AsyncSession, now: datetime, zone: ZoneInfo = VIETNAM
) -> int:
    """Offer the courses not offered yet, one message per officer; returns how many offers
    were queued. A cancelled or finished class is marked as seen without an offer; one that
    started before today (in ``zone``) is left for a later pass (its date may be put right)."""
    today = now.astimezone(zone).date()
    offered = await _offered(session)
    bootstrap = not offered
    new = [
        c for c in await session.scalars(select(Course).order_by(Course.id)) if c.id not in offered
    ]
    if not new:
        return 0
    # The first pass ever only marks what exists; a course added later is offered.
    officers = [] if bootstrap else await get_officer_contacts(session)
    scope: dict[int, list[Course]] = {}
    for course in new:
        if not bootstrap and course.status not in CLOSED and course.start_date < today:
            # Started before today (a date typed wrong?): no offer, and not marked as seen,
            # so that once its date is put right (``courses add --code …``) it is offered.
            continue
        session.add(_seen(course.unit_id, course.id, now))
        if not announceable(course, today):
            continue
        for officer in officers_for_unit(officers, course.unit_id):
            scope.setdefault(officer.officer_id, []).append(course)
    by_id = {o.officer_id: o for o in officers}
    sent = 0
    for officer_id, courses in scope.items():
        sent += await record_for_officers(
            session, [by_id[officer_id]], await _offer(session, courses, now), now
        )
    return sent


async def _offer(session: AsyncSession, courses: list[Course], now: datetime) -> Reply:
    meta: dict[str, object] = {"intent": "notice", "notice": KIND}
    if len(courses) == 1:
        [course] = courses
        text = t("compose.course_offer", text=await course_text(session, course))
        return Reply(text, [[offer_button(course.id)]], meta=meta)
    courses = sorted(courses, key=lambda c: (c.start_date, c.id))
    batch = Notice(
        kind=BATCH_KIND,
        text_key="compose.courses_offer",
        params={"course_ids": [c.id for c in courses]},
        created_at=now,
        delivered_at=now,
    )
    session.add(batch)
    await session.flush()
    shown = courses[:SHOWN]
    lines = [t("compose.course_item", line=await course_line(session, c)) for c in shown]
    more = len(courses) - len(shown)
    text = t(
        "compose.courses_offer",
        count=len(courses),
        lines="\n".join(lines + ([t("compose.courses_more", count=more)] if more else [])),
    )
    buttons = [
        [AnnounceCourses(batch.id).button(t("compose.button.announce_courses", count=len(courses)))]
    ]
    buttons += [
        [
            AnnounceCourse(c.id).button(
                t(
                    "compose.button.announce_one",
                    occupation=shorten(c.occupation, LABEL_TRADE),
                    start=c.start_date.strftime("%d/%m"),
                )
            )
        ]
        for c in shown
    ]
    return Reply(text, buttons, meta=meta)
