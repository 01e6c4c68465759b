"""Cases: status values, references (HY-2026-00042), creation and the seat count of a class."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import conflict_insert
from storage.models import Case, CaseCounter, Course


class CaseStatus(StrEnum):
    """Every status a case can have; the one module other features import them from."""

    NEW = "new"
    #: Registered for a class that was full; moves to NEW when a seat frees up.
    WAITLIST = "waitlist"
    #: The commune officer has called the person (recorded in chat, /dangky).
    CALLED = "called"
    #: The officer asked the person for more information (the note was sent to them).
    NEEDS_INFO = "needs_info"
    DOSSIER_IN_PROGRESS = "dossier_in_progress"
    ELIGIBLE = "eligible"
    ENROLLED = "enrolled"
    DEPARTED = "departed"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    #: The person asked for their data to be deleted: the row stays, anonymised, for counts.
    WITHDRAWN = "withdrawn"


#: Statuses that do not take a seat in a class.
NOT_SEATED = frozenset(
    {CaseStatus.WAITLIST, CaseStatus.REJECTED, CaseStatus.CANCELLED, CaseStatus.WITHDRAWN}
)

_REF = re.compile(r"^(?P<prefix>[A-Z]+)-(?P<year>\d{4})-(?P<number>\d+)$")


def format_ref(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:05d}"


async def next_ref(session: AsyncSession, prefix: str, year: int) -> str:
    """Take the next reference of ``year`` in this transaction (sequential, never reused)."""
    bump = (
        update(CaseCounter)
        .where(CaseCounter.prefix == prefix, CaseCounter.year == year)
        .values(last_number=CaseCounter.last_number + 1)
        .returning(CaseCounter.last_number)
    )
    number = (await session.execute(bump)).scalar_one_or_none()
    if number is None:
        # First case of the year: start after any reference already present (imported cases).
        start = await _highest_existing(session, prefix, year)
        await session.execute(
            conflict_insert(session, CaseCounter)
            .values(prefix=prefix, year=year, last_number=start)
            .on_conflict_do_nothing()
        )
        number = (await session.execute(bump)).scalar_one()
    return format_ref(prefix, year, number)


async def _highest_existing(session: AsyncSession, prefix: str, year: int) -> int:
    refs = await session.scalars(select(Case.ref).where(Case.ref.like(f"{prefix}-{year}-%")))
    numbers = [int(m["number"]) for r in refs if (m := _REF.match(r))]
    return max(numbers, default=0)


async def seats_taken(session: AsyncSession, course_id: int) -> int:
    """Cases holding a seat in the class."""
    return (await seats_taken_in(session, [course_id])).get(course_id, 0)


async def seats_taken_in(session: AsyncSession, course_ids: list[int]) -> dict[int, int]:
    """Cases holding a seat, for each of ``course_ids`` that has any (one query for a page)."""
    if not course_ids:
        return {}
    rows = await session.execute(
        select(Case.course_id, func.count(Case.id))
        .where(Case.course_id.in_(course_ids),
               Case.status.not_in([s.value for s in NOT_SEATED]))
        .group_by(Case.course_id)
    )
    return {int(course_id): int(count) for course_id, count in rows.all() if course_id}


def seats_left(course: Course, taken: int) -> int | None:
    """Seats still free with ``taken`` held: 0 when the class is full (marked so by the office,
    or every seat held); None when its number of seats is not given (0 in the class data)."""
    if course.status == "full":
        return 0
    if course.seats <= 0:
        return None
    return max(course.seats - taken, 0)


async def is_full(session: AsyncSession, course: Course) -> bool:
    """No seat left: marked full by the office, or as many seated cases as seats."""
    if course.status == "full":
        return True
    return course.seats > 0 and seats_left(course, await seats_taken(session, course.id)) == 0


async def record_case(
    session: AsyncSession, case: Case, *, prefix: str, year: int, now: datetime
) -> Case:
    """Give ``case`` its reference (``year``: the local year) and store it, flushed."""
    case.ref = await next_ref(session, prefix, year)
    case.created_at = now
    case.updated_at = now
    session.add(case)
    await session.flush()
    return case


async def get_cases_of_contact(session: AsyncSession, contact_id: int) -> list[Case]:
    """The cases a contact registered, oldest first."""
    rows = await session.scalars(
        select(Case).where(Case.contact_id == contact_id).order_by(Case.id)
    )
    return list(rows)
