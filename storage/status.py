"""Behind-plan status per unit × programme × year, computed by the database in one query.

The rule (spec data-formats.md, "Overdue status"), for the local day ``today``:
``overdue`` when the deadline has passed and submitted < target; ``due_soon`` when the deadline
is today or within ``due_soon_days`` days and submitted < target; ``on_track`` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import Date, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Program, Unit
from storage.models.plan import PlanAllocation, PlanSubmission


class Status(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"


@dataclass(frozen=True, slots=True)
class AllocationStatus:
    """One allocation with what was submitted against it and its status on a day."""

    allocation_id: int
    unit_id: int
    unit_code: str
    unit_name: str
    program_code: str
    year: int
    target: int
    submitted: int
    deadline: date
    status: Status

    def days_late(self, today: date) -> int:
        return max(0, (today - self.deadline).days)


async def get_statuses(
    session: AsyncSession,
    today: date,
    *,
    due_soon_days: int = 7,
    year: int | None = None,
    unit_ids: Sequence[int] | None = None,
    only: Sequence[Status] | None = None,
) -> list[AllocationStatus]:
    """Every allocation (filtered), with submissions summed per allocation, ordered by unit
    name then programme code; the status is decided by a CASE in the same query."""
    sums = (
        select(
            PlanSubmission.unit_id,
            PlanSubmission.program_id,
            PlanSubmission.year,
            func.sum(PlanSubmission.trainees).label("total"),
        )
        .group_by(PlanSubmission.unit_id, PlanSubmission.program_id, PlanSubmission.year)
        .subquery()
    )
    submitted = func.coalesce(sums.c.total, 0)
    soon_limit = today + timedelta(days=due_soon_days)
    status = case(
        (submitted >= PlanAllocation.target_trainees, literal(Status.ON_TRACK.value)),
        (
            PlanAllocation.list_deadline < literal(today, Date),
            literal(Status.OVERDUE.value),
        ),
        (
            PlanAllocation.list_deadline <= literal(soon_limit, Date),
            literal(Status.DUE_SOON.value),
        ),
        else_=literal(Status.ON_TRACK.value),
    )
    query = (
        select(
            PlanAllocation.id,
            Unit.id,
            Unit.code,
            Unit.name,
            Program.code,
            PlanAllocation.year,
            PlanAllocation.target_trainees,
            submitted.label("submitted"),
            PlanAllocation.list_deadline,
            status.label("status"),
        )
        .join(Unit, Unit.id == PlanAllocation.unit_id)
        .join(Program, Program.id == PlanAllocation.program_id)
        .outerjoin(
            sums,
            and_(
                sums.c.unit_id == PlanAllocation.unit_id,
                sums.c.program_id == PlanAllocation.program_id,
                sums.c.year == PlanAllocation.year,
            ),
        )
        .order_by(Unit.name_key, Unit.code, Program.code, PlanAllocation.year)
    )
    if year is not None:
        query = query.where(PlanAllocation.year == year)
    if unit_ids is not None:
        query = query.where(PlanAllocation.unit_id.in_(list(unit_ids)))
    if only is not None:
        query = query.where(status.in_([s.value for s in only]))
    rows = (await session.execute(query)).all()
    return [
        AllocationStatus(
            allocation_id=r[0],
            unit_id=r[1],
            unit_code=r[2],
            unit_name=r[3],
            program_code=r[4],
            year=r[5],
            target=r[6],
            submitted=int(r[7]),
            deadline=r[8] if isinstance(r[8], date) else date.fromisoformat(str(r[8])),
            status=Status(r[9]),
        )
        for r in rows
    ]
