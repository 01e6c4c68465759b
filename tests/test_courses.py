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
from storage.models import Contact, Course, Subscription, Unit
from tests.dossier_support import click
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
    # Said once in the header, not on every line (a Zalo message stays short).
    assert listing[0] == "Lớp sắp khai giảng, xã Thái Hòa của anh/chị trước:"
    assert listing[1] == "1. Nấu ăn – Thái Hòa"
    # Then the others, nearest first (two lines a class).
    assert listing[3].startswith("2. Kỹ thuật trồng và chăm sóc cam sành")


async def test_each_class_has_a_register_button_into_intake(sqlite_app: App) -> None:
    lines = await say(sqlite_app, "u1", "xã mình có dạy những nghề gì")
    assert intents(lines)[0] == "faq:training.courses"
    labels = [row[0] for row in lines[1]["buttons"]]
    assert labels[0] == "Đăng ký lớp 1"
    assert "Lớp 1–5 trên 7" in lines[1]["text"] and labels[5] == "Xem thêm lớp"
    pressed = await press(sqlite_app, "u1", "Đăng ký lớp 1")
    assert intents(pressed)[0].startswith("flow:intake")


def test_without_registration_the_list_says_so_honestly() -> None:
    course = Course(id=7, code="X", occupation="May", start_date=TODAY, seats=3,
                    duration_days=60)
    shown = render_course_list([CourseListing(course, "Hàm Yên", False)], 1,
                               can_register=False)
    assert shown.buttons == [] and shown.listed == 0
    assert "60 ngày" in shown.text and "sắp có" in shown.text
    shown = render_course_list([CourseListing(course, "Hàm Yên", False)], 1, can_register=True)
    assert [[b.id for b in row] for row in shown.buttons] == [["intake:course:7"]]
    assert shown.listed == 1


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
    assert len(shown) == 5 and all(line.endswith("– Bạch Xa") for line in shown)
    assert "Lớp 1–5 trên 6." in listing
    if channel == Channel.ZALO:
        # The numbers of the classes are the ones to answer: not repeated as options.
        assert "Đăng ký lớp" not in listing and "bấm" not in listing.lower()
        assert "\n6. Xem thêm lớp\n" in listing
    lines = await say(sqlite_app, "u1", "xem them lop", channel=channel)
    listing = lines[-1]["text"]
    assert listing.startswith("Các lớp sắp khai giảng ở xã Bạch Xa:")
    assert [line.split(" – ")[0] for line in _class_lines(listing)] == ["1. Nghề 6"]
    assert "Lớp 6–6 trên 6." in listing


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_phu_luu_shows_only_its_class(sqlite_app: App, channel: Channel) -> None:
    lines = await say(sqlite_app, "u1", "co lop nao o Phu Luu khong", channel=channel)
    shown = _class_lines(lines[-1]["text"])
    assert len(shown) == 1 and shown[0].endswith("– Phù Lưu")


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
    # Which classes, or when they open: both answer with the list.
    assert len(set(intents(lines))) == 1 and intents(lines)[0] in ("faq:training.courses",
                                                                   "faq:training.schedule")
    listing = lines[-1]["text"]
    assert listing.startswith(f"Dạ, «{place}» không thuộc các xã của vùng (")
    assert "Bạch Xa" in listing.splitlines()[0]
    # The note takes room: fewer classes on this page, the rest one «Xem thêm lớp» away.
    assert 3 <= len(_class_lines(listing)) <= 5 and len(listing) <= 600
    assert "Xem thêm lớp" in listing or "Xem thêm lớp" in str(lines[-1].get("buttons"))


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


# --- a phone-sized list: five classes a message, paged ---------------------------------------

LONG_VENUE = ("Nhà văn hóa thôn Khuôn Khán (cạnh trường mầm non), xã {commune}, tỉnh Tuyên "
              "Quang, khu trung tâm hành chính mới")
LONG_TRADES = ["Kỹ thuật trồng và chăm sóc cây cam sành",
               "Chăn nuôi gia súc, gia cầm và phòng bệnh",
               "Sửa chữa máy nông nghiệp và máy cày cầm tay", "Kỹ thuật trồng chè và chế biến chè",
               "May công nghiệp và thiết kế thời trang cơ bản", "Chế biến lâm sản ngoài gỗ và quế"]


