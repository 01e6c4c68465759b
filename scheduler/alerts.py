"""Behind-plan alerts: the pure computation (also what ``remind --dry-run`` prints) and the daily
job that sends them (one message per officer per unit per day) plus the escalation to the office.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.access import Role
from handlers.config import HandlerConfig
from handlers.officials.accounts import (
    OfficerContact,
    get_officer_contacts,
    officers_for_unit,
    record_for_officers,
)
from handlers.officials.progress import program_label
from handlers.types import Reply
from messages import t
from scheduler.claims import QUIET_END, QUIET_START, claim, is_quiet, local_day, lock_job
from storage.db import Database
from storage.status import AllocationStatus, Status, get_statuses

log = logging.getLogger(__name__)

RULE_BEHIND = "behind_plan"
RULE_ESCALATION = "escalation"
ESCALATION_DAYS = 7


@dataclass(frozen=True, slots=True)
class Alert:
    """One unit × programme × year that is overdue or due soon, and who would be told."""

    item: AllocationStatus
    days_late: int
    days_left: int
    recipients: tuple[OfficerContact, ...]

    def as_json(self) -> dict[str, Any]:
        i = self.item
        return {
            "unit_code": i.unit_code,
            "unit": i.unit_name,
            "program": i.program_code,
            "year": i.year,
            "target": i.target,
            "submitted": i.submitted,
            "deadline": i.deadline.isoformat(),
            "status": i.status.value,
            "days_late": self.days_late,
            "recipients": [r.as_json() for r in self.recipients],
        }


def compute_alerts(
    statuses: list[AllocationStatus], officers: list[OfficerContact], today: date
) -> list[Alert]:
    """The alerts due on ``today``: every overdue or due-soon allocation, with its recipients."""
    return [
        Alert(
            s,
            s.days_late(today),
            max(0, (s.deadline - today).days),
            tuple(officers_for_unit(officers, s.unit_id)),
        )
        for s in statuses
        if s.status in (Status.OVERDUE, Status.DUE_SOON)
    ]


def compute_escalation(alerts: list[Alert], days: int = ESCALATION_DAYS) -> list[Alert]:
    """Allocations overdue for at least ``days`` days: what the office is told about."""
    return [a for a in alerts if a.item.status == Status.OVERDUE and a.days_late >= days]


def render_unit_alert(alerts: list[Alert]) -> str:
    """The one message a unit's officer gets: its programmes behind plan and how to report."""
    first = alerts[0].item
    lines = [t("officials.alert.title", unit=first.unit_name)]
    for a in alerts:
        i = a.item
        tail = (
            t("officials.alert.late", days=a.days_late)
            if i.status == Status.OVERDUE
            else t("officials.alert.due_in", days=a.days_left)
        )
        lines.append(
            t(
                "officials.alert.row",
                mark=t(f"officials.mark.{i.status.value}"),
                program=program_label(i.program_code),
                year=i.year,
                submitted=i.submitted,
                target=i.target,
                deadline=i.deadline.strftime("%d/%m/%Y"),
            )
            + tail
        )
    lines.append(t("officials.alert.footer"))
    return "\n".join(lines)


def render_escalation(alerts: list[Alert], days: int = ESCALATION_DAYS) -> str:
    lines = [t("officials.alert.escalation_title", days=days)]
    lines += [
        t(
            "officials.alert.escalation_row",
            unit=a.item.unit_name,
            program=program_label(a.item.program_code),
            submitted=a.item.submitted,
            target=a.item.target,
            late=a.days_late,
        )
        for a in alerts
    ]
    return "\n".join(lines)


async def get_alerts(db: Database, config: HandlerConfig, now: datetime) -> list[Alert]:
    """The alerts at ``now`` (reads only): what ``remind --dry-run`` prints."""
    today = local_day(now, config.timezone)
    async with db.session() as session:
        statuses = await get_statuses(
            session,
            today,
            due_soon_days=config.due_soon_days,
            only=(Status.OVERDUE, Status.DUE_SOON),
        )
        officers = await get_officer_contacts(session)
    return compute_alerts(statuses, officers, today)


async def run_daily_alerts(
    db: Database,
    config: HandlerConfig,
    now: datetime,
    *,
    quiet: tuple[int, int] = (QUIET_START, QUIET_END),
    escalation_days: int = ESCALATION_DAYS,
    on_commit: Callable[[], None] | None = None,
) -> int:
    """Queue today's behind-plan alerts and the escalation; returns the messages queued.

    Nothing in quiet hours; each unit (and the escalation) at most once per local day, whatever
    restarts or second processes happen: the sent-log claim and the outbox rows commit together.
    """
    zone: ZoneInfo = config.timezone
    if is_quiet(now, zone, *quiet):
        log.info("daily alerts skipped: quiet hours")
        return 0
    today = local_day(now, zone)
    queued = 0
    async with db.transaction() as session:
        await lock_job(session, RULE_BEHIND)
        statuses = await get_statuses(
            session,
            today,
            due_soon_days=config.due_soon_days,
            only=(Status.OVERDUE, Status.DUE_SOON),
        )
        officers = await get_officer_contacts(session)
        alerts = compute_alerts(statuses, officers, today)
        by_unit: dict[int, list[Alert]] = {}
        for alert in alerts:
            by_unit.setdefault(alert.item.unit_id, []).append(alert)
        for unit_id, unit_alerts in by_unit.items():
            recipients = unit_alerts[0].recipients
            if not recipients or not await claim(
                session, RULE_BEHIND, f"unit:{unit_id}", today, now
            ):
                continue
            text = render_unit_alert(unit_alerts)
            queued += await _queue(session, recipients, text, now, RULE_BEHIND)
        late = compute_escalation(alerts, escalation_days)
        office = tuple(o for o in officers if o.role == Role.OFFICE)
        if late and office and await claim(session, RULE_ESCALATION, "district", today, now):
            text = render_escalation(late, escalation_days)
            queued += await _queue(session, office, text, now, RULE_ESCALATION)
    if queued and on_commit is not None:
        on_commit()
    log.info("daily alerts: %d messages queued", queued)
    return queued


async def _queue(
    session: AsyncSession,
    recipients: tuple[OfficerContact, ...],
    text: str,
    now: datetime,
    rule: str,
) -> int:
    return await record_for_officers(
        session, recipients, Reply(text=text, meta={"intent": f"alert:{rule}"}), now
    )
