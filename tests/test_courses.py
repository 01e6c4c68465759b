"""The live class list under training.courses / training.schedule: order, filters, buttons."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.app import App
from handlers.courses import render_course_list
from storage.course_repo import CourseListing, find_upcoming_courses
from storage.models import Case as CaseRow
from storage.models import Contact, Course, Unit
from tests.helpers import intents, press, say

TODAY = date(2026, 7, 10)  # the test clock's day


async def _unit_id(app: App, name: str) -> int:
    async with app.db.session() as session:
        unit_id = await session.scalar(
            select(Unit.id).where(Unit.name == name, Unit.valid_to.is_(None))
        )
    assert unit_id is not None
    return unit_id


async def test_classes_are_listed_nearest_first(sqlite_app: App) -> None:
    async with sqlite_app.db.session() as session:
        listings, total = await find_upcoming_courses(session, TODAY, limit=10)
    starts = [listing.course.start_date for listing in listings]
    assert starts == sorted(starts) and total == len(listings) >= 5
    assert not any(listing.in_own_commune for listing in listings)


async def test_past_full_and_cancelled_classes_are_left_out(sqlite_app: App) -> None:
    async with sqlite_app.db.session() as session, session.begin():
        session.add_all([
            Course(code="OLD", occupation="Lớp cũ", start_date=date(2026, 7, 9), seats=5),
            Course(code="CXL", occupation="Lớp hủy", start_date=date(2026, 8, 1), seats=5,
                   status="cancelled"),
            Course(code="FULL", occupation="Lớp đủ", start_date=date(2026, 8, 1), seats=5,
                   status="full"),
            Course(code="NEW", occupation="Lớp mới", start_date=TODAY, seats=5),
        ])
    async with sqlite_app.db.session() as session:
        listings, _ = await find_upcoming_courses(session, TODAY, limit=20)
    codes = [listing.course.code for listing in listings]
    assert codes[0] == "NEW"
    assert not {"OLD", "CXL", "FULL"} & set(codes)


async def test_own_commune_comes_first_once_known(sqlite_app: App) -> None:
    await say(sqlite_app, "u1", "chào")
    thai_hoa = await _unit_id(sqlite_app, "Thái Hòa")
    async with sqlite_app.db.session() as session, session.begin():
        contact_id = await session.scalar(select(Contact.id))
        session.add(CaseRow(ref="HY-2026-09999", contact_id=contact_id, kind="course",
                            unit_id=thai_hoa))
    lines = await say(sqlite_app, "u1", "bao giờ khai giảng lớp học nghề")
    assert intents(lines) == ["faq:training.schedule", "faq:training.schedule"]
    listing = lines[1]["text"].splitlines()
    assert listing[1].startswith("1. Nấu ăn") and "(xã của anh/chị)" in listing[1]
    # Then the others, nearest first.
    assert listing[2].startswith("2. Kỹ thuật trồng và chăm sóc cam sành")


async def test_each_class_has_a_register_button_into_intake(sqlite_app: App) -> None:
    lines = await say(sqlite_app, "u1", "xã mình có dạy những nghề gì")
    assert intents(lines)[0] == "faq:training.courses"
    labels = [row[0] for row in lines[1]["buttons"]]
    assert labels[0] == "Đăng ký lớp 1"
    assert "Còn 2 lớp nữa" in lines[1]["text"]
    pressed = await press(sqlite_app, "u1", "Đăng ký lớp 1")
    assert intents(pressed)[0].startswith("flow:intake")


def test_without_registration_the_list_says_so_honestly() -> None:
    course = Course(id=7, code="X", occupation="May", start_date=TODAY, seats=3,
                    duration_days=60)
    text, buttons = render_course_list([CourseListing(course, "Hàm Yên", False)], 1,
                                       can_register=False)
    assert buttons == []
    assert "60 ngày" in text and "sắp có" in text
    _, buttons = render_course_list([CourseListing(course, "Hàm Yên", False)], 1,
                                    can_register=True)
    assert [[b.id for b in row] for row in buttons] == [["intake:course:7"]]
