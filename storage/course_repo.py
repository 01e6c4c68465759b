"""Vocational classes for the FAQ answers: the upcoming ones, the user's commune first."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cases_repo import seats_left, seats_taken_in
from storage.models import Case, Course, Unit

#: Classes people can still join.
OPEN_STATUSES = ("open", "planned")


@dataclass(frozen=True, slots=True)
class CourseListing:
    course: Course
    unit_name: str | None
    in_own_commune: bool
    #: Seats held by registrations (``seats_left`` counts from it).
    taken: int = 0

    @property
    def seats_left(self) -> int | None:
        """Seats still free (0: full; None: not given), see ``cases_repo.seats_left``."""
        return seats_left(self.course, self.taken)


async def find_contact_unit_id(session: AsyncSession, contact_id: int) -> int | None:
    """The commune of the contact's latest case that names one, if any."""
    return await session.scalar(
        select(Case.unit_id)
        .where(Case.contact_id == contact_id, Case.unit_id.is_not(None))
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(1)
    )


async def find_current_units(session: AsyncSession, today: date) -> list[Unit]:
    """The communes valid today (merged ones have ``valid_to`` set)."""
    rows = await session.scalars(
        select(Unit).where(Unit.valid_to.is_(None), Unit.valid_from <= today)
        .order_by(Unit.name_key)
    )
    return list(rows)


async def upcoming_occupations(session: AsyncSession, today: date) -> list[tuple[int, str]]:
    """(id, trade) of the open classes starting today or later."""
    rows = await session.execute(
        select(Course.id, Course.occupation)
        .where(Course.start_date >= today, Course.status.in_(OPEN_STATUSES)))
    return [(course_id, occupation) for course_id, occupation in rows]


async def find_upcoming_courses(
    session: AsyncSession, today: date, *, unit_id: int | None = None, limit: int = 5,
    only_unit_id: int | None = None, offset: int = 0,
    only_ids: Collection[int] | None = None,
) -> tuple[list[CourseListing], int]:
    """Open classes starting today or later: the given commune's first, then nearest first;
    with ``only_unit_id``, only that commune's classes; with ``only_ids``, only those.

    Returns at most ``limit`` of them from the ``offset``-th on (a page) and how many there
    are in all.
    """
    own = case((Course.unit_id == unit_id, 0), else_=1) if unit_id is not None else None
    order = [own] if own is not None else []
    query = (
        select(Course, Unit.name)
        .outerjoin(Unit, Unit.id == Course.unit_id)
        .where(Course.start_date >= today, Course.status.in_(OPEN_STATUSES))
        .order_by(*order, Course.start_date, Course.id)
    )
    if only_unit_id is not None:
        query = query.where(Course.unit_id == only_unit_id)
    if only_ids is not None:
        query = query.where(Course.id.in_(list(only_ids)))
    rows = (await session.execute(query)).all()
    listings = [
        CourseListing(course, name, unit_id is not None and course.unit_id == unit_id)
        for course, name in rows
    ]
    page = listings[offset:offset + limit]
    taken = await seats_taken_in(session, [listing.course.id for listing in page])
    return [replace(listing, taken=taken.get(listing.course.id, 0)) for listing in page], len(
        listings)
