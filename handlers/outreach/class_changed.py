"""A class moved or cancelled after people registered: each of them is told, and its officers.

A class's start date, place (venue or commune) or cancellation changed by ``courses add --code
…``, ``courses import`` or an officer's file is recorded where the class is written
(storage/course_changes.py), in that command's transaction. The running bot's dispatcher
(scheduler/broadcasts.Dispatcher, outside the quiet hours) then calls ``tell_class_changes``:
each person with an open registration for the class (its waiting list too) gets one short
message on their channel, naming their own reference(s) and the class only: the new day or
place, or that it is cancelled, with «Đổi sang lớp khác» (moves the registration, same reference
and details: handlers/own_cases.py) and «Gặp cán bộ»; the officers of its commune (or the
office) get one line saying how many were told and how many the bot could not reach. A change
is told once: it is taken in the transaction that writes the messages, so a second process
writes nothing; the same file imported again records no change.

Not told: a change undone before anyone was told (moved and moved back), a class that had
started before the change (records put right), and, until its date is put right, a class moved
to a day before today (a date typed wrong: the command warns of it; once corrected, people are
told the corrected day against what they knew).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.config import VIETNAM
from handlers.menu import Door, OpenDoor
from handlers.officials.accounts import (
    OfficerContact,
    get_officer_contacts,
    officers_for_unit,
    record_for_officers,
)
from handlers.own_cases import WITHDRAWABLE, PickOtherClass
from handlers.types import Button, Reply, reply_to_payload
from messages import t
from storage.cases_repo import CaseStatus
from storage.course_changes import (
    CHANGED,
    Shape,
    last_told,
    pending_changes,
    record_told,
    registered,
    take,
)
from storage.models import Case, Contact, Course, Unit
from storage.outreach_repo import unreachable
from storage.repositories import record_outbox, remember_recorded


@dataclass(frozen=True, slots=True)
class _Told:
    """How the people registered for one class were reached."""

    people: int  # contacts written to
    waiting: int  # of their registrations, on the waiting list
    missed: int  # contacts the platform refused (no message written)


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


async def _place(session: AsyncSession, shape: Shape) -> str:
    """Where the class is held: its venue, else its commune."""
    if shape.venue:
        return shape.venue
    unit = await session.get(Unit, shape.unit_id) if shape.unit_id is not None else None
    return unit.name if unit else ""


async def _what(session: AsyncSession, before: Shape, after: Shape) -> str:
    """What moved, as the messages say it (the new day or place, and what it was)."""
    parts = []
    if after.start != before.start:
        parts.append(t("courses.moved.start", start=_day(after.start), old=_day(before.start)))
    place, old_place = await _place(session, after), await _place(session, before)
    if place != old_place:
        parts.append(t("courses.moved.venue", venue=place, old=old_place))
    return "; ".join(parts)


def _kind(before: Shape, after: Shape) -> str:
    if after.cancelled:
        return "cancelled"
    return "reopened" if before.cancelled else "moved"


async def tell_class_changes(
    session: AsyncSession, now: datetime, zone: ZoneInfo = VIETNAM
) -> int:
    """Tell the people registered for each class changed since the last pass, and its officers,
    in the caller's transaction; returns how many messages were queued. The caller keeps the
    quiet hours (nothing is taken then: the changes wait)."""
    today = now.astimezone(zone).date()
    officers: list[OfficerContact] | None = None
    queued = 0
    for change in await pending_changes(session):
        course = await session.get(Course, change.course_id)
        heard = await last_told(session, change.course_id) or change.first
        if (course is not None and course.status != "cancelled" and course.start_date < today
                and heard.start >= today):
            continue  # moved to a day gone by: a date typed wrong, told once put right
        taken = await take(session, change.notice_ids, now)
        if not taken or course is None:
            continue  # another process took it
        # What people last heard: the last message about the class (written by another
        # process, perhaps, since ``heard`` was read), else the class before its first change.
        before = await last_told(session, course.id) or change.before_of(min(taken))
        after = Shape.of(course)
        record_told(session, course, now)
        if after == before or before.start < today:
            continue  # undone before anyone was told; or a class that had started
        told = await _tell_people(session, course, before, after, now)
        queued += told.people
        if told.people or told.missed:
            if officers is None:
                officers = await get_officer_contacts(session)
            queued += await _tell_officers(session, officers, course, before, after, told, now)
    if queued:
        # A number typed next picks the options of these messages (not those before them).
        await remember_recorded(session, now)
    return queued


async def _person_text(
    session: AsyncSession, course: Course, before: Shape, after: Shape
) -> tuple[str, dict[str, str]]:
    """The message's key and its values but the person's own references (``refs``)."""
    unit = await session.get(Unit, course.unit_id) if course.unit_id is not None else None
    named = {"occupation": course.occupation, "commune": unit.name if unit else after.venue}
    kind = _kind(before, after)
    if kind == "cancelled":
        return "courses.moved.person_cancelled", {**named, "start": _day(before.start)}
    if kind == "reopened":
        return "courses.moved.person_reopened", {
            **named, "start": _day(after.start), "venue": await _place(session, after)}
    return "courses.moved.person_moved", {**named, "what": await _what(session, before, after)}


async def _tell_people(
    session: AsyncSession, course: Course, before: Shape, after: Shape, now: datetime
) -> _Told:
    """One message to each person registered for the class (their own references only)."""
    by_contact: dict[int, list[Case]] = {}
    for case in await registered(session, [course.id]):
        if case.contact_id is not None:
            by_contact.setdefault(case.contact_id, []).append(case)
    if not by_contact:
        return _Told(0, 0, 0)
    key, values = await _person_text(session, course, before, after)
    contacts = {c.id: c for c in await session.scalars(
        select(Contact).where(Contact.id.in_(by_contact)))}  # one read, not one per person
    people = waiting = missed = 0
    for contact_id, cases in by_contact.items():
        contact = contacts.get(contact_id)
        if contact is None or unreachable(contact.unreachable_at, contact.last_seen_at):
            missed += 1
            continue
        reply = Reply(
            t(key, refs=", ".join(c.ref for c in cases), **values),
            [*_other_class_rows(cases),
             [OpenDoor(Door.HUMAN).button(t("menu.button.human"))]],
            meta={"intent": f"notice:{CHANGED}", "change": _kind(before, after),
                  "case_ref": cases[0].ref},
        )
        record_outbox(session, channel=contact.channel, chat_id=contact.platform_user_id,
                      payload=reply_to_payload(reply), now=now, contact_id=contact.id)
        people += 1
        waiting += sum(c.status == CaseStatus.WAITLIST for c in cases)
    return _Told(people, waiting, missed)


def _other_class_rows(cases: list[Case]) -> list[list[Button]]:
    """«Đổi sang lớp khác» for the registration (one option each when several), if it may still
    be moved (one already in the class is the officers' to move)."""
    movable = [c for c in cases if c.status in WITHDRAWABLE]
    if len(movable) == 1:
        return [[PickOtherClass(movable[0].id).button(t("courses.moved.button_other"))]]
    return [[PickOtherClass(c.id).button(t("courses.moved.button_other_for", ref=c.ref))]
            for c in movable]


async def _tell_officers(
    session: AsyncSession, officers: list[OfficerContact], course: Course, before: Shape,
    after: Shape, told: _Told, now: datetime,
) -> int:
    """One line to the officers of the class's commune (and of its former one, if it moved
    there from another), or the office: what changed and how many were told."""
    found = {o.officer_id: o for o in officers_for_unit(officers, after.unit_id)}
    if before.unit_id != after.unit_id:
        found.update({o.officer_id: o for o in officers_for_unit(officers, before.unit_id)})
    if not found:
        return 0
    unit = await session.get(Unit, course.unit_id) if course.unit_id is not None else None
    kind = _kind(before, after)
    head = t(f"courses.moved.officers_{kind}", occupation=course.occupation,
             commune=unit.name if unit else after.venue, code=course.code,
             start=_day(after.start), what=await _what(session, before, after))
    parts = [head]
    if told.people:
        waiting = t("courses.moved.officers_waiting", count=told.waiting) if told.waiting else ""
        parts.append(t("courses.moved.officers_told", count=told.people, waiting=waiting))
    if told.missed:
        parts.append(t("courses.moved.officers_missed", count=told.missed))
    reply = Reply(" ".join(parts), meta={"intent": "notice", "notice": CHANGED})
    return await record_for_officers(session, list(found.values()), reply, now)
