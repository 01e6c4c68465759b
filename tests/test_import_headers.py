"""Officers' own sheets (trial 127): the header row may sit under a title, its headers are the
Vietnamese ones officers write (messages/import_columns.toml: any case, with or without
diacritics, words in brackets), a commune may be written "xã Phù Lưu"; an empty file says it is
empty; every error of a row is reported, naming the column as the file names it. Whatever the
header row holds (Hypothesis), the importer answers with its own Vietnamese lines, never a
traceback."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from bot.app import App, build_app
from messages import load_strings
from messages.import_columns import import_columns, read_import_columns
from storage.importers import IMPORTS, MAX_ERRORS_SHOWN, ImportRejectedError, import_file
from storage.models import Course, Unit
from storage.tables import HEADER_ROWS
from tests.conftest import make_settings
from tests.helpers import Clock
from tests.test_imports import run, xlsx


def csv_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


async def classes(app: App) -> list[tuple[str, str, date, str, int, int | None]]:
    async with app.db.session() as session:
        rows = await session.execute(
            select(Unit.name, Course.occupation, Course.start_date, Course.venue, Course.seats,
                   Course.duration_days)
            .join(Unit, Unit.id == Course.unit_id)
            .where(Course.start_date >= date(2027, 6, 1))
            .order_by(Course.start_date, Course.occupation)
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def rejected(app: App, clock: Clock, data: bytes, kind: str = "courses") -> list[str]:
    with pytest.raises(ImportRejectedError) as caught:
        await run(app, clock, kind, data)
    return caught.value.errors


def _titled_book() -> bytes:
    """A sheet as offices make them: a merged title, a subtitle, a blank row, the header with
    a numbering column and notes, communes with "xã" or "UBND xã", a footer."""
    book = Workbook()
    sheet = book.active
    for row in [
        ["DANH SÁCH LỚP ĐÀO TẠO NGHỀ NĂM 2027"],
        ["(Kèm theo Kế hoạch số 12/KH-UBND ngày 05/01/2027)"],
        [],
        ["STT", "Tên xã (*)", "Tên nghề đào tạo", "Ngày khai giảng (dd/mm/yyyy)",
         "Số học viên", "Địa điểm", "Thời gian học (ngày)", "Ghi chú"],
        [1, "xã Phù Lưu", "May công nghiệp", "03/08/2027", 25, "Nhà văn hóa thôn Cầu Cao", 60],
        [2, "UBND xã Thái Sơn", "Trồng nấm", date(2027, 9, 1), 30, "Hội trường xã", 30, "x"],
        [3],  # numbered in advance, not filled in
        [None, None, None, None, None, None, None, "Người lập biểu"],
    ]:
        sheet.append(row)
    sheet.merge_cells("A1:H1")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_titled_vietnamese_sheet_is_imported(app: App, clock: Clock) -> None:
    result = await run(app, clock, "courses", _titled_book())
    assert (result.rows, result.changed) == (2, 2)
    assert await classes(app) == [
        ("Phù Lưu", "May công nghiệp", date(2027, 8, 3), "Nhà văn hóa thôn Cầu Cao", 25, 60),
        ("Thái Sơn", "Trồng nấm", date(2027, 9, 1), "Hội trường xã", 30, 30),
    ]
    assert (await run(app, clock, "courses", _titled_book())).changed == 0


@pytest.mark.parametrize("header", [
    ["Xã", "Nghề", "Ngày khai giảng", "Số chỗ", "Số ngày"],
    ["XA", "NGHE", "NGAY KHAI GIANG", "SO CHO", "SO NGAY"],
    ["tên xã:", "Tên_nghề", "Khai giảng (*)", "Số lượng học viên", "Số ngày học"],
    ["Xã/Phường", "Ngành nghề đào tạo", "Ngày bắt đầu [dự kiến]", "Số HV", "thời gian (ngày)"],
    ["unit", "trade", "start_date", "seats", "duration_days"],
    ["Unit", "Occupation", "Start Date", "Seats", "Duration-Days"],
])
async def test_usual_headers_in_any_spelling(
    sqlite_app: App, clock: Clock, header: list[str]
) -> None:
    rows = [header, ["Xã Phù Lưu", "Hàn điện", "15/07/2027", "20", "45"]]
    assert (await run(sqlite_app, clock, "courses", csv_bytes(rows))).changed == 1
    assert await classes(sqlite_app) == [
        ("Phù Lưu", "Hàn điện", date(2027, 7, 15), "", 20, 45)]


async def test_a_semicolon_csv_under_a_title_with_a_comma(sqlite_app: App, clock: Clock) -> None:
    data = (
        "\ufeffDanh sách lớp, năm 2027\n\n"
        "Xã;Nghề;Ngày khai giảng;Địa điểm\n"
        "phu luu;May;01/09/2027;Thôn 1, xã Phù Lưu\n"
    ).encode()
    assert (await run(sqlite_app, clock, "courses", data)).changed == 1
    assert await classes(sqlite_app) == [
        ("Phù Lưu", "May", date(2027, 9, 1), "Thôn 1, xã Phù Lưu", 0, None)]


@pytest.mark.parametrize("written", [
    "xã Phù Lưu", "Xã Phù Lưu", "XÃ PHÙ LƯU", "xa phu luu", "UBND xã Phù Lưu", "02392"])
async def test_a_commune_may_be_written_with_xa(
    sqlite_app: App, clock: Clock, written: str
) -> None:
    rows = [["Xã", "Nghề", "Khai giảng"], [written, "Mộc", "01/10/2027"]]
    assert (await run(sqlite_app, clock, "courses", csv_bytes(rows))).changed == 1
    assert [c[0] for c in await classes(sqlite_app)] == ["Phù Lưu"]


async def test_xa_before_an_unknown_name_is_still_unknown(sqlite_app: App, clock: Clock) -> None:
    rows = [["Xã", "Nghề", "Khai giảng"], ["xã Atlantis", "Mộc", "01/10/2027"], ["xã", "Mộc",
                                                                               "01/10/2027"]]
    assert await rejected(sqlite_app, clock, csv_bytes(rows)) == [
        "Dòng 2: không tìm thấy đơn vị «xã Atlantis»",
        "Dòng 3: không tìm thấy đơn vị «xã»",
    ]


@pytest.mark.parametrize(("data", "line"), [
    (b"", "Tệp trống, không có gì để nhập."),
    (b"\xef\xbb\xbf\r\n\r\n", "Tệp trống, không có gì để nhập."),
    (xlsx([]), "Tệp trống, không có gì để nhập."),
    (xlsx([[None, " "], []]), "Tệp trống, không có gì để nhập."),
    ("Xã,Tên nghề,Ngày khai giảng\n".encode(), "Tệp không có dòng dữ liệu nào."),
    ("DANH SÁCH\nSTT,Xã,Tên nghề,Ngày khai giảng\n1,,,\n2\n".encode(),
     "Tệp không có dòng dữ liệu nào."),
])
async def test_an_empty_file_says_so(sqlite_app: App, clock: Clock, data: bytes, line: str) -> None:
    assert await rejected(sqlite_app, clock, data) == [line]


async def test_missing_columns_are_named_in_vietnamese(sqlite_app: App, clock: Clock) -> None:
    data = "Danh sách\nSTT,Xã,Tên nghề,Số chỗ\n1,Phù Lưu,May,20\n".encode()
    assert await rejected(sqlite_app, clock, data) == [
        "Thiếu cột: «Ngày khai giảng» (start_date) (dòng tiêu đề là dòng 2 của tệp)."]
    data = "STT,Họ tên,Ngày sinh\n1,Nguyễn Văn A,1/1/1990\n".encode()
    assert await rejected(sqlite_app, clock, data) == [
        f"Không tìm thấy dòng tiêu đề trong {HEADER_ROWS} dòng đầu của tệp. Tệp cần có các cột: "
        "«Xã» (unit), «Nghề» (trade), «Ngày khai giảng» (start_date)."]
    late = "\n".join(f"Dòng ghi chú {n}" for n in range(HEADER_ROWS))
    data = (late + "\nXã,Nghề,Khai giảng\nPhù Lưu,May,01/09/2027\n").encode()
    assert (await rejected(sqlite_app, clock, data))[0].startswith(
        "Không tìm thấy dòng tiêu đề")


async def test_a_column_named_twice_is_refused(sqlite_app: App, clock: Clock) -> None:
    rows = [["Xã", "Tên xã", "Nghề", "Khai giảng"], ["Phù Lưu", "Thái Sơn", "May", "01/09/2027"]]
    assert await rejected(sqlite_app, clock, csv_bytes(rows)) == [
        "Cột «Xã» và cột «Tên xã» (dòng 1) đều là cột Xã: hãy giữ một cột."]


async def test_every_error_of_a_row_names_its_column_as_the_file_does(
    sqlite_app: App, clock: Clock
) -> None:
    rows = [
        ["Tên xã", "Tên nghề đào tạo", "Ngày khai giảng (dd/mm/yyyy)", "Địa điểm",
         "Số lượng học viên", "seats_note", "Thời gian học (ngày)", "Mã lớp", "Chương trình"],
        ["Atlantis", "+Trồng rau", "31/02/2027", "@Thôn 2", "-5", "", "0", "A B", "khong_co"],
        ["", "", "", "", "x", "", "", "", ""],
        ["Phù Lưu", "May", "01/09/2027", "Thôn " + "1" * 400, "", "", "", "", ""],
    ]
    letters = "phải bắt đầu bằng chữ hoặc số và chỉ gồm chữ, số, dấu cách và các dấu"
    assert [e.split(" . , ;")[0] for e in await rejected(sqlite_app, clock, csv_bytes(rows))] == [
        "Dòng 2: không tìm thấy đơn vị «Atlantis»",
        f"Dòng 2: «+Trồng rau» ở cột «Tên nghề đào tạo» {letters}",
        f"Dòng 2: «@Thôn 2» ở cột «Địa điểm» {letters}",
        "Dòng 2: ngày «31/02/2027» ở cột «Ngày khai giảng (dd/mm/yyyy)» không hợp lệ "
        "(vd: 2026-07-15 hoặc 15/07/2026)",
        "Dòng 2: mã lớp «A B» không hợp lệ (chữ không dấu, số, dấu . _ -, tối đa 32 ký tự)",
        "Dòng 2: không có chương trình «khong_co»",
        "Dòng 2: «0» ở cột «Thời gian học (ngày)» (Số ngày học) phải là số nguyên từ 1 đến 3650",
        "Dòng 2: «-5» ở cột «Số lượng học viên» (Số chỗ) phải là số nguyên từ 0 đến 10000",
        "Dòng 3: thiếu đơn vị (cột «Tên xã»)",
        "Dòng 3: thiếu nghề (cột «Tên nghề đào tạo»)",
        "Dòng 3: thiếu ngày khai giảng (cột «Ngày khai giảng (dd/mm/yyyy)»)",
        "Dòng 3: «x» ở cột «Số lượng học viên» (Số chỗ) phải là số nguyên từ 0 đến 10000",
        f"Dòng 4: «{rows[3][3][:60]}…» ở cột «Địa điểm» dài quá, tối đa 300 ký tự",
    ]
    assert await classes(sqlite_app) == []


async def test_the_report_is_capped_in_errors_not_rows(sqlite_app: App, clock: Clock) -> None:
    rows = [["Xã", "Nghề", "Khai giảng"], *[["Atlantis", "", "mai"]] * 50]
    errors = await rejected(sqlite_app, clock, csv_bytes(rows))
    assert len(errors) == MAX_ERRORS_SHOWN + 1
    assert errors[:3] == ["Dòng 2: không tìm thấy đơn vị «Atlantis»",
                          "Dòng 2: thiếu nghề (cột «Nghề»)",
                          "Dòng 2: ngày «mai» ở cột «Khai giảng» không hợp lệ "
                          "(vd: 2026-07-15 hoặc 15/07/2026)"]
    assert errors[-1] == "… và 50 lỗi khác."


async def test_other_kinds_take_vietnamese_headers_too(sqlite_app: App, clock: Clock) -> None:
    data = (
        "KẾ HOẠCH ĐÀO TẠO NĂM 2026\n"
        "Đơn vị,Chương trình,Năm,Chỉ tiêu (người),Hạn nộp danh sách\n"
        "xã Phù Lưu,ntp_2026,2026,30,15/07/2026\n"
        "Thái Sơn,ntp_2026,2026,20,31/02/2026\n"
    ).encode()
    assert await rejected(sqlite_app, clock, data, "plan") == [
        "Dòng 4: ngày «31/02/2026» ở cột «Hạn nộp danh sách» không hợp lệ "
        "(vd: 2026-07-15 hoặc 15/07/2026)"]


def test_every_kind_has_its_columns_labelled() -> None:
    columns = import_columns()
    for kind, spec in IMPORTS.items():
        assert set(spec.required) <= set(columns.kinds[kind].labels), kind
    assert columns.kinds["courses"].column_of("Ngày khai giảng (dd/mm/yyyy)") == "start_date"
    assert columns.kinds["courses"].column_of("Thời gian (giờ)") == "duration_hours"
    assert columns.kinds["courses"].column_of("Số học viên") == "seats"
    assert columns.kinds["submissions"].column_of("Số học viên") == "trainees"
    assert columns.kinds["courses"].column_of("STT") == ""


def test_a_header_given_to_two_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cols.toml"
    path.write_text(
        '[courses.unit]\nlabel = "Xã"\nheaders = ["xã"]\n'
        '[courses.trade]\nlabel = "Nghề"\nheaders = ["Xa"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="both unit and trade"):
        read_import_columns(path)


# -- property: whatever the header row holds, the importer's own Vietnamese lines -------------
def _template(text: str) -> re.Pattern[str]:
    parts = re.split(r"\{\w+\}", text)
    return re.compile(".*".join(re.escape(p) for p in parts), re.DOTALL)


_STRINGS = load_strings()
_REASONS = [_template(v) for k, v in _STRINGS.items()
            if k.startswith("officials.import.") and isinstance(v, str)]
_LINE = re.compile(r"Dòng \d+: (.*)", re.DOTALL)


def _ours(line: str) -> bool:
    """A line of the importer's report: an officials.import.* message (a row's behind
    "Dòng N: "), never an exception's text."""
    reason = _LINE.fullmatch(line)
    text = reason.group(1) if reason else line
    return any(p.fullmatch(text) for p in _REASONS)


