"""The half-year report reproduces the seed article's figures; /baocao sends it as a file."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from bot.cli_officials import render_report_text
from handlers.officials.progress import program_label
from handlers.types import Channel
from messages import t
from storage.history import load_history
from storage.models import Unit
from storage.report import get_report
from tests.helpers import Clock, say, texts
from tests.officials_helpers import add_plan, make_officer

NAMED = {
    "Yên Thuận",
    "Phù Lưu",
    "Tân Thành",
    "Minh Hương",
    "Yên Lâm",
    "Yên Phú",
    "Thành Long",
    "Đức Ninh",
    "Hùng Đức",
}


async def test_first_half_of_2023_as_the_article_states(app: App) -> None:
    async with app.db.session() as session:
        report = await get_report(session, date(2023, 1, 1), date(2023, 6, 30))
        units = {u.id: u for u in await session.scalars(select(Unit))}
    assert report.classes == 9  # "9 lớp dạy nghề"
    assert report.departures == 68  # "68 lao động đi làm việc ở nước ngoài"
    assert report.lines("giam_ngheo") == 6  # "6 lớp theo chương trình ... giảm nghèo bền vững"
    assert report.lines("dtts_mn") == 8  # "8 lớp theo chương trình ... đồng bào DTTS"
    assert {u.name for u in report.units if u.classes} == NAMED
    # All of it on the 18 pre-2025 units, not on the communes that reuse their codes.
    assert len(report.units) == 18
    assert all(units[u.unit_id].valid_to == date(2025, 6, 30) for u in report.units)


async def test_loading_history_twice_adds_nothing(app: App) -> None:
    async with app.db.session() as session, session.begin():
        assert await load_history(session) == 0
    async with app.db.session() as session:
        report = await get_report(session, date(2023, 1, 1), date(2023, 12, 31))
    assert (report.classes, report.departures) == (9, 68)


async def test_a_narrower_period_and_scope(app: App) -> None:
    async with app.db.session() as session:
        march = await get_report(session, date(2023, 3, 1), date(2023, 3, 31))
        phu_luu = await session.scalar(
            select(Unit.id).where(Unit.code == "02392", Unit.valid_to.is_not(None))
        )
        scoped = await get_report(
            session, date(2023, 1, 1), date(2023, 6, 30), unit_ids=[phu_luu or 0]
        )
    assert march.classes == 3
    assert (scoped.classes, scoped.departures, scoped.trainees) == (1, 6, 30)


async def test_baocao_sends_an_xlsx(sqlite_app: App, clock: Clock) -> None:
    await add_plan(sqlite_app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1), submitted=(44,))
    await make_officer(sqlite_app, clock, "of", "office")
    lines = await say(sqlite_app, "of", "/baocao năm")
    (attachment,) = lines[0]["attachments"]
    assert attachment["kind"] == "document" and attachment["file_name"].endswith(".xlsx")
    book = load_workbook(io.BytesIO(await sqlite_app.files.get(attachment["sha256"])))
    plan = book.worksheets[2]
    assert [c.value for c in plan[2]][:5] == ["Phù Lưu", "MTQG 2026–2035", 2026, 47, 44]


async def test_baocao_on_zalo_is_a_short_summary(sqlite_app: App, clock: Clock) -> None:
    await add_plan(sqlite_app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1), submitted=(44,))
    await make_officer(sqlite_app, clock, "z", "commune", "Phù Lưu", channel=Channel.ZALO)
    lines = await say(sqlite_app, "z", "/baocao 6thang", channel=Channel.ZALO)
    assert "attachments" not in lines[0]
    assert "6 tháng 2 năm 2026" in texts(lines) and "44/47" in texts(lines)
    assert "Telegram" in texts(lines)



async def test_the_printed_report_names_programmes_in_its_columns_too(app: App) -> None:
    """The table's headers said "Lớp theo giam_ngheo" (the code) under lines that name it."""
    async with app.db.session() as session:
        report = await get_report(session, date(2023, 1, 1), date(2023, 6, 30))
    [header] = [line.split("\t") for line in render_report_text(report).splitlines()
                if line.startswith(t("officials.report.col_unit"))]
    for code in report.programs:
        assert t("officials.report.col_lines", program=program_label(code)) in header
        assert t("officials.report.col_lines", program=code) not in header
