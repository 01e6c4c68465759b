"""A class moved or cancelled after people registered: the change, kept until they are told.

Whatever writes a class (``courses add --code …``, ``courses import``, an officer's file) goes
through ``storage.course_import.write_course``, which records here, in its own transaction,
what the class was before a change of its start date, its place (venue or commune) or its
being cancelled: a ``course_changed`` notice (params ``course_id`` and ``before``), with
``delivered_at`` empty until the running bot's dispatcher has told the people registered and
the officers (handlers/outreach/class_changed.py). A write that changes nothing (the same file
imported again) records nothing, so nobody is told twice.

The dispatcher takes the changes with one ``UPDATE … WHERE delivered_at IS NULL RETURNING`` in
the transaction that writes the messages: a second process on PostgreSQL waits for that row
lock, then finds the change taken and writes nothing. What people were told is kept too (a
``course_told`` notice), and the next change is told against it: a change written while a pass
was telling the class as it already is tells nobody again. Officers' pending notices
(handlers/officials/notify.py) leave this kind alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.course_announcements import CLOSED
from storage.models import Case, Course, Notice
from storage.outreach_repo import CLOSED_CASES

#: The notice kind of a change people must be told of.
CHANGED = "course_changed"
#: What the people registered were last told a class is (params ``course_id``, ``shape``),
#: written with the messages: a change that reached the class after its message was read is
#: compared with what people heard, so no one is told the same thing twice.
TOLD = "course_told"
#: Rendered for the officers by handlers/outreach/class_changed.py, not by the notice sender.
TEXT_KEY = "courses.moved.officers"


@dataclass(frozen=True, slots=True)
class Shape:
    """What people registered for a class rely on: its first day, place and whether it takes
    place at all."""

    start: date
    venue: str
    unit_id: int | None
    cancelled: bool

    @classmethod
    def of(cls, course: Course) -> Shape:
        # Finished counts as not taking place: a cancelled class marked finished afterwards is
        # not "reopened" to its people (a class that ran and finished had started: told none).
        return cls(course.start_date, course.venue, course.unit_id, course.status in CLOSED)

    def params(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "venue": self.venue, "unit_id": self.unit_id,
                "cancelled": self.cancelled}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Shape:
        unit = params.get("unit_id")
        return cls(date.fromisoformat(str(params["start"])), str(params.get("venue", "")),
                   int(unit) if unit is not None else None, bool(params.get("cancelled")))


def note_change(session: AsyncSession, course: Course, before: Shape, now: datetime) -> bool:
    """Record that ``course`` (written, not flushed yet perhaps) was ``before`` until now, when
    its start date, place or cancellation changed; False when none of them did."""
    if Shape.of(course) == before:
        return False
    session.add(Notice(
        kind=CHANGED,
        unit_id=course.unit_id,
        text_key=TEXT_KEY,
        params={"course_id": course.id, "before": before.params()},
        created_at=now,
    ))
    return True


@dataclass(frozen=True, slots=True)
class Change:
    """A class's changes not told yet, in order: each notice's id and what the class was
    before it (the first says what people last heard)."""

    course_id: int
    befores: tuple[tuple[int, Shape], ...]

    @property
    def notice_ids(self) -> list[int]:
        return [notice_id for notice_id, _ in self.befores]

    @property
    def first(self) -> Shape:
        return self.befores[0][1]

    def before_of(self, notice_id: int) -> Shape:
        """What the class was before the change ``notice_id``."""
        return next(shape for i, shape in self.befores if i == notice_id)


async def last_told(session: AsyncSession, course_id: int) -> Shape | None:
    """What the people registered for the class were last told it is, if they were told."""
    found = await session.scalar(
        select(Notice.params)
        .where(Notice.kind == TOLD, Notice.params["course_id"].as_integer() == course_id)
        .order_by(Notice.id.desc())
        .limit(1)
    )
    return Shape.from_params(found["shape"]) if found is not None else None


def record_told(session: AsyncSession, course: Course, now: datetime) -> None:
    """The class as the people registered now know it (see ``last_told``)."""
    session.add(Notice(
        kind=TOLD,
        unit_id=course.unit_id,
        text_key=TEXT_KEY,
        params={"course_id": course.id, "shape": Shape.of(course).params()},
        created_at=now,
        delivered_at=now,
    ))


async def pending_mark(session: AsyncSession) -> tuple[int | None, int]:
    """(highest id, count) of the changes not told yet: the dispatcher's cheap look, made
    every poll, opens a write transaction only when it moved."""
    found = (await session.execute(
        select(func.max(Notice.id), func.count(Notice.id))
        .where(Notice.delivered_at.is_(None), Notice.kind == CHANGED)
    )).one()
    return (found[0], int(found[1] or 0))


async def pending_changes(session: AsyncSession) -> list[Change]:
    """The changes not told yet, a class each (its changes in order: the first says what
    people knew)."""
    rows = await session.execute(
        select(Notice.id, Notice.params)
        .where(Notice.delivered_at.is_(None), Notice.kind == CHANGED)
        .order_by(Notice.id)
    )
    by_course: dict[int, list[tuple[int, Shape]]] = {}
    for notice_id, params in rows:
        by_course.setdefault(int(params["course_id"]), []).append(
            (notice_id, Shape.from_params(params["before"])))
    return [Change(course_id, tuple(befores)) for course_id, befores in by_course.items()]


async def take(session: AsyncSession, notice_ids: Iterable[int], now: datetime) -> set[int]:
    """Mark these changes told, in the caller's transaction; the ids this transaction took
    (none that another one took first: it waits for that one's commit, then sees it)."""
    ids = sorted(set(notice_ids))
    if not ids:
        return set()
    taken = await session.scalars(
        update(Notice)
        .where(Notice.id.in_(ids), Notice.delivered_at.is_(None))
        .values(delivered_at=now)
        .returning(Notice.id)
        .execution_options(synchronize_session=False)
    )
    return set(taken)


async def registered(session: AsyncSession, course_ids: Iterable[int]) -> list[Case]:
    """The open registrations for these classes (its waiting list included) of people the bot
    can write to (a contact), in order."""
    ids = sorted(set(course_ids))
    if not ids:
        return []
    found = await session.scalars(
        select(Case)
        .where(
            Case.course_id.in_(ids),
            Case.kind == "course",
            Case.contact_id.is_not(None),
            Case.status.not_in([s.value for s in CLOSED_CASES]),
        )
        .order_by(Case.id)
    )
    return list(found)


async def people_to_tell(session: AsyncSession, since_id: int | None) -> int:
    """How many people the changes recorded after the notice ``since_id`` (None: all pending)
    will be told of: the commands say so."""
    query = select(Notice.params).where(Notice.delivered_at.is_(None), Notice.kind == CHANGED)
    if since_id is not None:
        query = query.where(Notice.id > since_id)
    courses = {int(params["course_id"]) for params in await session.scalars(query)}
    return len({case.contact_id for case in await registered(session, courses)})
