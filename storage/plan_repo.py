"""Reads and writes of units, programmes, the plan and submissions (imports, chat, CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from storage.models import Case, Course, Program, Unit
from storage.models.plan import PlanAllocation, PlanSubmission, SubmissionCase


class AmbiguousUnitError(LookupError):
    """A name or code matches more than one unit and none of them is current."""


async def resolve_unit(session: AsyncSession, text: str, *, on: date | None = None) -> Unit | None:
    """The unit named by code or name (case, diacritics and spaces ignored).

    Codes were reused across the 2025 merger: without ``on`` the current unit (valid_to NULL)
    wins; with ``on``, the unit valid on that day. Raises AmbiguousUnitError when that still
    leaves several.
    """
    key = fold(text)
    if not key:
        return None
    found = list(
        await session.scalars(
            select(Unit).where(or_(Unit.code == text.strip(), Unit.name_key == key))
        )
    )
    return pick_unit(found, text, on=on)


def pick_unit(found: Sequence[Unit], text: str, *, on: date | None = None) -> Unit | None:
    """The one unit among those matching ``text`` (see resolve_unit)."""
    if on is not None:
        found = [
            u for u in found if u.valid_from <= on and (u.valid_to is None or u.valid_to >= on)
        ]
    elif len(found) > 1:
        found = [u for u in found if u.valid_to is None] or list(found)
    if len(found) > 1:
        raise AmbiguousUnitError(text)
    return found[0] if found else None


async def get_program(session: AsyncSession, code: str) -> Program | None:
    return await session.scalar(select(Program).where(Program.code == code.strip().lower()))


async def get_programs(session: AsyncSession) -> list[Program]:
    return list(await session.scalars(select(Program).order_by(Program.code)))


async def get_allocations(
    session: AsyncSession, unit_id: int, year: int
) -> list[tuple[PlanAllocation, Program]]:
    rows = await session.execute(
        select(PlanAllocation, Program)
        .join(Program, Program.id == PlanAllocation.program_id)
        .where(PlanAllocation.unit_id == unit_id, PlanAllocation.year == year)
        .order_by(Program.code)
    )
    return [(a, p) for a, p in rows.all()]


async def record_allocation(
    session: AsyncSession,
    *,
    unit_id: int,
    program_id: int,
    year: int,
    target: int,
    deadline: date,
    now: datetime,
) -> bool:
    """Create or update an allocation; returns True when something changed."""
    row = await session.scalar(
        select(PlanAllocation).where(
            PlanAllocation.unit_id == unit_id,
            PlanAllocation.program_id == program_id,
            PlanAllocation.year == year,
        )
    )
    if row is None:
        session.add(
            PlanAllocation(
                unit_id=unit_id,
                program_id=program_id,
                year=year,
                target_trainees=target,
                list_deadline=deadline,
                updated_at=now,
            )
        )
        return True
    if row.target_trainees == target and row.list_deadline == deadline:
        return False
    row.target_trainees, row.list_deadline, row.updated_at = target, deadline, now
    return True


async def record_imported_submission(
    session: AsyncSession,
    *,
    unit_id: int,
    program_id: int,
    year: int,
    submitted_on: date,
    trainees: int,
    now: datetime,
) -> bool:
    """A submission from a file, keyed by (unit, programme, year, date): re-importing the same
    file overwrites it rather than adding it again. Returns True when something changed."""
    key = f"{unit_id}:{program_id}:{year}:{submitted_on.isoformat()}"
    row = await session.scalar(select(PlanSubmission).where(PlanSubmission.import_key == key))
    if row is None:
        session.add(
            PlanSubmission(
                unit_id=unit_id,
                program_id=program_id,
                year=year,
                submitted_on=submitted_on,
                trainees=trainees,
                source="import",
                import_key=key,
                created_at=now,
            )
        )
        return True
    if row.trainees == trainees:
        return False
    row.trainees = trainees
    return True


async def record_chat_submission(
    session: AsyncSession,
    *,
    unit_id: int,
    program_id: int,
    year: int,
    submitted_on: date,
    trainees: int,
    officer_id: int | None,
    now: datetime,
    file_sha256: str | None = None,
    case_ids: Sequence[int] = (),
) -> PlanSubmission:
    """A submission reported by an officer in chat; confirmed bot applicants are linked so each
    is counted once."""
    row = PlanSubmission(
        unit_id=unit_id,
        program_id=program_id,
        year=year,
        submitted_on=submitted_on,
        trainees=trainees,
        source="bot-confirmed" if case_ids else "chat",
        officer_id=officer_id,
        file_sha256=file_sha256,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    for case_id in case_ids:
        session.add(SubmissionCase(case_id=case_id, submission_id=row.id))
    return row


async def get_unconfirmed_applicants(
    session: AsyncSession, unit_id: int, program_id: int
) -> list[Case]:
    """Class applicants registered through the bot for this unit and programme, not yet on a
    submitted list."""
    confirmed = select(SubmissionCase.case_id)
    return list(
        await session.scalars(
            select(Case)
            .join(Course, Course.id == Case.course_id)
            .where(
                Case.kind == "course",
                Case.unit_id == unit_id,
                Course.program_id == program_id,
                Case.id.not_in(confirmed),
                Case.full_name.is_not(None),
            )
            .order_by(Case.id)
        )
    )


async def get_submitted_total(
    session: AsyncSession, unit_id: int, program_id: int, year: int
) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(PlanSubmission.trainees), 0)).where(
            PlanSubmission.unit_id == unit_id,
            PlanSubmission.program_id == program_id,
            PlanSubmission.year == year,
        )
    )
    return int(total or 0)
