"""Imports of units, programmes, plan allocations, submissions and classes (spec: data-formats.md;
classes are this project's extension of it).

Every import is all or nothing: each row is checked first, every bad row is reported (line number
and reason, in Vietnamese), and only a clean file is written. Rows are upserts on their natural
key, so re-importing the same file changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import t
from messages.text import fold
from storage.models import OPEN_START, Course, Program, Unit
from storage.plan_repo import (
    AmbiguousUnitError,
    pick_unit,
    record_allocation,
    record_imported_submission,
)
from storage.tables import (
    Progress,
    Row,
    UnreadableFileError,
    name_problem,
    parse_date,
    parse_int,
    read_table,
)

KINDS = {"xa": "xã", "phuong": "phường", "dac khu": "đặc khu", "thi tran": "thị trấn"}
#: Towns (thị trấn) were abolished with the districts: only rows that ended before this day.
TOWNS_ENDED = date(2025, 7, 1)
REQUIRED = {
    "units": ("code", "name", "kind"),
    "programs": ("code", "name"),
    "plan": ("unit", "program", "year", "target_trainees", "list_deadline"),
    "submissions": ("unit", "program", "year", "submitted_on", "trainees"),
    "courses": ("unit", "trade", "start_date"),
}
#: Files at least this long get a progress bar.
PROGRESS_FROM = 500
#: Longest cell accepted (the longest real one, a programme's name, is 300 characters).
MAX_CELL = 1000
#: Longest cell value quoted back in a report line.
MAX_SHOWN = 60
#: Report lines shown at most (a file of 10,000 bad rows gets 100 and a count of the rest).
MAX_ERRORS_SHOWN = 100
_UNIT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}")
_PROGRAM_CODE = re.compile(r"[a-z0-9_]{1,32}")
_COURSE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
#: A class's statuses (storage.models.Course.status).
COURSE_STATUSES = ("planned", "open", "full", "running", "finished", "cancelled")
#: Optional whole-number columns of a class: (least, most).
_COURSE_NUMBERS = {"duration_days": (1, 3650), "duration_hours": (1, 10000), "seats": (0, 10000)}
logger = logging.getLogger(__name__)


def _column_length(column: Any) -> int:
    return int(getattr(column.type, "length", None) or MAX_CELL)


#: Names as long as their columns hold (PostgreSQL refuses longer ones with an error).
_UNIT_NAME_MAX = _column_length(Unit.__table__.c.name)
_PROGRAM_NAME_MAX = _column_length(Program.__table__.c.name)
_TRADE_MAX = _column_length(Course.__table__.c.occupation)
_VENUE_MAX = _column_length(Course.__table__.c.venue)


class ImportRejectedError(ValueError):
    """The file was not imported; ``errors`` are the Vietnamese lines to show."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: int
    changed: int


class _Lookup:
    """Units and programmes loaded once, so a 10,000-row file costs two queries, not 20,000."""

    def __init__(self, units: list[Unit], programs: list[Program]) -> None:
        self.by_key: dict[str, list[Unit]] = defaultdict(list)
        for unit in units:
            self.by_key[unit.code].append(unit)
            if unit.name_key != unit.code:
                self.by_key[unit.name_key].append(unit)
        self.programs = {p.code: p for p in programs}

    def unit(self, text: str) -> Unit | None:
        found = {
            u.id: u for u in self.by_key.get(text.strip(), []) + self.by_key.get(fold(text), [])
        }
        return pick_unit(list(found.values()), text)


async def _lookup(session: AsyncSession) -> _Lookup:
    return _Lookup(
        list(await session.scalars(select(Unit))), list(await session.scalars(select(Program)))
    )