_KNOWN = sorted({
    header
    for kind in import_columns().kinds.values()
    for header in [*kind.labels.values(), *kind.labels]
})
_HEADER = st.one_of(
    st.text(max_size=30),
    st.sampled_from(_KNOWN),
    st.sampled_from(_KNOWN).map(lambda h: f"{h.upper()} (*)"),
    st.sampled_from(["", "STT", "=1+1", "(", "[x]", "Xã Xã", "\u202e", "\ud800", "x" * 3000]),
)
_CELL = st.one_of(st.sampled_from(["Phù Lưu", "xã Thái Sơn", "May", "01/09/2027", "20", ""]),
                  st.text(max_size=12))


@st.composite
def _header_row(draw: st.DrawFn, kind: str) -> list[str]:
    """Random headers; often with a header for each required column among them (as officers
    write it, shouted, or with a note in brackets), so rows are checked too."""
    row = draw(st.lists(_HEADER, min_size=1, max_size=8))
    if draw(st.sampled_from([True, True, False])):
        columns = import_columns().kinds[kind]
        for name in IMPORTS[kind].required:
            spellings = sorted(k for k, v in columns.by_key.items() if v == name)
            header = draw(st.sampled_from([*spellings, columns.labels[name]]))
            header = draw(st.sampled_from([header, header.upper(), f"{header} (ghi rõ)"]))
            row.insert(draw(st.integers(0, len(row))), header)
    return row