async def _long_classes(app: App) -> list[int]:
    """Six classes with long names and venues, before the shipped ones (nearest first)."""
    communes = ["Thái Hòa", "Bạch Xa", "Phù Lưu", "Hùng Đức", "Yên Phú", "Bình Xa"]
    units = [await _unit_id(app, name) for name in communes]
    async with app.db.session() as session, session.begin():
        courses = [Course(code=f"LONG{n}", occupation=trade, unit_id=unit,
                          venue=LONG_VENUE.format(commune=commune),
                          start_date=date(2026, 7, 11 + n), duration_hours=300, seats=35)
                   for n, (trade, unit, commune)
                   in enumerate(zip(LONG_TRADES, units, communes, strict=True))]
        session.add_all(courses)
        await session.flush()
        return [c.id for c in courses]


async def test_a_zalo_class_list_of_five_long_classes_stays_under_600_characters(
    sqlite_app: App,
) -> None:
    """The issue saw class lists as two 1,240-character messages on Zalo. Five long classes
    (the person's commune first), the page line, «Xem thêm lớp» and the answer's follow-ups
    fit one message of at most 600 characters, still saying for each class what a person
    needs to choose: the trade, the commune, the first day, the length and the seats."""
    await _long_classes(sqlite_app)
    await say(sqlite_app, "z1", "chào", channel=Channel.ZALO)
    yen_phu = await _unit_id(sqlite_app, "Yên Phú")
    async with sqlite_app.db.session() as session, session.begin():
        contact_id = await session.scalar(select(Contact.id))
        session.add(CaseRow(ref="HY-2026-09998", contact_id=contact_id, kind="course",
                            unit_id=yen_phu))
    pages = [await say(sqlite_app, "z1", "co lop hoc nghe nao sap mo ko", channel=Channel.ZALO)]
    pages.append(await say(sqlite_app, "z1", "xem them lop", channel=Channel.ZALO))
    pages.append(await say(sqlite_app, "z1", "6", channel=Channel.ZALO))  # «Xem thêm lớp» by number
    for page in pages:
        assert all(len(line["text"]) <= 600 for line in page), page[-1]["text"]
    first = pages[0][-1]["text"]
    print(f"Zalo class list pages: {[len(p[-1]['text']) for p in pages]} characters")
    assert first.startswith("Lớp sắp khai giảng, xã Yên Phú của anh/chị trước:")
    shown = _class_lines(first)
    assert len(shown) == 5 and shown[0].startswith("1. May công nghiệp")
    assert shown[0].endswith("– Yên Phú")
    details = [line for line in first.splitlines() if line.startswith("   ")]
    assert len(details) == 5 and all("300 giờ" in d and "35 chỗ" in d for d in details)
    assert details[2].strip().startswith("11/07,")  # the first day, no year: this summer
    assert "Đăng ký lớp" not in first and "bấm" not in first.lower()
    assert "Lớp 1–5 trên" in first and "6. Xem thêm lớp" in first
    assert "Lớp 6–10 trên" in pages[1][-1]["text"] and "Lớp 11–" in pages[2][-1]["text"]


async def test_a_class_number_on_a_later_page_registers_that_class(sqlite_app: App) -> None:
    ids = await _long_classes(sqlite_app)
    await say(sqlite_app, "z2", "lớp học nghề sắp mở", channel=Channel.ZALO)
    page = await say(sqlite_app, "z2", "Xem thêm lớp", channel=Channel.ZALO)
    assert _class_lines(page[-1]["text"])[0].startswith("1. Chế biến lâm sản ngoài gỗ và quế")
    lines = await say(sqlite_app, "z2", "1", channel=Channel.ZALO)
    assert intents(lines)[0].startswith("flow:intake")
    # The same page's buttons on Telegram: the sixth class, and «Xem thêm lớp» from the 11th.
    async with sqlite_app.db.session() as session:
        listings, total = await find_upcoming_courses(session, TODAY, limit=5, offset=5)
    buttons = render_course_list(listings, total, can_register=True, offset=5).buttons
    assert buttons[0][0].id == f"intake:course:{ids[5]}"
    assert buttons[-1][0].id == "faq:classes:10" and buttons[-1][0].label == "Xem thêm lớp"


