"""Imports of units, programmes, plan allocations, submissions and classes (spec: data-formats.md;
classes are this project's extension of it, checked in storage/course_import.py).

Every import is all or nothing: each row is checked first, every bad row is reported (line number
and reason, in Vietnamese), and only a clean file is written. Rows are upserts on their natural
key, so re-importing the same file changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import t
from messages.import_columns import import_columns
from messages.text import fold
from storage.course_import import COURSES
from storage.import_rows import (
    MAX_HEADER_SHOWN,
    Checked,
    Checker,
    ImportKind,
    Lookup,
    Writer,
    column_length,
    column_names,
    load_lookup,
    row_error,
    shown,
    too_long,
)
from storage.models import OPEN_START, Program, Unit
from storage.plan_repo import record_allocation, record_imported_submission
from storage.tables import (
    HEADER_ROWS,
    Progress,
    Row,
    Table,
    UnreadableFileError,
    name_problem,
    parse_date,
    parse_int,
    read_table,
)

KINDS = {"xa": "xã", "phuong": "phường", "dac khu": "đặc khu", "thi tran": "thị trấn"}
#: Towns (thị trấn) were abolished with the districts: only rows that ended before this day.
TOWNS_ENDED = date(2025, 7, 1)
#: Files at least this long get a progress bar.
PROGRESS_FROM = 500
#: Report lines shown at most (a file of 10,000 errors gets 100 and a count of the rest).
MAX_ERRORS_SHOWN = 100
_UNIT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}")
_PROGRAM_CODE = re.compile(r"[a-z0-9_]{1,32}")
logger = logging.getLogger(__name__)


#: Names as long as their columns hold (PostgreSQL refuses longer ones with an error).
_UNIT_NAME_MAX = column_length(Unit.__table__.c.name)
_PROGRAM_NAME_MAX = column_length(Program.__table__.c.name)


class ImportRejectedError(ValueError):
    """The file was not imported; ``errors`` are the Vietnamese lines to show."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: int
    changed: int


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
    """Validate then write one file of ``kind`` (a key of ``IMPORTS``)."""
    spec = IMPORTS[kind]
    try:
        table = read_table(data, import_columns().kinds[kind], spec.required)
    except UnreadableFileError as exc:
        raise ImportRejectedError([t(f"officials.import.{exc.reason}", **exc.params)]) from None
    _check_header(kind, spec, table)
    rows = table.rows
    if progress is not None and len(rows) < PROGRESS_FROM:
        progress = None
    lookup = await load_lookup(session, column_names(kind, table.written))
    writers: list[Writer] = []
    errors: list[str] = []
    for done, (line, cells) in enumerate(rows, start=1):
        result = too_long(lookup, line, cells) or _checked(
            spec.check_row, session, lookup, line, cells, now
        )
        if isinstance(result, str):
            errors.append(result)
        elif isinstance(result, list):
            errors += result
        else:
            writers.append(result)
        if progress is not None and (done % 200 == 0 or done == len(rows)):
            progress(done, len(rows))
    if spec.check_file is not None:
        clashes, instead = spec.check_file(session, lookup, rows, now)
        errors += clashes
        writers = writers if instead is None else instead
    if errors:
        raise ImportRejectedError(_report(errors))
    changed = 0
    for write in writers:
        changed += await write()
    await session.flush()
    return ImportResult(rows=len(rows), changed=changed)


def _check_header(kind: str, spec: ImportKind, table: Table) -> None:
    """The file has a header row naming each column once, every required one, and rows below
    it; else the one line saying what is wrong."""
    labels = import_columns().kinds[kind].labels
    needed = ", ".join(f"«{labels[c]}» ({c})" for c in spec.required)
    if table.empty:
        raise ImportRejectedError([t("officials.import.empty_file")])
    if not table.line:
        raise ImportRejectedError(
            [t("officials.import.no_header", rows=HEADER_ROWS, columns=needed)]
        )
    missing = [c for c in spec.required if c not in table.written]
    if missing:
        columns = ", ".join(f"«{labels[c]}» ({c})" for c in missing)
        raise ImportRejectedError(
            [t("officials.import.missing_columns", columns=columns, line=table.line)]
        )
    if table.twice is not None:
        name, first, second = table.twice
        raise ImportRejectedError([
            t(
                "officials.import.column_twice",
                first=shown(first, MAX_HEADER_SHOWN),
                second=shown(second, MAX_HEADER_SHOWN),
                line=table.line,
                label=labels.get(name, name),
            )
        ])
    if not table.rows:
        raise ImportRejectedError([t("officials.import.empty")])


def _checked(
    checker: Checker,
    session: AsyncSession,
    lookup: Lookup,
    line: int,
    cells: dict[str, str],
    now: datetime,
) -> Checked:
    """The checker's verdict; a cell no rule foresaw is that row's error, never a traceback."""
    try:
        return checker(session, lookup, line, cells, now)
    except Exception:
        logger.exception("import: unexpected error checking line %d", line)
        return row_error(line, "bad_row")


