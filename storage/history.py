"""Historical figures shipped with the bot (the seed article's first half of 2023), loaded
idempotently: a class or departure row whose code exists is left alone.

How the article's figures are modelled: a *class* is one physical class (``history_classes``);
each programme that funds it is a *funding line* (``history_class_programs``). "Classes
organised" counts classes (9); "classes opened under programme X" counts funding lines of X
(6 poverty reduction, 8 ethnic minority), so a co-funded class counts under both.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Program, Unit
from storage.models.plan import HistoricalClass, HistoricalClassProgram, HistoricalDeparture
from storage.shipped import shipped_rows

CLASS_FILES = ("history_classes_2023h1.csv",)
DEPARTURE_FILES = ("history_departures_2023h1.csv",)


async def _unit_on(session: AsyncSession, code: str, day: date) -> int:
    """The unit that had ``code`` on ``day`` (codes were reused after the 2025 merger)."""
    unit_id = await session.scalar(
        select(Unit.id).where(
            Unit.code == code,
            Unit.valid_from <= day,
            (Unit.valid_to.is_(None)) | (Unit.valid_to >= day),
        )
    )
    if unit_id is None:
        raise LookupError(f"no unit {code} on {day}")
    return unit_id


async def load_history(session: AsyncSession) -> int:
    """Insert the shipped historical classes and departures that are missing; returns how many."""
    added = 0
    programs = {p.code: p.id for p in await session.scalars(select(Program))}
    # The codes already there, one query per table (this runs at every start).
    classes = set(await session.scalars(select(HistoricalClass.code)))
    departures = set(await session.scalars(select(HistoricalDeparture.code)))
    for name in CLASS_FILES:
        for row in shipped_rows(name):
            if row["code"] in classes:
                continue
            classes.add(row["code"])
            opened = date.fromisoformat(row["opened_on"])
            item = HistoricalClass(
                code=row["code"],
                unit_id=await _unit_on(session, row["unit_code"], opened),
                occupation=row["occupation"],
                opened_on=opened,
                trainees=int(row["trainees"]),
            )
            session.add(item)
            await session.flush()
            for code in row["programs"].split(";"):
                session.add(HistoricalClassProgram(class_id=item.id, program_id=programs[code]))
            added += 1
    for name in DEPARTURE_FILES:
        for row in shipped_rows(name):
            if row["code"] in departures:
                continue
            departures.add(row["code"])
            day = date.fromisoformat(row["departed_on"])
            session.add(
                HistoricalDeparture(
                    code=row["code"],
                    unit_id=await _unit_on(session, row["unit_code"], day),
                    departed_on=day,
                    workers=int(row["workers"]),
                    market=row["market"],
                )
            )
            added += 1
    await session.flush()
    return added