def _shown(value: object) -> str:
    """A cell as quoted in a report line: printable, and short (a cell may be 200,000 long)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value)[:MAX_SHOWN + 1])
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def _err(line: int, key: str, **params: Any) -> str:
    shown = {k: _shown(v) if isinstance(v, str) else v for k, v in params.items()}
    return t("officials.import.line", line=line, reason=t(f"officials.import.{key}", **shown))


def _too_long(line: int, cells: dict[str, str]) -> str | None:
    for column, value in cells.items():
        if len(value) > MAX_CELL:
            return _err(line, "cell_too_long", column=column, length=len(value), most=MAX_CELL)
    return None


def _report(errors: list[str]) -> list[str]:
    if len(errors) <= MAX_ERRORS_SHOWN:
        return errors
    more = t("officials.import.more_errors", count=len(errors) - MAX_ERRORS_SHOWN)
    return [*errors[:MAX_ERRORS_SHOWN], more]


async def import_file(
    session: AsyncSession,
    kind: str,
    data: bytes,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate then write one file of ``kind`` (units | programs | plan | submissions)."""
    try:
        header, rows = read_table(data)
    except UnreadableFileError as exc:
        raise ImportRejectedError([t(f"officials.import.{exc.reason}")]) from None
    missing = [c for c in REQUIRED[kind] if c not in header]
    if missing:
        raise ImportRejectedError(
            [t("officials.import.missing_columns", columns=", ".join(missing))]
        )
    if not rows:
        raise ImportRejectedError([t("officials.import.empty")])
    if progress is not None and len(rows) < PROGRESS_FROM:
        progress = None
    lookup = await _lookup(session)
    writers: list[Callable[[], Awaitable[bool]]] = []
    errors: list[str] = []
    checker = _CHECKERS[kind]
    for done, (line, cells) in enumerate(rows, start=1):
        result = _too_long(line, cells) or _checked(checker, session, lookup, line, cells, now)
        if isinstance(result, str):
            errors.append(result)
        else:
            writers.append(result)
        if progress is not None and (done % 200 == 0 or done == len(rows)):
            progress(done, len(rows))
    if kind == "submissions" and not errors:
        writers = _merge_submissions(session, lookup, rows, now)
    if kind == "courses":
        errors += _repeated_courses(lookup, rows)
    if errors:
        raise ImportRejectedError(_report(errors))
    changed = 0
    for write in writers:
        changed += await write()
    await session.flush()
    return ImportResult(rows=len(rows), changed=changed)


Checked = str | Callable[[], Awaitable[bool]]
Checker = Callable[[AsyncSession, "_Lookup", int, dict[str, str], datetime], Checked]


def _checked(
    checker: Checker,
    session: AsyncSession,
    lookup: _Lookup,
    line: int,
    cells: dict[str, str],
    now: datetime,
) -> Checked:
    """The checker's verdict; a cell no rule foresaw is that row's error, never a traceback."""
    try:
        return checker(session, lookup, line, cells, now)
    except Exception:
        logger.exception("import: unexpected error checking line %d", line)
        return _err(line, "bad_row")


def _check_unit(
    session: AsyncSession, lookup: _Lookup, line: int, cells: dict[str, str], now: datetime
) -> Checked:
    code, name = cells["code"].strip(), cells["name"].strip()
    if not code:
        return _err(line, "no_code")
    if not _UNIT_CODE.fullmatch(code):
        return _err(line, "bad_unit_code", value=code)
    if not name:
        return _err(line, "no_name")
    parent = cells.get("parent", "").strip() or None
    for value in (name, parent or ""):
        if value and (problem := name_problem(value, _UNIT_NAME_MAX)):
            return _err(line, problem, value=value, most=_UNIT_NAME_MAX)
    kind = KINDS.get(fold(cells["kind"]))
    if kind is None:
        return _err(line, "bad_kind", value=cells["kind"])
    dates: list[date | None] = []
    for column in ("valid_from", "valid_to"):
        raw = cells.get(column, "").strip()
        parsed = parse_date(raw) if raw else None
        if raw and parsed is None:
            return _err(line, "bad_date", column=column, value=raw)
        dates.append(parsed)
    if kind == "thị trấn" and (dates[1] is None or dates[1] >= TOWNS_ENDED):
        return _err(line, "town_abolished", value=name)
    valid_from = dates[0] or OPEN_START

    async def write() -> bool:
        unit = await session.scalar(
            select(Unit).where(Unit.code == code, Unit.valid_from == valid_from)
        )
        if unit is None:
            session.add(
                Unit(
                    code=code,
                    name=name,
                    name_key=fold(name),
                    kind=kind,
                    parent=parent,
                    valid_from=valid_from,
                    valid_to=dates[1],
                )
            )
            return True
        new = (name, fold(name), kind, parent, dates[1])
        if (unit.name, unit.name_key, unit.kind, unit.parent, unit.valid_to) == new:
            return False
        unit.name, unit.name_key, unit.kind, unit.parent, unit.valid_to = new
        return True

    return write


