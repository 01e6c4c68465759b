"""Reference data shipped with the project, loaded into an empty database.

Loading is idempotent: a row whose key exists is left alone, so officials' own imports and edits
survive every restart.
"""

from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import Date, cast, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from storage.history import CLASS_FILES, DEPARTURE_FILES, load_history
from storage.models import OPEN_START, Course, Program, Unit
from storage.models.plan import HistoricalClass, HistoricalDeparture
from storage.shipped import shipped_rows

UNIT_FILES = ("units_current.csv", "units_pre2025.csv")


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


@functools.cache
def _shipped_keys() -> frozenset[tuple[str, str, date | None]]:
    """The key of every shipped row, as ``_present_keys`` reads them back."""
    keys: set[tuple[str, str, date | None]] = {
        ("unit", row["code"], _date(row["valid_from"]) or OPEN_START)
        for name in UNIT_FILES for row in shipped_rows(name)
    }
    keys |= {("program", row["code"], None) for row in shipped_rows("programs.csv")}
    keys |= {("course", row["code"], None) for row in shipped_rows("courses.csv")}
    keys |= {("class", row["code"], None) for n in CLASS_FILES for row in shipped_rows(n)}
    keys |= {("departure", row["code"], None)
             for n in DEPARTURE_FILES for row in shipped_rows(n)}
    return frozenset(keys)


async def _present_keys(session: AsyncSession) -> set[tuple[str, str, date | None]]:
    """The keys of the rows of the shipped kinds that are there, in one query."""
    no_day = cast(null(), Date)
    query = union_all(
        select(literal("unit"), Unit.code, Unit.valid_from),
        select(literal("program"), Program.code, no_day),
        select(literal("course"), Course.code, no_day),
        select(literal("class"), HistoricalClass.code, no_day),
        select(literal("departure"), HistoricalDeparture.code, no_day),
    )
    return {(kind, code, day) for kind, code, day in await session.execute(query)}


async def seed_defaults(session: AsyncSession) -> None:
    """Insert the shipped units, programmes and demo courses where missing."""
    # This runs at every start: when every shipped row is there (the usual case), one query
    # says so, where reading each table's keys took six.
    if _shipped_keys() <= await _present_keys(session):
        return
    # One query per table for the keys already there (this runs at every start).
    units = {(code, day) for code, day in await session.execute(select(Unit.code, Unit.valid_from))}
    for name in UNIT_FILES:
        for row in shipped_rows(name):
            valid_from = _date(row["valid_from"]) or OPEN_START
            if (row["code"], valid_from) not in units:
                units.add((row["code"], valid_from))
                session.add(
                    Unit(
                        code=row["code"],
                        name=row["name"],
                        name_key=fold(row["name"]),
                        kind=row["kind"],
                        parent=row["parent"] or None,
                        valid_from=valid_from,
                        valid_to=_date(row["valid_to"]),
                    )
                )
    programs = set(await session.scalars(select(Program.code)))
    for row in shipped_rows("programs.csv"):
        if row["code"] not in programs:
            programs.add(row["code"])
            session.add(Program(code=row["code"], name=row["name"]))
    await session.flush()
    courses = set(await session.scalars(select(Course.code)))
    for row in shipped_rows("courses.csv"):
        if row["code"] in courses:
            continue
        courses.add(row["code"])
        program_id = await session.scalar(select(Program.id).where(Program.code == row["program"]))
        unit_id = await session.scalar(
            select(Unit.id).where(Unit.name_key == fold(row["unit"]), Unit.valid_to.is_(None))
        )
        session.add(
            Course(
                code=row["code"],
                occupation=row["occupation"],
                program_id=program_id,
                unit_id=unit_id,
                venue=row["venue"],
                start_date=date.fromisoformat(row["start_date"]),
                duration_days=int(row["duration_days"]) if row["duration_days"] else None,
                duration_hours=int(row["duration_hours"]) if row["duration_hours"] else None,
                seats=int(row["seats"]),
                status=row["status"],
            )
        )
    await load_history(session)
