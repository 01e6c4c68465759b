"""A commune officer reports a submitted list in chat, with a file and bot applicants."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.app import App
from handlers.types import InboundKind
from storage.models import Case, Course
from storage.models.plan import PlanSubmission
from tests.helpers import Clock, press, say, send_file, texts
from tests.officials_helpers import add_plan, make_officer, unit_id


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
    lines = await send_file(app, "pl", b"\xff\xd8 fake jpeg", kind=InboundKind.PHOTO)
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
