import asyncio

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.app import App
from handlers.types import Channel
from storage.crypto import Cipher, DecryptError, KeyConfigError, resolve_key
from storage.models import Course, IntakeDraft
from tests.helpers import intents, press, say, texts
from tests.intake_support import all_cases, fill_form

#: The seeded tea class has 3 seats.
SMALL = "CH-2026-07"


async def _course_id(app: App, code: str) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(select(Course.id).where(Course.code == code)) or 0)


async def test_course_button_preselects_the_class(app: App) -> None:
    from bot.inbound import button_event
    from tests.helpers import _run

    course_id = await _course_id(app, "MA-2027-04")
    event = button_event(Channel.CONSOLE, "u1", button_id=f"intake:course:{course_id}")
    lines = await _run(app, event)
    assert intents(lines) == ["flow:intake.consent"]
    await press(app, "u1", "Đồng ý")
    lines = await press(app, "u1", "Cho bản thân tôi")
    assert intents(lines) == ["flow:intake.full_name"]  # no "abroad or course?" question


async def test_full_class_offers_the_waiting_list(app: App) -> None:
    for n in range(3):
        await fill_form(app, f"u{n}", kind="Học nghề", choice="Trồng và chế biến chè",
                        person={"cid": "Bỏ qua"})
        await press(app, f"u{n}", "Xác nhận")
    assert [c.status for c in await all_cases(app)] == ["new"] * 3
    lines = await fill_form(app, "late", kind="Học nghề", choice="Trồng và chế biến chè",
                            person={"cid": "Bỏ qua"})
    assert intents(lines) == ["flow:intake.course_full"] and "đủ chỗ" in texts(lines)
    await press(app, "late", "Vào danh sách chờ")
    lines = await say(app, "late", "Bỏ qua")
    assert "(danh sách chờ)" in texts(lines)
    done = await press(app, "late", "Xác nhận")
    assert "danh sách chờ" in texts(done)
    assert (await all_cases(app))[-1].status == "waitlist"


async def test_two_people_confirming_the_last_seat_at_once_get_one_seat(app: App) -> None:
    for n in range(2):
        await fill_form(app, f"u{n}", kind="Học nghề", choice="Trồng và chế biến chè",
                        person={"cid": "Bỏ qua"})
        await press(app, f"u{n}", "Xác nhận")
    for user in ("a", "b"):
        await fill_form(app, user, kind="Học nghề", choice="Trồng và chế biến chè",
                        person={"cid": "Bỏ qua"})
    await asyncio.gather(press(app, "a", "Xác nhận"), press(app, "b", "Xác nhận"))
    statuses = sorted(c.status for c in await all_cases(app))
    assert statuses == ["new", "new", "new", "waitlist"]


async def test_no_open_class_says_so_and_offers_the_next_one(app: App) -> None:
    async with app.db.session() as session, session.begin():
        for course in await session.scalars(select(Course)):
            course.status = "cancelled"
    lines = await fill_form(app, "u1", kind="Học nghề", choice="Ghi danh chờ lớp mới",
                            person={"cid": "Bỏ qua"})
    assert intents(lines) == ["flow:intake.summary"] and "Lớp mở đợt tới" in texts(lines)
    await press(app, "u1", "Sửa thông tin")
    lines = await press(app, "u1", "Lớp học")
    assert intents(lines) == ["flow:intake.course"] and "chưa có lớp nào" in texts(lines)


def test_keys() -> None:
    assert resolve_key("", "development")
    with pytest.raises(KeyConfigError):
        resolve_key("", "production")
    with pytest.raises(KeyConfigError):
        resolve_key("not-a-key", "production")
    key = Fernet.generate_key().decode()
    token = Cipher(key).encrypt("0912345678")
    assert Cipher(f"{Fernet.generate_key().decode()},{key}").decrypt(token) == "0912345678"
    with pytest.raises(DecryptError):
        Cipher().decrypt(token)


async def _at_the_class_question(app: App, user: str) -> None:
    await say(app, user, "tôi muốn đăng ký")
    await press(app, user, "Đồng ý")
    await press(app, user, "Cho bản thân tôi")
    await press(app, user, "Học nghề")
    for text in ("Hoàng Thị Mai", "12/03/1995"):
        await say(app, user, text)
    await press(app, user, "Nữ")
    for text in ("0912345678", "Phù Lưu", "Thôn 2"):
        await say(app, user, text)
    await press(app, user, "Tày")
    lines = await press(app, user, "Hộ nghèo")
    assert intents(lines) == ["flow:intake.course"]


@pytest.mark.parametrize("typed", ["lop may", "lớp may công nghiệp", "hoc may"])
async def test_a_trade_typed_at_the_class_question_picks_its_class(app: App, typed: str) -> None:
    """The trial of 5 December: "lop may" at the class question got "chọn một trong các mục"
    though one open class teaches sewing."""
    await _at_the_class_question(app, "u1")
    lines = await say(app, "u1", typed)
    assert intents(lines)[-1] == "flow:intake.citizen_id", lines
    assert "May công nghiệp" in texts(lines)


async def test_a_question_naming_a_trade_at_the_class_question_chooses_nothing(app: App) -> None:
    await _at_the_class_question(app, "u1")
    lines = await say(app, "u1", "lớp may học phí bao nhiêu?")
    assert intents(lines)[-1] == "flow:intake.course", lines
    async with app.db.session() as session:
        draft = (await session.scalars(select(IntakeDraft))).one()
    assert "course_id" not in draft.data


async def test_a_trade_and_a_commune_without_that_class_show_the_communes(app: App) -> None:
    """"lớp may ở Phù Lưu" (sewing is taught in Hàm Yên only): not the Hàm Yên class chosen
    behind the person's back; Phù Lưu's classes are shown."""
    await _at_the_class_question(app, "u1")
    lines = await say(app, "u1", "lop may o phu luu")
    assert intents(lines) == ["flow:intake.course"] and "Phù Lưu" in texts(lines)
    assert "May công nghiệp" not in texts(lines)
