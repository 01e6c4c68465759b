"""Classes (courses) as imported from a file or typed on the command line: this project's
extension of the data formats (docs/data-formats.md, "Classes"); the same rules either way.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import t
from messages.text import fold
from storage.course_changes import Shape, note_change
from storage.import_rows import (
    Checked,
    ImportKind,
    Lookup,
    Writer,
    column_length,
    column_names,
    load_lookup,
    row_error,
    too_long,
)
from storage.models import Course, Unit, utcnow
from storage.tables import Row, name_problem, parse_date, parse_int

_COURSE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
#: A class's statuses (storage.models.Course.status).
COURSE_STATUSES = ("planned", "open", "full", "running", "finished", "cancelled")
#: Optional whole-number columns of a class: (least, most).
_COURSE_NUMBERS = {"duration_days": (1, 3650), "duration_hours": (1, 10000), "seats": (0, 10000)}
_TRADE_MAX = column_length(Course.__table__.c.occupation)
_VENUE_MAX = column_length(Course.__table__.c.venue)
REQUIRED = ("unit", "trade", "start_date")


@dataclass(frozen=True, slots=True)
class CourseFields:
    """One class as checked from a row: what the ``courses`` table needs."""

    code: str
    unit: Unit
    occupation: str
    start_date: date
    program_id: int | None
    venue: str
    duration_days: int | None
    duration_hours: int | None
    seats: int
    status: str


def course_code(unit: Unit, occupation: str, start: date) -> str:
    """The code of a class given without one: the same row always gets the same code, so a
    file re-imported changes nothing."""
    digest = hashlib.sha256(fold(occupation).encode()).hexdigest()[:6]
    return f"{unit.code}-{start:%Y%m%d}-{digest}"


def _parse_course(lookup: Lookup, line: int, cells: dict[str, str]) -> list[str] | CourseFields:
    """The class a row describes, or every error of the row."""
    errors: list[str] = []
    unit = lookup.unit_of_row(line, cells["unit"])
    if isinstance(unit, str):
        errors.append(unit)
    occupation = cells["trade"].strip()
    if not occupation:
        errors.append(row_error(line, "no_trade", column=lookup.column("trade")))
    for column, most in (("trade", _TRADE_MAX), ("venue", _VENUE_MAX)):
        value = cells.get(column, "").strip()
        if value and (problem := name_problem(value, most)):
            key = "bad_text" if problem == "bad_name" else "text_too_long"
            errors.append(
                row_error(line, key, column=lookup.column(column), value=value, most=most)
            )
    start = parse_date(cells["start_date"])
    if not cells["start_date"].strip():
        errors.append(row_error(line, "no_start", column=lookup.column("start_date")))
    elif start is None:
        errors.append(row_error(
            line, "bad_date", column=lookup.column("start_date"), value=cells["start_date"]
        ))
    elif not 2000 <= start.year <= 2100:
        errors.append(row_error(line, "start_too_far", value=cells["start_date"]))
    code = cells.get("code", "").strip()
    if code and not _COURSE_CODE.fullmatch(code):
        errors.append(row_error(line, "bad_course_code", value=code))
    program_id = None
    if program_text := cells.get("program", "").strip():
        program = lookup.programs.get(program_text.lower())
        if program is None:
            errors.append(row_error(line, "unknown_program", value=program_text))
        else:
            program_id = program.id
    numbers: dict[str, int | None] = {}
    for column, (least, most) in _COURSE_NUMBERS.items():
        raw = cells.get(column, "").strip()
        number = parse_int(raw) if raw else None
        if raw and (number is None or not least <= number <= most):
            errors.append(row_error(
                line, "bad_whole", column=lookup.column(column), value=raw, least=least, most=most
            ))
        numbers[column] = number
    status = fold(cells.get("status", "")) or "open"
    if status not in COURSE_STATUSES:
        errors.append(row_error(line, "bad_course_status", value=cells.get("status", "")))
    if errors or isinstance(unit, str) or start is None:
        return errors
    return CourseFields(
        code=code or course_code(unit, occupation, start),
        unit=unit,
        occupation=occupation,
        start_date=start,
        program_id=program_id,
        venue=cells.get("venue", "").strip(),
        duration_days=numbers["duration_days"],
        duration_hours=numbers["duration_hours"],
        seats=numbers["seats"] or 0,
        status=status,
    )


async def write_course(
    session: AsyncSession, fields: CourseFields, now: datetime | None = None
) -> Course | None:
    """Insert the class, or update the one with its code; None when nothing changed. A change
    of its start date, place or cancellation is recorded for the people registered to be told
    (storage/course_changes.py; the running bot's dispatcher tells them)."""
    course = await session.scalar(select(Course).where(Course.code == fields.code))
    values = {
        "occupation": fields.occupation,
        "unit_id": fields.unit.id,
        "start_date": fields.start_date,
        "program_id": fields.program_id,
        "venue": fields.venue,
        "duration_days": fields.duration_days,
        "duration_hours": fields.duration_hours,
        "seats": fields.seats,
        "status": fields.status,
    }
    if course is None:
        course = Course(code=fields.code, **values)
        session.add(course)
        await session.flush()
        return course
    if all(getattr(course, k) == v for k, v in values.items()):
        return None
    before = Shape.of(course)
    for key, value in values.items():
        setattr(course, key, value)
    note_change(session, course, before, now or utcnow())
    return course


def _check_course(
    session: AsyncSession, lookup: Lookup, line: int, cells: dict[str, str], now: datetime
) -> Checked:
    fields = _parse_course(lookup, line, cells)
    if isinstance(fields, list):
        return fields

    async def write() -> bool:
        return await write_course(session, fields, now) is not None

    return write


def _repeated_courses(
    session: AsyncSession, lookup: Lookup, rows: list[Row], now: datetime
) -> tuple[list[str], list[Writer] | None]:
    """A class twice in one file (same code, or same commune, trade and day) is an error:
    which of the two rows should win is the officer's call, not the importer's."""
    first: dict[str, int] = {}
    errors = []
    for line, cells in rows:
        try:
            fields = _parse_course(lookup, line, cells)
        except Exception:  # reported by the row's own check
            continue
        if isinstance(fields, list):
            continue
        if fields.code in first:
            errors.append(
                row_error(line, "duplicate_course", value=fields.code, first=first[fields.code])
            )
        else:
            first[fields.code] = line
    return errors, None


async def check_course_cells(
    session: AsyncSession, cells: dict[str, str]
) -> str | CourseFields:
    """One class typed on the command line, checked by the import's rules; an error is the
    reasons alone, a line each (there is no line of a file to name)."""
    lookup = await load_lookup(session, column_names("courses"))
    cells = {column: cells.get(column) or "" for column in {*REQUIRED, *cells}}
    found = too_long(lookup, 1, cells) or _parse_course(lookup, 1, cells)
    if isinstance(found, list):
        prefix = t("officials.import.line", line=1, reason="")
        return "\n".join(error.removeprefix(prefix) for error in found)
    return found



COURSES = ImportKind(REQUIRED, _check_course, _repeated_courses)
