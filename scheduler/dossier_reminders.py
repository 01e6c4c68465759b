"""Reminders to families whose dossier still misses papers.

Rules: the first after 3 days without activity, then weekly, at most 4 in all; never between
21:00 and 07:00 local time (a reminder due at night waits for the first run after 07:00);
none once every required paper is in, nor after the family said "dừng nhắc". Each reminder
lists what is missing (with the officer's reason for papers to redo).

``run_dossier_reminders(session, now)`` is the job: it only writes outbox rows in the caller's
transaction, so the scheduler decides how often to run it (hourly is plenty) and commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.config import VIETNAM
from handlers.dossier.buttons import PickCase, StopReminders
from handlers.dossier.progress import DossierView, load_view, reason_text
from handlers.dossier.service import maybe_ready
from handlers.dossier.states import DossierStatus, ItemState
from handlers.types import Reply, reply_to_payload
from messages import t
from scheduler.claims import is_quiet
from storage.dossier_repo import add_event, trackers_with_status
from storage.models import Case, Contact, DossierTracker
from storage.repositories import record_outbox, remember_recorded

FIRST_AFTER = timedelta(days=3)
THEN_EVERY = timedelta(days=7)
MAX_REMINDERS = 4
#: A family that sent everything but never pressed "Xong": officers are told after this long.
READY_SETTLE = timedelta(hours=1)


def due_at(tracker: DossierTracker) -> datetime | None:
    """When the next reminder is due (None: no more reminders)."""
    if tracker.reminders_stopped_at is not None or tracker.reminders_sent >= MAX_REMINDERS:
        return None
    due = tracker.last_activity_at + FIRST_AFTER
    if tracker.last_reminder_at is not None:
        due = max(due, tracker.last_reminder_at + THEN_EVERY)
    return due


def reminder_reply(view: DossierView) -> Reply:
    lines = []
    for v in view.missing_now:
        if v.state == ItemState.REJECTED:
            lines.append(
                t(
                    "dossier.reminder_line_reason",
                    title=v.item.title,
                    reason=reason_text(v.reason or ""),
                )
            )
        else:
            lines.append(t("dossier.reminder_line", title=v.item.title))
    text = t("dossier.reminder", ref=view.case.ref, count=len(lines), lines="\n".join(lines))
    buttons = [
        [PickCase(view.case.id).button(t("dossier.button.checklist"))],
        [StopReminders().button(t("dossier.button.stop"))],
    ]
    return Reply(text, buttons, meta={"intent": "flow:dossier.reminder", "case_ref": view.case.ref})


async def run_dossier_reminders(
    session: AsyncSession, now: datetime, zone: ZoneInfo = VIETNAM
) -> int:
    """Queue the reminders due at ``now``; returns how many were queued."""
    sent = 0
    quiet = is_quiet(now, zone)
    for tracker in await trackers_with_status(session, [DossierStatus.OPEN]):
        case = await session.get(Case, tracker.case_id)
        if case is None or case.contact_id is None:
            continue
        view = await load_view(session, case)
        if view.all_present:
            if now - tracker.last_activity_at >= READY_SETTLE:
                await maybe_ready(session, case, now)
            continue
        due = due_at(tracker)
        if quiet or due is None or due > now or not view.missing_now:
            continue
        contact = await session.get(Contact, case.contact_id)
        if contact is None or contact.unreachable_at is not None:
            continue
        reminder = reminder_reply(view)
        record_outbox(
            session,
            channel=contact.channel,
            chat_id=contact.platform_user_id,
            payload=reply_to_payload(reminder),
            now=now,
            contact_id=contact.id,
        )
        # A number typed next picks the reminder's options, not the ones before it.
        await remember_recorded(session, now)
        tracker.reminders_sent += 1
        tracker.last_reminder_at = now
        add_event(
            session,
            case_id=case.id,
            action="reminded",
            now=now,
            actor_role="system",
            reason=f"{tracker.reminders_sent}/{MAX_REMINDERS}",
        )
        sent += 1
    await session.flush()
    return sent