async def test_an_outdated_more_classes_button_gets_no_list_of_nothing(sqlite_app: App) -> None:
    """«Xem thêm lớp» pressed after the classes are gone (or a forged offset) says there are
    none, politely, instead of an empty list."""
    lines = await click(sqlite_app, "u1", "faq:classes:500")
    assert intents(lines) == ["faq:training.courses"] and "chưa có lớp nào" in lines[0]["text"]


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_a_trade_named_lists_that_trades_classes_a_page_at_a_time(
    sqlite_app: App, channel: Channel
) -> None:
    """"lớp may thì sao" got every class (the sewing one fifth): now the sewing classes only,
    «Xem thêm lớp» keeping to them; with a commune, that commune's; a trade no class teaches
    there, the commune's classes."""
    bach_xa = await _unit_id(sqlite_app, "Bạch Xa")
    async with sqlite_app.db.session() as session, session.begin():
        session.add_all([
            Course(code=f"MAY{n}", occupation="May công nghiệp", unit_id=bach_xa,
                   venue="Nhà văn hóa", start_date=date(2026, 8, n), seats=20)
            for n in range(1, 7)
        ])
    lines = await say(sqlite_app, "u1", "lop may thi sao", channel=channel)
    listing = lines[-1]["text"]
    assert listing.startswith("Các lớp nghề anh/chị hỏi sắp khai giảng:")
    shown = _class_lines(listing)
    assert len(shown) == 5 and all("May công nghiệp" in line for line in shown)
    assert "Lớp 1–5 trên 7." in listing  # six here, and the shipped one in Hàm Yên
    lines = await say(sqlite_app, "u1", "xem them lop", channel=channel)
    shown = _class_lines(lines[-1]["text"])
    assert len(shown) == 2 and all("May công nghiệp" in line for line in shown)
    lines = await say(sqlite_app, "u1", "hoc nghe may o Ham Yen", channel=channel)
    listing = lines[-1]["text"]
    assert listing.startswith("Các lớp nghề anh/chị hỏi sắp khai giảng ở xã Hàm Yên:")
    # One class: its venue too ("lớp may học ở đâu").
    assert [line.split(" – ")[1] for line in _class_lines(listing)] == [
        "Hàm Yên, Trung tâm GDNN-GDTX Hàm Yên"]
    # Taught, but not in the commune named: said so, and where it is taught.
    lines = await say(sqlite_app, "u1", "lop nau an o Bach Xa", channel=channel)
    listing = lines[-1]["text"]
    assert listing.startswith("Xã Bạch Xa chưa có lớp nghề anh/chị hỏi sắp khai giảng.")
    assert [line.split(" – ")[0] for line in _class_lines(listing)] == ["1. Nấu ăn"]


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_a_trade_no_class_teaches_is_said_so_and_the_subscription_offered(
    sqlite_app: App, channel: Channel
) -> None:
    """"e mun hoc lop sua xe may o thai hoa" was shown the commune's cooking class as if that
    were it: no class teaches motorbike repair. Now that is said first, the commune's classes
    follow, and «Nhận thông báo» is offered to be told when there is one."""
    lines = await say(sqlite_app, "u1", "e mun hoc lop sua xe may o thai hoa", channel=channel)
    listing = lines[-1]["text"]
    assert listing.startswith("Chưa có lớp Sửa chữa xe máy sắp khai giảng.")
    assert "Các lớp sắp khai giảng ở xã Thái Hòa:" in listing
    assert all(" – Thái Hòa" in line for line in _class_lines(listing))
    offered = listing if channel == Channel.ZALO else str(lines[-1]["buttons"])
    assert "Nhận thông báo" in offered
    assert len(listing) <= 600
    if channel == Channel.CONSOLE:
        lines = await press(sqlite_app, "u1", "Nhận thông báo", channel=channel)
        assert intents(lines)[-1].startswith("flow:subscribe")
    # A trade some class teaches gets no such line.
    lines = await say(sqlite_app, "u2", "lop may thi sao", channel=channel)
    assert "Chưa có lớp" not in lines[-1]["text"]


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_a_trade_taught_elsewhere_is_said_so_and_its_news_is_one_confirmation_away(
    sqlite_app: App, channel: Channel
) -> None:
    """"e muon hoc nghe may o xa thai hoa" (sewing is taught in Hàm Yên only) got Thái Hòa's
    cooking class as if that were it. Now it is said that the commune has none, the sewing
    class elsewhere is listed, and «Nhận thông báo» under it asks only to confirm the classes'
    news of Thái Hòa (it asked the commune and the topics)."""
    lines = await say(sqlite_app, "u1", "e muon hoc nghe may o xa thai hoa", channel=channel)
    listing = lines[-1]["text"]
    assert listing.startswith("Xã Thái Hòa chưa có lớp nghề anh/chị hỏi sắp khai giảng.")
    assert [line.split(" – ")[0] for line in _class_lines(listing)] == ["1. May công nghiệp"]
    assert len(listing) <= 600
    lines = await press(sqlite_app, "u1", "Nhận thông báo", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"]
    assert "Lớp học nghề mới, của xã Thái Hòa" in lines[-1]["text"]
    await say(sqlite_app, "u1", "dong y", channel=channel)
    async with sqlite_app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.topics == ["training"]
    assert sub.unit_id == await _unit_id(sqlite_app, "Thái Hòa")