def _check_program(
    session: AsyncSession, lookup: _Lookup, line: int, cells: dict[str, str], now: datetime
) -> Checked:
    code, name = cells["code"].strip().lower(), cells["name"].strip()
    if not _PROGRAM_CODE.fullmatch(code):
        return _err(line, "bad_program_code", value=cells["code"])
    if not name:
        return _err(line, "no_name")
    if problem := name_problem(name, _PROGRAM_NAME_MAX):
        return _err(line, problem, value=name, most=_PROGRAM_NAME_MAX)

    async def write() -> bool:
        program = await session.scalar(select(Program).where(Program.code == code))
        if program is None:
            session.add(Program(code=code, name=name))
            return True
        if program.name == name:
            return False
        program.name = name
        return True

    return write


def _unit_program_year(
    lookup: _Lookup, line: int, cells: dict[str, str]
) -> str | tuple[Unit, Program, int]:
    try:
        unit = lookup.unit(cells["unit"])
    except AmbiguousUnitError:
        return _err(line, "ambiguous_unit", value=cells["unit"])
    if unit is None:
        return _err(line, "unknown_unit", value=cells["unit"])
    program = lookup.programs.get(cells["program"].strip().lower())
    if program is None:
        return _err(line, "unknown_program", value=cells["program"])
    year = parse_int(cells["year"])
    if year is None or not 2000 <= year <= 2100:
        return _err(line, "bad_year", value=cells["year"])
    return unit, program, year


def _check_plan(
    session: AsyncSession, lookup: _Lookup, line: int, cells: dict[str, str], now: datetime
) -> Checked:
    found = _unit_program_year(lookup, line, cells)
    if isinstance(found, str):
        return found
    unit, program, year = found
    target = parse_int(cells["target_trainees"])
    if target is None or target < 0:
        return _err(line, "bad_target", value=cells["target_trainees"])
    deadline = parse_date(cells["list_deadline"])
    if deadline is None:
        return _err(line, "bad_date", column="list_deadline", value=cells["list_deadline"])

    async def write() -> bool:
        return await record_allocation(
            session,
            unit_id=unit.id,
            program_id=program.id,
            year=year,
            target=target,
            deadline=deadline,
            now=now,
        )

    return write


def _parse_submission(
    lookup: _Lookup, line: int, cells: dict[str, str]
) -> str | tuple[Unit, Program, int, date, int]:
    found = _unit_program_year(lookup, line, cells)
    if isinstance(found, str):
        return found
    submitted_on = parse_date(cells["submitted_on"])
    if submitted_on is None:
        return _err(line, "bad_date", column="submitted_on", value=cells["submitted_on"])
    trainees = parse_int(cells["trainees"])
    if trainees is None or trainees <= 0:
        return _err(line, "bad_trainees", value=cells["trainees"])
    return (*found, submitted_on, trainees)


def _check_submission(
    session: AsyncSession, lookup: _Lookup, line: int, cells: dict[str, str], now: datetime
) -> Checked:
    parsed = _parse_submission(lookup, line, cells)
    if isinstance(parsed, str):
        return parsed

    async def noop() -> bool:  # written by _merge_submissions once the whole file is valid
        return False

    return noop


def _merge_submissions(
    session: AsyncSession, lookup: _Lookup, rows: list[Row], now: datetime
) -> list[Callable[[], Awaitable[bool]]]:
    """Rows of one unit × programme × year × day add up (several lists handed in that day)."""
    totals: dict[tuple[int, int, int, date], int] = defaultdict(int)
    for line, cells in rows:
        parsed = _parse_submission(lookup, line, cells)
        assert not isinstance(parsed, str)  # checked before
        unit, program, year, day, trainees = parsed
        totals[(unit.id, program.id, year, day)] += trainees

    def writer(key: tuple[int, int, int, date], count: int) -> Callable[[], Awaitable[bool]]:
        async def write() -> bool:
            return await record_imported_submission(
                session,
                unit_id=key[0],
                program_id=key[1],
                year=key[2],
                submitted_on=key[3],
                trainees=count,
                now=now,
            )

        return write

    return [writer(k, v) for k, v in totals.items()]


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


