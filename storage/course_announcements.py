"""Which classes may still be announced, and which announcements a class has had.

A class is announced by a broadcast about it alone (``Broadcast.course_id``) or by a joint
announcement naming it among others (a «Thông báo chung» of an imported file): each class a joint
one names is recorded as a ``course_announced`` notice (params ``course_id``, ``broadcast_id``),
never delivered, like the ``course_offer`` marks of handlers/outreach/new_class.py. A cancelled
announcement does not count.

Two officers confirming an announcement of the same class at once (two processes on
PostgreSQL) are checked one after the other: ``lock_courses`` holds the classes' rows until the
commit, and the check that follows reads what the other one committed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Broadcast, Course, Notice

#: The notice kind recording a class named by a joint announcement.
ANNOUNCED = "course_announced"
#: Classes that will not take place (any more): never offered, never announced.
CLOSED = ("cancelled", "finished")
#: A class cancelled (one of CLOSED).
CANCELLED = "cancelled"
#: Classes people can still join: the registration form lists these (from today on).
JOINABLE = ("open", "full", "planned")


def announceable(course: Course, today: date) -> bool:
    """May the class be offered to officers and announced: not cancelled or finished, and not
    started before ``today`` (local date); the registration form lists no class that started."""
    return course.status in JOINABLE and course.start_date >= today


async def lock_courses(session: AsyncSession, course_ids: Iterable[int]) -> list[Course]:
    """The classes, their rows locked until the commit (PostgreSQL; SQLite has one writer),
    always in the order of their ids, so two announcements of several classes cannot wait on
    each other."""
    ids = sorted({int(i) for i in course_ids})
    if not ids:
        return []
    found = await session.scalars(
        select(Course).where(Course.id.in_(ids)).order_by(Course.id).with_for_update()
    )
    return list(found)


async def latest_announcements(
    session: AsyncSession, course_ids: Collection[int]
) -> dict[int, Broadcast]:
    """Each class's latest announcement that was not cancelled (of those that have one): its
    own or a joint one naming it."""
    ids = sorted({int(i) for i in course_ids})
    if not ids:
        return {}
    pairs = [
        (course_id, broadcast_id)
        for course_id, broadcast_id in await session.execute(
            select(Broadcast.course_id, Broadcast.id).where(Broadcast.course_id.in_(ids))
        )
        if course_id is not None
    ]
    marks = await session.scalars(
        select(Notice.params).where(
            Notice.kind == ANNOUNCED, Notice.params["course_id"].as_integer().in_(ids)
        )
    )
    pairs += [(int(p["course_id"]), int(p["broadcast_id"])) for p in marks]
    if not pairs:
        return {}
    live = {
        b.id: b
        for b in await session.scalars(
            select(Broadcast).where(
                Broadcast.id.in_({b for _, b in pairs}), Broadcast.status != "cancelled"
            )
        )
    }
    latest: dict[int, Broadcast] = {}
    for course_id, broadcast_id in pairs:
        broadcast = live.get(broadcast_id)
        if broadcast is not None and (
            course_id not in latest or broadcast.id > latest[course_id].id
        ):
            latest[course_id] = broadcast
    return latest


def mark_announced(
    session: AsyncSession, broadcast: Broadcast, courses: Iterable[Course], now: datetime
) -> None:
    """Record the classes a joint announcement names."""
    for course in courses:
        session.add(
            Notice(
                kind=ANNOUNCED,
                unit_id=course.unit_id,
                text_key="compose.courses_text",
                params={"course_id": course.id, "broadcast_id": broadcast.id},
                created_at=now,
                delivered_at=now,
            )
        )
