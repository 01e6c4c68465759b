"""``python -m bot cases export``: one row per case, as csv, xlsx or jsonl, for officials."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import prepare_database
from bot.settings import Settings
from handlers.intake.questions import option_label
from handlers.textnorm import fold
from messages import t
from storage.crypto import Cipher, KeyConfigError, resolve_key
from storage.db import Database
from storage.models import Case, Course, Unit
from storage.sheet_cells import append_row, csv_text

COLUMNS = (
    "ref", "status", "kind", "full_name", "date_of_birth", "gender", "phone", "citizen_id",
    "unit", "village", "ethnicity", "household", "interest", "relationship", "created",
)
#: Widest a column gets in the xlsx, in characters (long course names wrap past it).
MAX_WIDTH = 50


class ExportError(ValueError):
    """A bad option value; the message is printed as is."""


def register(sub: Any) -> None:
    cases = sub.add_parser("cases", help="applicant cases")
    cases_sub = cases.add_subparsers(dest="cases_command", required=True)
    export = cases_sub.add_parser("export", help="one row per case: csv, xlsx or jsonl")
    export.add_argument("--format", choices=("csv", "xlsx", "jsonl"), default="csv")
    export.add_argument("--unit", default=None, help="only this commune (code or name)")
    export.add_argument("--since", default=None, help="only cases created on or after DATE")
    export.add_argument("--output", default=None, help="file to write (default: stdout)")
    export.set_defaults(handler=_cmd_export)


def _cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    try:
        key = resolve_key(settings.encryption_key, settings.environment)
        since = _parse_since(args.since, settings) if args.since else None
        rows = asyncio.run(_load(settings, Cipher(key), args.unit, since))
    except (KeyConfigError, ExportError) as exc:
        print(exc, file=sys.stderr)
        return 2
    data = render(rows, args.format)
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    print(t("intake.export.done", count=len(rows)), file=sys.stderr)
    return 0


def _parse_since(value: str, settings: Settings) -> datetime:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            day = datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 (a date only)
        except ValueError:
            continue
        return datetime.combine(day, time(0), tzinfo=settings.zone).astimezone(UTC)
    raise ExportError(t("intake.export.bad_date", value=value))


async def _load(
    settings: Settings, box: Cipher, unit: str | None, since: datetime | None
) -> list[dict[str, Any]]:
    db = Database(settings.database_url)
    try:
        await prepare_database(db)
        async with db.session() as session:
            return await get_export_rows(session, box, settings, unit=unit, since=since)
    finally:
        await db.dispose()


async def get_export_rows(
    session: AsyncSession,
    box: Cipher,
    settings: Settings,
    *,
    unit: str | None = None,
    since: datetime | None = None,
) -> list[dict[str, Any]]:
    """The cases as plain values (phone and citizen id decrypted), oldest first."""
    query = (
        select(Case, Unit, Course)
        .outerjoin(Unit, Unit.id == Case.unit_id)
        .outerjoin(Course, Course.id == Case.course_id)
        .order_by(Case.created_at, Case.id)
    )
    if unit is not None:
        unit_ids = list(
            await session.scalars(
                select(Unit.id).where(or_(Unit.code == unit.strip(), Unit.name_key == fold(unit)))
            )
        )
        if not unit_ids:
            raise ExportError(t("intake.export.unknown_unit", unit=unit))
        query = query.where(Case.unit_id.in_(unit_ids))
    if since is not None:
        query = query.where(Case.created_at >= since)
    rows = []
    for case, case_unit, course in (await session.execute(query)).all():
        interest = (
            option_label("market", case.market) if case.kind == "abroad"
            else (course.occupation if course else t("intake.summary.next_class"))
        )
        rows.append({
            "ref": case.ref,
            "status": case.status,
            "kind": option_label("kind", case.kind),
            "full_name": case.full_name or "",
            "date_of_birth": case.date_of_birth,
            "gender": option_label("gender", case.gender),
            "phone": box.decrypt_opt(case.phone_enc) or "",
            "citizen_id": box.decrypt_opt(case.citizen_id_enc) or "",
            "unit": case_unit.name if case_unit else "",
            "village": case.village or "",
            "ethnicity": case.ethnicity or "",
            "household": option_label("household", case.household_status),
            "interest": interest,
            "relationship": option_label("relationship", case.relationship_to_registrant)
            if case.relationship_to_registrant != "self" else option_label("who", "self"),
            "created": case.created_at.astimezone(settings.zone).replace(tzinfo=None),
        })
    return rows


def render(rows: list[dict[str, Any]], fmt: str) -> bytes:
    """The export file's bytes."""
    if fmt == "jsonl":
        return "".join(json.dumps(_plain(r), ensure_ascii=False) + "\n" for r in rows).encode()
    if fmt == "csv":
        header = [t(f"intake.export.{c}") for c in COLUMNS]
        text = csv_text([header] + [[_plain(row)[c] for c in COLUMNS] for row in rows])
        # BOM: Excel opens UTF-8 with Vietnamese letters correctly only with it.
        return ("\ufeff" + text).encode("utf-8")
    return _xlsx(rows)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    plain = dict(row)
    birth = row["date_of_birth"]
    plain["date_of_birth"] = birth.isoformat() if isinstance(birth, date) else ""
    plain["created"] = row["created"].isoformat(timespec="minutes")
    return plain


def _xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = t("intake.export.sheet")
    headers = [t(f"intake.export.{c}") for c in COLUMNS]
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, [row[c] for c in COLUMNS])
    widths = [len(h) for h in headers]
    for index, column in enumerate(COLUMNS, start=1):
        for row_no, row in enumerate(rows, start=2):
            value = row[column]
            if column == "date_of_birth" and value:
                sheet.cell(row=row_no, column=index).number_format = "dd/mm/yyyy"
                text = "00/00/0000"
            elif column == "created":
                sheet.cell(row=row_no, column=index).number_format = "dd/mm/yyyy hh:mm"
                text = "00/00/0000 00:00"
            else:
                text = str(value or "")
            widths[index - 1] = max(widths[index - 1], len(text))
        width = min(widths[index - 1] + 2, MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