def _parse_course(lookup: _Lookup, line: int, cells: dict[str, str]) -> str | CourseFields:
    try:
        unit = lookup.unit(cells["unit"])
    except AmbiguousUnitError:
        return _err(line, "ambiguous_unit", value=cells["unit"])
    if unit is None:
        return _err(line, "unknown_unit", value=cells["unit"])
    occupation = cells["trade"].strip()
    if not occupation:
        return _err(line, "no_trade")
    for value, most in ((occupation, _TRADE_MAX), (cells.get("venue", "").strip(), _VENUE_MAX)):
        if value and (problem := name_problem(value, most)):
            return _err(line, problem, value=value, most=most)
    start = parse_date(cells["start_date"])
    if start is None:
        return _err(line, "bad_date", column="start_date", value=cells["start_date"])
    if not 2000 <= start.year <= 2100:
        return _err(line, "start_too_far", value=cells["start_date"])
    code = cells.get("code", "").strip()
    if code and not _COURSE_CODE.fullmatch(code):
        return _err(line, "bad_course_code", value=code)
    program_id = None
    if program_text := cells.get("program", "").strip():
        program = lookup.programs.get(program_text.lower())
        if program is None:
            return _err(line, "unknown_program", value=program_text)
        program_id = program.id
    numbers: dict[str, int | None] = {}
    for column, (least, most) in _COURSE_NUMBERS.items():
        raw = cells.get(column, "").strip()
        number = parse_int(raw) if raw else None
        if raw and (number is None or not least <= number <= most):
            return _err(line, "bad_whole", column=column, value=raw, least=least, most=most)
        numbers[column] = number
    status = fold(cells.get("status", "")) or "open"
    if status not in COURSE_STATUSES:
        return _err(line, "bad_course_status", value=cells.get("status", ""))
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


async def write_course(session: AsyncSession, fields: CourseFields) -> Course | None:
    """Insert the class, or update the one with its code; None when nothing changed."""
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
    for key, value in values.items():
        setattr(course, key, value)
    return course


def _check_course(
    session: AsyncSession, lookup: _Lookup, line: int, cells: dict[str, str], now: datetime
) -> Checked:
    fields = _parse_course(lookup, line, cells)
    if isinstance(fields, str):
        return fields

    async def write() -> bool:
        return await write_course(session, fields) is not None

    return write


def _repeated_courses(lookup: _Lookup, rows: list[Row]) -> list[str]:
    """A class twice in one file (same code, or same commune, trade and day) is an error:
    which of the two rows should win is the officer's call, not the importer's."""
    first: dict[str, int] = {}
    errors = []
    for line, cells in rows:
        try:
            fields = _parse_course(lookup, line, cells)
        except Exception:  # reported by the row's own check
            continue
        if isinstance(fields, str):
            continue
        if fields.code in first:
            errors.append(
                _err(line, "duplicate_course", value=fields.code, first=first[fields.code])
            )
        else:
            first[fields.code] = line
    return errors


async def check_course_cells(
    session: AsyncSession, cells: dict[str, str]
) -> str | CourseFields:
    """One class typed on the command line, checked by the import's rules; an error is the
    reason alone (there is no line to name)."""
    lookup = await _lookup(session)
    cells = {column: cells.get(column) or "" for column in {*REQUIRED["courses"], *cells}}
    found = _too_long(1, cells) or _parse_course(lookup, 1, cells)
    if isinstance(found, str):
        return found.removeprefix(t("officials.import.line", line=1, reason=""))
    return found


_CHECKERS = {
    "units": _check_unit,
    "programs": _check_program,
    "plan": _check_plan,
    "submissions": _check_submission,
    "courses": _check_course,
}