def test_random_header_rows_get_our_own_lines(fresh_sqlite: Path) -> None:
    assert _ours("Dòng 7: thiếu nghề (cột «Nghề»)") and not _ours("KeyError: 'unit'")
    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()
    try:
        app = loop.run_until_complete(
            stack.enter_async_context(build_app(make_settings(fresh_sqlite))))

        async def attempt(kind: str, data: bytes) -> None:
            async with app.db.session() as session:
                await session.begin()
                try:
                    await import_file(session, kind, data, now=Clock().now())
                except ImportRejectedError as exc:
                    assert exc.errors
                    for line in exc.errors:
                        assert _ours(line) and len(line) < 1000, line
                finally:
                    await session.rollback()

        @settings(max_examples=80, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(kind=st.sampled_from(sorted(IMPORTS)), fmt=st.sampled_from(["csv", "xlsx"]),
               above=st.lists(st.lists(_HEADER, max_size=3), max_size=3),
               rows=st.lists(st.lists(_CELL, min_size=3, max_size=12), min_size=1, max_size=3),
               data=st.data())
        def one_file(kind: str, fmt: str, above: list[list[str]], rows: list[list[str]],
                     data: st.DataObject) -> None:
            header = data.draw(_header_row(kind))
            sheet: list[list[object]] = [[c.encode("utf-8", "replace").decode() for c in r]
                                         for r in [*above, header, *rows]]
            if fmt == "xlsx":
                sheet = [[ILLEGAL_CHARACTERS_RE.sub("", str(c)) for c in r] for r in sheet]
            file = csv_bytes(sheet) if fmt == "csv" else xlsx(sheet)
            loop.run_until_complete(attempt(kind, file))

        one_file()
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()
