"""The period report a district gives at its review conference: classes organised, classes opened
per programme (funding lines), trainees, and workers who left to work abroad, per unit.

Sources: the historical tables (storage/history.py explains the class / funding-line model) and
the live course catalogue (a course that started in the period, not planned nor cancelled, is one
class with one funding line; its trainees are the applicants registered for it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from storage.models import Case, Course, Program, Unit
from storage.models.plan import HistoricalClass, HistoricalClassProgram, HistoricalDeparture


@dataclass(slots=True)
class UnitFigures:
    unit_id: int
    code: str
    name: str
    classes: int = 0
    lines: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    trainees: int = 0
    departures: int = 0


@dataclass(slots=True)
class Report:
    start: date
    end: date
    programs: list[str]
    units: list[UnitFigures]

    @property
    def classes(self) -> int:
        return sum(u.classes for u in self.units)

    @property
    def trainees(self) -> int:
        return sum(u.trainees for u in self.units)

    @property
    def departures(self) -> int:
        return sum(u.departures for u in self.units)

    def lines(self, program: str) -> int:
        return sum(u.lines.get(program, 0) for u in self.units)


async def get_report(
    session: AsyncSession, start: date, end: date, *, unit_ids: Sequence[int] | None = None
) -> Report:
    """The figures for ``start``..``end`` (inclusive), per unit with any activity."""

    def scoped(query: Any, column: Any) -> Any:
        return query if unit_ids is None else query.where(column.in_(list(unit_ids)))

    hc = HistoricalClass
    in_period = hc.opened_on.between(start, end)
    classes = (
        await session.execute(
            scoped(
                select(hc.unit_id, func.count(hc.id), func.sum(hc.trainees))
                .where(in_period)
                .group_by(hc.unit_id),
                hc.unit_id,
            )
        )
    ).all()
    lines = (
        await session.execute(
            scoped(
                select(hc.unit_id, Program.code, func.count())
                .join(HistoricalClassProgram, HistoricalClassProgram.class_id == hc.id)
                .join(Program, Program.id == HistoricalClassProgram.program_id)
                .where(in_period)
                .group_by(hc.unit_id, Program.code),
                hc.unit_id,
            )
        )
    ).all()
    hd = HistoricalDeparture
    departures = (
        await session.execute(
            scoped(
                select(hd.unit_id, func.sum(hd.workers))
                .where(hd.departed_on.between(start, end))
                .group_by(hd.unit_id),
                hd.unit_id,
            )
        )
    ).all()
    registered = (
        select(Case.course_id, func.count(Case.id).label("n"))
        .where(Case.kind == "course")
        .group_by(Case.course_id)
        .subquery()
    )
    courses = (
        await session.execute(
            scoped(
                select(Course.unit_id, Program.code, func.coalesce(registered.c.n, 0))
                .outerjoin(Program, Program.id == Course.program_id)
                .outerjoin(registered, registered.c.course_id == Course.id)
                .where(
                    Course.start_date.between(start, end),
                    Course.unit_id.is_not(None),
                    Course.status.not_in(["planned", "cancelled"]),
                ),
                Course.unit_id,
            )
        )
    ).all()

    active = {r[0] for r in (*classes, *lines, *departures, *courses)}
    figures = {
        u.id: UnitFigures(u.id, u.code, u.name)
        for u in await session.scalars(select(Unit).where(Unit.id.in_(active)))
    }
    for unit_id, count, trainees in classes:
        figures[unit_id].classes += int(count)
        figures[unit_id].trainees += int(trainees or 0)
    for unit_id, program, count in lines:
        figures[unit_id].lines[program] += int(count)
    for unit_id, workers in departures:
        figures[unit_id].departures += int(workers or 0)
    for unit_id, program, trainees in courses:
        figures[unit_id].classes += 1
        figures[unit_id].trainees += int(trainees)
        if program:
            figures[unit_id].lines[program] += 1
    programs = list(await session.scalars(select(Program.code).order_by(Program.id)))
    units = sorted(figures.values(), key=lambda u: (fold(u.name), u.code))
    return Report(start=start, end=end, programs=programs, units=units)
