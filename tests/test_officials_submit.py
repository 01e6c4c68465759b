"""A commune officer reports a submitted list in chat, with a file and bot applicants."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.types import InboundKind
from storage import tables
from storage.models import Case, Course
from storage.models.plan import PlanSubmission
from tests.dossier_support import jpeg
from tests.file_corpus import html_as_pdf, jpeg_with_zip, pdf_pages, png_bomb
from tests.helpers import Clock, intents, press, say, send_file, texts
from tests.officials_helpers import add_plan, make_officer, unit_id
from tests.test_imports import xlsx


async def add_applicants(app: App, unit: str, names: list[str]) -> None:
    uid = await unit_id(app, unit)
    async with app.db.session() as session, session.begin():
        course = await session.scalar(select(Course).where(Course.code == "CS-2026-01"))
        assert course is not None
        for n, name in enumerate(names):
            session.add(
                Case(
                    ref=f"HY-T-{n}", kind="course", unit_id=uid, course_id=course.id, full_name=name
                )
            )


async def test_report_a_submission_with_photo_and_applicants(app: App, clock: Clock) -> None:
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1), submitted=(20,))
    await add_applicants(app, "Phù Lưu", ["Hoàng Văn A", "Lý Thị B"])
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    lines = await say(app, "pl", "/nopds")
    assert lines[0]["buttons"] == [["MTQG 2026–2035"], ["Hủy"]]
    await press(app, "pl", "MTQG 2026–2035")
    assert "chữ số" in texts(await say(app, "pl", "hai mươi"))
    await say(app, "pl", "20")
    lines = await send_file(app, "pl", jpeg(1), kind=InboundKind.PHOTO)
    assert "Hoàng Văn A" in texts(lines) and "Lý Thị B" in texts(lines)
    lines = await press(app, "pl", "Tính cả 2 người")
    assert "22 học viên" in texts(lines) and "có kèm danh sách" in texts(lines)
    lines = await press(app, "pl", "Xác nhận")
    assert "42/47" in texts(lines)
    async with app.db.session() as session:
        rows = list(await session.scalars(select(PlanSubmission).order_by(PlanSubmission.id)))
    assert [(r.source, r.trainees) for r in rows] == [
        ("import", 20),
        ("chat", 20),
        ("bot-confirmed", 2),
    ]
    assert rows[1].file_sha256 is not None and app.files.exists(rows[1].file_sha256)
    # Confirmed applicants are counted once: the next report does not offer them again.
    await say(app, "pl", "/nopds")
    await press(app, "pl", "MTQG 2026–2035")
    await say(app, "pl", "5")
    lines = await press(app, "pl", "Bỏ qua")
    assert "Xác nhận báo nộp" in texts(lines) and "Tính cả" not in texts(lines)


async def test_buttons_of_another_units_flow_are_refused(app: App, clock: Clock) -> None:
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1))
    await make_officer(app, clock, "yp", "commune", "Yên Phú")
    lines = await say(app, "yp", "/nopds Phù Lưu")
    assert lines[0]["meta"]["intent"] == "flow:officials.refused"


async def _at_file_step(app: App, clock: Clock) -> None:
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1))
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await say(app, "pl", "/nopds")
    await press(app, "pl", "MTQG 2026–2035")
    await say(app, "pl", "20")


@pytest.mark.parametrize(
    ("build", "kind", "name", "words"),
    [
        (lambda: png_bomb(13_000, 13_000), InboundKind.PHOTO, "", "hơn 40 triệu điểm ảnh"),
        (lambda: png_bomb(600, 60_000), InboundKind.DOCUMENT, "ds.png", "600×60000"),
        (html_as_pdf, InboundKind.DOCUMENT, "ds.pdf", "Bot nhận danh sách là tệp Excel"),
        (lambda: pdf_pages(500), InboundKind.DOCUMENT, "ds.pdf", "có 500 trang"),
        (lambda: b"PK\x03\x04 not a workbook", InboundKind.DOCUMENT, "ds.xlsx", "Excel bị hỏng"),
    ],
    ids=["pixel bomb", "strip", "html as pdf", "long pdf", "broken xlsx"],
)
async def test_an_officers_list_file_gets_the_same_checks_as_a_familys(
    app: App, clock: Clock, build: object, kind: InboundKind, name: str, words: str
) -> None:
    await _at_file_step(app, clock)
    assert callable(build)
    lines = await send_file(app, "pl", build(), kind=kind, file_name=name)
    assert words in texts(lines) and "Bỏ qua" in texts(lines)
    assert intents(lines) == ["flow:officials.submit.refused"]
    # Still at the file step: a good file is then taken.
    lines = await send_file(app, "pl", jpeg(2), kind=InboundKind.PHOTO)
    assert "Đã nhận tệp danh sách" in texts(lines)


async def test_a_zip_bomb_workbook_is_refused_and_a_photo_stored_re_encoded(
    app: App, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _at_file_step(app, clock)
    monkeypatch.setattr(tables, "MAX_UNPACKED_BYTES", 2_000)
    bomb = xlsx([["ho_ten"], ["x" * 5000]])
    lines = await send_file(app, "pl", bomb, kind=InboundKind.DOCUMENT, file_name="ds.xlsx")
    assert "Excel quá lớn" in texts(lines)
    monkeypatch.undo()
    with_zip = jpeg_with_zip()
    await send_file(app, "pl", with_zip, kind=InboundKind.PHOTO)
    await press(app, "pl", "Xác nhận")
    async with app.db.session() as session:
        row = await session.scalar(select(PlanSubmission).where(PlanSubmission.source == "chat"))
    assert row is not None and row.file_sha256 is not None
    stored = await app.files.get(row.file_sha256)
    assert stored != with_zip and b"PK\x03\x04" not in stored


async def test_a_readable_workbook_is_kept_as_sent(app: App, clock: Clock) -> None:
    await _at_file_step(app, clock)
    book = xlsx([["ho_ten", "ngay_sinh"], ["Hoàng Văn A", "2001-02-03"]])
    lines = await send_file(app, "pl", book, kind=InboundKind.DOCUMENT, file_name="ds.xlsx")
    assert "Đã nhận tệp danh sách" in texts(lines)


async def test_a_number_that_is_not_an_option_asks_for_the_programme_again(
    app: App, clock: Clock
) -> None:
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1))
    await add_applicants(app, "Phù Lưu", ["Hoàng Văn A"])
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await say(app, "pl", "/nopds")
    for odd in ("7", "abc"):  # not one of the 2 options: the programmes again, nothing skipped
        lines = await say(app, "pl", odd)
        assert intents(lines) == ["flow:officials.submit.program"]
    await press(app, "pl", "MTQG 2026–2035")
    await say(app, "pl", "20")
    lines = await press(app, "pl", "Bỏ qua")
    assert intents(lines) == ["flow:officials.submit.applicants"]
    lines = await say(app, "pl", "hmm")  # the applicants question again, not the summary
    assert intents(lines) == ["flow:officials.submit.applicants"]
    lines = await press(app, "pl", "Tính cả 1 người")
    assert "21 học viên" in texts(lines)
