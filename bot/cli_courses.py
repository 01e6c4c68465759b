"""``python -m bot courses add|import|list``: vocational classes from the terminal.

    courses add --unit "Phù Lưu" --trade "May công nghiệp" --start 2026-08-03
                [--code C] [--program P] [--venue V] [--days N] [--hours N] [--seats N]
                [--status planned|open|…]
    courses import FILE      (xlsx or csv, all or nothing; docs/data-formats.md)
    courses list

A class added or imported here is offered, with one button, to the officers of its commune by
the running bot (``python -m bot run``, any process on the same database), as broadcasts are
picked up; the announcement reaches the people interested there and the class's waiting list.
A class still planned or open whose start date has passed is kept (the data formats refuse no
date in 2000–2100) with a warning on stderr: it is never offered nor announced, and the
registration form does not list it. A class whose start date, place or cancellation changes
is told by the running bot to the people registered for it (its waiting list too) and its
officers, once (handlers/outreach/class_changed.py); the command says how many will be told.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli_officials import _with_db
from bot.settings import Settings
from handlers.outreach.new_class import start_offering
from messages import t
from storage.course_announcements import JOINABLE
from storage.course_changes import pending_mark, people_to_tell
from storage.course_import import COURSE_STATUSES, check_course_cells, write_course
from storage.db import Database
from storage.importers import ImportRejectedError, import_file
from storage.models import Course, Unit, utcnow
from storage.tables import stderr_bar


def register(sub: Any) -> None:
    courses = sub.add_parser("courses", help="vocational classes").add_subparsers(
        dest="courses_command", required=True
    )
    add = courses.add_parser("add", help="add (or update, by code) one class")
    add.add_argument("--unit", required=True, help="commune name or code")
    add.add_argument("--trade", required=True, help="the trade taught (nghề)")
    add.add_argument("--start", required=True, help="first day, YYYY-MM-DD or DD/MM/YYYY")
    add.add_argument("--code", default="", help="class code (default: made from the rest)")
    add.add_argument("--program", default="", help="programme code")
    add.add_argument("--venue", default="")
    add.add_argument("--days", default="", help="duration in days")
    add.add_argument("--hours", default="", help="duration in hours")
    add.add_argument("--seats", default="")
    add.add_argument("--status", default="", help=" | ".join(COURSE_STATUSES) + " (default open)")
    add.set_defaults(handler=_cmd_add)
    load = courses.add_parser("import", help="import an xlsx or csv file (all or nothing)")
    load.add_argument("file")
    load.set_defaults(handler=_cmd_import)
    courses.add_parser("list", help="the classes, by start date").set_defaults(handler=_cmd_list)


def _cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    cells = {
        "unit": args.unit,
        "trade": args.trade,
        "start_date": args.start,
        "code": args.code,
        "program": args.program,
        "venue": args.venue,
        "duration_days": args.days,
        "duration_hours": args.hours,
        "seats": args.seats,
        "status": args.status,
    }

    async def work(db: Database) -> int:
        now = utcnow()
        today = now.astimezone(settings.zone).date()
        async with db.transaction() as session:
            fields = await check_course_cells(session, cells)
            if isinstance(fields, str):
                print(fields, file=sys.stderr)
                return 2
            existed = await session.scalar(select(Course.id).where(Course.code == fields.code))
            await start_offering(session, now)
            mark, _ = await pending_mark(session)
            changed = await write_course(session, fields, now)
            await session.flush()
            told = await people_to_tell(session, mark or 0)
        said = {
            "code": fields.code,
            "trade": fields.occupation,
            "unit": fields.unit.name,
            "start": fields.start_date.strftime("%d/%m/%Y"),
        }
        if existed is not None:
            key = "courses.cli.updated" if changed else "courses.cli.unchanged"
            print(t(key, code=fields.code))
            if told:
                print(t("courses.cli.will_tell", count=told))
        else:
            offered = fields.status in JOINABLE and fields.start_date >= today
            print(t("courses.cli.added" if offered else "courses.cli.added_quiet", **said))
        if fields.status in JOINABLE and fields.start_date < today:
            print(t("courses.cli.started", **said), file=sys.stderr)
        return 0

    return _with_db(settings, work)


def _cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(
            t("officials.import.cannot_open", file=args.file, error=exc.strerror or exc),
            file=sys.stderr,
        )
        return 1

    async def work(db: Database) -> int:
        now = utcnow()
        today = now.astimezone(settings.zone).date()
        try:
            async with db.transaction() as session:
                await start_offering(session, now)
                before = await _started(session, today)
                mark, _ = await pending_mark(session)
                result = await import_file(
                    session, "courses", data, now=now, progress=stderr_bar
                )
                started = await _started(session, today)
                await session.flush()
                to_tell = await people_to_tell(session, mark or 0)
        except ImportRejectedError as exc:
            print(t("officials.import.rejected"), file=sys.stderr)
            for line in exc.errors:
                print(line, file=sys.stderr)
            return 1
        print(t("officials.import.done", rows=result.rows, changed=result.changed))
        if result.changed:
            print(t("courses.cli.imported"))
        if to_tell:
            print(t("courses.cli.will_tell", count=to_tell))
        # The classes this file added or changed into ones that started (not those that were
        # so before it: a re-import warns of nothing new).
        told = [row for key, row in started.items() if key not in before]
        if told:
            print(t("courses.cli.started_imported", count=len(told)), file=sys.stderr)
            for row in told:
                print(t("courses.cli.started_row", **row), file=sys.stderr)
        return 0

    return _with_db(settings, work)




async def _started(session: AsyncSession, today: date) -> dict[tuple[int, date], dict[str, str]]:
    """The classes still planned or open (or full) that started before ``today``, by (id,
    start date), each as the warning names it."""
    rows = await session.execute(
        select(Course, Unit.name)
        .outerjoin(Unit, Unit.id == Course.unit_id)
        .where(Course.status.in_(JOINABLE), Course.start_date < today)
        .order_by(Course.start_date, Course.id)
    )
    return {
        (course.id, course.start_date): {
            "code": course.code,
            "trade": course.occupation,
            "unit": unit or "*",
            "start": course.start_date.strftime("%d/%m/%Y"),
        }
        for course, unit in rows
    }


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: Database) -> int:
        async with db.session() as session:
            rows = (
                await session.execute(
                    select(Course, Unit.name)
                    .outerjoin(Unit, Unit.id == Course.unit_id)
                    .order_by(Course.start_date, Course.id)
                )
            ).all()
        if not rows:
            print(t("courses.cli.none"))
        for course, unit in rows:
            print(
                t(
                    "courses.cli.row",
                    id=course.id,
                    code=course.code,
                    unit=unit or "*",
                    trade=course.occupation,
                    start=course.start_date.strftime("%d/%m/%Y"),
                    seats=course.seats,
                    status=course.status,
                )
            )
        return 0

    return _with_db(settings, work)
