"""Questions nobody has answered: after one working day the officers of the thread are reminded,
after two the office is told (and may answer it).

Working days are Monday to Friday, counted in local time from the person's oldest unanswered
message. The job writes outbox rows in the caller's transaction; the scheduler runs it hourly
in office hours on working days (officers are written to at work, people are not involved).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.access import Role
from handlers.config import VIETNAM
from handlers.officials.accounts import (
    get_officer_contacts,
    officers_for_unit,
    record_for_officers,
)
from handlers.threads import Answer, CloseThread
from handlers.types import Button, Reply
from messages import t
from storage.models import Case, Contact, Thread, Unit
from storage.threads_repo import first_question, get_waiting_threads

REMIND_AFTER = 1
ESCALATE_AFTER = 2


def add_working_days(start: datetime, days: int, zone: ZoneInfo = VIETNAM) -> datetime:
    """``start`` plus ``days`` working days (Mon–Fri), at the same local time of day."""
    moment = start.astimezone(zone)
    added = 0
    while added < days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            added += 1
    return moment.astimezone(UTC)


async def _labels(session: AsyncSession, thread: Thread) -> tuple[str, str]:
    case = await session.get(Case, thread.case_id) if thread.case_id else None
    person = await session.get(Contact, thread.contact_id)
    name = (case.full_name if case else None) or (person.display_name if person else "")
    unit = await session.get(Unit, thread.unit_id) if thread.unit_id else None
    return name or t("handoff.anonymous"), unit.name if unit else t("thread.no_unit")


def _buttons(thread_id: int) -> list[list[Button]]:
    return [
        [Answer(thread_id).button(t("thread.button_answer"))],
        [CloseThread(thread_id).button(t("thread.button_close"))],
    ]


async def run_thread_reminders(
    session: AsyncSession, now: datetime, zone: ZoneInfo = VIETNAM
) -> int:
    """Queue the reminders and escalations due at ``now``; returns how many threads."""
    waiting = await get_waiting_threads(session, now)
    if not waiting:
        return 0
    officers = await get_officer_contacts(session)
    office = [o for o in officers if o.role == Role.OFFICE]
    done = 0
    for thread in waiting:
        assert thread.waiting_since is not None
        name, unit = await _labels(session, thread)
        since = thread.waiting_since
        meta = {"intent": "notice", "thread_id": thread.id}
        if thread.escalated_at is None and now >= add_working_days(since, ESCALATE_AFTER, zone):
            if not office:
                continue
            text = t("thread.escalated", thread_id=thread.id, name=name, unit=unit,
                     question=await first_question(session, thread.id))
            reply = Reply(text, _buttons(thread.id), meta={**meta, "notice": "handoff_escalated"})
            await record_for_officers(session, office, reply, now,
                                      subject_contact_id=thread.contact_id)
            thread.escalated_at = now
            done += 1
        elif thread.reminded_at is None and now >= add_working_days(since, REMIND_AFTER, zone):
            holders = [o for o in officers if o.officer_id == thread.officer_id]
            recipients = holders or officers_for_unit(officers, thread.unit_id)
            if not recipients:
                continue
            text = t("thread.reminder", thread_id=thread.id, name=name, unit=unit,
                     since=since.astimezone(zone).strftime("%H:%M %d/%m"))
            reply = Reply(text, _buttons(thread.id), meta={**meta, "notice": "handoff_reminder"})
            await record_for_officers(session, recipients, reply, now,
                                      subject_contact_id=thread.contact_id)
            thread.reminded_at = now
            done += 1
    await session.flush()
    return done
