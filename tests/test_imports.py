"""Imports per spec data-formats.md: formats, header matching, bad rows, idempotency."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.app import App
from storage.importers import ImportRejectedError, ImportResult, import_file
from storage.models import Program, Unit
from storage.models.plan import PlanAllocation, PlanSubmission
from tests.helpers import Clock


async def run(app: App, clock: Clock, kind: str, data: bytes, **kw: object) -> ImportResult:
    async with app.db.session() as session, session.begin():
        return await import_file(session, kind, data, now=clock.now(), **kw)  # type: ignore[arg-type]


def xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def allocations(app: App) -> list[tuple[str, str, int, int, date]]:
    async with app.db.session() as session:
        rows = await session.execute(
            select(
                Unit.name,
                Program.code,
                PlanAllocation.year,
                PlanAllocation.target_trainees,
                PlanAllocation.list_deadline,
            )
            .join(Unit, Unit.id == PlanAllocation.unit_id)
            .join(Program, Program.id == PlanAllocation.program_id)
            .order_by(Unit.name_key)
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


PLAN_CSV = (
    "\ufeffGhi chú; Program ;UNIT;year;Target_Trainees;list_deadline\n"
    "x;ntp_2026;phu luu;2026;30;15/07/2026\n"
    ";ntp_2026;02398;2026;25;2026-07-31\n"
).encode()


async def test_plan_csv_any_order_bom_semicolon_names_without_diacritics(
    app: App, clock: Clock
) -> None:
    result = await run(app, clock, "plan", PLAN_CSV)
    assert (result.rows, result.changed) == (2, 2)
    # 02398 is both pre-2025 Yên Phú and the current commune: the current one is meant.
    assert await allocations(app) == [
        ("Phù Lưu", "ntp_2026", 2026, 30, date(2026, 7, 15)),
        ("Yên Phú", "ntp_2026", 2026, 25, date(2026, 7, 31)),
    ]
    async with app.db.session() as session:
        unit_ids = set(await session.scalars(select(PlanAllocation.unit_id)))
        current = set(await session.scalars(select(Unit.id).where(Unit.valid_to.is_(None))))
    assert unit_ids <= current
    again = await run(app, clock, "plan", PLAN_CSV)
    assert again.changed == 0
    assert len(await allocations(app)) == 2


async def test_plan_xlsx_with_dates_and_numbers_as_cells(app: App, clock: Clock) -> None:
    data = xlsx(
        [
            ["unit", "program", "year", "target_trainees", "list_deadline", "extra"],
            ["Hùng Đức", "giam_ngheo", 2026, 12.0, date(2026, 8, 1), "?"],
        ]
    )
    assert (await run(app, clock, "plan", data)).changed == 1
    assert await allocations(app) == [("Hùng Đức", "giam_ngheo", 2026, 12, date(2026, 8, 1))]


async def test_bad_rows_reject_the_whole_file_with_every_reason(app: App, clock: Clock) -> None:
    data = (
        "unit,program,year,target_trainees,list_deadline\n"
        "Phù Lưu,ntp_2026,2026,30,2026-07-15\n"
        "Atlantis,ntp_2026,2026,30,2026-07-15\n"
        "Phù Lưu,khong_co,2026,30,2026-07-15\n"
        "Phù Lưu,ntp_2026,20x6,-3,31/02/2026\n"
    ).encode()
    with pytest.raises(ImportRejectedError) as caught:
        await run(app, clock, "plan", data)
    assert caught.value.errors == [
        "Dòng 3: không tìm thấy đơn vị «Atlantis»",
        "Dòng 4: không có chương trình «khong_co»",
        "Dòng 5: năm «20x6» không hợp lệ",
    ]
    assert await allocations(app) == []  # the good first row was not written either


async def test_each_bad_cell_is_named(app: App, clock: Clock) -> None:
    data = (
        "unit,program,year,target_trainees,list_deadline\n"
        "Phù Lưu,ntp_2026,2026,-3,2026-07-15\n"
        "Phù Lưu,ntp_2026,2026,3,31/02/2026\n"
    ).encode()
    with pytest.raises(ImportRejectedError) as caught:
        await run(app, clock, "plan", data)
    assert caught.value.errors[0].startswith("Dòng 2: chỉ tiêu «-3»")
    assert caught.value.errors[1].startswith("Dòng 3: ngày «31/02/2026»")


async def test_missing_column_and_unreadable_file(app: App, clock: Clock) -> None:
    with pytest.raises(ImportRejectedError) as missing:
        await run(app, clock, "plan", b"unit,program,year\nPhu Luu,ntp_2026,2026\n")
    assert missing.value.errors == [
        "Thiếu cột: «Chỉ tiêu» (target_trainees), «Hạn nộp danh sách» (list_deadline)"
        " (dòng tiêu đề là dòng 1 của tệp)."
    ]
    with pytest.raises(ImportRejectedError) as binary:
        await run(app, clock, "plan", "đơn vị".encode("utf-16"))
    assert "UTF-8" in binary.value.errors[0]


async def test_submissions_add_up_and_reimport_changes_nothing(app: App, clock: Clock) -> None:
    data = (
        "unit,program,year,submitted_on,trainees\n"
        "Phù Lưu,ntp_2026,2026,2026-06-01,10\n"
        "Phù Lưu,ntp_2026,2026,2026-06-01,5\n"
        "Phù Lưu,ntp_2026,2026,02/06/2026,7\n"
    ).encode()
    first = await run(app, clock, "submissions", data)
    second = await run(app, clock, "submissions", data)
    async with app.db.session() as session:
        total = await session.scalar(select(func.sum(PlanSubmission.trainees)))
        count = await session.scalar(select(func.count(PlanSubmission.id)))
    assert (first.changed, second.changed, total, count) == (2, 0, 22, 2)
    with pytest.raises(ImportRejectedError) as caught:
        await run(app, clock, "submissions", data.replace(b",7\n", b",0\n"))
    assert caught.value.errors == ["Dòng 4: số học viên «0» phải là số nguyên > 0"]


async def test_units_and_programs_import(app: App, clock: Clock) -> None:
    units = (
        "code;name;kind;parent;valid_from;valid_to\n"
        "09999; Xã Thử ;XA;Tuyên Quang;2025-07-01;\n"
        "09998;Phường Mới;phường;;;\n"
        "09997;Sai;huyện;;;\n"
    ).encode()
    with pytest.raises(ImportRejectedError) as caught:
        await run(app, clock, "units", units)
    assert caught.value.errors == [
        "Dòng 4: loại đơn vị «huyện» không hợp lệ (xã, phường hoặc đặc khu)"
    ]
    good = units.rsplit(b"09997", 1)[0]
    assert (await run(app, clock, "units", good)).changed == 2
    assert (await run(app, clock, "units", good)).changed == 0
    programs = "code,name\nkhuyen_nong,Khuyến nông\n".encode()
    assert (await run(app, clock, "programs", programs)).changed == 1
    assert (await run(app, clock, "programs", programs)).changed == 0
    async with app.db.session() as session:
        unit = await session.scalar(select(Unit).where(Unit.code == "09999"))
        assert unit is not None and (unit.name, unit.kind) == ("Xã Thử", "xã")


async def test_large_file_shows_progress(sqlite_app: App, clock: Clock) -> None:
    lines = ["unit,program,year,submitted_on,trainees"]
    lines += [f"Phù Lưu,ntp_2026,2026,2026-06-{1 + i % 28:02d},1" for i in range(1200)]
    seen: list[tuple[int, int]] = []
    result = await run(
        sqlite_app,
        clock,
        "submissions",
        "\n".join(lines).encode(),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert result.rows == 1200
    assert seen[-1] == (1200, 1200) and len(seen) > 1


async def test_a_town_is_only_a_unit_that_ended_before_july_2025(app: App, clock: Clock) -> None:
    header = "code,name,kind,parent,valid_from,valid_to\n"
    current = (header + "09996,Tân Thử,thị trấn,huyện Thử,,\n").encode()
    with pytest.raises(ImportRejectedError) as caught:
        await run(app, clock, "units", current)
    assert "không còn thị trấn" in caught.value.errors[0]
    ended = (header + "09996,Tân Thử,thị trấn,huyện Thử,,2025-06-30\n"
             "09995,Đảo Thử,đặc khu,Tuyên Quang,2025-07-01,\n").encode()
    assert (await run(app, clock, "units", ended)).changed == 2
