"""The live class list under training.courses / training.schedule: order, filters, buttons."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.courses import render_course_list, typed_place
from handlers.types import Channel
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


# --- "lớp ở Bạch Xa": the list of one commune ---------------------------------------------


def _class_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line[:1].isdigit() and " – " in line]


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
@pytest.mark.parametrize("typed", ["lớp ở Bạch Xa", "lop o bach xa", "co lop nao o Bach Xa khong"])
async def test_a_commune_named_filters_the_list_still_five_a_message(
    sqlite_app: App, channel: Channel, typed: str
) -> None:
    bach_xa = await _unit_id(sqlite_app, "Bạch Xa")
    async with sqlite_app.db.session() as session, session.begin():
        session.add_all([
            Course(code=f"BX{n}", occupation=f"Nghề {n}", unit_id=bach_xa,
                   venue=f"Nhà văn hóa thôn {n}, xã Bạch Xa", start_date=date(2026, 8, n),
                   seats=20)
            for n in range(1, 7)
        ])
    lines = await say(sqlite_app, "u1", typed, channel=channel)
    assert set(intents(lines)) == {"faq:training.courses"}
    listing = lines[-1]["text"]
    assert listing.startswith("Các lớp sắp khai giảng ở xã Bạch Xa:")
    shown = _class_lines(listing)
    assert len(shown) == 5 and all("xã Bạch Xa" in line for line in shown)
    assert "Còn 1 lớp nữa" in listing
    if channel == Channel.ZALO:
        assert "5. Đăng ký lớp 5" in listing and "bấm" not in listing.lower()


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_phu_luu_shows_only_its_class(sqlite_app: App, channel: Channel) -> None:
    lines = await say(sqlite_app, "u1", "co lop nao o Phu Luu khong", channel=channel)
    shown = _class_lines(lines[-1]["text"])
    assert len(shown) == 1 and "xã Phù Lưu" in shown[0]


async def test_a_commune_without_classes_says_so_and_shows_the_others(app: App) -> None:
    lines = await say(app, "u1", "lớp ở Bạch Xa")
    listing = lines[-1]["text"]
    assert listing.startswith("Xã Bạch Xa hiện chưa có lớp nào sắp khai giảng.")
    assert len(_class_lines(listing)) == 5


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
@pytest.mark.parametrize(("typed", "place"), [("lớp ở Hà Nội", "Hà Nội"),
                                              ("co lop nao o yen bai khong a", "yen bai")])
async def test_an_unknown_place_is_said_politely_with_the_whole_list(
    sqlite_app: App, channel: Channel, typed: str, place: str
) -> None:
    lines = await say(sqlite_app, "u1", typed, channel=channel)
    assert set(intents(lines)) == {"faq:training.courses"}
    listing = lines[-1]["text"]
    assert listing.startswith(f"Dạ, «{place}» không thuộc các xã của vùng (")
    assert "Bạch Xa" in listing.splitlines()[0] and len(_class_lines(listing)) == 5


@pytest.mark.parametrize(("text", "place"), [
    ("lớp ở Hà Nội", "Hà Nội"),
    ("có lớp nào tại Yên Bái không ạ", "Yên Bái"),
    ("lớp ở xã Minh Khương nhé", "Minh Khương"),
    ("lớp ở gần nhà em", None),
    ("lop may o xa minh bao gio hoc", None),
    ("lớp học ở đâu", None),
    ("lop o thon 3", None),
    ("em ở Hà Nội", None),  # not about classes
])
def test_the_place_a_class_question_names(text: str, place: str | None) -> None:
    assert typed_place(text) == place