def _check_unit(
    session: AsyncSession, lookup: Lookup, line: int, cells: dict[str, str], now: datetime
) -> Checked:
    code, name = cells["code"].strip(), cells["name"].strip()
    if not code:
        return row_error(line, "no_code")
    if not _UNIT_CODE.fullmatch(code):
        return row_error(line, "bad_unit_code", value=code)
    if not name:
        return row_error(line, "no_name")
    parent = cells.get("parent", "").strip() or None
    for value in (name, parent or ""):
        if value and (problem := name_problem(value, _UNIT_NAME_MAX)):
            return row_error(line, problem, value=value, most=_UNIT_NAME_MAX)
    kind = KINDS.get(fold(cells["kind"]))
    if kind is None:
        return row_error(line, "bad_kind", value=cells["kind"])
    dates: list[date | None] = []
    for column in ("valid_from", "valid_to"):
        raw = cells.get(column, "").strip()
        parsed = parse_date(raw) if raw else None
        if raw and parsed is None:
            return row_error(line, "bad_date", column=lookup.column(column), value=raw)
        dates.append(parsed)
    if kind == "thị trấn" and (dates[1] is None or dates[1] >= TOWNS_ENDED):
        return row_error(line, "town_abolished", value=name, column=lookup.column("valid_to"))
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
    session: AsyncSession, lookup: Lookup, line: int, cells: dict[str, str], now: datetime
) -> Checked:
    code, name = cells["code"].strip().lower(), cells["name"].strip()
    if not _PROGRAM_CODE.fullmatch(code):
        return row_error(line, "bad_program_code", value=cells["code"])
    if not name:
        return row_error(line, "no_name")
    if problem := name_problem(name, _PROGRAM_NAME_MAX):
        return row_error(line, problem, value=name, most=_PROGRAM_NAME_MAX)

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
    lookup: Lookup, line: int, cells: dict[str, str]
) -> str | tuple[Unit, Program, int]:
    unit = lookup.unit_of_row(line, cells["unit"])
    if isinstance(unit, str):
        return unit
    program = lookup.programs.get(cells["program"].strip().lower())
    if program is None:
        return row_error(line, "unknown_program", value=cells["program"])
    year = parse_int(cells["year"])
    if year is None or not 2000 <= year <= 2100:
        return row_error(line, "bad_year", value=cells["year"])
    return unit, program, year


def _check_plan(
    session: AsyncSession, lookup: Lookup, line: int, cells: dict[str, str], now: datetime
) -> Checked:
    found = _unit_program_year(lookup, line, cells)
    if isinstance(found, str):
        return found
    unit, program, year = found
    target = parse_int(cells["target_trainees"])
    if target is None or target < 0:
        return row_error(line, "bad_target", value=cells["target_trainees"])
    deadline = parse_date(cells["list_deadline"])
    if deadline is None:
        return row_error(
            line, "bad_date", column=lookup.column("list_deadline"), value=cells["list_deadline"]
        )

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
    lookup: Lookup, line: int, cells: dict[str, str]
) -> str | tuple[Unit, Program, int, date, int]:
    found = _unit_program_year(lookup, line, cells)
    if isinstance(found, str):
        return found
    submitted_on = parse_date(cells["submitted_on"])
    if submitted_on is None:
        return row_error(
            line, "bad_date", column=lookup.column("submitted_on"), value=cells["submitted_on"]
        )
    trainees = parse_int(cells["trainees"])
    if trainees is None or trainees <= 0:
        return row_error(line, "bad_trainees", value=cells["trainees"])
    return (*found, submitted_on, trainees)


def _check_submission(
    session: AsyncSession, lookup: Lookup, line: int, cells: dict[str, str], now: datetime
) -> Checked:
    parsed = _parse_submission(lookup, line, cells)
    if isinstance(parsed, str):
        return parsed

    async def noop() -> bool:  # written by _merge_submissions once the whole file is valid
        return False

    return noop


def _merge_submissions(
    session: AsyncSession, lookup: Lookup, rows: list[Row], now: datetime
) -> tuple[list[str], list[Writer] | None]:
    """Rows of one unit × programme × year × day add up (several lists handed in that day):
    one writer per sum replaces the rows' own (bad rows are reported by their own check)."""
    totals: dict[tuple[int, int, int, date], int] = defaultdict(int)
    for line, cells in rows:
        try:
            parsed = _parse_submission(lookup, line, cells)
        except Exception:  # reported by the row's own check
            continue
        if isinstance(parsed, str):
            continue
        unit, program, year, day, trainees = parsed
        totals[(unit.id, program.id, year, day)] += trainees

    def writer(key: tuple[int, int, int, date], count: int) -> Writer:
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

    return [], [writer(k, v) for k, v in totals.items()]


#: Every kind of file, by the name the commands use.
IMPORTS = {
    "units": ImportKind(("code", "name", "kind"), _check_unit),
    "programs": ImportKind(("code", "name"), _check_program),
    "plan": ImportKind(
        ("unit", "program", "year", "target_trainees", "list_deadline"), _check_plan
    ),
    "submissions": ImportKind(
        ("unit", "program", "year", "submitted_on", "trainees"),
        _check_submission,
        _merge_submissions,
    ),
    "courses": COURSES,
}
#: The columns each kind must have.
REQUIRED = {kind: spec.required for kind, spec in IMPORTS.items()}
